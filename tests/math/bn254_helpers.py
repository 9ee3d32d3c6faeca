"""Hypothesis strategies and cross-backend helpers shared by the BN254 tests.

A plain module beside the tests (``tests/math`` is not a package: it would shadow ``math``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from paraloom.math.fields import FQ_MODULUS, FR_MODULUS
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend

scalars = st.integers(min_value=0, max_value=FR_MODULUS - 1)
nonzero_scalars = st.integers(min_value=1, max_value=FR_MODULUS - 1)
fq_elements = st.integers(min_value=0, max_value=FQ_MODULUS - 1)
small_scalars = st.integers(min_value=0, max_value=64) | scalars


def g1_in_ref(fast: PythonBackend, ref: PyEccBackend, point: Any) -> Any:
    """Carry a fast-backend G1 point across the boundary into the reference backend."""
    return ref.g1_from_affine(fast.g1_to_affine(point))


def g2_in_ref(fast: PythonBackend, ref: PyEccBackend, point: Any) -> Any:
    return ref.g2_from_affine(fast.g2_to_affine(point))
