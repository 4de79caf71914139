"""``python -m kiosk.center``: talk to an issuance center as a kiosk would, from a terminal.

``issue`` runs one full issuance with the card in a PC/SC reader (the virtual card through the
private pcscd + vpcd on a developer machine): read the certificate, verify the PIN, sign the
center's challenge, power the card off, get the offer, issue, verify the envelope and write the
front PDFs and back-side data to a folder; then report the issuance ``cancelled`` (nothing was
printed, nothing paid) unless ``--report printed`` is given.

The PIN is read from the terminal (or one line of stdin with ``--pin-stdin``), never from the
command line, and never logged.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, assert_never

from kiosk.center import wire
from kiosk.center.client import CenterClient, CenterConfig, IssuanceResult, new_idempotency_key
from kiosk.center.errors import CenterError, CenterRefused
from printing.certificates import (
    CertificateKind,
    CertificateOptions,
    CertificateRequest,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    OptionsShape,
    Scope,
    TaxOptions,
)

EXIT_OK, EXIT_CENTER, EXIT_CARD = 0, 2, 3


def build_request(args: argparse.Namespace) -> CertificateRequest:
    """The certificate request described by the command-line options (the kind's usual options
    shape; 附票 with ``--koseki-scope`` takes the 戸籍 shape)."""
    kind = CertificateKind(args.kind)
    shape = kind.options[0]
    if args.koseki_scope and OptionsShape.KOSEKI in kind.options:
        shape = OptionsShape.KOSEKI
    options: CertificateOptions
    match shape:
        case OptionsShape.JUMINHYO:
            members = tuple(m for m in (args.members or "").split(",") if m)
            options = JuminhyoOptions(
                scope=Scope(args.scope),
                member_ids=members,
                show_head_and_relationship=args.show_head,
                show_honseki=args.show_honseki,
                show_my_number=args.show_my_number,
                show_foreign_items=args.show_foreign_items,
            )
        case OptionsShape.TAX:
            if args.fiscal_year is None:
                raise SystemExit("--fiscal-year is required for tax certificates")
            options = TaxOptions(fiscal_year=args.fiscal_year)
        case OptionsShape.KOSEKI:
            options = KosekiOptions(scope=KosekiScope(args.koseki_scope or "all"))
        case OptionsShape.FUHYO:
            options = FuhyoOptions(scope=KosekiScope(args.koseki_scope or "all"))
        case OptionsShape.NONE:
            options = NoOptions()
        case _:
            assert_never(shape)
    return CertificateRequest(kind, Jurisdiction(args.jurisdiction), options, args.copies)


def _config(args: argparse.Namespace) -> CenterConfig:
    if args.endpoints:
        endpoints = json.loads(Path(args.endpoints).read_text())
        kiosk = endpoints["kiosks"][args.kiosk_id]
        return CenterConfig(
            base_url=endpoints["center_url"],
            ca_path=Path(endpoints["ca_path"]),
            cert_path=Path(kiosk["cert_path"]),
            key_path=Path(kiosk["key_path"]),
        )
    if not (args.center and args.ca and args.cert and args.key):
        raise SystemExit("give --endpoints FILE, or --center, --ca, --cert and --key")
    return CenterConfig(args.center, Path(args.ca), Path(args.cert), Path(args.key))


def _read_secret(prompt: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt)


def _card_answer(
    client: CenterClient, purpose: wire.AuthPurpose, args: argparse.Namespace
) -> tuple[wire.Challenge, bytes, bytes, Any]:
    """Read the card, verify the PIN, sign the challenge; the card is powered off on return.

    Returns the challenge, certificate, signature and (for registration) the 4 facts.
    """
    from cardio import CollationNumberB, JpkiSession, KenmenHojoSession, UserPin, pcsc

    facts = None
    with pcsc.connect(args.reader) as connection:
        session = JpkiSession(connection)
        session.read_token_info()
        certificate = session.read_certificate()
        tries = session.get_pin_tries()
        print(f"PIN tries left: {tries}", file=sys.stderr)
        with UserPin(_read_secret("PIN (4 digits): ", args.pin_stdin)) as pin:
            session.verify_pin(pin)
        challenge = client.challenge(purpose)
        signature = session.sign_sha256(challenge.message())
        if purpose is wire.AuthPurpose.REGISTRATION:
            number = _read_secret("照合番号B (14 digits): ", args.pin_stdin)
            with CollationNumberB(number) as collation:
                facts = KenmenHojoSession(connection).read(collation).facts
    return challenge, certificate, signature, facts


def _authenticate(
    client: CenterClient, purpose: wire.AuthPurpose, args: argparse.Namespace
) -> tuple[wire.SessionGrant, Any]:
    challenge, certificate, signature, facts = _card_answer(client, purpose, args)
    print("card released: take your card", file=sys.stderr)
    return client.open_session(challenge, certificate, signature), facts


def write_issuance(result: IssuanceResult, folder: Path) -> list[Path]:
    """Write each copy's front PDF and back-side pages, and a summary without the PDFs."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    envelope = result.envelope
    for copy in envelope.copies:
        front = folder / f"copy{copy.copy_index + 1}-front.pdf"
        front.write_bytes(copy.front_pdf)
        written.append(front)
        for page in copy.back_sides:
            back = folder / f"copy{copy.copy_index + 1}-back-page{page.page_index + 1}.bin"
            back.write_bytes(page.data)
            written.append(back)
    summary = folder / "envelope.json"
    value = envelope.to_wire()
    for copy in value["copies"]:
        copy["front_pdf"] = f"<{len(copy['front_pdf'])} base64 characters>"
        for page in copy["back_sides"]:
            page["data"] = f"<{len(page['data'])} base64 characters>"
    summary.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    written.append(summary)
    return written


