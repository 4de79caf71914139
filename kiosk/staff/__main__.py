"""``python -m kiosk.staff``: make the staff entries of a profile.

    python -m kiosk.staff hash-pin            # asks for the PIN twice; prints the pin_hash
    python -m kiosk.staff hash-pin --stdin    # the PIN on standard input (provisioning)
    python -m kiosk.staff card-digest HEX     # the card entry of a staff card's id (hex)

The PIN is never echoed, stored or logged: only its salted hash is printed
(kiosk/staff/credentials.py).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from kiosk.staff.credentials import CredentialError, card_digest, hash_pin


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.staff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    pin = commands.add_parser("hash-pin", help="print the pin_hash of a staff PIN")
    pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    card = commands.add_parser("card-digest", help="print the card entry of a staff card id")
    card.add_argument("card_id", help="the card id as hex, as the reader reports it")
    args = parser.parse_args(argv)
    if args.command == "card-digest":
        try:
            print(card_digest(bytes.fromhex(args.card_id)))
        except ValueError:
            print("card-digest: the card id must be hex", file=sys.stderr)
            return 2
        return 0
    if args.stdin:
        secret = sys.stdin.readline().strip()
    else:
        secret = getpass.getpass("staff PIN (4-8 digits): ")
        if getpass.getpass("again: ") != secret:
            print("hash-pin: the two PINs differ", file=sys.stderr)
            return 2
    try:
        print(hash_pin(secret).text())
    except CredentialError as exc:
        print(f"hash-pin: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
