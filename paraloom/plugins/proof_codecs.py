"""The built-in proof codecs: snarkjs JSON, arkworks-compatible compact, and Solana's layout."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.codecs import compact, snarkjs, solana
from paraloom.components import ProofCodec, ProofCodecSpec
from paraloom.hookspecs import hookimpl


def create_snarkjs_codec(options: Mapping[str, Any]) -> ProofCodec:
    return snarkjs.SnarkjsJsonCodec()


def create_compact_codec(options: Mapping[str, Any]) -> ProofCodec:
    return compact.CompactCodec()


def create_solana_codec(options: Mapping[str, Any]) -> ProofCodec:
    return solana.SolanaCodec()


@hookimpl
def paraloom_proof_codecs() -> Iterator[ProofCodecSpec]:
    yield ProofCodecSpec(
        name="snarkjs-json",
        summary="proof.json, verification_key.json, public.json exactly as snarkjs writes them",
        factory=create_snarkjs_codec,
        format_id=snarkjs.FORMAT_ID,
    )
    yield ProofCodecSpec(
        name="compact",
        summary="compressed points, byte-compatible with arkworks (128-byte proofs)",
        factory=create_compact_codec,
        format_id=compact.FORMAT_ID,
    )
    yield ProofCodecSpec(
        name="solana",
        summary="big-endian alt_bn128 syscall layout of groth16-solana (256-byte proofs)",
        factory=create_solana_codec,
        format_id=solana.FORMAT_ID,
    )
