"""snarkjs and circom2 from npm, the interop oracles: where they are and how a module asks for them.

A module that needs them sets ``pytestmark = interop_marks("snarkjs", ...)``: it is marked
``interop`` and skipped where a tool is missing, except under ``PARALOOM_REQUIRE_INTEROP=1`` (the
interop tox env installs them), where a missing tool fails the tests instead of hiding them.
"""

from __future__ import annotations

import os
import shutil

import pytest

SNARKJS = shutil.which("snarkjs")
CIRCOM = shutil.which("circom2")


def interop_marks(*tools: str) -> list[pytest.MarkDecorator]:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    required = os.environ.get("PARALOOM_REQUIRE_INTEROP") == "1"
    return [
        pytest.mark.interop,
        pytest.mark.skipif(
            bool(missing) and not required,
            reason=f"{', '.join(missing)} not on PATH (run `tox -e interop`)",
        ),
    ]
