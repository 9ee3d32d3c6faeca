"""The built-in BN254 backends: fast pure Python, and py_ecc as the reference oracle.

Backend modules are imported by the factories, so listing components stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.components import CurveBackendSpec
from paraloom.hookspecs import hookimpl
from paraloom.math.backend import AnyCurveBackend

#: "auto" prefers higher; native backends (plugins) should rank above the pure-Python one.
PYTHON_AUTO_PRIORITY = 10


def create_python_backend(options: Mapping[str, Any]) -> AnyCurveBackend:
    from paraloom.math.python_backend import create_backend

    return create_backend()


def create_py_ecc_backend(options: Mapping[str, Any]) -> AnyCurveBackend:
    from paraloom.math.py_ecc_backend import create_backend

    return create_backend()


@hookimpl
def paraloom_curve_backends() -> Iterator[CurveBackendSpec]:
    yield CurveBackendSpec(
        name="python",
        summary="pure Python with gmpy2: Pippenger MSM, batch-affine adds, own pairing",
        factory=create_python_backend,
        auto_priority=PYTHON_AUTO_PRIORITY,
    )
    yield CurveBackendSpec(
        name="py_ecc",
        summary="py_ecc reference: the test oracle, slow, never chosen by auto",
        factory=create_py_ecc_backend,
    )
