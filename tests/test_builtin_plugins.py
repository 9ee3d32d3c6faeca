"""Every built-in component builds through the registry and honours its contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from paraloom.components import (
    CeremonyScheme,
    Circuit,
    Executor,
    HashFunction,
    ProofCodec,
    Transport,
)
from paraloom.config import Selection
from paraloom.crypto.identity import NodeIdentity
from paraloom.manager import ParaloomPluginManager
from paraloom.math.backend import CurveBackend
from paraloom.math.fields import FR_MODULUS
from paraloom.registry import Registry

CONTRACTS = {
    "hash": HashFunction,
    "transport": Transport,
    "curve": CurveBackend,
    "codec": ProofCodec,
    "ceremony": CeremonyScheme,
    "executor": Executor,
    "circuit": Circuit,
}


def test_every_builtin_component_satisfies_its_protocol(
    plugin_manager: ParaloomPluginManager, registry: Registry, tmp_path: Path
) -> None:
    """Built with default options, except the key file a node's transport needs to exist."""
    key_file = tmp_path / "identity.key"
    NodeIdentity.generate().save(key_file)
    needed = {("transport", "tcp"): {"identity_key": str(key_file)}}
    assert plugin_manager.components, "no built-in components were loaded"
    for item in registry.components():
        options = needed.get((item.kind, item.spec.name), {})
        component = registry.build(Selection(item.kind, item.spec.name, options), "test")
        assert isinstance(component, CONTRACTS[item.kind]), (item.kind, item.spec.name)


def test_auto_curve_is_the_fast_backend_not_the_oracle(registry: Registry) -> None:
    assert registry.get("curve", "auto").spec.name == "python"


@pytest.mark.parametrize("name", ["python", "py_ecc"])
def test_curve_backends_check_a_bilinear_pairing(registry: Registry, name: str) -> None:
    backend = registry.build(Selection("curve", name), "test")
    a, b = 0xC0FFEE, 0xBEEF
    g1, g2 = backend.g1_generator(), backend.g2_generator()
    left = backend.g1_neg(backend.g1_mul(g1, a * b % FR_MODULUS))
    pairs = [(backend.g1_mul(g1, a), backend.g2_mul(g2, b)), (left, g2)]
    assert backend.multi_pairing_check(pairs)
    assert not backend.multi_pairing_check([(backend.g1_mul(g1, a), g2), (left, g2)])


@pytest.mark.parametrize(("name", "size"), [("sha256", 32), ("blake2b", 64), ("poseidon", 32)])
def test_hash_components_match_their_declared_size(
    registry: Registry, name: str, size: int
) -> None:
    spec = registry.get("hash", name).spec
    function = registry.build(Selection("hash", name), "test")
    assert spec.digest_size == function.digest_size == len(function.digest(b"x")) == size  # type: ignore[attr-defined]
