"""Fixtures of the simulated center's tests (see harness.py)."""

from tests.hw_sim.center.harness import center, center_pki, client, running_center

__all__ = ["center", "center_pki", "client", "running_center"]
