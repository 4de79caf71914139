"""What the simulated center does for each call (docs/center-protocol.md), independent of HTTP.

Handlers in app.py parse requests and call these methods; every expected failure is an
:class:`~hw_sim.center.http.ApiError` carrying the protocol's error body.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cryptography import x509

from hw_sim.center.authentication import Authenticator, now_seconds
from hw_sim.center.faults import BusinessClock
from hw_sim.center.http import Answer, ApiError, StepTimer, municipal, refused
from hw_sim.center.lgwan import Gateway
from hw_sim.center.render import IssuanceJob, Refused
from hw_sim.center.state import AsyncStore, DayItem, SessionRecord
from hw_sim.center.validity import (
    ValidityClient,
)
from hw_sim.center.verification import VerificationRecord, VerificationService
from kiosk.center import wire
from kiosk.domain import Offer, OfferedCertificate
from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction
from printing.security.vcode import new_code

log = logging.getLogger(__name__)

# The kiosk takes no money for an envelope older than this (docs: "The envelope").
PAY_WINDOW = timedelta(minutes=15)
# Where a card is registered for 本籍地 certificates, remembered briefly per card so an offer
# and the issuance that follows do not ask every 本籍地 municipality twice.
HONSEKI_CACHE_TTL_S = 60.0

REGISTRATION_STATES = {
    "受付中": wire.RegistrationState.RECEIVED,
    "登録完了": wire.RegistrationState.REGISTERED,
    "不備": wire.RegistrationState.INCOMPLETE,
}


_now = now_seconds


@dataclass
class CenterMaintenance:
    until: datetime
    message_ja: str


class CenterService:
    def __init__(
        self,
        *,
        store: AsyncStore,
        sessions: AsyncStore,
        gateway: Gateway,
        validity: ValidityClient,
        jpki_roots: list[x509.Certificate],
        clock: BusinessClock,
        verifications: VerificationService | None = None,
    ) -> None:
        self.store = store  # durable: issuances, idempotency, completions, kiosks …
        self.sessions = sessions  # short-lived: challenges and sessions
        self._kiosks: dict[str, tuple[str, str] | None] = {}
        self.auth = Authenticator(
            sessions=sessions,
            gateway=gateway,
            validity=validity,
            jpki_roots=jpki_roots,
            municipality=lambda code: self._municipalities.get(code),
        )
        self.gateway = gateway
        self.validity = validity
        self.jpki_roots = jpki_roots
        self.clock = clock
        self.verifications = verifications  # the online check's records (verification.py)
        self.maintenance: CenterMaintenance | None = None
        self._municipalities: dict[str, Any] = {}
        self._honseki_cache: dict[str, tuple[float, str | None]] = {}

    async def kiosk_for(self, fingerprint: str) -> tuple[str, str] | None:
        """(kiosk id, status) of a client certificate; cached, forgotten on every change."""
        if fingerprint not in self._kiosks:
            self._kiosks[fingerprint] = await self.store.call(
                self.store.store.kiosk_for, fingerprint
            )
        return self._kiosks[fingerprint]

    def forget_kiosks(self) -> None:
        """Drop the kiosk cache (after a registration or revocation)."""
        self._kiosks.clear()

    async def start(self) -> None:
        self._municipalities = {info.code: info for info in await self.gateway.municipalities()}

    # -- health, notices, municipalities -------------------------------------------------------
    def center_maintenance_notice(self) -> wire.Notice | None:
        current = self.maintenance
        now = self.clock.now()
        if current is None or current.until <= now:
            return None
        return wire.Notice(
            notice_id="center-maintenance",
            scope=wire.NoticeScope.CENTER,
            municipality_code=None,
            starts_at=now.replace(microsecond=0),
            ends_at=current.until,
            message_ja=current.message_ja,
        )

    def check_open(self) -> None:
        notice = self.center_maintenance_notice()
        if notice is not None:
            raise ApiError(
                wire.ErrorCode.MAINTENANCE,
                "the center is in maintenance",
                message_ja=notice.message_ja,
                until=notice.ends_at,
            )

    def health(self, version: int = wire.PROTOCOL_VERSION) -> wire.Health:
        """The center's state, answered on the path of protocol ``version`` (which it names)."""
        notice = self.center_maintenance_notice()
        return wire.Health(
            state=wire.HealthState.MAINTENANCE if notice else wire.HealthState.OK,
            time=_now(),
            protocol_version=version,
            maintenance=notice,
        )

    async def notices(self) -> wire.NoticeList:
        stored = await self.store.call(self.store.store.notices, self.clock.now())
        notices = [
            wire.Notice(
                notice_id=n.notice_id,
                scope=wire.NoticeScope(n.scope),
                municipality_code=n.municipality_code,
                starts_at=n.starts_at,
                ends_at=n.ends_at,
                message_ja=n.message_ja,
            )
            for n in stored
        ]
        center = self.center_maintenance_notice()
        return wire.NoticeList(tuple(([center] if center else []) + notices))

    def municipalities(self) -> wire.MunicipalityList:
        return wire.MunicipalityList(
            tuple(
                wire.Municipality(
                    code=info.code,
                    name=info.name,
                    prefecture=info.prefecture,
                    kana=info.kana,
                    participates=info.participates,
                    honseki_service=info.honseki_service,
                )
                for info in self._municipalities.values()
            )
        )

    # -- the offer -----------------------------------------------------------------------------
    async def offer(self, session: SessionRecord, timer: StepTimer | None = None) -> Offer:
        timer = timer or StepTimer()
        now = self.clock.now()
        residence = await municipal(
            self.gateway.offer(session.municipality_code, session.resident_id, now)
        )
        timer.lap("municipality")
        if not isinstance(residence, Offer):
            raise refused(str(residence.reason), residence.message_ja)
        code = await self._honseki_code(session.card_identifier, residence)
        if code is None or code == residence.municipality_code:
            return residence
        honseki = await municipal(self.gateway.honseki_offer(code, session.card_identifier, now))
        timer.lap("honseki")
        if not isinstance(honseki, Offer):
            return residence
        extra = tuple(
            cert for cert in honseki.certificates if cert.jurisdiction is Jurisdiction.HONSEKI
        )
        return Offer(
            municipality_code=residence.municipality_code,
            municipality_name=residence.municipality_name,
            certificates=residence.certificates + extra,
            household=residence.household,
            honseki_municipality_code=honseki.municipality_code,
            honseki_municipality_name=honseki.municipality_name,
            notices=residence.notices
            + tuple(n for n in honseki.notices if n not in residence.notices),
        )

    async def _honseki_code(self, card_identifier: str, residence: Offer | None) -> str | None:
        """The municipality where this card is registered for 本籍地 certificates, if any."""
        if residence is not None and residence.honseki_municipality_code:
            return residence.honseki_municipality_code
        cached = self._honseki_cache.get(card_identifier)
        if cached is not None and time.monotonic() - cached[0] < HONSEKI_CACHE_TTL_S:
            return cached[1]
        found: str | None = None
        now = self.clock.now()
        for info in self._municipalities.values():
            if not (info.participates and info.honseki_service):
                continue
            answer = await municipal(self.gateway.honseki_offer(info.code, card_identifier, now))
            if isinstance(answer, Offer):
                found = info.code
                break
        self._honseki_cache[card_identifier] = (time.monotonic(), found)
        return found

    # -- issuance ------------------------------------------------------------------------------
    async def issue(
        self,
        kiosk_id: str,
        key: str,
        session: SessionRecord,
        request: CertificateRequest,
        fingerprint: str,
        version: int = wire.PROTOCOL_VERSION,
    ) -> Answer:
        """Issue one certificate kind; the envelope names the business day from protocol v3
        on (a v1/v2 request gets the format /1 envelope it always got)."""
        now = self.clock.now()
        if request.jurisdiction is Jurisdiction.RESIDENCE:
            code, subject = session.municipality_code, session.resident_id
            offer = await municipal(self.gateway.offer(code, subject, now))
        else:
            found = await self._honseki_code(session.card_identifier, None)
            if found is None:
                raise refused("not_registered")
            code, subject = found, session.card_identifier
            offer = await municipal(self.gateway.honseki_offer(code, subject, now))
        if not isinstance(offer, Offer):
            raise refused(str(offer.reason), offer.message_ja)
        entry = _entry(offer, request)
        if entry is None:
            raise refused(
                "honseki_not_offered"
                if request.jurisdiction is Jurisdiction.HONSEKI
                else "not_offered"
            )
        if not entry.available:
            raise refused(entry.unavailable_reason or "not_offered")
        if request.copies > entry.rules.max_copies:
            raise refused("copies_exceeded")
        issued_at = _now()
        business_day = now.astimezone(wire.JST).date()
        sequence = await self.store.call(
            self.store.store.next_sequence, f"doc:{code}:{business_day.isoformat()}"
        )
        document_number = f"{code}-{business_day:%y%m%d}-{sequence:06d}"
        info = self._municipalities[code]
        job = IssuanceJob(
            municipality_code=code,
            subject=subject,
            request=request,
            business_now=now,
            document_number=document_number,
            serials=tuple(f"{document_number}-{index + 1}" for index in range(request.copies)),
            issuance_id=f"iss-{secrets.token_urlsafe(18)}",
            kiosk_id=kiosk_id,
            idempotency_key=key,
            issued_at=issued_at,
            pay_before=issued_at + PAY_WINDOW,
            municipality_name=offer.municipality_name,
            fee_yen_per_copy=entry.fee_yen,
            issuer=f"{info.prefecture}{info.name}長",
            protocol_version=version,
            business_date=business_day if version >= 3 else None,
            # From the operating system's CSPRNG, never from the serial (printing.security.vcode).
            verification_codes=tuple(new_code() for _ in range(request.copies)),
        )
        result, queued = await municipal(self.gateway.issue(job))
        if isinstance(result, Refused):
            raise refused(result.reason, result.message_ja)
        if self.verifications is not None and result.copies:
            # Recorded before the issuance: a certificate is never printed with a code the
            # verification service does not know (a crash in between leaves a record for a
            # certificate never issued, which expires unused).
            issued_on = now.astimezone(wire.JST).date()
            records = [
                VerificationRecord(
                    copy.serial, copy.verification_code, job.issuer, issued_on, copy.signed_codes
                )
                for copy in result.copies
            ]
            await asyncio.get_running_loop().run_in_executor(
                None, self.verifications.record, records
            )
        await self.store.call(
            self.store.store.record_issuance,
            issuance_id=job.issuance_id,
            kiosk_id=kiosk_id,
            idem_key=key,
            municipality_code=code,
            kind=request.kind.value,
            jurisdiction=request.jurisdiction.value,
            copies=request.copies,
            fee_per_copy=entry.fee_yen,
            document_number=document_number,
            issued_at=issued_at,
            business_date=business_day,
            answer_fingerprint=fingerprint,
            answer_body=result.body,
        )
        timing = ", ".join(
            f"{name};dur={seconds * 1000:.1f}"
            for name, seconds in {**result.timings, "queue": queued}.items()
        )
        return Answer(200, result.body, stored=True, headers=(("Server-Timing", timing),))

    # -- completion and settlement ---------------------------------------------------------------
    async def complete(
        self, kiosk_id: str, issuance_id: str, report: wire.CompletionReport
    ) -> wire.CompletionReceipt:
        issuance = await self.store.call(self.store.store.issuance, issuance_id)
        if issuance is None or issuance.kiosk_id != kiosk_id:
            raise ApiError(wire.ErrorCode.NOT_FOUND, "no such issuance for this kiosk")
        modes = await self.store.call(self.store.store.kiosk_payment_modes, kiosk_id)
        if report.payment.value not in modes:
            # A store kiosk reporting "counter" would leave its fee to a city-hall counter that
            # never saw the resident (and keep the money, or the resident keeps the copy).
            log.warning("kiosk %s reported a payment it does not take", kiosk_id)
            raise refused(
                "payment_not_registered",
                message=f"this kiosk is not registered for {report.payment.value} payment",
            )
        problem = report.problem(issuance.copies, issuance.fee_per_copy)
        if problem:
            raise ApiError(
                wire.ErrorCode.MALFORMED_REQUEST, f"completion does not add up: {problem}"
            )
        fingerprint = completion_fingerprint(report)
        record = await self.store.call(
            self.store.store.record_completion,
            issuance_id,
            outcome=report.outcome.value,
            copies_printed=report.copies_printed,
            amount_paid=report.amount_paid_yen,
            amount_refunded=report.amount_refunded_yen,
            refund_pending=report.refund_pending_yen,
            failure_reason=report.failure_reason,
            completed_at=report.completed_at,
            recorded_at=_now(),
            report_fingerprint=fingerprint,
            payment=report.payment.value,
        )
        if record.report_fingerprint != fingerprint:
            raise ApiError(wire.ErrorCode.CONFLICT, "a different completion was reported before")
        return wire.CompletionReceipt(
            issuance_id, wire.CompletionOutcome(record.outcome), record.recorded_at
        )

    async def settlement(self, kiosk_id: str, day: date) -> wire.Settlement:
        """The kiosk's day: copies paid at the kiosk carry the store fee; copies printed
        against a counter ticket are settled apart (their fee is paid at the municipality's
        counter, no store fee: product-facts.md, らくらく窓口); every issuance of the day with
        its recorded completion (v3; older versions leave the items out)."""
        totals = await self.store.call(self.store.store.day_totals, kiosk_id, day)
        items = await self.store.call(self.store.store.day_items, kiosk_id, day)
        lines = tuple(
            wire.SettlementLine(code, copies, fees, counter_copies, counter_fees)
            for code, copies, fees, counter_copies, counter_fees in totals.lines
        )
        printed = sum(line.copies_printed for line in lines)
        return wire.Settlement(
            kiosk_id=kiosk_id,
            business_date=day,
            issuances=totals.issuances,
            copies_issued=totals.copies_issued,
            copies_printed=printed,
            municipality_fees_yen=sum(line.municipality_fees_yen for line in lines),
            store_fee_per_copy_yen=wire.STORE_FEE_PER_COPY_YEN,
            store_fee_yen=wire.STORE_FEE_PER_COPY_YEN * printed,
            refunded_yen=totals.refunded_yen,
            refund_pending_yen=totals.refund_pending_yen,
            open_issuances=totals.open_issuances,
            lines=lines,
            counter_copies_printed=sum(line.counter_copies_printed for line in lines),
            counter_fees_yen=sum(line.counter_fees_yen for line in lines),
            items=tuple(_settlement_item(item) for item in items),
        )

    # -- 本籍地 usage registration -------------------------------------------------------------
    async def register(
        self, kiosk_id: str, session: SessionRecord, application: wire.RegistrationApplication
    ) -> wire.RegistrationReceipt:
        from hw_sim.municipality.api import HonsekiApplication

        code = application.honseki_municipality_code
        info = self._municipalities.get(code)
        if info is None or not (info.participates and info.honseki_service):
            raise refused("registration_service_unavailable")
        now = self.clock.now()
        answer = await municipal(
            self.gateway.register(
                code,
                HonsekiApplication(
                    card_identifier=session.card_identifier,
                    name=application.name,
                    address=application.address,
                    birth_date=application.birth_date,
                    sex=application.sex,
                    honseki=application.honseki,
                    hittosha_name=application.hittosha_name,
                    phone=application.phone,
                ),
                now,
            )
        )
        if not hasattr(answer, "application_number"):
            raise refused(str(answer.reason), answer.message_ja)
        await self.store.call(
            self.store.store.record_registration, answer.application_number, kiosk_id, code, now
        )
        self._honseki_cache.pop(session.card_identifier, None)
        return wire.RegistrationReceipt(
            application_number=answer.application_number,
            municipality_code=code,
            municipality_name=info.name,
            submitted_at=_now(),
            message_ja=answer.message_ja,
        )

    async def registration_status(self, number: str) -> wire.RegistrationStatus:
        code = await self.store.call(self.store.store.registration_municipality, number)
        if code is None:
            code = await municipal(self.gateway.registration_municipality(number))
        status = None
        if code is not None:
            status = await municipal(
                self.gateway.registration_status(code, number, self.clock.now())
            )
        if status is None:
            raise ApiError(wire.ErrorCode.NOT_FOUND, "no such application number")
        state = REGISTRATION_STATES.get(str(getattr(status.state, "value", status.state)))
        if state is None:
            raise ApiError(wire.ErrorCode.INTERNAL_ERROR, "the municipality gave an unknown state")
        return wire.RegistrationStatus(number, state, status.message_ja, _now())


