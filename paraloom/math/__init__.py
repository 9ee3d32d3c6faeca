"""BN254 arithmetic: fields, the CurveBackend protocol, NTTs and the built-in backends.

Backends live in their own modules (``python_backend``, ``py_ecc_backend``), each with a
``create_backend()`` factory, so that importing this package never imports py_ecc.
"""

from paraloom.math.backend import AnyCurveBackend, CurveBackend, G1Affine, G2Affine
from paraloom.math.fields import (
    BN_U,
    FQ_MODULUS,
    FR_MODULUS,
    FR_MULTIPLICATIVE_GENERATOR,
    FR_TWO_ADICITY,
    batch_inverse,
    fr_inv,
    fr_root_of_unity,
)

__all__ = [
    "BN_U",
    "FQ_MODULUS",
    "FR_MODULUS",
    "FR_MULTIPLICATIVE_GENERATOR",
    "FR_TWO_ADICITY",
    "AnyCurveBackend",
    "CurveBackend",
    "G1Affine",
    "G2Affine",
    "batch_inverse",
    "fr_inv",
    "fr_root_of_unity",
]
