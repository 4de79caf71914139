"""End to end: every fault of the simulated center reaches the kiosk as a clear, typed outcome.

Slow answers, dropped connections (before and after the work), 5xx, malformed bodies, a
municipality that times out, maintenance starting mid-transaction (test_center_refusals.py).
Authentication here signs with the persona's key in-process: the subject is the link to the
center, and the card path is covered by the other e2e modules.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.center import client as client_module
from kiosk.center import wire
from kiosk.center.client import CenterClient, new_idempotency_key
from kiosk.center.errors import (
    CenterTimeout,
    CenterUnavailable,
    EnvelopeRejected,
    ProtocolViolation,
)
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions
from tests.hw_sim.center.harness import RunningCenter, open_session

INKAN = CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)


class Sleeps:
    """Records the client's back-off pauses (and really waits, briefly)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        time.sleep(min(seconds, 0.05))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(center: RunningCenter, sleeps: Sleeps) -> Iterator[CenterClient]:
    with center.client(sleep=sleeps) as kiosk:
        yield kiosk


@pytest.fixture
def session(client: CenterClient, center_pki: Any) -> wire.SessionGrant:
    return open_session(client, center_pki, "normal")


def issuances(center: RunningCenter) -> int:
    return int(center.admin("GET", "/admin/status")["issuances"])


# -- slow answers --------------------------------------------------------------------------------
def test_a_slow_answer_within_the_timeout_is_just_slow(
    center: RunningCenter, client: CenterClient, sleeps: Sleeps
) -> None:
    center.fault("slow", path_prefix="/v3/health", delay_s=1.0)
    started = time.monotonic()
    client.health()
    assert time.monotonic() - started >= 1.0
    assert sleeps.pauses == []


def test_a_slow_answer_past_the_timeout_is_retried(
    center: RunningCenter, client: CenterClient, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "READ_TIMEOUT_QUICK_S", 0.5)
    center.fault("slow", path_prefix="/v3/municipalities", delay_s=2.0, count=1)
    assert client.municipalities().municipalities
    assert len(sleeps.pauses) == 1


def test_always_slow_ends_as_a_timeout(
    center: RunningCenter, client: CenterClient, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "READ_TIMEOUT_QUICK_S", 0.3)
    center.fault("slow", path_prefix="/v3/notices", delay_s=1.0, count=None)
    with pytest.raises(CenterTimeout) as caught:
        client.notices()
    assert caught.value.where == "center"
    assert len(sleeps.pauses) == client_module.ATTEMPTS_DEFAULT - 1


# -- dropped connections -------------------------------------------------------------------------
def test_dropped_before_the_work_is_retried(
    center: RunningCenter, client: CenterClient, session: Any, sleeps: Sleeps
) -> None:
    before = issuances(center)
    center.fault("drop", path_prefix="/v3/issuances", when="before", count=1)
    result = client.issue(session, INKAN, new_idempotency_key())
    assert not result.replayed
    assert len(sleeps.pauses) == 1
    assert issuances(center) == before + 1


def test_dropped_after_the_work_replays_the_same_certificate(
    center: RunningCenter, client: CenterClient, session: Any, sleeps: Sleeps
) -> None:
    """The answer is lost after the center issued: the retry with the same key gets the same
    certificate from the center's store — never a second one."""
    before = issuances(center)
    center.fault("drop", path_prefix="/v3/issuances", when="after", count=1)
    result = client.issue(session, INKAN, new_idempotency_key())
    assert result.replayed
    assert len(sleeps.pauses) == 1
    assert issuances(center) == before + 1


def test_dropped_session_answer_replays_the_session(
    center: RunningCenter, client: CenterClient, center_pki: Any
) -> None:
    """The challenge is single use; the keyed retry of the card's answer gets the stored session."""
    center.fault("drop", path_prefix="/v3/auth/sessions", when="after", count=1)
    session = open_session(client, center_pki, "normal")
    assert client.offer(session).municipality_code == "131202"


def test_completion_survives_drops(
    center: RunningCenter, client: CenterClient, session: Any
) -> None:
    envelope = client.issue(session, INKAN, new_idempotency_key()).envelope
    report = wire.CompletionReport(
        wire.CompletionOutcome.PRINTED, 1, envelope.total_fee_yen, 0, 0, None, envelope.issued_at
    )
    center.fault("drop", path_prefix="/v3/issuances/", when="after", count=2)
    receipt = client.complete(envelope.issuance_id, report, new_idempotency_key())
    assert receipt.outcome is wire.CompletionOutcome.PRINTED


