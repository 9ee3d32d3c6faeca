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

from paraloom.math.fields import FQ_MODULUS, FR_MODULUS

if TYPE_CHECKING:
    from paraloom.math.backend import AnyCurveBackend

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
