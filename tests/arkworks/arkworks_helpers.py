"""Shared by the arkworks tests: loading the plugin, strategies, and carrying points across.

A plain module beside the tests (``tests/arkworks`` is not a package, like ``tests/codecs``).
Without the plugin every test skips, except under PARALOOM_REQUIRE_ARKWORKS=1 (set by the tox
envs that build it), where a missing plugin fails instead: CI cannot pass by skipping.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import strategies as st

from paraloom.errors import ParaloomError
from paraloom.math.curve import G2_B
from paraloom.math.fields import FQ_MODULUS, FR_MODULUS, fq2, fq2_add, fq2_mul, fq2_sqr, fq2_sqrt

if TYPE_CHECKING:
    from collections.abc import Callable

    from paraloom.math.backend import AnyCurveBackend, G2Affine
    from paraloom.math.python_backend import PythonBackend

REQUIRED = os.environ.get("PARALOOM_REQUIRE_ARKWORKS") == "1"

scalars = st.integers(min_value=0, max_value=FR_MODULUS - 1)
nonzero_scalars = st.integers(min_value=1, max_value=FR_MODULUS - 1)
edge_scalars = st.sampled_from([0, 1, 2, FR_MODULUS - 1, FR_MODULUS - 2, 1 << 128, 1 << 253])
mixed_scalars = scalars | edge_scalars | st.integers(min_value=0, max_value=1 << 16)
fq_elements = st.integers(min_value=0, max_value=FQ_MODULUS - 1)


def load_backend() -> AnyCurveBackend:
    try:
        from paraloom_arkworks import create_backend
    except ImportError as error:
        if REQUIRED:
            pytest.fail(
                f"paraloom-arkworks does not import but PARALOOM_REQUIRE_ARKWORKS=1: {error}"
            )
        pytest.skip("paraloom-arkworks is not installed (pip install ./plugins/paraloom-arkworks)")
    return create_backend()


def g1_across(source: AnyCurveBackend, target: AnyCurveBackend, point: Any) -> Any:
    """A G1 point of ``source`` as the same point of ``target`` (through the affine form)."""
    return target.g1_from_affine(source.g1_to_affine(point))


def g2_across(source: AnyCurveBackend, target: AnyCurveBackend, point: Any) -> Any:
    return target.g2_from_affine(source.g2_to_affine(point))


def same_refusal(ark: AnyCurveBackend, fast: PythonBackend, call: Callable[[Any], object]) -> str:
    """Run ``call`` on both backends: both must raise the same paraloom error and message."""
    with pytest.raises(ParaloomError) as expected:
        call(fast)
    with pytest.raises(ParaloomError) as got:
        call(ark)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)
    return str(got.value)


def twist_points_outside_subgroup(count: int) -> list[G2Affine]:
    """Twist points with x = i + 0·u: almost surely outside G2 (the cofactor is about q)."""
    found: list[G2Affine] = []
    for i in range(1, 400):
        x = fq2(i, 0)
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), fq2(*G2_B)))
        if y is not None:
            found.append(((int(x[0]), int(x[1])), (int(y[0]), int(y[1]))))
        if len(found) == count:
            return found
    raise AssertionError("not enough twist points")
