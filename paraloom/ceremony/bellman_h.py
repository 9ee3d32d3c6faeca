"""The H section after a round trip through bellman's MPCParameters (`zkey export|import bellman`).

snarkjs stores H as the odd-index Lagrange points of the 2n domain over δ; bellman stores the n-1
points τ^j·Z(τ)/δ, j < n-1. Exporting drops the last of the n such points, and importing puts a
zero in its place, so a key that went through phase2-bn254 (or `snarkjs zkey bellman
contribute`) does not hold the base key's H times δ_base/δ_key but its projection that loses the
τ^{n-1}·Z(τ)/δ component. Provers never use that component (h has degree at most n-2), and
snarkjs accepts such keys; this module checks them just as exactly:

- the dropped component, Y(H) = Σ_i ω^{-i}·H_i (ω the n-th root of unity of the domain), is the
  point at infinity in the key;
- projecting the base key's H, P_i = H_i - (ω^i/n)·Y(H_base), and scaling it by δ_base/δ_key
  gives the key's H, checked with one random linear combination as in :mod:`.sections`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paraloom.ceremony.streaming import paired_chunks
from paraloom.ceremony.validation import valid_g1s
from paraloom.math.fields import FR_MODULUS, fr_root_of_unity

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from paraloom.math.backend import AnyCurveBackend
    from paraloom.progress import Advance

NAME = "section 9 (H)"


def holds_projected_h(
    backend: AnyCurveBackend,
    base: Iterator[Any],
    key: Iterator[Any],
    *,
    domain_size: int,
    deltas: tuple[Any, Any],
    random_rhos: Callable[[int], list[int]],
    advance: Advance,
) -> bool:
    """Whether ``key``'s H is the bellman projection of ``base``'s scaled by δ_base/δ_key."""
    sums = _projection_sums(
        backend, base, key, domain_size=domain_size, random_rhos=random_rhos, advance=advance
    )
    if not backend.g1_eq(sums.key_dropped, backend.g1_identity()):
        return False
    weight = sums.rho_weights * pow(domain_size, -1, FR_MODULUS) % FR_MODULUS
    correction = backend.g1_neg(backend.g1_mul(sums.base_dropped, weight))
    projected = backend.g1_add(sums.base_combined, correction)
    base_delta, key_delta = deltas
    pairs = [(projected, base_delta), (backend.g1_neg(sums.key_combined), key_delta)]
    return backend.multi_pairing_check(pairs)


class _Sums:
    """Running MSMs of one pass over both H sections."""

    def __init__(self, backend: AnyCurveBackend) -> None:
        zero = backend.g1_identity()
        self.base_combined = self.key_combined = zero
        self.base_dropped = self.key_dropped = zero
        self.rho_weights = 0


def _projection_sums(
    backend: AnyCurveBackend,
    base: Iterator[Any],
    key: Iterator[Any],
    *,
    domain_size: int,
    random_rhos: Callable[[int], list[int]],
    advance: Advance,
) -> _Sums:
    """Σ rho_i·H_i on both sides, Y(H) on both sides and Σ rho_i·ω^i, in one streaming pass."""
    omega = fr_root_of_unity(domain_size)
    inverse = pow(omega, -1, FR_MODULUS)
    sums = _Sums(backend)
    for offset, (base_chunk, key_chunk) in paired_chunks(base, key):
        rhos = random_rhos(len(base_chunk))
        forward = _powers(omega, offset, len(rhos))
        backward = _powers(inverse, offset, len(rhos))
        base_points = valid_g1s(backend, base_chunk, f"the base key's {NAME}", offset)
        key_points = valid_g1s(backend, key_chunk, NAME, offset)
        g1_add, g1_msm = backend.g1_add, backend.g1_msm
        sums.base_combined = g1_add(sums.base_combined, g1_msm(base_points, rhos))
        sums.key_combined = g1_add(sums.key_combined, g1_msm(key_points, rhos))
        sums.base_dropped = g1_add(sums.base_dropped, g1_msm(base_points, backward))
        sums.key_dropped = g1_add(sums.key_dropped, g1_msm(key_points, backward))
        sums.rho_weights += sum(rho * power for rho, power in zip(rhos, forward, strict=True))
        advance(len(rhos))
    sums.rho_weights %= FR_MODULUS
    return sums


def _powers(root: int, start: int, count: int) -> list[int]:
    """root^start, …, root^(start+count-1) mod r."""
    powers = [pow(root, start, FR_MODULUS)]
    for _ in range(count - 1):
        powers.append(powers[-1] * root % FR_MODULUS)
    return powers
