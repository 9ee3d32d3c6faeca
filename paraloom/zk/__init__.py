"""R1CS, the circuit builder, circom witness generation, the QAP and Groth16."""
