"""Built-in plugins: thin adapters that expose paraloom's own components through the hooks.

Each module is an entry point of the core distribution, so built-ins take the same path as
third-party plugins and can be listed and disabled the same way.
"""
