"""The key a verification starts from: recomputed from the circuit, given, or a previous step.

- :class:`FromCircuit`: the initial key is recomputed from the .r1cs and the prepared .ptau
  exactly as ``new`` writes it, so the circuit hash and every section are held against the
  circuit and phase 1 (snarkjs' ``zkey verify``);
- :class:`FromInitial`: a given initial key (no contributions). With a ptau its H, alpha and
  beta must also be phase 1's, the part snarkjs' ``zkey verify init`` checks with the ptau;
  without one the initial key is trusted as it is;
- :class:`FromPrevious`: a key already verified; only the contributions after it are checked,
  which is what a coordinator does with each upload, without the circuit or the ptau.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from paraloom.ceremony.streaming import open_zkey, paired_chunks
from paraloom.errors import CeremonyVerificationError, ParaloomError, SetupError
from paraloom.formats.files import open_source
from paraloom.formats.ptau import ALPHA_TAU_G1, BETA_TAU_G1, LAGRANGE_TAU_G1, PtauReader
from paraloom.formats.r1cs import read_r1cs
from paraloom.formats.zkey import ZkeyReader, write_zkey
from paraloom.formats.zkey_new import new_zkey
from paraloom.progress import SILENT

if TYPE_CHECKING:
    from collections.abc import Iterator

    from paraloom.formats.files import Target
    from paraloom.math.backend import AnyCurveBackend
    from paraloom.progress import Progress


@dataclass(frozen=True)
class FromCircuit:
    r1cs: Target
    ptau: Target


@dataclass(frozen=True)
class FromInitial:
    initial: Target
    ptau: Target | None = None


@dataclass(frozen=True)
class FromPrevious:
    previous: Target


ChainBase = FromCircuit | FromInitial | FromPrevious


@contextlib.contextmanager
def open_base(
    backend: AnyCurveBackend, base: ChainBase, progress: Progress = SILENT
) -> Iterator[ZkeyReader]:
    """A reader over the base key, after the checks that concern the base alone."""
    if isinstance(base, FromCircuit):
        yield _recompute_initial(backend, base, progress)
    elif isinstance(base, FromInitial):
        with open_zkey(base.initial) as reader:
            _, contributions = reader.contributions()
            if contributions:
                raise ParaloomError(
                    f"{base.initial} has {len(contributions)} contributions, so it is not an "
                    "initial key (verify against it as the previous key instead)"
                )
            if base.ptau is not None:
                _check_phase1(reader, base.ptau)
            yield reader
    else:
        with open_zkey(base.previous) as reader:
            yield reader


def _recompute_initial(
    backend: AnyCurveBackend, base: FromCircuit, progress: Progress
) -> ZkeyReader:
    """``new``'s key for the circuit, held in memory and read back like any file."""
    progress.task("recomputing the initial key from the circuit and phase 1", None)
    r1cs = read_r1cs(base.r1cs)
    with open_source(base.ptau) as stream:
        initial = new_zkey(r1cs, PtauReader(stream), backend=backend)
    buffer = io.BytesIO()
    write_zkey(buffer, initial, order="new")
    return ZkeyReader(buffer, name=f"the initial key of {base.r1cs}")


def _check_phase1(initial: ZkeyReader, ptau: Target) -> None:
    """alpha, beta and H of an initial key are those of the ptau (H: the odd Lagrange points
    of the doubled domain, which section 12 stores from point 2n - 1 on)."""
    header = initial.header
    size = header.domain_size
    with open_source(ptau) as stream:
        phase1 = PtauReader(stream)
        if not phase1.prepared or phase1.header.power < size.bit_length() - 1:
            raise SetupError(
                f"{ptau} is not a prepared ptau of power {size.bit_length() - 1} or more"
            )
        expected = {
            "alpha1": (next(phase1.g1_points(ALPHA_TAU_G1)), header.alpha_1),
            "beta1": (next(phase1.g1_points(BETA_TAU_G1)), header.beta_1),
            "beta2": (phase1.beta_g2(), header.beta_2),
        }
        for name, (theirs, ours) in expected.items():
            if theirs != ours:
                raise CeremonyVerificationError(f"the initial key's {name} is not the ptau's")
        odd = islice(phase1.g1_points(LAGRANGE_TAU_G1), 2 * size, 4 * size - 1, 2)
        for _, (theirs_chunk, ours_chunk) in paired_chunks(odd, initial.h()):
            if theirs_chunk != ours_chunk:
                raise CeremonyVerificationError("the initial key's H is not the ptau's")
