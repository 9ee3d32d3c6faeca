"""Groth16 verification, one proof at a time or many in one multi-pairing.

A proof (A, B, C) for public signals x is valid when
e(A, B) = e(alpha, beta)·e(vk_x, gamma)·e(C, delta) with vk_x = IC_0 + Σ x_j·IC_j. With beta,
gamma and delta negated once in :class:`PreparedVerifyingKey` that is one product of four
pairings equal to 1, checked with one final exponentiation.

A batch of N proofs under one key is checked with random rho_i of 128 bits: Π e(rho_i·A_i, B_i) =
e(Σrho_i·alpha, beta)·e(Σrho_i·vk_x_i, gamma)·e(Σrho_i·C_i, delta), N + 3 Miller loops and one final
exponentiation. A batch containing an invalid proof passes with probability at most 2^-128.

Malformed input is an error, not ``False``: a public signal ≥ r or a wrong count of them, and a
proof point off the curve or outside the subgroup, raise typed errors naming what was wrong.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic

from paraloom.errors import InvalidPointError, LengthMismatchError
from paraloom.math.backend import P1, P2
from paraloom.math.fields import FR_MODULUS, require_frs
from paraloom.zk.keys import Proof, VerificationKey

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

    from paraloom.math.backend import CurveBackend

#: What batch verification takes: (public signals, proof) per proof.
BatchItem = tuple[Sequence[int], Proof]

_RHO_BITS = 128


@dataclass(frozen=True)
class PreparedVerifyingKey(Generic[P1, P2]):
    """A verifying key validated and converted once, with -beta, -gamma, -delta precomputed."""

    key: VerificationKey
    alpha_1: P1
    neg_beta_2: P2
    neg_gamma_2: P2
    neg_delta_2: P2
    ic: list[P1]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1


@dataclass(frozen=True)
class _Statement(Generic[P1, P2]):
    """One proof in backend form with its checked public signals."""

    public: Sequence[int]
    a: P1
    b: P2
    c: P1


def prepare_verifying_key(
    backend: CurveBackend[P1, P2], key: VerificationKey
) -> PreparedVerifyingKey[P1, P2]:
    """Validate the key's points (InvalidPointError) and negate its G2 points."""
    (alpha_1,) = backend.g1_batch_from_affine([key.alpha_1])
    beta_2, gamma_2, delta_2 = backend.g2_batch_from_affine([key.beta_2, key.gamma_2, key.delta_2])
    return PreparedVerifyingKey(
        key,
        alpha_1,
        backend.g2_neg(beta_2),
        backend.g2_neg(gamma_2),
        backend.g2_neg(delta_2),
        backend.g1_batch_from_affine(key.ic),
    )


def verify(
    backend: CurveBackend[P1, P2],
    key: VerificationKey | PreparedVerifyingKey[P1, P2],
    public_signals: Sequence[int],
    proof: Proof,
) -> bool:
    """Whether ``proof`` is valid for ``public_signals`` (see the module doc for errors)."""
    prepared = _prepared(backend, key)
    statement = _statement(backend, prepared, public_signals, proof)
    vk_x = backend.g1_msm(prepared.ic, [1, *statement.public])
    return backend.multi_pairing_check(
        _pairs(prepared, [(statement.a, statement.b)], prepared.alpha_1, vk_x, statement.c)
    )


def batch_verify(
    backend: CurveBackend[P1, P2],
    key: VerificationKey | PreparedVerifyingKey[P1, P2],
    items: Sequence[BatchItem],
    *,
    rng: random.Random | None = None,
) -> bool:
    """Whether every proof of the batch is valid (an empty batch is); one multi-pairing."""
    prepared = _prepared(backend, key)
    statements = _statements(backend, prepared, items)
    return _check_batch(backend, prepared, statements, _rho_source(rng))


def find_invalid(
    backend: CurveBackend[P1, P2],
    key: VerificationKey | PreparedVerifyingKey[P1, P2],
    items: Sequence[BatchItem],
    *,
    rng: random.Random | None = None,
) -> list[int]:
    """The indices of the invalid proofs, ascending, by bisecting failing batches.

    k invalid proofs among N cost about 2·k·log2(N) batch checks, each with fresh rho.
    """
    prepared = _prepared(backend, key)
    statements = _statements(backend, prepared, items)
    source = _rho_source(rng)

    def check(part: Sequence[_Statement[P1, P2]]) -> bool:
        return _check_batch(backend, prepared, part, source)

    return _bisect(check, statements, 0)


