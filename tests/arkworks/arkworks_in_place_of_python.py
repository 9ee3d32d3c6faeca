"""A pytest plugin (``-p arkworks_in_place_of_python``): the suites' python backend is arkworks.

The zk, formats and codecs suites build ``PythonBackend()`` (or ``create_backend()``) directly.
Loaded before collection, this plugin makes both names in ``paraloom.math.python_backend``
build the arkworks backend instead, so that those suites run unchanged against it: the
``arkworks`` tox env does that. Without the plugin installed the run stops at once as passed,
unless PARALOOM_REQUIRE_ARKWORKS=1.
"""

from __future__ import annotations

import pytest
from arkworks_helpers import REQUIRED

from paraloom.math import python_backend


def pytest_configure(config: pytest.Config) -> None:
    try:
        from paraloom_arkworks import ArkworksBackend
    except ImportError as error:
        if REQUIRED:
            raise pytest.UsageError(f"paraloom-arkworks does not import: {error}") from error
        pytest.exit("paraloom-arkworks is not installed: nothing to run", returncode=0)
    python_backend.PythonBackend = ArkworksBackend  # type: ignore[misc, assignment]
    python_backend.create_backend = ArkworksBackend  # type: ignore[assignment]