def _issue(client: CenterClient, args: argparse.Namespace) -> int:
    request = build_request(args)
    session, _ = _authenticate(client, wire.AuthPurpose.ISSUANCE, args)
    try:
        offer = client.offer(session)
        print(f"{offer.municipality_name} ({offer.municipality_code}):", file=sys.stderr)
        for cert in offer.certificates:
            state = "available" if cert.available else f"unavailable: {cert.unavailable_reason}"
            print(
                f"  {cert.kind.value}/{cert.jurisdiction.value} {cert.fee_yen} yen, {state}",
                file=sys.stderr,
            )
        key = new_idempotency_key()
        result = client.issue(session, request, key)
        envelope = result.envelope
        files = write_issuance(result, Path(args.out))
        print(
            f"issued {envelope.issuance_id}: {len(envelope.copies)} copies, "
            f"{envelope.total_fee_yen} yen, envelope verified; "
            f"wrote {len(files)} files to {args.out}",
            file=sys.stderr,
        )
        printed = args.report == "printed"
        report = wire.CompletionReport(
            outcome=wire.CompletionOutcome.PRINTED if printed else wire.CompletionOutcome.CANCELLED,
            copies_printed=request.copies if printed else 0,
            amount_paid_yen=envelope.total_fee_yen if printed else 0,
            amount_refunded_yen=0,
            refund_pending_yen=0,
            failure_reason=None if printed else "not_printed",
            completed_at=datetime.now(UTC),
        )
        receipt = client.complete(envelope.issuance_id, report, new_idempotency_key())
        print(f"completion reported: {receipt.outcome.value}", file=sys.stderr)
    finally:
        client.end_session(session)
    return EXIT_OK


def _register(client: CenterClient, args: argparse.Namespace) -> int:
    session, facts = _authenticate(client, wire.AuthPurpose.REGISTRATION, args)
    try:
        birth = facts.birth_date_as_date()
        if birth is None:
            print("the card's birth date is incomplete", file=sys.stderr)
            return EXIT_CARD
        application = wire.RegistrationApplication(
            honseki_municipality_code=args.municipality,
            name=facts.name,
            address=facts.address,
            birth_date=birth,
            sex=facts.sex.value,
            honseki=args.honseki,
            hittosha_name=args.hittosha,
            phone=args.phone,
        )
        receipt = client.register(session, application, new_idempotency_key())
        print(json.dumps(receipt.to_wire(), ensure_ascii=False, indent=2))
    finally:
        client.end_session(session)
    return EXIT_OK


