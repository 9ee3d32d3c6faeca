"""The section checks of a phase-2 verification: what must not change, and what is rescaled.

A contribution leaves the header (but delta), IC, the coefficients, A, B1 and B2 as they were:
they must equal the base key's, and their points are checked on the way. It multiplies C
(snarkjs' "L") and H by 1/x, so between a base key and a later one every point must have
moved by the same factor δ_base/δ_key. That is checked as snarkjs does, with one random
linear combination per section,

    e(Σ rho_i·P_i^base, δ2_base) = e(Σ rho_i·P_i^key, δ2_key),

but with rho_i of 128 bits (snarkjs draws 32-bit ones for C), so a key that scaled any point
differently passes with probability about 2^-128 rather than 2^-32.
"""

from __future__ import annotations

import secrets
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from paraloom.ceremony.bellman_h import holds_projected_h
from paraloom.ceremony.streaming import g1_blocks, g2_blocks
from paraloom.ceremony.validation import valid_g1, valid_g2s
from paraloom.errors import CeremonyVerificationError
from paraloom.formats.zkey import B1, B2, COEFFICIENTS, IC, A, C, H
from paraloom.progress import SILENT

if TYPE_CHECKING:
    from collections.abc import Iterator

    from paraloom.formats.zkey import Groth16Header, ZkeyReader
    from paraloom.math.backend import AnyCurveBackend
    from paraloom.progress import Advance, Progress

#: Bits of each random coefficient of the linear combinations.
RHO_BITS = 128
_SECTION_NAMES = {
    IC: "IC",
    COEFFICIENTS: "coefficients",
    A: "A",
    B1: "B1",
    B2: "B2",
    C: "C (L)",
    H: "H",
}
_HEADER_FIELDS = (
    "n_vars",
    "n_public",
    "domain_size",
    "alpha_1",
    "beta_1",
    "beta_2",
    "gamma_2",
)


def verify_unchanged(
    backend: AnyCurveBackend, base: ZkeyReader, key: ZkeyReader, progress: Progress = SILENT
) -> None:
    """Everything a contribution may not touch equals the base key's, and is valid."""
    _compare_header(backend, base.header, key.header)
    advance = progress.task("comparing the unchanged sections", _unchanged_points(key.header))
    for section_id in (IC, A, B1, B2, COEFFICIENTS):
        _compare_bytes(base, key, section_id)
    # the key's points are checked; the base key's, equal byte for byte, need no check of their own
    header = key.header
    n_vars = header.n_vars
    for section_id, count in ((IC, header.n_public + 1), (A, n_vars), (B1, n_vars), (B2, n_vars)):
        blocks = g2_blocks if section_id == B2 else g1_blocks
        for points in blocks(backend, key, section_id, count, _section_name(section_id)):
            advance(len(points))
    key.check_coefficients()


def verify_scaled(
    backend: AnyCurveBackend,
    base: ZkeyReader,
    key: ZkeyReader,
    *,
    deltas: tuple[Any, Any],
    where: str,
    progress: Progress = SILENT,
) -> None:
    """C and H of ``key`` are those of ``base`` times δ_base/δ_key (see the module doc).

    ``deltas`` are the two keys' delta2 as backend points, already validated (chain.verify_delta).
    """
    base_delta, key_delta = deltas
    for section_id, count in ((C, key.header.n_private), (H, key.header.domain_size)):
        name = _section_name(section_id)
        advance = progress.task(f"checking {name} against the base key", count)
        ours = g1_blocks(backend, base, section_id, count, f"the base key's {name}")
        theirs = g1_blocks(backend, key, section_id, count, name)
        combined = _combine(backend, ours, theirs, advance)
        pairs = [(combined[0], base_delta), (backend.g1_neg(combined[1]), key_delta)]
        if backend.multi_pairing_check(pairs):
            continue
        if section_id == H and _holds_after_bellman(backend, base, key, deltas, progress):
            continue
        raise CeremonyVerificationError(
            f"{where}: {name} is not the base key's scaled by the new 1/delta"
        )


def _holds_after_bellman(
    backend: AnyCurveBackend,
    base: ZkeyReader,
    key: ZkeyReader,
    deltas: tuple[Any, Any],
    progress: Progress,
) -> bool:
    """The second look that a key which went through bellman's format needs (see bellman_h)."""
    size = key.header.domain_size
    advance = progress.task("checking H as a bellman round trip of the base key's", size)
    return holds_projected_h(
        backend,
        base.h(),
        key.h(),
        domain_size=size,
        deltas=deltas,
        random_rhos=_random_rhos,
        advance=advance,
    )


def _combine(
    backend: AnyCurveBackend,
    ours: Iterator[list[Any]],
    theirs: Iterator[list[Any]],
    advance: Advance,
) -> tuple[Any, Any]:
    """(Σ rho_i·ours_i, Σ rho_i·theirs_i) with fresh random rho_i, block by block (the two
    sections are equally long: both hold the count of the headers found equal)."""
    base_sum = key_sum = backend.g1_identity()
    for base_points, key_points in zip(ours, theirs, strict=True):
        rhos = _random_rhos(len(base_points))
        base_sum = backend.g1_add(base_sum, backend.g1_msm(base_points, rhos))
        key_sum = backend.g1_add(key_sum, backend.g1_msm(key_points, rhos))
        advance(len(rhos))
    return base_sum, key_sum


def _random_rhos(count: int) -> list[int]:
    """``count`` uniform nonzero RHO_BITS-bit coefficients from one read of the OS generator."""
    width = RHO_BITS // 8
    data = memoryview(secrets.token_bytes(count * width))
    rhos = [int.from_bytes(data[i : i + width], "little") for i in range(0, len(data), width)]
    return _random_rhos(count) if 0 in rhos else rhos


def _compare_bytes(base: ZkeyReader, key: ZkeyReader, section_id: int) -> None:
    """Byte equality: stored points have one encoding each, so equal bytes are equal points."""
    for expected, found in zip_longest(base.chunks(section_id), key.chunks(section_id)):
        if expected != found:
            raise CeremonyVerificationError(
                f"{_section_name(section_id)} differs from the base key's"
            )


def _section_name(section_id: int) -> str:
    return f"section {section_id} ({_SECTION_NAMES[section_id]})"


def _compare_header(backend: AnyCurveBackend, base: Groth16Header, key: Groth16Header) -> None:
    for field in _HEADER_FIELDS:
        if getattr(base, field) != getattr(key, field):
            raise CeremonyVerificationError(f"header: {field} differs from the base key's")
    valid_g1(backend, key.alpha_1, "header: alpha1")
    valid_g1(backend, key.beta_1, "header: beta1")
    valid_g2s(backend, [key.beta_2, key.gamma_2], "header: beta2 and gamma2")


def _unchanged_points(header: Groth16Header) -> int:
    return header.n_public + 1 + 3 * header.n_vars
