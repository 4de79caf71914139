"""Run inside a mount namespace whose /run is an empty tmpfs (a machine that has never run
pcscd): start the private pcscd with APDU logging, verify a PIN on a virtual card through it,
stop it, and print what was seen as JSON. Used by tests/hw_sim/stack/test_private_daemons.py."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from cardio import JpkiSession, UserPin
from hw_sim.card import CardDock
from hw_sim.stack import PrivatePcscd


def main() -> int:
    folder = Path(sys.argv[1])
    pki_dir = Path(sys.argv[2])
    seen: dict[str, object] = {"run_entries_before": sorted(os.listdir("/run"))}
    daemon = PrivatePcscd(folder / "pcscd", log_apdus=True)
    daemon.start()
    daemon.export_env()
    from cardio.pcsc import PcscContext  # after PCSCLITE_CSOCK_NAME is set

    dock = CardDock(port=daemon.vpcd_ports[0], state_dir=folder / "cards", pki_dir=pki_dir)
    context = PcscContext()
    try:
        seen["readers"] = context.list_readers()
        dock.insert(0, "normal")
        deadline = time.monotonic() + 10
        connection = None
        while connection is None:
            try:
                connection = context.connect(seen["readers"][0])  # type: ignore[index]
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with connection:
            session = JpkiSession(connection)
            session.verify_pin(UserPin("1234"))
            seen["pin_verified"] = True
    finally:
        dock.close()
        context.release()
        daemon.stop()
    seen["log"] = daemon.logfile.read_text(errors="replace")
    seen["log_mode"] = oct(daemon.logfile.stat().st_mode & 0o777)
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
