"""Transports, wire messages, gossip and the peer registry."""
