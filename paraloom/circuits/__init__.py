"""paraloom's own circuits, built with :mod:`paraloom.zk.builder` from :mod:`paraloom.gadgets`.

Each module fixes one circuit's protocol (what is committed, what is public, in which order);
:mod:`paraloom.circuits.shipped` pairs a circuit with the keys of its recorded ceremony.
"""
