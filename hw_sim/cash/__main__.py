"""``python -m hw_sim.cash``: the simulated cash unit (ID-003 bill validator, ccTalk coin
acceptor and hoppers) on pseudo-terminals, and a few control commands.

    python -m hw_sim.cash serve --dir var/run/cash [--checksum crc16] [--hopper 3:100:40 …]
    python -m hw_sim.cash insert 1000 --dir var/run/cash
    python -m hw_sim.cash state --dir var/run/cash
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from hw_sim.cash.control import CashSimControl
from hw_sim.cash.server import CONTROL_SOCKET, SimConfig, serve


def _hopper(text: str) -> tuple[int, int, int]:
    address, coin, count = (int(part) for part in text.split(":"))
    return address, coin, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hw_sim.cash", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--dir", type=Path, default=Path("var/run/cash"))
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run the devices (uses DIR/config.json if there)")
    run.add_argument("--checksum", choices=("simple", "crc16"))
    run.add_argument("--hopper", action="append", type=_hopper, help="ADDRESS:COIN:COUNT")
    run.add_argument("--encrypted", action="append", type=int, default=None)
    run.add_argument("--no-echo", action="store_true")
    insert = sub.add_parser("insert", help="a bill or coin of YEN (0: counterfeit coin)")
    insert.add_argument("yen", type=int)
    sub.add_parser("state", help="print the devices' state")
    sub.add_parser("take", help="empty the tray and the bezel")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    folder: Path = args.dir.absolute()
    if args.command == "serve":
        config = SimConfig.load(folder) if (folder / "config.json").exists() else SimConfig()
        if args.checksum:
            config.checksum = args.checksum
        if args.hopper:
            config.hoppers = args.hopper
        if args.encrypted is not None:
            config.encrypted = args.encrypted
        if args.no_echo:
            config.echo = False
        serve(folder, config)
        return 0
    control = CashSimControl(folder / CONTROL_SOCKET)
    if args.command == "insert":
        print(control.insert(args.yen))
    elif args.command == "take":
        print(control.take_tray())
    else:
        print(json.dumps(control.state(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
