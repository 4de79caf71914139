"""``python -m hw_sim.municipality``: ask a simulated municipality as the center would.

    python -m hw_sim.municipality offer normal --at 2026-11-26T10:00
    python -m hw_sim.municipality issue normal juminhyo --scope household_all --out var/out/j.pdf
    python -m hw_sim.municipality issue honseki koseki --honseki 221007 --out var/out/k.pdf

Personas are looked up by id (hw_sim/personas.py); ``--at`` is read in Asia/Tokyo (default:
now). State (registrations, maintenance) goes to ``--state`` (default var/world).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import assert_never

from hw_sim.municipality.api import IssuedDocument, Refusal, World
from hw_sim.world.calendar import JST
from kiosk.domain import Offer
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


def _now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(JST)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=JST)


def _print_offer(offer: Offer | Refusal) -> None:
    if isinstance(offer, Refusal):
        print(f"refused: {offer.reason.value} — {offer.message_ja}")
        return
    print(f"{offer.municipality_code} {offer.municipality_name}")
    for line in offer.certificates:
        state = "available" if line.available else f"unavailable ({line.unavailable_reason})"
        extra = f" years={list(line.rules.fiscal_years)}" if line.rules.fiscal_years else ""
        print(
            f"  {line.kind.value:13} {line.jurisdiction.value:9} {line.fee_yen:4} yen "
            f"(counter {line.counter_fee_yen}) "
            f"{line.hours[0]:%H:%M}-{line.hours[1]:%H:%M} {state}{extra}"
        )
    for member in offer.household:
        print(f"  member {member.member_id}: {member.display_name}")
    for notice in offer.notices:
        print(f"  notice: {notice}")


def _options(kind: CertificateKind, args: argparse.Namespace) -> CertificateOptions:
    shape = kind.options[0]
    if OptionsShape.KOSEKI in kind.options:
        shape = OptionsShape.KOSEKI  # the 附票 too: for everyone (default) or one person
    match shape:
        case OptionsShape.JUMINHYO:
            return JuminhyoOptions(
                scope=Scope(args.scope),
                member_ids=tuple(args.member or ()),
                show_head_and_relationship=args.all_items,
                show_honseki=args.all_items,
                show_my_number=args.my_number,
                show_foreign_items=args.foreign_items,
            )
        case OptionsShape.TAX:
            return TaxOptions(args.year)
        case OptionsShape.KOSEKI:
            return KosekiOptions(KosekiScope.INDIVIDUAL if args.individual else KosekiScope.ALL)
        case OptionsShape.FUHYO:
            return FuhyoOptions(show_honseki=True)  # 全部, with 本籍・筆頭者 (a full view)
        case OptionsShape.NONE:
            return NoOptions()
        case _:
            assert_never(shape)


def main(argv: list[str] | None = None) -> int:
    from hw_sim.personas import get_persona
    from hw_sim.pki import auth_identifier

    parser = argparse.ArgumentParser(
        prog="python -m hw_sim.municipality", description=__doc__.splitlines()[0]
    )
    parser.add_argument("command", choices=["offer", "issue"])
    parser.add_argument("persona")
    parser.add_argument("kind", nargs="?", choices=[k.value for k in CertificateKind])
    parser.add_argument("--at", help="ISO date-time, Asia/Tokyo unless an offset is given")
    parser.add_argument("--state", type=Path, default=Path("var/world"))
    parser.add_argument("--honseki", metavar="CODE", help="ask this 本籍地 (registered cards)")
    parser.add_argument("--scope", default="self", choices=[s.value for s in Scope])
    parser.add_argument("--member", action="append", help="member id for household_part")
    parser.add_argument("--all-items", action="store_true", help="世帯主・続柄 and 本籍")
    parser.add_argument("--my-number", action="store_true")
    parser.add_argument("--foreign-items", action="store_true")
    parser.add_argument("--year", type=int, default=0, help="fiscal year for tax certificates")
    parser.add_argument("--individual", action="store_true", help="個人事項 instead of 全部事項")
    parser.add_argument("--out", type=Path, default=Path("var/out/certificate.pdf"))
    args = parser.parse_args(argv)
    now = _now(args.at)
    try:
        card = auth_identifier(get_persona(args.persona))
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    world = World.load(args.state)
    located = world.locate_card_holder(card)
    if located is None:
        print("error: the persona has no resident record", file=sys.stderr)
        return 1
    code, resident_id = located
    server = world.municipality(args.honseki or code)
    if args.command == "offer":
        _print_offer(
            server.honseki_offer(card, now) if args.honseki else server.offer(resident_id, now)
        )
        return 0
    if args.kind is None:
        parser.error("issue needs a certificate kind")
    kind = CertificateKind(args.kind)
    jurisdiction = Jurisdiction.HONSEKI if args.honseki else Jurisdiction.RESIDENCE
    request = CertificateRequest(kind, jurisdiction, _options(kind, args))
    result = server.issue(
        card if args.honseki else resident_id, request, now, f"{now:%Y%m%d}-000001"
    )
    if not isinstance(result, IssuedDocument):
        print(f"refused: {result.reason.value} — {result.message_ja}")
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(result.pdf)
    print(f"{result.title}: {result.page_count} page(s), {result.fee_yen} yen → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
