"""Shared fixtures: paraloom's own plugin-author fixtures."""

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["paraloom.testing"]

# CI machines have 2 cores shared with other work; deadlines there only produce flaky failures.
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
