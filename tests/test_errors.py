"""The error hierarchy as plugin authors see it."""

from __future__ import annotations

import inspect

import paraloom
from paraloom import errors


def test_every_error_is_exported_for_plugin_authors() -> None:
    """Plugins catch and raise paraloom's errors; each must be importable from `paraloom`."""
    defined = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.ParaloomError)
    }
    assert defined <= set(paraloom.__all__)
    assert all(getattr(paraloom, name) is getattr(errors, name) for name in defined)
