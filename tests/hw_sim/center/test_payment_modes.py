"""The center knows where each kiosk takes fees and refuses completions that claim another place
(issue 16): a store kiosk cannot report a copy as "paid at the counter" — the fee would then
be expected at a city hall that never saw the resident."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hw_sim.center.admin import kiosk_spec
from hw_sim.center.state import Store
from kiosk.center import wire
from kiosk.center.client import new_idempotency_key
from kiosk.center.errors import CenterRefused
from kiosk.domain import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
from tests.hw_sim.center.harness import RunningCenter, open_session

INKAN = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)


def printed(payment: wire.PaymentPlace, fee: int, at: datetime) -> wire.CompletionReport:
    paid = fee if payment is wire.PaymentPlace.KIOSK else 0
    return wire.CompletionReport(wire.CompletionOutcome.PRINTED, 1, paid, 0, 0, None, at, payment)


def issue(center: RunningCenter, center_pki: Any, kiosk_id: str) -> wire.Envelope:
    with center.client(kiosk_id) as client:
        session = open_session(client, center_pki, "normal")
        return client.issue(session, INKAN, new_idempotency_key()).envelope


@pytest.mark.parametrize(
    ("kiosk_id", "refused_place", "accepted_place"),
    [
        ("kiosk-0002", wire.PaymentPlace.COUNTER, wire.PaymentPlace.KIOSK),  # a store kiosk
        ("kiosk-0003", wire.PaymentPlace.KIOSK, wire.PaymentPlace.COUNTER),  # counter only
    ],
)
def test_a_completion_from_a_payment_place_the_kiosk_lacks_is_refused(
    center: RunningCenter,
    center_pki: Any,
    kiosk_id: str,
    refused_place: wire.PaymentPlace,
    accepted_place: wire.PaymentPlace,
) -> None:
    envelope = issue(center, center_pki, kiosk_id)
    fee = envelope.total_fee_yen
    with center.client(kiosk_id) as client:
        with pytest.raises(CenterRefused) as refusal:
            client.complete(
                envelope.issuance_id, printed(refused_place, fee, envelope.issued_at), "k" * 24
            )
        assert refusal.value.reason == "payment_not_registered"
        # Nothing was recorded: the kiosk's true report (a new key) is taken.
        receipt = client.complete(
            envelope.issuance_id,
            printed(accepted_place, fee, envelope.issued_at),
            new_idempotency_key(),
        )
    assert receipt.outcome is wire.CompletionOutcome.PRINTED


def test_a_kiosk_with_both_places_may_report_either(center: RunningCenter, center_pki: Any) -> None:
    for place in wire.PaymentPlace:
        envelope = issue(center, center_pki, "kiosk-0001")
        with center.client("kiosk-0001") as client:
            client.complete(
                envelope.issuance_id,
                printed(place, envelope.total_fee_yen, envelope.issued_at),
                new_idempotency_key(),
            )


def test_registering_a_kiosk_again_keeps_its_payment_places(
    center: RunningCenter, center_pki: Any
) -> None:
    center.kiosk_files("kiosk-0003", register=True)  # e.g. after its certificate was renewed
    envelope = issue(center, center_pki, "kiosk-0003")
    report = printed(wire.PaymentPlace.KIOSK, envelope.total_fee_yen, envelope.issued_at)
    with center.client("kiosk-0003") as client, pytest.raises(CenterRefused):
        client.complete(envelope.issuance_id, report, new_idempotency_key())  # counter only


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("kiosk-0009", ("kiosk-0009", ("kiosk",))),
        ("kiosk-0009=counter", ("kiosk-0009", ("counter",))),
        ("kiosk-0009=kiosk,counter", ("kiosk-0009", ("kiosk", "counter"))),
    ],
)
def test_kiosk_specs(spec: str, parsed: tuple[str, tuple[str, ...]]) -> None:
    assert kiosk_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["kiosk-0009=", "kiosk-0009=cash", "no spaces=kiosk", "=kiosk"])
def test_bad_kiosk_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="MODES"):
        kiosk_spec(spec)


def test_kiosks_registered_before_the_payment_modes_were_stored_are_store_kiosks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "center.sqlite3"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE kiosks (kiosk_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE,"
        " status TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)"
    )
    old.execute("INSERT INTO kiosks VALUES ('kiosk-old', 'ff', 'active', '2026-01-01', NULL)")
    old.commit()
    old.close()
    store = Store(path)
    try:
        assert store.kiosk_payment_modes("kiosk-old") == {"kiosk"}
        store.register_kiosk("kiosk-new", "ee", datetime.now(UTC), ("counter",))
        assert store.kiosk_payment_modes("kiosk-new") == {"counter"}
        assert store.kiosk_payment_modes("kiosk-unknown") == frozenset()
    finally:
        store.close()
