"""The center process starts, serves every call of the protocol over mTLS, and its OpenAPI."""

from __future__ import annotations

import requests

from kiosk.center import wire
from kiosk.center.client import CenterClient, new_idempotency_key
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
from tests.hw_sim.center.harness import RunningCenter, open_session


def test_health_notices_and_municipalities(client: CenterClient) -> None:
    health = client.health()
    assert health.state is wire.HealthState.OK
    assert health.protocol_version == wire.PROTOCOL_VERSION
    codes = {m.code for m in client.municipalities().municipalities}
    assert {"131202", "271004", "221007"} <= codes
    assert client.notices().notices == ()


def test_issue_complete_and_settle(client: CenterClient, center: RunningCenter, center_pki) -> None:
    session = open_session(client, center_pki, "normal")
    assert session.municipality_code == "131202"
    assert {"verify", "ocsp", "locate"} <= set(client.last_server_timing)
    offer = client.offer(session)
    assert "municipality" in client.last_server_timing
    inkan = next(c for c in offer.certificates if c.kind is CertificateKind.INKAN)
    request = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 2)
    result = client.issue(session, request, new_idempotency_key())
    assert {"municipality", "back_side", "envelope"} <= set(result.server_timing)
    envelope = result.envelope
    assert envelope.fee_yen_per_copy == inkan.fee_yen
    assert envelope.total_fee_yen == 2 * inkan.fee_yen
    assert [copy.front_pdf[:5] for copy in envelope.copies] == [b"%PDF-", b"%PDF-"]
    before = client.settlement(center.business_day())
    report = wire.CompletionReport(
        wire.CompletionOutcome.PRINTED, 2, envelope.total_fee_yen, 0, 0, None, envelope.issued_at
    )
    client.complete(envelope.issuance_id, report, new_idempotency_key())
    after = client.settlement(center.business_day())
    assert after.copies_printed == before.copies_printed + 2
    assert after.store_fee_yen == before.store_fee_yen + 2 * wire.STORE_FEE_PER_COPY_YEN
    assert after.municipality_fees_yen == before.municipality_fees_yen + envelope.total_fee_yen
    client.end_session(session)


def test_openapi_is_served(center: RunningCenter) -> None:
    config = center.kiosk_config()
    with requests.Session() as http:
        http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify (requests #3829)
        http.verify = str(config.ca_path)
        http.cert = (str(config.cert_path), str(config.key_path))
        document = http.get(center.endpoints["center_url"] + "/openapi.json", timeout=10).json()
        text = http.get(center.endpoints["center_url"] + "/openapi.yaml", timeout=10).text
    assert document["openapi"].startswith("3.1")
    assert {"/v1/issuances", "/v2/issuances"} <= set(document["paths"])
    assert text.startswith("# Generated")
    assert "SignedIssuance:" in text
