"""Compute: WASM jobs, the executor contract, distribution and result agreement."""
