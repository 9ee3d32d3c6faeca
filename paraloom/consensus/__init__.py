"""Withdrawal consensus: signed votes, the validator set, rounds, leader selection, evidence.

Pure state machines and codecs: nothing here does I/O, keeps time or talks to peers. The node
feeds messages with the time it received them and acts on the events that come back.
"""
