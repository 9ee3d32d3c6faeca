"""Time the crypto primitives: Merkle trees, Pedersen, Schnorr and the envelope.

Prints the median (and minimum) of N runs per operation on the python curve backend and the
pure-Python Poseidon. Trees are pre-filled so that inserts and updates touch realistic paths.

    python benchmarks/bench_merkle.py             # 20 runs each
    python benchmarks/bench_merkle.py --repeat 5  # a few seconds
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from measure import timed

from paraloom.crypto import schnorr
from paraloom.crypto.envelope import open_envelope, seal
from paraloom.crypto.merkle import IncrementalMerkleTree, verify_proof
from paraloom.crypto.pedersen import Pedersen
from paraloom.crypto.sparse_merkle import SparseMerkleTree, verify_sparse_proof
from paraloom.math.fields import FR_MODULUS


def _report(label: str, repeat: int, function: Callable[[], object]) -> None:
    median, minimum = timed(repeat, function)
    print(f"{label:<40} {median * 1e3:10.3f} ms (min {minimum * 1e3:9.3f})", flush=True)


def bench_merkle(repeat: int, rng: random.Random) -> None:
    tree = IncrementalMerkleTree(depth=20)
    tree.insert_many(rng.randrange(FR_MODULUS) for _ in range(1000))
    leaves = itertools.count(1)
    _report("merkle insert, depth 20", repeat, lambda: tree.insert(next(leaves)))
    batch = [rng.randrange(FR_MODULUS) for _ in range(1024)]
    _report(
        "merkle insert_many 1024, depth 20", max(1, repeat // 5), lambda: tree.insert_many(batch)
    )
    proof = tree.proof(500)
    _report("merkle proof, depth 20", repeat, lambda: tree.proof(500))
    _report("merkle verify_proof, depth 20", repeat, lambda: verify_proof(tree.root, proof))


def bench_sparse(repeat: int, rng: random.Random) -> None:
    tree = SparseMerkleTree()
    for _ in range(100):
        tree.update(rng.randrange(FR_MODULUS), rng.randrange(FR_MODULUS))
    keys = iter([rng.randrange(FR_MODULUS) for _ in range(repeat)])
    _report("smt update (new key), depth 254", repeat, lambda: tree.update(next(keys), 1))
    present = list(tree)[:repeat]
    deleted = iter(present)
    _report("smt delete, depth 254", len(present), lambda: tree.delete(next(deleted)))
    key = next(iter(tree))
    proof = tree.proof(key)
    _report("smt proof, depth 254", repeat, lambda: tree.proof(key))
    _report(
        "smt verify (membership), depth 254", repeat, lambda: verify_sparse_proof(tree.root, proof)
    )
    print(f"{'smt stored nodes, ' + str(len(tree)) + ' keys':<40} {tree.stored_nodes:10d}")


def bench_commitments(repeat: int, rng: random.Random) -> None:
    pedersen = Pedersen()
    value, blinding = rng.randrange(FR_MODULUS), rng.randrange(FR_MODULUS)
    _report("pedersen commit", repeat, lambda: pedersen.commit(value, blinding))
    keys = schnorr.KeyPair.generate()
    bound = (b"job-id", b"input commitment")
    _report("schnorr prove", repeat, lambda: schnorr.prove(keys.secret, bound=bound))
    proof = schnorr.prove(keys.secret, bound=bound)
    _report("schnorr verify", repeat, lambda: schnorr.verify(keys.public, proof, bound=bound))
    recipients = [X25519PrivateKey.generate() for _ in range(5)]
    public = [key.public_key().public_bytes_raw() for key in recipients]
    payload = bytes(1 << 20)
    _report("envelope seal 1 MiB, 5 recipients", repeat, lambda: seal(payload, public, b"job"))
    sealed = seal(payload, public, b"job")
    _report("envelope open 1 MiB", repeat, lambda: open_envelope(sealed, recipients[4]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per operation")
    arguments = parser.parse_args()
    rng = random.Random(2024)
    bench_merkle(arguments.repeat, rng)
    bench_sparse(arguments.repeat, rng)
    bench_commitments(arguments.repeat, rng)


if __name__ == "__main__":
    main()
