"""End to end: the center's state survives a restart — a replayed issuance after the restart
is the same certificate, sessions and settlement carry over, kiosk revocations persist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.center import wire
from kiosk.center.client import new_idempotency_key
from kiosk.center.errors import KioskNotAuthorised
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
from tests.hw_sim.center.harness import (
    REAL_PAGE_MAKER,
    RunningCenter,
    center_of_its_own,
    open_session,
)


@pytest.fixture(scope="module")
def own_center(
    tmp_path_factory: pytest.TempPathFactory, center_pki: Any
) -> Iterator[RunningCenter]:
    with center_of_its_own(
        tmp_path_factory.mktemp("restart-center"), center_pki.folder, page_maker=REAL_PAGE_MAKER
    ) as server:
        yield server


def test_state_survives_a_restart(own_center: RunningCenter, center_pki: Any) -> None:
    request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 2)
    key = new_idempotency_key()
    with own_center.client() as client:
        session = open_session(client, center_pki, "normal")
        first = client.issue(session, request, key)
    own_center.admin("POST", "/admin/kiosks", {"kiosk_id": "kiosk-0200"})
    own_center.admin("POST", "/admin/kiosks/kiosk-0200/revoke")

    own_center.restart()
    own_center.reset()

    with own_center.client() as client:
        again = client.issue(session, request, key)  # the session survived too
        assert again.replayed
        assert again.envelope == first.envelope
        envelope = first.envelope
        report = wire.CompletionReport(
            wire.CompletionOutcome.FAILED,
            1,
            envelope.total_fee_yen,
            envelope.fee_yen_per_copy,
            0,
            "media_jam",
            envelope.issued_at,
        )
        client.complete(envelope.issuance_id, report, new_idempotency_key())
        day = own_center.business_day()
        settlement = client.settlement(day)
        assert settlement.business_date == day
        assert settlement.copies_printed == 1
        assert settlement.refunded_yen == envelope.fee_yen_per_copy
        assert settlement.store_fee_yen == wire.STORE_FEE_PER_COPY_YEN
    with own_center.client("kiosk-0200") as revoked, pytest.raises(KioskNotAuthorised):
        revoked.health()
