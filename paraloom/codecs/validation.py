"""The checks every codec applies to what it decodes and to what it is asked to encode.

A proof or key that leaves a decoder is safe to verify with: coordinates below q, points on
the curve, G2 points in the order-r subgroup (the twist has a cofactor, and small-subgroup
points are how forged proofs slip past careless verifiers), public values below r. Encoders
check the same so that whatever one codec writes, every codec reads back. Messages name the
field ("verification key: IC[2]: ...").

The predicates are the pure-Python backend's, imported on first use: it is the fastest
backend that is always installed, and codecs should not depend on which backend a node
selected for arithmetic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paraloom.errors import FormatError, InvalidPointError, InvalidScalarError
from paraloom.math.fields import FQ_MODULUS, require_fr

if TYPE_CHECKING:
    from collections.abc import Sequence

    from paraloom.math.backend import AnyCurveBackend, G1Affine, G2Affine
    from paraloom.zk.keys import Proof, VerificationKey


def _backend() -> AnyCurveBackend:
    from paraloom.math.python_backend import shared_backend

    return shared_backend()


def require_coordinate(value: int, what: str) -> int:
    """A decoded base-field element; reducing it instead would give one point two encodings."""
    if not 0 <= value < FQ_MODULUS:
        raise InvalidScalarError(f"{what}: {value} is not below the base field modulus q")
    return value


def require_g1(point: G1Affine, what: str) -> G1Affine:
    try:
        _backend().g1_from_affine(point)
    except InvalidPointError as error:
        raise InvalidPointError(f"{what}: {error}") from None
    return point


def require_g2(point: G2Affine, what: str) -> G2Affine:
    try:
        _backend().g2_from_affine(point)
    except InvalidPointError as error:
        raise InvalidPointError(f"{what}: {error}") from None
    return point


def require_proof(proof: Proof, what: str = "proof") -> Proof:
    require_g1(proof.a, f"{what}: A")
    require_g2(proof.b, f"{what}: B")
    require_g1(proof.c, f"{what}: C")
    return proof


def require_verification_key(
    key: VerificationKey, what: str = "verification key"
) -> VerificationKey:
    """A usable key: valid points and at least IC[0], the constant term of the public input sum."""
    if not key.ic:
        raise FormatError(f"{what}: IC is empty; it needs one point per public input plus one")
    require_g1(key.alpha_1, f"{what}: alpha")
    for name, g2 in (("beta", key.beta_2), ("gamma", key.gamma_2), ("delta", key.delta_2)):
        require_g2(g2, f"{what}: {name}")
    for index, point in enumerate(key.ic):
        require_g1(point, f"{what}: IC[{index}]")
    return key


def require_public(values: Sequence[int], what: str = "public input") -> tuple[int, ...]:
    """Public values as a tuple, each an integer in [0, r)."""
    checked = []
    for index, value in enumerate(values):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidScalarError(f"{what} {index} is {value!r:.80}, not an integer")
        checked.append(require_fr(int(value), f"{what} {index}"))
    return tuple(checked)
