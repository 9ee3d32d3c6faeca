"""The plugin path: the installed distribution's entry point, "auto" and the CLI choose arkworks.

Marked ``external_plugins`` too, so the ``plugins`` tox env runs them beside the example and
broken plugins (the default run takes them as well).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from paraloom.config import LoadingSettings
from paraloom.formats import snarkjs_json
from paraloom.manager import build_plugin_manager
from paraloom.math.backend import AnyCurveBackend, CurveBackend
from paraloom.plugins.curve_backends import PYTHON_AUTO_PRIORITY
from paraloom.registry import Registry

DATA = Path(__file__).parent.parent / "formats" / "data"

pytestmark = pytest.mark.external_plugins


def paraloom(*args: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("paraloom")
    assert executable, "the paraloom console script is not on PATH"
    return subprocess.run(
        [executable, *args], check=False, capture_output=True, text=True, timeout=120
    )


def test_auto_prefers_arkworks_when_installed(ark: AnyCurveBackend) -> None:
    chosen = Registry(build_plugin_manager()).get("curve", "auto")
    assert chosen.spec.name == "arkworks"
    assert chosen.distribution == "paraloom-arkworks"
    assert (chosen.spec.auto_priority or 0) > PYTHON_AUTO_PRIORITY
    backend = chosen.spec.factory({})
    assert isinstance(backend, CurveBackend)
    assert backend.name == ark.name == "arkworks"


def test_disabling_the_plugin_falls_back_to_python(ark: AnyCurveBackend) -> None:
    manager = build_plugin_manager(LoadingSettings(disable=("paraloom-arkworks",)))
    assert Registry(manager).get("curve", "auto").spec.name == "python"


def test_the_cli_selects_it_and_verifies_with_it(ark: AnyCurveBackend, tmp_path: Path) -> None:
    listed = paraloom("components", "curve", "--json")
    assert listed.returncode == 0, listed.stderr
    components = json.loads(listed.stdout)["components"]
    assert [item["name"] for item in components if item["selected"]] == ["arkworks"]
    files = [str(DATA / f"chain_{part}.json") for part in ("vk", "public", "proof")]
    assert paraloom("proof", "verify", *files).returncode == 0
    public = snarkjs_json.read_public(DATA / "chain_public.json")
    snarkjs_json.write_public(tmp_path / "forged.json", (public[0] + 1, *public[1:]))
    forged = paraloom("proof", "verify", files[0], str(tmp_path / "forged.json"), files[2])
    assert forged.returncode == 1, forged.stderr
