"""The plugin module behind the ``paraloom.plugins`` entry point: one curve backend.

It imports the native extension when the plugin loads, not when the backend is selected: an
extension that cannot load (a wheel for another platform, a missing symbol) then shows as a
failed plugin in ``paraloom plugins``, and ``curve = "auto"`` falls back to the pure-Python
backend instead of failing when it builds the selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paraloom import CurveBackendSpec, hookimpl
from paraloom.plugins.curve_backends import PYTHON_AUTO_PRIORITY
from paraloom_arkworks.backend import create_backend

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from paraloom.math.backend import AnyCurveBackend

#: Above the pure-Python backend: "auto" picks arkworks whenever it is installed.
ARKWORKS_AUTO_PRIORITY = PYTHON_AUTO_PRIORITY + 10


def create_arkworks_backend(options: Mapping[str, Any]) -> AnyCurveBackend:
    return create_backend()


@hookimpl
def paraloom_curve_backends() -> Iterator[CurveBackendSpec]:
    yield CurveBackendSpec(
        name="arkworks",
        summary="native arkworks (Rust, rayon): Pippenger MSM, GLV, multi-pairing, ark-poly NTT",
        factory=create_arkworks_backend,
        auto_priority=ARKWORKS_AUTO_PRIORITY,
    )
