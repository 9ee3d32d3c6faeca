from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import FormatError, InvalidPointError, InvalidScalarError
from paraloom.formats import snarkjs_json as sj
from paraloom.formats.fields import FQ, FR

from .strategies import FORMAT_ERRORS, elements

if TYPE_CHECKING:
    from collections.abc import Callable

DATA = Path(__file__).parent / "data"
Q = FQ.modulus

fq = elements(FQ)
fq2 = st.tuples(fq, fq)
g1 = st.one_of(st.none(), st.tuples(fq, fq).filter(lambda p: p != (0, 0)))
g2 = st.one_of(st.none(), st.tuples(fq2, fq2).filter(lambda p: p != ((0, 0), (0, 0))))
fq6 = st.tuples(fq2, fq2, fq2)
proofs = st.builds(sj.Proof, g1, g2, g1)
keys = st.builds(
    sj.VerificationKey,
    g1,
    g2,
    g2,
    g2,
    st.lists(g1, min_size=1, max_size=4).map(tuple),
    st.one_of(st.none(), st.tuples(fq6, fq6)),
)
publics = st.lists(elements(FR), max_size=5).map(tuple)
CODECS = [
    (proofs, sj.dumps_proof, sj.loads_proof),
    (keys, sj.dumps_verification_key, sj.loads_verification_key),
    (publics, sj.dumps_public, sj.loads_public),
]


@pytest.mark.parametrize("circuit", ["mul", "chain"])
@pytest.mark.parametrize(
    ("kind", "read", "dumps"),
    [
        ("proof", sj.read_proof, sj.dumps_proof),
        ("vk", sj.read_verification_key, sj.dumps_verification_key),
        ("public", sj.read_public, sj.dumps_public),
    ],
)
def test_snarkjs_files_are_reproduced_exactly(
    circuit: str, kind: str, read: Callable[[Path], object], dumps: Callable[..., str]
) -> None:
    path = DATA / f"{circuit}_{kind}.json"
    assert dumps(read(path)) == path.read_text()


def test_snarkjs_values_are_decoded() -> None:
    key = sj.read_verification_key(DATA / "mul_vk.json")
    assert key.n_public == 1
    assert key.gamma_2 == (
        (
            10857046999023057135944570762232829481370756359578518086990519993285655852781,
            11559732032986387107991004021392285783925812861821192530917403151452391805634,
        ),
        (
            8495653923123431417604973247489272438418190587263600148770280649306958101930,
            4082367875863433681332203403145435568316851327593401208105741076214120093531,
        ),
    )
    assert sj.read_public(DATA / "mul_public.json") == (33,)
    assert sj.read_proof(DATA / "mul_proof.json").a is not None


@pytest.mark.parametrize(("strategy", "dumps", "loads"), CODECS)
@given(data=st.data())
def test_round_trip(
    strategy: st.SearchStrategy[object],
    dumps: Callable[[object], str],
    loads: Callable[[str], object],
    data: st.DataObject,
) -> None:
    value = data.draw(strategy)
    text = dumps(value)
    assert loads(text) == value
    assert dumps(loads(text)) == text


@pytest.mark.parametrize(("strategy", "dumps", "loads"), CODECS)
@given(data=st.data())
def test_corrupted_text_gives_typed_errors_only(
    strategy: st.SearchStrategy[object],
    dumps: Callable[[object], str],
    loads: Callable[[bytes], object],
    data: st.DataObject,
) -> None:
    raw = dumps(data.draw(strategy)).encode()
    position = data.draw(st.integers(0, len(raw) - 1))
    replacement = data.draw(st.binary(max_size=3))
    corrupted = raw[:position] + replacement + raw[position + 1 :]
    with contextlib.suppress(FORMAT_ERRORS):
        loads(corrupted)


