"""``python -m hw_sim.card``: serve virtual cards in the vpcd readers of pcscd and drive them.

    python -m hw_sim.card serve [--port 35963] [--insert 0=normal]   # holds the slots
    python -m hw_sim.card insert --slot 1 --persona slow [--delay 0.5]
    python -m hw_sim.card insert --slot 0 --persona normal --fault endless-61xx   # hostile card
    python -m hw_sim.card remove --slot 1
    python -m hw_sim.card status
    python -m hw_sim.card personas
    python -m hw_sim.card reset --persona blocked                    # PIN counters as issued

vpcd listens on all interfaces: developer machines only (docs/virtual-card.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hw_sim.card.control import ControlError, ControlServer, send_request
from hw_sim.card.dock import DEFAULT_VAR, CardDock, DockError
from hw_sim.card.hostile import HostileFault
from hw_sim.card.vpcd import VPCD_DEFAULT_PORT
from hw_sim.personas import list_personas

DEFAULT_CONTROL = Path(
    os.environ.get("HW_SIM_CARD_CONTROL", DEFAULT_VAR / "run" / "card-dock.sock")
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hw_sim.card", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--control", type=Path, default=DEFAULT_CONTROL, help="dock control socket")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="hold the two vpcd slots and serve the control socket")
    serve.add_argument("--host", default="127.0.0.1", help="where vpcd listens")
    serve.add_argument("--port", type=int, default=VPCD_DEFAULT_PORT, help="vpcd port of slot 0")
    serve.add_argument("--state-dir", type=Path, default=DEFAULT_VAR / "cards")
    serve.add_argument("--pki-dir", type=Path, default=DEFAULT_VAR / "pki")
    serve.add_argument(
        "--insert", action="append", default=[], metavar="SLOT=PERSONA", help="insert at start"
    )
    insert = sub.add_parser("insert", help="put a persona's card into a slot")
    insert.add_argument("--slot", type=int, required=True)
    insert.add_argument("--persona", required=True)
    insert.add_argument("--delay", type=float, help="answer every APDU after this many seconds")
    insert.add_argument(
        "--fault",
        choices=[fault.value for fault in HostileFault],
        help="a hostile card: what a programmable card answers instead (docs/virtual-card.md)",
    )
    remove = sub.add_parser("remove", help="pull the card out of a slot")
    remove.add_argument("--slot", type=int, required=True)
    sub.add_parser("status", help="what is in each slot")
    personas = sub.add_parser("personas", help="list the personas")
    personas.add_argument("--json", action="store_true")
    reset = sub.add_parser("reset", help="restore a card's PIN counters to the issued state")
    reset.add_argument("--persona", required=True)
    return parser


def _print_slots(answer: dict[str, Any]) -> None:
    for slot in answer["slots"]:
        if slot["persona"] is None:
            print(f"slot {slot['slot']} (port {slot['port']}): empty")
        else:
            state = "in reader" if slot["connected"] else "waiting for vpcd"
            power = "powered" if slot["powered"] else "unpowered"
            print(
                f"slot {slot['slot']} (port {slot['port']}): {slot['persona']} — {state}, "
                f"{power}, {slot['apdus']} APDUs"
            )


def _serve(args: argparse.Namespace) -> int:
    dock = CardDock(args.host, args.port, state_dir=args.state_dir, pki_dir=args.pki_dir)
    try:
        server = ControlServer(dock, args.control)
    except ControlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        for spec in args.insert:
            slot, _, persona = str(spec).partition("=")
            dock.insert(int(slot), persona)
        print(
            f"card dock: vpcd {args.host}:{args.port}/{args.port + 1}, control {args.control}",
            flush=True,
        )
        stop.wait()
    except (DockError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        server.close()
        dock.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        return _serve(args)
    if args.command == "personas":
        people = list_personas()
        if args.json:
            rows = [
                {
                    "id": p.id,
                    "municipality": p.municipality_code,
                    "medium": p.medium.value,
                    "description": p.description,
                }
                for p in people
            ]
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for p in people:
                print(f"{p.id:15} {p.municipality_code} {p.medium.value:9} {p.description}")
        return 0
    request: dict[str, Any] = {"cmd": args.command}
    if args.command in ("insert", "remove"):
        request["slot"] = args.slot
    if args.command in ("insert", "reset"):
        request["persona"] = args.persona
    if args.command == "insert" and args.delay is not None:
        request["delay"] = args.delay
    if args.command == "insert" and args.fault is not None:
        request["fault"] = args.fault
    try:
        answer = send_request(args.control, request)
    except ControlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_slots(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