def _bisect(
    check: Callable[[Sequence[_Statement[P1, P2]]], bool],
    statements: Sequence[_Statement[P1, P2]],
    offset: int,
) -> list[int]:
    if check(statements):
        return []
    if len(statements) == 1:
        return [offset]
    middle = len(statements) // 2
    return _bisect(check, statements[:middle], offset) + _bisect(
        check, statements[middle:], offset + middle
    )


def _check_batch(
    backend: CurveBackend[P1, P2],
    prepared: PreparedVerifyingKey[P1, P2],
    statements: Sequence[_Statement[P1, P2]],
    rng: random.Random,
) -> bool:
    rhos = [rng.randrange(1, 1 << _RHO_BITS) for _ in statements]
    total = sum(rhos) % FR_MODULUS
    public_sums = [
        sum(rho * statement.public[j] for rho, statement in zip(rhos, statements, strict=True))
        % FR_MODULUS
        for j in range(prepared.n_public)
    ]
    vk_x = backend.g1_msm(prepared.ic, [total, *public_sums])
    c_sum = backend.g1_msm([statement.c for statement in statements], rhos)
    alpha = backend.g1_mul(prepared.alpha_1, total)
    weighted = [
        (backend.g1_mul(statement.a, rho), statement.b)
        for rho, statement in zip(rhos, statements, strict=True)
    ]
    return backend.multi_pairing_check(_pairs(prepared, weighted, alpha, vk_x, c_sum))


def _pairs(
    prepared: PreparedVerifyingKey[P1, P2],
    ab_pairs: list[tuple[P1, P2]],
    alpha: P1,
    vk_x: P1,
    c: P1,
) -> list[tuple[P1, P2]]:
    """The pairs whose product is 1 exactly when the (combined) Groth16 equation holds."""
    return [
        *ab_pairs,
        (alpha, prepared.neg_beta_2),
        (vk_x, prepared.neg_gamma_2),
        (c, prepared.neg_delta_2),
    ]


def _prepared(
    backend: CurveBackend[P1, P2], key: VerificationKey | PreparedVerifyingKey[P1, P2]
) -> PreparedVerifyingKey[P1, P2]:
    if isinstance(key, PreparedVerifyingKey):
        return key
    return prepare_verifying_key(backend, key)


def _check_public(
    prepared: PreparedVerifyingKey[P1, P2], public: Sequence[int], prefix: str
) -> None:
    if len(public) != prepared.n_public:
        raise LengthMismatchError(
            f"{prefix}{len(public)} public signals given, the verifying key expects "
            f"{prepared.n_public}"
        )
    require_frs(public, f"{prefix}public signal")


def _statement(
    backend: CurveBackend[P1, P2],
    prepared: PreparedVerifyingKey[P1, P2],
    public: Sequence[int],
    proof: Proof,
) -> _Statement[P1, P2]:
    _check_public(prepared, public, "")
    a, c = backend.g1_batch_from_affine([proof.a, proof.c])
    return _Statement(public, a, backend.g2_from_affine(proof.b), c)


def _statements(
    backend: CurveBackend[P1, P2],
    prepared: PreparedVerifyingKey[P1, P2],
    items: Sequence[BatchItem],
) -> list[_Statement[P1, P2]]:
    """Convert a whole batch at once (shared G2 subgroup checks); errors name the item."""
    for index, (public, _) in enumerate(items):
        _check_public(prepared, public, f"batch item {index}: ")
    proofs = [proof for _, proof in items]
    try:
        g1 = backend.g1_batch_from_affine([p for proof in proofs for p in (proof.a, proof.c)])
        g2 = backend.g2_batch_from_affine([proof.b for proof in proofs])
    except InvalidPointError as error:
        raise _locate(backend, prepared, items, error) from None
    return [
        _Statement(public, g1[2 * i], g2[i], g1[2 * i + 1]) for i, (public, _) in enumerate(items)
    ]


def _locate(
    backend: CurveBackend[P1, P2],
    prepared: PreparedVerifyingKey[P1, P2],
    items: Sequence[BatchItem],
    error: InvalidPointError,
) -> InvalidPointError:
    """The batch error again, now naming the first item whose proof has the bad point."""
    for index, (public, proof) in enumerate(items):
        try:
            _statement(backend, prepared, public, proof)
        except InvalidPointError as item_error:
            return InvalidPointError(f"batch item {index}: {item_error}")
    return error


def _rho_source(rng: random.Random | None) -> random.Random:
    return rng if rng is not None else secrets.SystemRandom()
