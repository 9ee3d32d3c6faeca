"""Readers and writers for the circom/snarkjs file formats (.r1cs, .wtns, .zkey, .ptau, JSON)."""
