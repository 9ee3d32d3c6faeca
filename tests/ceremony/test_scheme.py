"""The `bgm17` component, built through the registry as the CLI and a coordinator get it."""

from __future__ import annotations

from pathlib import Path

from paraloom.ceremony.bases import FromPrevious
from paraloom.ceremony.transcript import TRANSCRIPT_VERSION
from paraloom.components import CeremonyScheme, CeremonySchemeSpec
from paraloom.config import Selection
from paraloom.registry import Registry

from .helpers import BACKEND, fixture


def test_bgm17_is_the_builtin_scheme(registry: Registry, tmp_path: Path) -> None:
    spec = registry.get("ceremony", "bgm17").spec
    assert isinstance(spec, CeremonySchemeSpec)
    assert spec.transcript_version == TRANSCRIPT_VERSION
    scheme = registry.build(Selection("ceremony", "bgm17"), "plugins.ceremony")
    assert isinstance(scheme, CeremonyScheme)
    first, second = tmp_path / "1.zkey", tmp_path / "2.zkey"
    contributed = scheme.contribute(BACKEND, fixture("mul_final.zkey"), first, name="dave")
    closed = scheme.beacon(BACKEND, first, second, beacon_hash=b"\xaa", iterations_exp=10)
    report = scheme.verify(BACKEND, second, FromPrevious(fixture("mul_final.zkey")))
    assert [c.hash for c in report.info.contributions[2:]] == [contributed.hash, closed.hash]
    assert report.first_checked == 3
