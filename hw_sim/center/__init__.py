"""The simulated issuance center (証明書交付センター) and JPKI validity service.

A real HTTPS server with mutual TLS (aiohttp) speaking the protocol of docs/center-protocol.md,
its state in SQLite, a real OCSP responder for the JPKI-TEST user-authentication certificates,
and faults on demand. Start it with ``python -m hw_sim.center serve --state-dir var/center``.
"""
