"""End to end: every refusal reason reaches the kiosk as the right typed error, with the card
through pcscd + vpcd wherever a persona's card produces it.

Reasons no persona's household produces (a card J-LIS cannot place, a holder in a
municipality that does not take part, a holder without a record, 戸籍 on office days only)
come from a second center whose J-LIS mapping is changed for four cards
(tests/hw_sim/center/standins.py: EdgeWorld); the municipality servers stay the real ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from kiosk.center import wire
from kiosk.center.client import CenterClient, new_idempotency_key
from kiosk.center.errors import CenterRefused, Maintenance, OutOfHours
from printing.certificates import (
    CertificateKind,
    CertificateRequest,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    TaxOptions,
)
from tests.hw_sim.center.harness import (
    STANDIN_PAGE_MAKER,
    CardReader,
    RunningCenter,
    card_reader,
    center_of_its_own,
    open_session,
)

__all__ = ["card_reader"]  # a module-scoped fixture used here

pytestmark = pytest.mark.pcscd
JUMINHYO = CertificateRequest(
    CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(), 1
)
KOSEKI = CertificateRequest(
    CertificateKind.KOSEKI, Jurisdiction.RESIDENCE, KosekiOptions(KosekiScope.ALL), 1
)


@pytest.fixture
def client(center: RunningCenter) -> Iterator[CenterClient]:
    with center.client() as kiosk:
        yield kiosk


def refusal_of(call: Any) -> CenterRefused:
    with pytest.raises(CenterRefused) as caught:
        call()
    return caught.value


# -- refused when the card is checked --------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "reason"), [("revoked", "certificate_revoked"), ("expired", "certificate_expired")]
)
def test_card_certificate_refused(
    client: CenterClient, card_reader: CardReader, persona: str, reason: str
) -> None:
    refusal = refusal_of(lambda: card_reader.session(client, persona))
    assert refusal.reason == reason
    assert type(refusal) is CenterRefused


@pytest.fixture(scope="module")
def revoking_center(
    tmp_path_factory: pytest.TempPathFactory, center_pki: Any
) -> Iterator[RunningCenter]:
    """A center of this module's own: a run-time revocation lasts (the center has no way to
    take one back), and the session's center serves rare-chars' card to later modules."""
    with center_of_its_own(
        tmp_path_factory.mktemp("revoking-center"),
        center_pki.folder,
        page_maker=STANDIN_PAGE_MAKER,  # the card is refused before any back side is made
    ) as server:
        yield server


def test_certificate_revoked_at_run_time(
    revoking_center: RunningCenter, card_reader: CardReader
) -> None:
    with revoking_center.client() as client:
        card_reader.session(client, "rare-chars")  # good before
        revoking_center.admin("POST", "/admin/revocations", {"persona": "rare-chars"})
        assert (
            refusal_of(lambda: card_reader.session(client, "rare-chars")).reason
            == "certificate_revoked"
        )


def test_signature_over_another_challenge(client: CenterClient, card_reader: CardReader) -> None:
    challenge, certificate, signature, _ = card_reader.answer(
        client, "normal", wire.AuthPurpose.ISSUANCE
    )
    other = client.challenge(wire.AuthPurpose.ISSUANCE)
    assert (
        refusal_of(lambda: client.open_session(other, certificate, signature)).reason
        == "signature_invalid"
    )
    # The first challenge was not consumed by the failed attempt on the other one.
    client.open_session(challenge, certificate, signature)


def test_challenge_single_use_and_kiosk_bound(
    center: RunningCenter, client: CenterClient, card_reader: CardReader
) -> None:
    challenge, certificate, signature, _ = card_reader.answer(
        client, "normal", wire.AuthPurpose.ISSUANCE
    )
    with center.client("kiosk-0002") as other_kiosk:
        assert (
            refusal_of(lambda: other_kiosk.open_session(challenge, certificate, signature)).reason
            == "challenge_unknown"
        )
    client.open_session(challenge, certificate, signature)
    assert (
        refusal_of(lambda: client.open_session(challenge, certificate, signature)).reason
        == "challenge_unknown"
    )


def test_untrusted_certificate(client: CenterClient, tmp_path: Any) -> None:
    from hw_sim.pki import JpkiTestPki
    from tests.hw_sim.center.harness import persona_key

    stranger = persona_key(JpkiTestPki.load_or_create(tmp_path / "other-pki"), "normal")
    refusal = refusal_of(
        lambda: client.authenticate(wire.AuthPurpose.ISSUANCE, stranger.certificate, stranger.sign)
    )
    assert refusal.reason == "certificate_untrusted"


# -- refused by the municipality ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "reason"),
    [
        ("moved-out", "moved_out"),
        ("dv-protected", "support_measures"),
        ("child-excluded", "under_age_excluded"),
        ("gaiji", "characters_not_supported"),
    ],
)
def test_resident_refused(
    client: CenterClient, card_reader: CardReader, persona: str, reason: str
) -> None:
    session = card_reader.session(client, persona)
    refusal = refusal_of(lambda: client.offer(session))
    assert refusal.reason == reason
    assert refusal.message_ja  # the municipality's own text travels with the code
    if reason == "support_measures":
        assert "支援" not in refusal.message_ja  # never says why (a protected resident)
    assert (
        refusal_of(lambda: client.issue(session, JUMINHYO, new_idempotency_key())).reason == reason
    )


def test_no_record(client: CenterClient, card_reader: CardReader) -> None:
    session = card_reader.session(client, "child")
    inkan = next(c for c in client.offer(session).certificates if c.kind is CertificateKind.INKAN)
    assert (inkan.available, inkan.unavailable_reason) == (False, "no_record")
    request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
    assert (
        refusal_of(lambda: client.issue(session, request, new_idempotency_key())).reason
        == "no_record"
    )


def test_not_offered_option_and_copies(client: CenterClient, center_pki: Any) -> None:
    session = open_session(client, center_pki, "normal")
    foreign_items = CertificateRequest(
        CertificateKind.JUMINHYO,
        Jurisdiction.RESIDENCE,
        JuminhyoOptions(show_foreign_items=True),
        1,
    )
    assert (
        refusal_of(lambda: client.issue(session, foreign_items, new_idempotency_key())).reason
        == "not_offered"
    )
    old_year = CertificateRequest(
        CertificateKind.TAX_INCOME, Jurisdiction.RESIDENCE, TaxOptions(1990), 1
    )
    assert refusal_of(lambda: client.issue(session, old_year, new_idempotency_key())).reason in (
        "not_offered",
        "no_record",
    )
    too_many = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 11)
    assert (
        refusal_of(lambda: client.issue(session, too_many, new_idempotency_key())).reason
        == "copies_exceeded"
    )


def test_not_registered_for_honseki(client: CenterClient, card_reader: CardReader) -> None:
    session = card_reader.session(client, "normal")
    request = CertificateRequest(
        CertificateKind.KOSEKI, Jurisdiction.HONSEKI, KosekiOptions(KosekiScope.ALL), 1
    )
    assert (
        refusal_of(lambda: client.issue(session, request, new_idempotency_key())).reason
        == "not_registered"
    )


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        ("2026-11-26T23:30:00+09:00", "out_of_hours"),
        ("2026-11-26T06:00:00+09:00", "out_of_hours"),
        ("2026-12-30T10:00:00+09:00", "year_end_closure"),
        ("2027-01-03T10:00:00+09:00", "year_end_closure"),
    ],
)
def test_closed_times(
    center: RunningCenter, client: CenterClient, center_pki: Any, moment: str, reason: str
) -> None:
    session = open_session(client, center_pki, "normal")
    center.set_clock(datetime.fromisoformat(moment))
    juminhyo = next(
        c for c in client.offer(session).certificates if c.kind is CertificateKind.JUMINHYO
    )
    assert (juminhyo.available, juminhyo.unavailable_reason) == (False, reason)
    refusal = refusal_of(lambda: client.issue(session, JUMINHYO, new_idempotency_key()))
    assert isinstance(refusal, OutOfHours)
    assert refusal.reason == reason


def test_maintenance_starting_mid_transaction(
    center: RunningCenter, client: CenterClient, card_reader: CardReader
) -> None:
    session = card_reader.session(client, "normal")
    assert all(
        c.available
        for c in client.offer(session).certificates
        if c.kind is CertificateKind.JUMINHYO
    )
    center.admin("POST", "/admin/maintenance", {"municipality_code": "131202", "minutes": 30})
    try:
        refusal = refusal_of(lambda: client.issue(session, JUMINHYO, new_idempotency_key()))
        assert isinstance(refusal, Maintenance)
        assert refusal.scope == "municipality"
        notices = client.notices().notices
        assert any(n.municipality_code == "131202" for n in notices)
    finally:
        center.admin("DELETE", "/admin/maintenance/131202")
    client.issue(session, JUMINHYO, new_idempotency_key())


def test_center_maintenance(center: RunningCenter, client: CenterClient) -> None:
    center.admin(
        "POST", "/admin/center-maintenance", {"minutes": 20, "message_ja": "定期保守中です。"}
    )
    health = client.health()
    assert health.state is wire.HealthState.MAINTENANCE
    assert health.maintenance is not None
    with pytest.raises(Maintenance) as caught:
        client.challenge(wire.AuthPurpose.ISSUANCE)
    assert caught.value.scope == "center"
    assert caught.value.until == health.maintenance.ends_at
    center.admin("DELETE", "/admin/center-maintenance")
    client.challenge(wire.AuthPurpose.ISSUANCE)


def test_registration_service_and_wrong_purpose(client: CenterClient, center_pki: Any) -> None:
    issuance_session = open_session(client, center_pki, "normal")
    registration = wire.RegistrationApplication(
        "221007",
        "山田　太郎",
        "東京都",
        datetime(1980, 5, 14).date(),
        "1",
        "静岡県静岡市",
        "山田　太郎",
        "090-0000-0000",
    )
    assert (
        refusal_of(
            lambda: client.register(issuance_session, registration, new_idempotency_key())
        ).reason
        == "wrong_purpose"
    )
    registration_session = open_session(client, center_pki, "normal", wire.AuthPurpose.REGISTRATION)
    assert refusal_of(lambda: client.offer(registration_session)).reason == "wrong_purpose"
    no_service = wire.RegistrationApplication(
        **{**registration.__dict__, "honseki_municipality_code": "012041"}
    )
    assert (
        refusal_of(
            lambda: client.register(registration_session, no_service, new_idempotency_key())
        ).reason
        == "registration_service_unavailable"
    )


# -- reasons only a changed J-LIS mapping produces ----------------------------------------------
@pytest.fixture(scope="module")
def edge_center(
    tmp_path_factory: pytest.TempPathFactory, center_pki: Any
) -> Iterator[RunningCenter]:
    with center_of_its_own(
        tmp_path_factory.mktemp("edge-center"),
        center_pki.folder,
        page_maker=STANDIN_PAGE_MAKER,  # this center refuses; it never renders a back side
        world_factory="tests.hw_sim.center.standins:EdgeWorld.load",
    ) as server:
        yield server


def test_card_holder_unknown_and_not_participating(
    edge_center: RunningCenter, card_reader: CardReader
) -> None:
    with edge_center.client() as client:
        # The blocked persona's card cannot sign (PIN blocked): its key is used in-process.
        assert (
            refusal_of(lambda: open_session(client, _pki(edge_center), "blocked")).reason
            == "card_holder_unknown"
        )
        assert (
            refusal_of(lambda: card_reader.session(client, "one-try-left")).reason
            == "municipality_not_participating"
        )


def test_resident_not_found(edge_center: RunningCenter) -> None:
    with edge_center.client() as client:
        session = open_session(client, _pki(edge_center), "slow")
        assert refusal_of(lambda: client.offer(session)).reason == "resident_not_found"


def test_weekdays_only(edge_center: RunningCenter) -> None:
    with edge_center.client() as client:
        session = open_session(client, _pki(edge_center), "first-6f00")
        edge_center.set_clock(datetime.fromisoformat("2026-11-29T10:00:00+09:00"))  # a Sunday
        koseki = next(
            c for c in client.offer(session).certificates if c.kind is CertificateKind.KOSEKI
        )
        assert (koseki.available, koseki.unavailable_reason) == (False, "weekdays_only")
        refusal = refusal_of(lambda: client.issue(session, KOSEKI, new_idempotency_key()))
        assert isinstance(refusal, OutOfHours)
        assert refusal.reason == "weekdays_only"
        edge_center.set_clock(datetime.fromisoformat("2026-11-26T10:00:00+09:00"))


def _pki(server: RunningCenter) -> Any:
    from hw_sim.pki import JpkiTestPki

    return JpkiTestPki.load_or_create(server.pki_dir)
