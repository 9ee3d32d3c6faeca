"""Proof codecs: byte layouts for Groth16 proofs, verifying keys and public inputs.

One module per layout (``snarkjs``, ``compact``, ``solana``), the point encodings they share
(``compressed``: arkworks' compressed form, ``altbn128``: the big-endian syscall form), the
validation every decoder and encoder applies (``validation``) and conversion between codecs
(``conversion``). The built-in plugin :mod:`paraloom.plugins.proof_codecs` exposes the codecs
as components; nothing here imports it.
"""
