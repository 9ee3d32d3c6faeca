"""Fixtures for the arkworks tests: the plugin's backend and the two it is checked against."""

from __future__ import annotations

import pytest
from arkworks_helpers import load_backend

from paraloom.math.backend import AnyCurveBackend
from paraloom.math.py_ecc_backend import PyEccBackend
from paraloom.math.python_backend import PythonBackend


@pytest.fixture(scope="session")
def ark() -> AnyCurveBackend:
    return load_backend()


@pytest.fixture(scope="session")
def fast() -> PythonBackend:
    return PythonBackend()


@pytest.fixture(scope="session")
def ref() -> PyEccBackend:
    return PyEccBackend()
