"""Fails on import, as a plugin with a missing native library would."""

raise ImportError("paraloom-broken-plugin: libbroken.so not found (deliberate test fixture)")
