"""``cardio``: a diagnostic command line for readers and My Number cards (docs/card.md).

PINs are asked with getpass (no echo) and never accepted as arguments; ``--pin-stdin`` reads
one line from standard input for scripts. ``--trace`` prints the APDUs (masked) to stderr.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from cardio import pcsc
from cardio.certificate import summarize_certificate
from cardio.errors import (
    CardError,
    InvalidPinFormat,
    SecurityStatusNotSatisfied,
    UnsupportedCard,
)
from cardio.jpki import JpkiSession, KeyRole
from cardio.kenmen import KenmenHojoSession, load_issuer_public_key
from cardio.pin import CollationNumberB, Secret, SigningPassword, UserPin
from cardio.traffic import TRAFFIC

__all__ = ["main"]

EXIT_CARD_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cardio", description="Readers and My Number cards (diagnostics)."
    )
    parser.add_argument("--reader", help="reader name (default: the first with a card)")
    parser.add_argument("--trace", action="store_true", help="print APDUs to stderr (masked)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("readers", help="list readers and whether a card is present")
    commands.add_parser("status", help="ATR, medium, authentication certificate")
    commands.add_parser("tries", help="tries left of the PIN and of the signing password")
    sign = commands.add_parser("sign", help="sign a file or a challenge (SHA-256, PKCS#1 v1.5)")
    source = sign.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", type=Path, help="file whose contents are signed")
    source.add_argument("--challenge", help="challenge bytes in hex")
    sign.add_argument(
        "--key",
        choices=["auth", "signing"],
        default="auth",
        help="auth: 利用者証明用 key, 4-digit PIN (default); signing: 署名用 key, password",
    )
    sign.add_argument("--out", type=Path, help="write the raw signature here (default: hex)")
    sign.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    facts = commands.add_parser("facts", help="the 4 facts, with 照合番号B")
    facts.add_argument("--pin-stdin", action="store_true", help="read 照合番号B from stdin")
    facts.add_argument("--issuer-key", type=Path, help="券面事項入力補助 issuer public key (PEM)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m cardio`` and the ``cardio`` console script."""
    args = _parser().parse_args(argv)
    logger = logging.getLogger("cardio")
    level = logger.level
    handler: logging.Handler | None = None
    if args.trace:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(TRAFFIC)
    try:
        return _run(args)
    finally:
        # main() is also called in-process (tests, tools): the trace must not outlive the call
        # on a stream that may be closed by then.
        if handler is not None:
            logger.removeHandler(handler)
            logger.setLevel(level)


def _run(args: argparse.Namespace) -> int:
    commands: dict[str, Callable[[argparse.Namespace, TextIO], None]] = {
        "readers": _readers,
        "status": _status,
        "tries": _tries,
        "sign": _sign,
        "facts": _facts,
    }
    try:
        commands[args.command](args, sys.stdout)
    except InvalidPinFormat as exc:  # refused before anything was sent: a usage error
        print(f"cardio: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CardError as exc:
        print(f"cardio: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_CARD_ERROR
    except (ValueError, OSError) as exc:
        print(f"cardio: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return 0


def _readers(args: argparse.Namespace, out: TextIO) -> None:
    context = pcsc.default_context()
    names = context.list_readers()
    if not names:
        print("no reader", file=out)
        return
    states = context.get_status_change([pcsc.ReaderState(name, 0) for name in names], 0) or []
    for state in states:
        if state.mute:
            card = "card present but not answering"
        elif state.present:
            card = f"card, ATR {state.atr.hex(' ').upper()}"
        else:
            card = "empty"
        print(f"{state.reader}: {card}", file=out)


def _status(args: argparse.Namespace, out: TextIO) -> None:
    with pcsc.connect(args.reader) as connection:
        print(f"reader:   {connection.reader}", file=out)
        print(f"ATR:      {connection.atr.hex(' ').upper()}", file=out)
        session = JpkiSession(connection)
        try:
            token = session.read_token_info()
            print(f"medium:   {token.medium.name} ({token.label})", file=out)
        except UnsupportedCard as exc:
            print(f"medium:   not supported: {exc}", file=out)
            return
        try:
            summary = summarize_certificate(session.read_certificate())
        except SecurityStatusNotSatisfied:  # the Android token wants the PIN first (§4.1)
            print("certificate: readable only after the PIN on this medium", file=out)
            return
        print(f"subject:  {summary.subject}", file=out)
        print(f"issuer:   {summary.issuer}", file=out)
        print(f"serial:   {summary.serial:X}", file=out)
        print(
            f"valid:    {summary.not_before:%Y-%m-%d} .. {summary.not_after:%Y-%m-%d} UTC", file=out
        )


def _tries(args: argparse.Namespace, out: TextIO) -> None:
    with pcsc.connect(args.reader) as connection:
        session = JpkiSession(connection)
        print(f"PIN (利用者証明用):            {session.get_pin_tries()} of 3", file=out)
        signing = session.get_pin_tries(KeyRole.SIGNING)
        print(f"signing password (署名用):     {signing} of 5", file=out)


def _ask(prompt: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt)


def _sign(args: argparse.Namespace, out: TextIO) -> None:
    message = args.file.read_bytes() if args.file else bytes.fromhex(args.challenge)
    role = KeyRole.AUTHENTICATION if args.key == "auth" else KeyRole.SIGNING
    secret: Secret
    if role is KeyRole.AUTHENTICATION:
        secret = UserPin(_ask("PIN (4 digits): ", args.pin_stdin))
    else:
        secret = SigningPassword(_ask("signing password: ", args.pin_stdin))
    with secret, pcsc.connect(args.reader) as connection:
        session = JpkiSession(connection)
        if isinstance(secret, UserPin):
            session.verify_pin(secret)
        elif isinstance(secret, SigningPassword):
            session.verify_signing_password(secret)
        signature = session.sign_sha256(message, role)
    if args.out:
        args.out.write_bytes(signature)
        print(f"signature ({len(signature)} bytes) written to {args.out}", file=out)
    else:
        print(signature.hex(), file=out)


def _facts(args: argparse.Namespace, out: TextIO) -> None:
    key = load_issuer_public_key(args.issuer_key.read_bytes()) if args.issuer_key else None
    number = CollationNumberB(_ask("照合番号B (14 digits): ", args.pin_stdin))
    with number, pcsc.connect(args.reader) as connection:
        record = KenmenHojoSession(connection).read(number, issuer_public_key=key)
    facts = record.facts
    if facts is None:  # 照合番号B always opens the facts (jpki-card.md §5.1)
        raise CardError("the card returned no facts")
    print(f"name:       {facts.name}", file=out)
    print(f"address:    {facts.address}", file=out)
    print(f"birth date: {facts.birth_date}", file=out)
    print(f"sex:        {facts.sex.name.lower().replace('_', ' ')}", file=out)
    print(f"integrity:  digests match; signature {record.integrity.signature.value}", file=out)
