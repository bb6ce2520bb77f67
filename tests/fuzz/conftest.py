"""Hypothesis profiles: `ci` (the default: few examples, derandomized, so `make test` stays fast and
repeatable) and `fuzz` (`make fuzz`: 10,000 examples per property, random). Pick one with
HYPOTHESIS_PROFILE."""

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

# Every example must finish well under a second: a parser or rule that is slow on some input is
# what these properties look for, beside exceptions. `make bench` measures speed; this only bounds it.
DEADLINE = timedelta(milliseconds=800)
_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile("ci", max_examples=30, deadline=DEADLINE, derandomize=True, database=None,
                          suppress_health_check=_SLOW_DATA)
settings.register_profile("fuzz", max_examples=10_000, deadline=DEADLINE, suppress_health_check=_SLOW_DATA)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
