"""The built-in ceremony scheme: ``bgm17``, Groth16 phase 2 over snarkjs .zkey files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.ceremony.transcript import TRANSCRIPT_VERSION
from paraloom.components import CeremonyScheme, CeremonySchemeSpec
from paraloom.hookspecs import hookimpl


def create_bgm17(options: Mapping[str, Any]) -> CeremonyScheme:
    from paraloom.ceremony.scheme import Bgm17Scheme

    return Bgm17Scheme()


@hookimpl
def paraloom_ceremony_schemes() -> Iterator[CeremonySchemeSpec]:
    yield CeremonySchemeSpec(
        name="bgm17",
        summary="Groth16 phase 2 (BGM17), snarkjs .zkey compatible in both directions",
        factory=create_bgm17,
        transcript_version=TRANSCRIPT_VERSION,
    )
