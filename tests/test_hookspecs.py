"""The hook API is documented, typed and complete."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from paraloom import hookspecs
from paraloom.components import COMPONENT_KINDS, HashFunctionSpec

HOOKS = [
    function
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("paraloom_")
]


def test_every_component_kind_has_a_hook() -> None:
    names = {function.__name__ for function in HOOKS}
    assert {hook for _, hook, _ in COMPONENT_KINDS} <= names


@pytest.mark.parametrize("hook", HOOKS, ids=lambda function: function.__name__)
def test_every_hook_is_documented(hook: object) -> None:
    doc = inspect.getdoc(hook) or ""
    signature = inspect.signature(hook)  # type: ignore[arg-type]
    assert ".. versionadded::" in doc
    for parameter in signature.parameters:
        assert f":param {parameter}:" in doc
    if signature.return_annotation != "None":
        assert ":returns:" in doc


def test_no_hook_can_decide_a_verification() -> None:
    """firstresult or wrapper hooks would let an unselected plugin override an outcome."""
    for hook in HOOKS:
        options = getattr(hook, "paraloom_spec", {})
        assert not options.get("firstresult"), hook.__name__


def test_spec_objects_are_frozen() -> None:
    spec = HashFunctionSpec(name="x", summary="s", factory=dict, digest_size=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "y"  # type: ignore[misc]
