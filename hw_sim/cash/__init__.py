"""The simulated cash unit: a JCM ID-003 bill validator and a ccTalk bus (coin acceptor and
payout hoppers) behind pseudo-terminals, in a process of its own with its state on disk
(docs/cash-hardware.md, "The simulators")."""

from hw_sim.cash.cipher import SimulatorCipher
from hw_sim.cash.control import CashSimControl, CashSimError, CashSimProcess, wait_for
from hw_sim.cash.server import SimConfig

__all__ = [
    "CashSimControl",
    "CashSimError",
    "CashSimProcess",
    "SimConfig",
    "SimulatorCipher",
    "wait_for",
]
