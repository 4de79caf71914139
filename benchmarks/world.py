"""Benchmark of the simulated world and its municipality servers.

    .venv/bin/python benchmarks/world.py [--runs 20]

Measures, in one process:

* building the static world (data files, personas, generator): cold (first import included)
  and warm (median of a few rebuilds);
* ``World.load`` on a fresh state folder (build + SQLite schema);
* ``offer`` (the center's light call: includes one SQLite read of maintenance windows);
* ``issue`` per certificate kind for the ``normal`` persona (record lookup + document
  construction + rendering by printing.documents), median of N runs;
* ``register_honseki`` + ``registration_status``.

Nothing is asserted; the figures are printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from hw_sim.world.calendar import JST

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    samples = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    started = time.perf_counter()
    from hw_sim.world.builder import build_world

    world_data = build_world()
    print(f"build world (cold, imports included): {1000 * (time.perf_counter() - started):8.1f} ms")
    warm, _ = timed(build_world, 5)
    print(f"build world (warm, median of 5):      {1000 * warm:8.1f} ms")
    print(
        f"  {len(world_data.municipalities)} municipalities, {len(world_data.residents)} residents,"
        f" {len(world_data.registers)} registers"
    )

    from hw_sim.municipality import HonsekiApplication, World
    from hw_sim.personas import get_persona
    from hw_sim.pki import auth_identifier
    from printing.certificates import (
        CertificateKind,
        CertificateRequest,
        JuminhyoOptions,
        Jurisdiction,
        KosekiOptions,
        NoOptions,
        Scope,
        TaxOptions,
    )

    with tempfile.TemporaryDirectory() as folder:
        load, world = timed(lambda: World.load(Path(folder) / "state"), 1)
        print(f"World.load (fresh state folder):      {1000 * load:8.1f} ms")
        persona = get_persona("normal")
        code, resident_id = world.locate_card_holder(auth_identifier(persona))
        server = world.municipality(code)
        median, _ = timed(lambda: server.offer(resident_id, NOW), args.runs * 5)
        print(f"offer (median of {args.runs * 5}):                 {1000 * median:8.2f} ms")
        requests = {
            "juminhyo (household, all items)": CertificateRequest(
                CertificateKind.JUMINHYO,
                Jurisdiction.RESIDENCE,
                JuminhyoOptions(
                    scope=Scope.HOUSEHOLD_ALL, show_head_and_relationship=True, show_honseki=True
                ),
            ),
            "kisai_jiko": CertificateRequest(
                CertificateKind.KISAI_JIKO, Jurisdiction.RESIDENCE, JuminhyoOptions()
            ),
            "inkan": CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions()),
            "tax_income": CertificateRequest(
                CertificateKind.TAX_INCOME, Jurisdiction.RESIDENCE, TaxOptions(2026)
            ),
            "tax_payment": CertificateRequest(
                CertificateKind.TAX_PAYMENT, Jurisdiction.RESIDENCE, TaxOptions(2026)
            ),
            "koseki (全部事項)": CertificateRequest(
                CertificateKind.KOSEKI, Jurisdiction.RESIDENCE, KosekiOptions()
            ),
            "koseki_fuhyo": CertificateRequest(
                CertificateKind.KOSEKI_FUHYO, Jurisdiction.RESIDENCE, NoOptions()
            ),
        }
        for label, request in requests.items():
            server.issue(resident_id, request, NOW, "BENCH-1")  # warm fonts and caches
            median, issued = timed(
                lambda request=request: server.issue(resident_id, request, NOW, "BENCH-1"),
                args.runs,
            )
            size = f"{issued.page_count} p, {len(issued.pdf) // 1024} KiB"
            print(f"issue {label:32} {1000 * median:8.1f} ms  ({size})")
        other = get_persona("first-6f00")
        application = HonsekiApplication(
            card_identifier=auth_identifier(other),
            name=other.name,
            address=other.address,
            birth_date=other.birth_date,
            sex=other.sex,
            honseki="福岡県福岡市早良区百道浜二丁目３番",
            hittosha_name="中村　浩",
            phone="078-000-1234",
        )
        fukuoka = world.municipality("401307")
        median, receipt = timed(lambda: fukuoka.register_honseki(application, NOW), 1)
        print(f"register_honseki:                     {1000 * median:8.2f} ms")
        median, _ = timed(
            lambda: fukuoka.registration_status(receipt.application_number, NOW), args.runs
        )
        print(f"registration_status (median):         {1000 * median:8.2f} ms")


if __name__ == "__main__":
    main()