def _entry(offer: Offer, request: CertificateRequest) -> OfferedCertificate | None:
    for cert in offer.certificates:
        if cert.kind is request.kind and cert.jurisdiction is request.jurisdiction:
            return cert
    return None


def _settlement_item(item: DayItem) -> wire.SettlementItem:
    completion = None
    if item.outcome is not None and item.completed_at is not None:
        completion = wire.CompletionReport(
            outcome=wire.CompletionOutcome(item.outcome),
            copies_printed=item.copies_printed,
            amount_paid_yen=item.amount_paid,
            amount_refunded_yen=item.amount_refunded,
            refund_pending_yen=item.refund_pending,
            failure_reason=item.failure_reason,
            completed_at=item.completed_at,
            payment=wire.PaymentPlace(item.payment or "kiosk"),
        )
    return wire.SettlementItem(
        issuance_id=item.issuance_id,
        municipality_code=item.municipality_code,
        kind=CertificateKind(item.kind),
        copies=item.copies,
        fee_yen_per_copy=item.fee_per_copy,
        issued_at=item.issued_at.astimezone(wire.JST).replace(microsecond=0),
        completion=completion,
    )


def completion_fingerprint(report: wire.CompletionReport) -> str:
    """What makes two completion reports "the same report" (a repeat gets the same receipt).

    A kiosk payment is fingerprinted in its v1 form, so a report a kiosk sent with v1 and sends
    again after its upgrade to v2 (the journal replays it) is still the same report.
    """
    version = 1 if report.payment is wire.PaymentPlace.KIOSK else wire.PROTOCOL_VERSION
    return wire.canonical(report.to_wire(version)).hex()
