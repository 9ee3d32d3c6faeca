"""`paraloom localnet`: N validator processes on loopback, each with its own config, keys,
database and ports (:mod:`.layout`), started detached and stopped by signal
(:mod:`.processes`), the most recent one recorded in the user's state directory (:mod:`.state`).
"""
