"""Hashes, commitments, signatures of knowledge, Merkle trees and keys."""
