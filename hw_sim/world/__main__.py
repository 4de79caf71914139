"""``python -m hw_sim.world``: validate the world's data, or print the municipalities table.

python -m hw_sim.world check     build the whole world; exit 1 with file: field: problem
python -m hw_sim.world table     the municipalities table of docs/simulated-world.md
"""

from __future__ import annotations

import argparse
import sys

from hw_sim.world.builder import build_world
from hw_sim.world.errors import WorldDataError
from hw_sim.world.loader import load_municipalities
from hw_sim.world.municipalities import Municipality
from printing.certificates import CertificateKind

_SHORT = {
    CertificateKind.JUMINHYO: "住",
    CertificateKind.KISAI_JIKO: "記",
    CertificateKind.INKAN: "印",
    CertificateKind.TAX_INCOME: "税",
    CertificateKind.KOSEKI: "戸",
    CertificateKind.KOSEKI_FUHYO: "附",
}


def _row(m: Municipality) -> str:
    if not m.participates:
        return f"| {m.code} | {m.prefecture}{m.name} | — (not participating) | | | | |"
    offers = "".join(short for kind, short in _SHORT.items() if kind in m.certificates)
    fees = []
    for kind, short in _SHORT.items():
        config = m.certificates.get(kind)
        if config:
            fees.append(f"{short}{config.fee_yen}/{config.counter_fee_yen}")
    koseki = m.certificates.get(CertificateKind.KOSEKI)
    hours = "06:30–23:00"
    if koseki and koseki.office_days_only:
        hours += f"; 戸籍 開庁日 {koseki.hours[0]:%H:%M}–{koseki.hours[1]:%H:%M}"
    honseki = "".join(_SHORT[k] for k in m.honseki_kinds) or "—"
    if m.honseki_kinds:
        honseki += f" ({m.honseki_registration_office_days}日)"
    rules = []
    juminhyo = m.certificates[CertificateKind.JUMINHYO]
    if not juminhyo.my_number:
        rules.append("no 個人番号")
    if m.excludes_under_15:
        rules.append("under 15 excluded")
    if not m.year_end_closure:
        rules.append("open 12/29–1/3")
    tax = m.certificates.get(CertificateKind.TAX_INCOME)
    if tax:
        rules.append(f"tax {tax.tax_years} y")
    return (
        f"| {m.code} | {m.prefecture}{m.name} | {offers} | {' '.join(fees)} | {hours} | {honseki} "
        f"| {', '.join(rules)} |"
    )


def table() -> str:
    municipalities = load_municipalities()
    lines = [
        "| code | municipality | offers | kiosk/counter fee (yen) | hours | 本籍地 service "
        "| rules |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_row(m) for m in sorted(municipalities.values(), key=lambda m: m.code)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hw_sim.world", description=__doc__.splitlines()[0]
    )
    parser.add_argument("command", choices=["check", "table"])
    args = parser.parse_args(argv)
    try:
        if args.command == "table":
            print(table())
            return 0
        world = build_world()
    except WorldDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(world.municipalities)} municipalities, {len(world.households)} households, "
        f"{len(world.residents)} residents, {len(world.registers)} family registers"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