def proof_document() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DATA / "mul_proof.json").read_text())
    return loaded


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"protocol": "plonk"}, FormatError, r"\$\.protocol: expected one of \['groth16'\]"),
        ({"curve": "bls12381"}, FormatError, r"\$\.curve"),
        ({"extra": 1}, FormatError, r"unknown keys \['extra'\]"),
        ({"pi_a": ["1", "2"]}, FormatError, r"\$\.pi_a: expected 3 entries"),
        ({"pi_a": ["1", "2", "2"]}, FormatError, r"\$\.pi_a: expected z = 1"),
        ({"pi_a": ["0", "0", "1"]}, FormatError, r"\$\.pi_a: all-zero coordinates"),
        ({"pi_a": [1, "2", "1"]}, FormatError, r"\$\.pi_a\[0\]: expected a canonical decimal"),
        ({"pi_a": ["01", "2", "1"]}, FormatError, r"\$\.pi_a\[0\]: expected a canonical"),
        ({"pi_a": ["-1", "2", "1"]}, FormatError, r"\$\.pi_a\[0\]: expected a canonical"),
        ({"pi_a": [str(Q), "2", "1"]}, InvalidScalarError, r"proof\.json: \$\.pi_a\[0\]"),
        ({"pi_b": [["1", "2"], ["3", "4"], ["1", "1"]]}, FormatError, r"\$\.pi_b: expected z"),
        ({"pi_c": {"x": "1"}}, FormatError, r"\$\.pi_c: expected an array, got dict"),
    ],
)
def test_malformed_proofs_are_refused(
    change: dict[str, object], error: type[Exception], message: str
) -> None:
    document = proof_document() | change
    with pytest.raises(error, match=message):
        sj.loads_proof(json.dumps(document))


def test_points_at_infinity_use_snarkjs_form() -> None:
    document = proof_document() | {
        "pi_a": ["0", "1", "0"],
        "pi_b": [["0", "0"], ["1", "0"], ["0", "0"]],
    }
    proof = sj.loads_proof(json.dumps(document))
    assert (proof.a, proof.b) == (None, None)
    assert json.loads(sj.dumps_proof(proof))["pi_a"] == ["0", "1", "0"]


def test_curve_aliases_are_accepted_and_normalised() -> None:
    proof = sj.loads_proof(json.dumps(proof_document() | {"curve": "BN254"}))
    assert json.loads(sj.dumps_proof(proof))["curve"] == "bn128"


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("{", FormatError, "public.json: not valid JSON"),
        ('{"a": 1}', FormatError, r"\$: expected an array, got dict"),
        (f'["{FR.modulus}"]', InvalidScalarError, r"\$\[0\]"),
        ('["1", 2]', FormatError, r"\$\[1\]: expected a canonical decimal string"),
    ],
)
def test_malformed_public_signals_are_refused(
    text: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        sj.loads_public(text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nPublic": 2}, r"\$\.IC: expected 3 entries, got 2"),
        ({"nPublic": True}, r"\$\.nPublic: expected a non-negative integer"),
        (
            {"vk_alphabeta_12": [[["1", "2"]], [["1", "2"]]]},
            r"\$\.vk_alphabeta_12\[0\]: expected 3 entries",
        ),
    ],
)
def test_malformed_verification_keys_are_refused(change: dict[str, object], message: str) -> None:
    document = json.loads((DATA / "mul_vk.json").read_text()) | change
    with pytest.raises(FormatError, match=message):
        sj.loads_verification_key(json.dumps(document))


def test_optional_alphabeta_is_omitted_when_absent() -> None:
    document = json.loads((DATA / "mul_vk.json").read_text())
    del document["vk_alphabeta_12"]
    key = sj.loads_verification_key(json.dumps(document))
    assert key.alphabeta_12 is None
    assert "vk_alphabeta_12" not in json.loads(sj.dumps_verification_key(key))


def test_writers_refuse_values_that_would_not_read_back() -> None:
    with pytest.raises(InvalidPointError):
        sj.dumps_proof(sj.Proof((0, 0), None, None))
    with pytest.raises(InvalidPointError):
        sj.dumps_proof(sj.Proof(None, ((0, 0), (0, 0)), None))
    with pytest.raises(InvalidScalarError):
        sj.dumps_proof(sj.Proof((Q, 1), None, None))
    with pytest.raises(InvalidScalarError):
        sj.dumps_public([FR.modulus])


def test_files_are_written_atomically(tmp_path: Path) -> None:
    key = sj.read_verification_key(DATA / "chain_vk.json")
    sj.write_verification_key(tmp_path / "vk.json", key)
    sj.write_proof(tmp_path / "proof.json", sj.read_proof(DATA / "chain_proof.json"))
    sj.write_public(tmp_path / "public.json", (8593, 5))
    for name, original in [("vk", "vk"), ("proof", "proof"), ("public", "public")]:
        written = tmp_path / f"{name}.json"
        assert written.read_bytes() == (DATA / f"chain_{original}.json").read_bytes()