def _print(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m kiosk.center", description="Talk to an issuance center as a kiosk would."
    )
    top.add_argument("--endpoints", help="the simulated center's endpoints.json")
    top.add_argument("--kiosk-id", default="kiosk-0001", help="with --endpoints")
    top.add_argument("--center", help="center base URL, e.g. https://localhost:8443")
    top.add_argument("--ca", help="center CA certificate (PEM) to pin")
    top.add_argument("--cert", help="this kiosk's client certificate (PEM)")
    top.add_argument("--key", help="this kiosk's client key (PEM)")
    sub = top.add_subparsers(dest="command", required=True)
    sub.add_parser("health")
    sub.add_parser("notices")
    sub.add_parser("municipalities")
    settlement = sub.add_parser("settlement")
    settlement.add_argument("--date", type=date.fromisoformat, default=None)
    status = sub.add_parser("status", help="本籍地 registration status")
    status.add_argument("application_number")

    for name in ("issue", "register"):
        command = sub.add_parser(name)
        command.add_argument(
            "--reader", default=None, help="PC/SC reader (default: first with a card)"
        )
        command.add_argument(
            "--pin-stdin", action="store_true", help="read secrets from stdin lines"
        )
    issue = sub.choices["issue"]
    issue.add_argument("--kind", required=True, choices=[k.value for k in CertificateKind])
    issue.add_argument(
        "--jurisdiction", default="residence", choices=[j.value for j in Jurisdiction]
    )
    issue.add_argument("--copies", type=int, default=1)
    issue.add_argument("--scope", default="self", choices=[s.value for s in Scope])
    issue.add_argument("--members", default="", help="member ids, comma-separated (household_part)")
    issue.add_argument("--show-head", action="store_true")
    issue.add_argument("--show-honseki", action="store_true")
    issue.add_argument("--show-my-number", action="store_true")
    issue.add_argument("--show-foreign-items", action="store_true")
    issue.add_argument("--fiscal-year", type=int, default=None)
    issue.add_argument("--koseki-scope", default=None, choices=[s.value for s in KosekiScope])
    issue.add_argument("--out", required=True, help="folder for the front PDFs and back sides")
    issue.add_argument("--report", default="cancelled", choices=("cancelled", "printed"))
    register = sub.choices["register"]
    register.add_argument("--municipality", required=True, help="本籍地 code")
    register.add_argument("--honseki", required=True, help="本籍")
    register.add_argument("--hittosha", required=True, help="筆頭者氏名")
    register.add_argument("--phone", required=True)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        with CenterClient(_config(args)) as client:
            if args.command == "health":
                _print(client.health().to_wire())
            elif args.command == "notices":
                _print(client.notices().to_wire())
            elif args.command == "municipalities":
                _print(client.municipalities().to_wire())
            elif args.command == "settlement":
                _print(client.settlement(args.date or datetime.now(wire.JST).date()).to_wire())
            elif args.command == "status":
                _print(client.registration_status(args.application_number).to_wire())
            elif args.command == "issue":
                return _issue(client, args)
            else:
                return _register(client, args)
    except CenterRefused as exc:
        print(
            f"refused: {exc.reason} ({exc.message_ja or wire.REASONS.get(exc.reason, '')})",
            file=sys.stderr,
        )
        return EXIT_CENTER
    except CenterError as exc:
        print(f"center: {exc.staff_code}: {exc}", file=sys.stderr)
        return EXIT_CENTER
    except Exception as exc:  # the card driver's typed errors, reported without a traceback
        from cardio import CardError

        if isinstance(exc, CardError):
            print(f"card: {type(exc).__name__}: {exc}", file=sys.stderr)
            return EXIT_CARD
        raise
    return EXIT_OK
