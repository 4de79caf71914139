"""The simulated issuance center (証明書交付センター) and JPKI validity service.

A real HTTPS server with mutual TLS (aiohttp) speaking the protocol of docs/center-protocol.md,
its state in SQLite, a real OCSP responder for the JPKI-TEST user-authentication certificates
(its own process), a process pool that renders certificates and their back sides, and faults
on demand through a loopback admin endpoint.

Start it with ``python -m hw_sim.center --state-dir var/center serve --pki-dir var/pki``, or
from Python with :class:`CenterProcess` (tests, benchmarks, the developer profile). Its keys
are :class:`CenterKeys` (hw_sim/center/keys.py).
"""

from hw_sim.center.keys import CenterKeys, KioskCredentials
from hw_sim.center.process import CenterProcess
from hw_sim.center.server import ServerConfig

__all__ = ["CenterKeys", "CenterProcess", "KioskCredentials", "ServerConfig"]
