"""Every numeric field of every certificate type, forged and checked (issue 12's digit target).

The robustness benchmark's ``--tamper`` run forges one field per edit kind and draw, taking the
page's numeric fields in turn: over a few dozen draws it samples the fields. This one forges
**every** numeric field of every page of a corpus holding every certificate type (the
corpus cycle of security_corpus.py: 住民票の写し twice, 印鑑登録証明書, 住民票記載事項証明書,
所得・課税証明書, 納税証明書, 戸籍全部事項証明書, 戸籍の附票の写し) — by default one digit edit
per field (the kinds
in turn: changed, swapped, added, removed; the next kind when the field allows none), with
``--all-edits`` all four — and prints each field key with how often it was flagged and named.

Each page: its back through one office-envelope draw (verified once), every forged front through
the same draw's front channel with its own noise seed, `verify_front` against that back.

    nice .venv/bin/python benchmarks/security_every_field.py --corpus 8 --seed 7 \\
        --out var/bench/every-field.jsonl          # ~1 front per numeric field: ≈ 300 fronts

A front counts as flagged when the verdict is not ``verified``; as named when the edited field
is among ``front.differing_fields``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from security_forgery import DIGIT_KINDS, digit_targets
from security_robustness import TRUST, Page, pages

from printing.security.channel import sample_params, simulate
from printing.verify import Outcome, load_scan, verify_back, verify_front


def field_name(key: str) -> str:
    """A fact key without its list indices: every resident's birth date is one field."""
    return re.sub(r"\[\d+\]", "[]", key)


def page_trial(page: Page, seed: int, all_edits: bool) -> list[dict[str, Any]]:
    """Every numeric field of one page forged and checked; one record per front."""
    rng = np.random.default_rng(seed)
    params = sample_params("office", rng, seed=seed)
    back_scan = load_scan(simulate(page.back_600, params, page.front_600))[0]
    verdict = verify_back(back_scan, TRUST)
    kind = type(page.certificate.document).__name__
    base = {"certificate": page.certificate.index, "page": page.index, "kind_of": kind}
    if verdict.outcome is not Outcome.VERIFIED:
        return [base | {"kind": "back", "outcome": verdict.outcome.value}]
    forger, facts = page.forgeable()
    edits = random.Random(seed)  # noqa: S311 - test data
    fronts: list[tuple[dict[str, Any], np.ndarray]] = [({"kind": "genuine"}, page.front_600)]
    for number, run in enumerate(digit_targets(facts.runs)):
        kinds = DIGIT_KINDS if all_edits else DIGIT_KINDS[number % 4 :] + DIGIT_KINDS[: number % 4]
        for edit in kinds:
            forged = forger.forge(run, edit, edits)
            if forged is not None:
                fronts.append((forged[0].to_record(), forged[1]))
                if not all_edits:
                    break
    out = []
    for number, (record, front) in enumerate(fronts):
        front_params = replace(params, seed=params.seed + 10_000 + number, show_through=0.0)
        front_scan = load_scan(simulate(front, front_params, page.back_600))[0]
        cpu_started = time.process_time()
        checked = verify_front(verdict, back_scan, front_scan)
        cpu = time.process_time() - cpu_started
        named = [] if checked.fields is None else [f.key for f in checked.fields.differing]
        out.append(
            base
            | record
            | {
                "field": field_name(record.get("key", "")),
                "outcome": checked.outcome.value,
                "flagged": checked.outcome is not Outcome.VERIFIED,
                "named": record.get("key") in named,
                "differing": named,
                "front_cpu_s": round(cpu, 3),
                "blur_sigma_px": params.blur_sigma_px,
            }
        )
    return out


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Flagged / named per edit kind, per certificate type and field; the misses listed."""
    forged = [r for r in records if r["kind"] in DIGIT_KINDS]
    genuine = [r for r in records if r["kind"] == "genuine"]
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in forged:
        cell = per_field[f"{r['kind_of']} {r['field']}"]
        cell[0] += 1
        cell[1] += r["flagged"]
        cell[2] += r["named"]
    summary: dict[str, Any] = {
        "pages": len({(r["certificate"], r["page"]) for r in records}),
        "backs_not_verified": sum(r["kind"] == "back" for r in records),
        "genuine_flagged": f"{sum(r['flagged'] for r in genuine)}/{len(genuine)}",
        "digits_flagged": f"{sum(r['flagged'] for r in forged)}/{len(forged)}",
        "digits_named": f"{sum(r['named'] for r in forged)}/{len(forged)}",
        "fields": len(per_field),
    }
    for kind in DIGIT_KINDS:
        group = [r for r in forged if r["kind"] == kind]
        summary[kind] = f"{sum(r['flagged'] for r in group)}/{len(group)}"
    summary["per_field"] = {
        k: f"{v[1]}/{v[0]} (named {v[2]})" for k, v in sorted(per_field.items())
    }
    summary["missed"] = [
        {k: r[k] for k in ("kind_of", "key", "kind", "original", "forged", "blur_sigma_px")}
        for r in forged
        if not r["flagged"]
    ]
    summary["falsely_flagged"] = [
        {k: r[k] for k in ("kind_of", "certificate", "page", "differing")}
        for r in genuine
        if r["flagged"]
    ]
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=int, default=8, help="certificates (8: every type)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--all-edits", action="store_true", help="all four edits per field")
    parser.add_argument("--max-pages", type=int, default=0, help="stop after this many pages")
    parser.add_argument("--out", type=Path, help="JSON lines: one front per line, then summary")
    args = parser.parse_args()

    out = args.out.open("w") if args.out else None
    records: list[dict[str, Any]] = []
    for number, page in enumerate(pages(args.corpus)):
        if args.max_pages and number >= args.max_pages:
            break
        page_records = page_trial(page, args.seed * 100_000 + number, args.all_edits)
        records.extend(page_records)
        if out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in page_records)
            out.flush()
        flagged = sum(r.get("flagged", False) for r in page_records if r["kind"] in DIGIT_KINDS)
        forged = sum(r["kind"] in DIGIT_KINDS for r in page_records)
        genuine = [r for r in page_records if r["kind"] == "genuine"]
        falsely = "genuine flagged" if genuine and genuine[0]["flagged"] else ""
        print(number, page_records[0]["kind_of"], f"{flagged}/{forged} flagged", falsely,
              file=sys.stderr, flush=True)  # fmt: skip
    summary = summarise(records)
    if out:
        out.write(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        out.close()
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
