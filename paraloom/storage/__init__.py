"""SQLite stores of a node: the Merkle tree, nullifiers, chain records, compute jobs.

One database file (:func:`~paraloom.storage.database.open_database`) holds every store, so
that a state change touching several (a withdrawal approved and its nullifier spent) is one
transaction: wrap the calls in ``database.transaction()``. Every store call commits before
it returns, in WAL mode with ``synchronous = FULL``, so what the node acknowledges is on disk.
"""
