"""Shared test configuration.

Under CI (``CI`` set) hypothesis runs derandomized: the same examples every run, so a property
failure is reproducible from the log instead of appearing on one machine and not the next.
Locally it explores new examples on every run.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
