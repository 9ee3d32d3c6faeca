"""Shared fixtures: paraloom's own plugin-author fixtures."""

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["paraloom.testing"]

# CI machines have 2 cores shared with other work; deadlines there only produce flaky failures.
# CI is also derandomized, so a red run is reproducible from its commit alone; exploration with
# fresh random examples happens in the dev profile, on every developer run.
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
