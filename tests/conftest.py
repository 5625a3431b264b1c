"""Settings shared by every test directory.

Hypothesis's per-example deadline is off everywhere: it is a timed assertion, and on the shared 2-core
machines the suite runs on, a busy moment made correct code fail (speed is measured by benchmarks instead)."""

from hypothesis import settings

settings.register_profile("qingquan", deadline=None)
settings.load_profile("qingquan")
