"""Fixtures of the payment tests: the simulated cash unit and the kiosk's driver on it."""

from tests.kiosk.payment.cash_harness import make_cash_rig

__all__ = ["make_cash_rig"]