# -- 5xx -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "variant"), [(500, ""), (502, "html"), (503, ""), (504, "")])
def test_a_passing_5xx_is_retried(
    center: RunningCenter, client: CenterClient, sleeps: Sleeps, status: int, variant: str
) -> None:
    center.fault("error", path_prefix="/v3/health", status=status, variant=variant, count=1)
    assert client.health().state is wire.HealthState.OK
    assert len(sleeps.pauses) == 1


def test_a_lasting_5xx_ends_as_unavailable(
    center: RunningCenter, client: CenterClient, sleeps: Sleeps
) -> None:
    center.fault("error", path_prefix="/v3/health", status=503, count=None)
    with pytest.raises(CenterUnavailable):
        client.health()
    assert len(sleeps.pauses) == client_module.ATTEMPTS_DEFAULT - 1


def test_a_lasting_html_error_page_ends_as_unavailable(
    center: RunningCenter, client: CenterClient, session: Any, sleeps: Sleeps
) -> None:
    center.fault("error", path_prefix="/v3/offer", status=502, variant="html", count=None)
    with pytest.raises(CenterUnavailable):
        client.offer(session)
    assert len(sleeps.pauses) == client_module.ATTEMPTS_DEFAULT - 1


# -- malformed answers ---------------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["not_json", "truncated", "extra_field", "wrong_type"])
def test_malformed_answers_are_protocol_violations(
    center: RunningCenter, client: CenterClient, sleeps: Sleeps, variant: str
) -> None:
    center.fault("malformed", path_prefix="/v3/municipalities", variant=variant, count=1)
    with pytest.raises(ProtocolViolation):
        client.municipalities()
    assert sleeps.pauses == []  # a malformed answer is never retried
    assert client.municipalities().municipalities  # the next, sound answer is accepted


@pytest.mark.parametrize(
    "variant", ["bad_signature", "tampered_fee", "foreign_signer", "other_kiosk"]
)
def test_a_bad_envelope_is_never_accepted(
    center: RunningCenter, client: CenterClient, session: Any, variant: str
) -> None:
    center.fault("malformed", path_prefix="/v3/issuances", variant=variant, count=1)
    with pytest.raises(EnvelopeRejected):
        client.issue(session, INKAN, new_idempotency_key())


def test_malformed_offer_never_reaches_the_kiosk(
    center: RunningCenter, client: CenterClient, session: Any
) -> None:
    center.fault("malformed", path_prefix="/v3/offer", variant="wrong_type", count=1)
    with pytest.raises(ProtocolViolation):
        client.offer(session)


# -- the municipality ----------------------------------------------------------------------------
def test_a_municipality_that_times_out(
    center: RunningCenter, client: CenterClient, session: Any, sleeps: Sleeps
) -> None:
    """Delay beyond the center's deadline (8 s for the offer): the center answers 504, the
    kiosk retries, then reports a municipality timeout."""
    center.admin(
        "POST", "/admin/municipality-delay", {"municipality_code": "131202", "delay_s": 30}
    )
    started = time.monotonic()
    with pytest.raises(CenterTimeout) as caught:
        client.offer(session)
    assert caught.value.where == "municipality"
    assert len(sleeps.pauses) == client_module.ATTEMPTS_DEFAULT - 1
    assert (
        time.monotonic() - started
        < client_module.ATTEMPTS_DEFAULT * client_module.READ_TIMEOUT_OFFER_S
    )
    center.admin("POST", "/admin/municipality-delay", {"municipality_code": "131202", "delay_s": 0})
    assert client.offer(session).municipality_code == "131202"


def test_a_slow_municipality_within_its_deadline(
    center: RunningCenter, client: CenterClient, session: Any
) -> None:
    center.admin("POST", "/admin/municipality-delay", {"municipality_code": "131202", "delay_s": 1})
    started = time.monotonic()
    client.issue(session, INKAN, new_idempotency_key())
    assert time.monotonic() - started >= 1.0


def test_center_down_is_unreachable(center: RunningCenter, sleeps: Sleeps) -> None:
    from kiosk.center.client import CenterConfig
    from kiosk.center.errors import CenterUnreachable

    config = center.kiosk_config()
    dead = CenterConfig("https://127.0.0.1:9", config.ca_path, config.cert_path, config.key_path)
    with CenterClient(dead, sleep=sleeps) as kiosk, pytest.raises(CenterUnreachable):
        kiosk.health()
    assert len(sleeps.pauses) == client_module.ATTEMPTS_DEFAULT - 1
