"""Groth16 phase-2 ceremonies (BGM17) over snarkjs .zkey files, in both directions.

A contribution made here passes ``snarkjs zkey verify``, and chains made by snarkjs (or by
phase2-bn254 through snarkjs' bellman import) verify here. Modules by concern:

- :mod:`.chacha`, :mod:`.hash_to_g2`: snarkjs' random stream and the points drawn from it;
- :mod:`.transcript`: the BLAKE2b transcript, public keys and contribution hashes;
- :mod:`.entropy`, :mod:`.keypair`: a contribution's secret and proof of knowledge;
- :mod:`.contribute`, :mod:`.beacon`: the two kinds of step, streamed over the key;
- :mod:`.bases`, :mod:`.chain`, :mod:`.sections`, :mod:`.validation`, :mod:`.verify`:
  verification;
- :mod:`.info`, :mod:`.export`, :mod:`.receipt`: reading a key, its verifying key, receipts;
- :mod:`.streaming`, :mod:`.progress`: constant-memory reading and writing, progress reports;
- :mod:`.scheme`: the ``bgm17`` component the plugin registers.
"""
