"""The built-in codecs as components: listed, built and typed through the registry."""

from __future__ import annotations

import pytest

from paraloom.components import ProofCodec, ProofCodecSpec
from paraloom.config import Selection
from paraloom.registry import Registry

BUILTIN_CODECS = ["compact", "snarkjs-json", "solana"]


def test_the_builtin_codecs_are_listed(registry: Registry) -> None:
    assert registry.names("codec") == BUILTIN_CODECS
    assert {item.plugin for item in registry.components("codec")} == {"proof_codecs"}


@pytest.mark.parametrize("name", BUILTIN_CODECS)
def test_each_codec_builds_and_declares_its_layout(registry: Registry, name: str) -> None:
    spec = registry.get("codec", name).spec
    codec = registry.build(Selection("codec", name), "plugins.codec")
    assert isinstance(spec, ProofCodecSpec)
    assert isinstance(codec, ProofCodec)
    assert spec.format_id == codec.format_id


def test_format_ids_are_distinct(registry: Registry) -> None:
    specs = [item.spec for item in registry.components("codec")]
    assert len({spec.format_id for spec in specs if isinstance(spec, ProofCodecSpec)}) == 3


def test_the_default_codec_resolves(registry: Registry) -> None:
    assert registry.resolve(Selection("codec", "compact"), "plugins.codec").options == {}
