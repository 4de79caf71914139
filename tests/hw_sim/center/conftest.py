"""Fixtures of the simulated center's tests (see harness.py); the session's center itself,
``running_center``, is tests/conftest.py's, shared with the e2e tests."""

from tests.hw_sim.center.harness import client

__all__ = ["client"]
