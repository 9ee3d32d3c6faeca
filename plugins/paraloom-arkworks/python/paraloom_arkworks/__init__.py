"""paraloom-arkworks: the BN254 curve backend ``arkworks`` for paraloom, native code over arkworks.

Select it with ``curve = "arkworks"`` (or leave ``curve = "auto"``: it ranks above the
pure-Python backend). In Python, :func:`create_backend` builds one directly.
"""

from paraloom_arkworks.backend import ArkworksBackend, create_backend

__all__ = ["ArkworksBackend", "create_backend"]
