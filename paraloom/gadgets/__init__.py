"""R1CS gadgets over the circuit builder: booleans and bits, range checks, comparators,
selection, Poseidon.

Each gadget takes a :class:`~paraloom.zk.builder.CircuitBuilder` and Expr or int operands and
returns expressions; like the builder, it states the constraints and, in witness mode, solves
the wires it adds. Values never change which constraints are emitted.
"""
