"""Certificates of node keys, TLS 1.3-only contexts, and pinning to node ids."""

from __future__ import annotations

import asyncio
import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from paraloom.errors import PeerAuthenticationError
from paraloom.network.tls import (
    PROTOCOL_ID,
    authenticate_peer,
    client_context,
    node_certificate,
    server_context,
)

from .conftest import identity


def test_a_certificate_holds_the_node_key_and_names_its_node_id() -> None:
    alice = identity("alice")
    certificate = node_certificate(alice.private_key)
    key = certificate.public_key()
    assert isinstance(key, Ed25519PublicKey)
    assert key.public_bytes_raw() == alice.public_key
    [name] = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert name.value == alice.node_id_hex


@pytest.mark.parametrize("make", [server_context, client_context])
def test_contexts_are_tls13_only_and_require_a_certificate(make: object) -> None:
    context = make(identity("alice").private_key)  # type: ignore[operator]
    assert context.minimum_version == context.maximum_version == ssl.TLSVersion.TLSv1_3
    assert context.verify_mode == ssl.CERT_REQUIRED


async def handshake(
    server_name: str, client_name: str, expected: str | None
) -> tuple[str | Exception, str | Exception]:
    """(what the server learned, what the client learned) after one handshake."""
    learned: asyncio.Future[str | Exception] = asyncio.get_running_loop().create_future()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await writer.start_tls(server_context(identity(server_name).private_key))
            learned.set_result(authenticate_peer(writer.get_extra_info("ssl_object")))
        except (ssl.SSLError, PeerAuthenticationError, ConnectionError) as error:
            learned.set_result(error)
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    context = client_context(identity(client_name).private_key)
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    client: str | Exception
    try:
        client = authenticate_peer(writer.get_extra_info("ssl_object"), expected)
    except PeerAuthenticationError as error:
        client = error
    server_side = await learned
    writer.close()
    server.close()
    await server.wait_closed()
    return server_side, client


async def test_both_sides_learn_the_other_node_id() -> None:
    alice, bob = identity("alice").node_id_hex, identity("bob").node_id_hex
    assert await handshake("bob", "alice", expected=bob) == (alice, bob)


async def test_a_server_with_another_key_than_dialled_is_refused() -> None:
    carol = identity("carol").node_id_hex
    _, client = await handshake("bob", "alice", expected=carol)
    assert isinstance(client, PeerAuthenticationError)
    assert f"expected node {carol}" in str(client)
    assert identity("bob").node_id_hex in str(client)


def test_a_connection_without_tls_is_unauthenticated() -> None:
    with pytest.raises(PeerAuthenticationError, match="TLS"):
        authenticate_peer(None)


class FakeSsl:
    """The parts of an SSL object that pinning reads."""

    def __init__(self, alpn: str | None, der: bytes | None) -> None:
        self.alpn, self.der = alpn, der

    def selected_alpn_protocol(self) -> str | None:
        return self.alpn

    def getpeercert(self, binary_form: bool) -> bytes | None:
        return self.der


def test_another_protocol_or_a_missing_certificate_is_unauthenticated() -> None:
    with pytest.raises(PeerAuthenticationError, match=PROTOCOL_ID):
        authenticate_peer(FakeSsl("h2", b""))  # type: ignore[arg-type]
    with pytest.raises(PeerAuthenticationError, match="no certificate"):
        authenticate_peer(FakeSsl(PROTOCOL_ID, None))  # type: ignore[arg-type]


def test_a_certificate_of_another_key_type_is_unauthenticated() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "p256")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
        .sign(key, hashes.SHA256())
    )
    fake = FakeSsl(PROTOCOL_ID, certificate.public_bytes(Encoding.DER))
    with pytest.raises(PeerAuthenticationError, match="Ed25519"):
        authenticate_peer(fake)  # type: ignore[arg-type]
