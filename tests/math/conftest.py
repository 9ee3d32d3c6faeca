"""Fixtures for the BN254 tests: the fast backend and the py_ecc reference."""

from __future__ import annotations

import pytest

from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend


@pytest.fixture(scope="session")
def fast() -> PythonBackend:
    return PythonBackend()


@pytest.fixture(scope="session")
def ref() -> PyEccBackend:
    return PyEccBackend()
