"""The Groth16 prover, computing what snarkjs' ``groth16 prove`` computes.

With r, s uniform in Fr:

- A = alpha + Σ w_i·A_i + r·delta (G1),
- B = beta + Σ w_i·B_i + s·delta (in G2 for the proof, and in G1 for C),
- C = Σ_private w_i·C_i + Σ h_i·H_i + s·A + r·B1 - r·s·delta (G1),

where h are the QAP evaluations of :func:`paraloom.zk.qap.h_evaluations`. Each of the four
results is a single multi-exponentiation: the constant terms ride along as extra points.

A key is converted into backend points (validating every point, G2 ones in the subgroup) by
:func:`prepare_proving_key`; do that once when proving many times with one key: the G2
subgroup checks (about 1.5 ms per B2 point on the python backend) can cost more than a proof
when many wires appear in B.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic

from paraloom.errors import InvalidScalarError, LengthMismatchError
from paraloom.math.backend import P1, P2
from paraloom.math.fields import FR_MODULUS, require_frs
from paraloom.zk.keys import Proof, ProvingKey
from paraloom.zk.qap import h_evaluations

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence

    from paraloom.math.backend import CurveBackend

#: Receives the name of each phase as it starts ("QAP", "MSM A", ...), for progress displays.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PreparedProvingKey(Generic[P1, P2]):
    """A proving key whose points were validated and converted into one backend's form."""

    key: ProvingKey
    alpha_1: P1
    beta_1: P1
    beta_2: P2
    delta_1: P1
    delta_2: P2
    a: list[P1]
    b1: list[P1]
    b2: list[P2]
    c: list[P1]
    h: list[P1]


def prepare_proving_key(
    backend: CurveBackend[P1, P2], key: ProvingKey
) -> PreparedProvingKey[P1, P2]:
    """Check the key's sizes and points once (InvalidPointError names a bad point)."""
    _check_sizes(key)
    alpha_1, beta_1, delta_1 = backend.g1_batch_from_affine([key.alpha_1, key.beta_1, key.delta_1])
    beta_2, delta_2 = backend.g2_batch_from_affine([key.beta_2, key.delta_2])
    return PreparedProvingKey(
        key,
        alpha_1,
        beta_1,
        beta_2,
        delta_1,
        delta_2,
        a=backend.g1_batch_from_affine(key.a),
        b1=backend.g1_batch_from_affine(key.b1),
        b2=backend.g2_batch_from_affine(key.b2),
        c=backend.g1_batch_from_affine(key.c),
        h=backend.g1_batch_from_affine(key.h),
    )


def prove(
    backend: CurveBackend[P1, P2],
    key: ProvingKey | PreparedProvingKey[P1, P2],
    witness: Sequence[int],
    *,
    rng: random.Random | None = None,
    progress: Progress | None = None,
) -> tuple[Proof, tuple[int, ...]]:
    """A proof for ``witness`` (all wires, wire 0 = 1) and its public signals (public.json order).

    The witness is checked for length and range, not for satisfying the circuit: the key holds
    no C matrix, and a proof for an unsatisfying witness simply fails to verify.
    """
    report = progress if progress is not None else _silent
    if isinstance(key, PreparedProvingKey):
        prepared = key
    else:
        report("check key")
        prepared = prepare_proving_key(backend, key)
    plain = prepared.key
    _check_witness(plain, witness)
    source = rng if rng is not None else secrets.SystemRandom()
    report("QAP")
    h = h_evaluations(backend, plain.coefficients, plain.domain_size, witness)
    r, s = source.randrange(FR_MODULUS), source.randrange(FR_MODULUS)
    report("MSM A")
    a = backend.g1_msm([*prepared.a, prepared.alpha_1, prepared.delta_1], [*witness, 1, r])
    report("MSM B2")
    b2 = backend.g2_msm([*prepared.b2, prepared.beta_2, prepared.delta_2], [*witness, 1, s])
    report("MSM B1")
    b1 = backend.g1_msm([*prepared.b1, prepared.beta_1, prepared.delta_1], [*witness, 1, s])
    report("MSM C")
    c = backend.g1_msm(
        [*prepared.c, *prepared.h, a, b1, prepared.delta_1],
        [*witness[plain.n_public + 1 :], *h, s, r, -r * s % FR_MODULUS],
    )
    proof = Proof(backend.g1_to_affine(a), backend.g2_to_affine(b2), backend.g1_to_affine(c))
    return proof, tuple(witness[1 : plain.n_public + 1])


def _check_witness(key: ProvingKey, witness: Sequence[int]) -> None:
    if len(witness) != key.n_vars:
        raise LengthMismatchError(
            f"the witness has {len(witness)} values but the proving key has {key.n_vars} wires"
        )
    require_frs(witness, "witness value")
    if witness[0] != 1:
        raise InvalidScalarError(f"witness value 0 (the constant ONE wire) is {witness[0]}, not 1")


def _check_sizes(key: ProvingKey) -> None:
    expected = {
        "IC": (len(key.ic), key.n_public + 1),
        "A": (len(key.a), key.n_vars),
        "B1": (len(key.b1), key.n_vars),
        "B2": (len(key.b2), key.n_vars),
        "C": (len(key.c), key.n_vars - key.n_public - 1),
        "H": (len(key.h), key.domain_size),
    }
    for name, (found, wanted) in expected.items():
        if found != wanted:
            raise LengthMismatchError(
                f"the proving key's {name} query has {found} points, its sizes imply {wanted}"
            )


def _silent(_phase: str) -> None:
    """The progress callback when nobody watches."""
