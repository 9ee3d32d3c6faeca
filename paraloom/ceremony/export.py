"""The verifying key of a .zkey, as ``snarkjs zkey export verificationkey`` makes it.

snarkjs adds vk_alphabeta_12 = e(alpha, beta) for verifiers that precompute it. Its pairing is
not the reduced Tate/ate value paraloom's backends use but a fixed power of it: ffjavascript's
final exponentiation follows Fuentes-Castañeda et al., whose hard part raises to
m·(q⁴ - q² + 1)/r with m = 2u(6u² + 3u + 1). Raising paraloom's e(alpha, beta) to m gives
snarkjs' bytes (checked against keys snarkjs exported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paraloom.ceremony.streaming import open_zkey
from paraloom.formats.zkey import require_contributed
from paraloom.math.fields import BN_U, FR_MODULUS, fq12_pow
from paraloom.math.pairing import final_exponentiation, miller_loop
from paraloom.zk.keys import VerificationKey

if TYPE_CHECKING:
    from paraloom.formats.files import Target
    from paraloom.math.backend import AnyCurveBackend, G1Affine, G2Affine
    from paraloom.math.fields import Fq12

#: The power of the reduced pairing that ffjavascript's pairing computes.
SNARKJS_PAIRING_POWER = 2 * BN_U * (6 * BN_U * BN_U + 3 * BN_U + 1) % FR_MODULUS


def export_verification_key(
    backend: AnyCurveBackend, source: Target, *, allow_unsafe: bool = False
) -> VerificationKey:
    """The key's verifying half with vk_alphabeta_12; a key nobody contributed to (delta =
    gamma: forgeable) is refused with SetupError unless ``allow_unsafe``."""
    with open_zkey(source) as reader:
        _, contributions = reader.contributions()
        header = reader.header
        if not allow_unsafe:
            require_contributed(header, contributions)
        ic = tuple(reader.ic())
    return VerificationKey(
        header.alpha_1,
        header.beta_2,
        header.gamma_2,
        header.delta_2,
        ic,
        snarkjs_pairing(backend, header.alpha_1, header.beta_2),
    )


def snarkjs_pairing(backend: AnyCurveBackend, g1: G1Affine, g2: G2Affine) -> Fq12:
    """e(g1, g2) as ffjavascript computes it (see the module doc); the points are checked."""
    backend.g1_from_affine(g1)
    backend.g2_from_affine(g2)
    return fq12_pow(final_exponentiation(miller_loop([(g1, g2)])), SNARKJS_PAIRING_POWER)
