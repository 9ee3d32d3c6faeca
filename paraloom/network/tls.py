"""TLS 1.3 with mutual authentication, pinned to node ids.

A node id is the SHA-256 of the node's raw 32-byte Ed25519 public key (DESIGN §3), so a TLS
peer is authenticated when the key in its certificate hashes to the id we expect: the one we
dialled, or, on the server side, the id the certificate names (the caller decides whether it
knows that node). TLS 1.3's CertificateVerify proves the peer holds the private key of that
certificate, so the pin is all the trust needed; no certificate authority vouches for anyone.

Why the certificates are issued by a *public* issuer rather than self-signed: Python's ``ssl``
has no verification callback. A server that asks for a client certificate (CERT_OPTIONAL or
CERT_REQUIRED) lets OpenSSL verify it and fails the handshake on an unknown self-signed one
("certificate verify failed: self-signed certificate"), and a server with CERT_NONE does not
ask for one at all; loading each peer's certificate as a trusted CA is impossible because a
server does not know its clients' certificates in advance. So every node's certificate is
signed by one issuer whose private key is derived from a published constant: every node
trusts it, anyone can issue with it, and it therefore means nothing. It only lets OpenSSL run
the handshake with CERT_REQUIRED in both directions (a peer must present a certificate and
prove possession of its key), after which :func:`authenticate_peer` pins the leaf key. A peer
with no certificate, plain TCP, or a certificate of another key is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import ssl
import tempfile
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID

from paraloom.crypto.identity import node_id_of
from paraloom.errors import PeerAuthenticationError

PROTOCOL_ID = "paraloom-tcp/1"
"""Offered and required through ALPN, so peers agree on the wire format in the handshake."""

_ISSUER_SEED = hashlib.sha256(b"paraloom-tcp/1 public certificate issuer").digest()
# Fixed dates make certificates deterministic for a key; expiry carries no meaning here
# because trust comes from the pinned key, not from the certificate's lifetime.
_NOT_BEFORE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_NOT_AFTER = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


def node_id_hex(public_key: Ed25519PublicKey) -> str:
    """The hex node id that names the holder of ``public_key`` on the transport."""
    return node_id_of(public_key.public_bytes_raw()).hex()


@cache
def _issuer() -> tuple[Ed25519PrivateKey, x509.Certificate]:
    key = Ed25519PrivateKey.from_private_bytes(_ISSUER_SEED)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paraloom public issuer")])
    certificate = (
        _builder(name, name, key.public_key(), serial=1)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, None)
    )
    return key, certificate


def node_certificate(key: Ed25519PrivateKey) -> x509.Certificate:
    """The certificate a node presents: its Ed25519 key, its node id as common name."""
    issuer_key, issuer = _issuer()
    node_id = node_id_hex(key.public_key())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, node_id)])
    return (
        _builder(subject, issuer.subject, key.public_key(), serial=int(node_id[:30], 16))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(issuer_key, None)
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: Ed25519PublicKey, serial: int
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(_NOT_BEFORE)
        .not_valid_after(_NOT_AFTER)
    )


def server_context(key: Ed25519PrivateKey) -> ssl.SSLContext:
    """A TLS 1.3-only server context that requires a client certificate."""
    return _context(ssl.PROTOCOL_TLS_SERVER, key)


def client_context(key: Ed25519PrivateKey) -> ssl.SSLContext:
    """A TLS 1.3-only client context that presents the node's certificate.

    Host names are not checked: peers are identified by the pinned key, not by a DNS name.
    """
    return _context(ssl.PROTOCOL_TLS_CLIENT, key)


def _context(protocol: int, key: Ed25519PrivateKey) -> ssl.SSLContext:
    context = ssl.SSLContext(protocol)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=_issuer()[1].public_bytes(Encoding.DER))
    context.set_alpn_protocols([PROTOCOL_ID])
    _load_certificate(context, key)
    return context


def _load_certificate(context: ssl.SSLContext, key: Ed25519PrivateKey) -> None:
    """``ssl`` loads a key pair only from files: write them to a private temporary folder."""
    with tempfile.TemporaryDirectory(prefix="paraloom-tls-") as folder:
        certificate_path, key_path = Path(folder, "cert.pem"), Path(folder, "key.pem")
        certificate_path.write_bytes(node_certificate(key).public_bytes(Encoding.PEM))
        key_path.touch(mode=0o600)
        key_path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        context.load_cert_chain(certificate_path, key_path)


def authenticate_peer(ssl_object: ssl.SSLObject | None, expected: str | None = None) -> str:
    """The node id a completed handshake proves, checked against ``expected`` when given.

    Raises PeerAuthenticationError for a connection without TLS, without the paraloom
    protocol, without an Ed25519 certificate, or whose key is not the expected node's.
    """
    if ssl_object is None:
        raise PeerAuthenticationError("the peer did not use TLS")
    if ssl_object.selected_alpn_protocol() != PROTOCOL_ID:
        raise PeerAuthenticationError(f"the peer does not speak {PROTOCOL_ID}")
    der = ssl_object.getpeercert(binary_form=True)
    if der is None:
        raise PeerAuthenticationError("the peer presented no certificate")
    public_key = x509.load_der_x509_certificate(der).public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise PeerAuthenticationError("the peer's certificate does not hold an Ed25519 key")
    node_id = node_id_hex(public_key)
    if expected is not None and node_id != expected:
        raise PeerAuthenticationError(f"expected node {expected}, the peer proved {node_id}")
    return node_id
