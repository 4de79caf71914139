"""What staff need to know about the cash unit (for the staff mode of issue 10): typed, small,
read at any time from any thread (kiosk.payment.cash_unit.CashUnit.status)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class DeviceStatus:
    """One device: is it answering, and what is wrong with it ("" when nothing)."""

    name: str
    connected: bool = False
    fault: str = ""
    identity: str = ""  # model, firmware, serial number as the device says


@dataclass(frozen=True)
class HopperLevel:
    """One payout hopper."""

    address: int
    coin_yen: int
    connected: bool = False
    level: str = "unknown"  # "low", "ok", "high" from its level sensors, or "unknown"
    dispensed_total: int = 0  # the hopper's lifetime count of coins paid out (header 168)
    fault: str = ""  # "empty", "jammed", "needs the manufacturer's cipher", …


@dataclass(frozen=True)
class CashStatus:
    bill_validator: DeviceStatus
    coin_acceptor: DeviceStatus
    hoppers: tuple[HopperLevel, ...] = ()
    bills_in_stacker: int = 0  # counted by the driver since the stacker was last opened
    unconfirmed: tuple[str, ...] = field(default=())  # credits/payouts not journaled yet

    @property
    def faults(self) -> tuple[str, ...]:
        found = [
            f"{d.name}: {d.fault}" for d in (self.bill_validator, self.coin_acceptor) if d.fault
        ]
        found += [
            f"hopper {h.address} ({h.coin_yen} yen): {h.fault}" for h in self.hoppers if h.fault
        ]
        return tuple(found)


@runtime_checkable
class ReportsCashStatus(Protocol):
    """A fee acceptor that reports its devices for staff (the ID-003 + ccTalk cash unit)."""

    def status(self) -> CashStatus:
        """The devices now (never raises: a fault is a field)."""


__all__ = ["CashStatus", "DeviceStatus", "HopperLevel", "ReportsCashStatus"]
