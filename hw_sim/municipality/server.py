"""One simulated municipality certificate server (証明発行サーバ): offers, issuance and 本籍地
usage registrations, over the static world and the runtime state (hw_sim.municipality.api)."""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import assert_never

from hw_sim.municipality import documents, messages
from hw_sim.municipality.api import (
    HonsekiApplication,
    IssuedDocument,
    Refusal,
    RegistrationReceipt,
    RegistrationState,
    RegistrationStatus,
)
from hw_sim.municipality.offers import (
    certificate_for_resident,
    honseki_certificate,
    household_members,
    resident_refusal,
    windows_note,
)
from hw_sim.municipality.registration import application_problem, match_application
from hw_sim.municipality.state import WorldState
from hw_sim.world.calendar import JST, add_office_days, to_jst
from hw_sim.world.charset import is_printable
from hw_sim.world.municipalities import Municipality
from hw_sim.world.records import FamilyRegister, RegisterPerson, Resident, WorldData
from kiosk.domain import Offer, OfferedCertificate, RefusalReason
from printing.certificates import (
    CertificateRequest,
    FuhyoOptions,
    JuminhyoOptions,
    Jurisdiction,
    KosekiOptions,
    KosekiScope,
    NoOptions,
    Scope,
    TaxOptions,
)

log = logging.getLogger(__name__)

# The staff of the 本籍地 finish a registration at the start of office hours of the last day.
REGISTRATION_DECIDED_AT = time(9, 0)


class SimulatedMunicipalityServer:
    """Implements ``hw_sim.municipality.api.MunicipalityServer`` for one municipality."""

    def __init__(self, world: WorldData, state: WorldState, municipality: Municipality) -> None:
        self._world = world
        self._state = state
        self.municipality = municipality
        self.code = municipality.code
        self.name = municipality.name

    # -- offers ----------------------------------------------------------------------------
    def _refuse(self, reason: RefusalReason) -> Refusal:
        return Refusal(reason, messages.refusal_message(self.municipality, reason))

    def _resident(self, resident_id: str) -> Resident | None:
        resident = self._world.residents.get(resident_id) if isinstance(resident_id, str) else None
        return resident if resident and resident.municipality_code == self.code else None

    def offer(self, resident_id: str, now: datetime) -> Offer | Refusal:
        """The 住所地 offer for one resident at ``now`` (see hw_sim.municipality.offers)."""
        resident = self._resident(resident_id)
        reason = resident_refusal(self.municipality, resident, now)
        if reason is not None or resident is None:
            log.info("offer refused: municipality=%s reason=%s", self.code, reason)
            return self._refuse(reason or RefusalReason.RESIDENT_NOT_FOUND)
        extra = self._state.maintenance(self.code)
        lines = tuple(
            certificate_for_resident(self._world, self.municipality, config, resident, now, extra)
            for config in self.municipality.certificates.values()
        )
        honseki_code = honseki_name = None
        if resident.register_ref is not None:
            register = self._world.registers[resident.register_ref[0]]
            if register.municipality_code != self.code:
                other = self._world.municipalities[register.municipality_code]
                if other.participates and other.honseki_service:
                    honseki_code, honseki_name = other.code, other.name
        return Offer(
            municipality_code=self.code,
            municipality_name=self.name,
            certificates=lines,
            household=household_members(self._world, resident, to_jst(now).date()),
            honseki_municipality_code=honseki_code,
            honseki_municipality_name=honseki_name,
            notices=self.municipality.notices + windows_note(self.municipality.maintenance),
        )

    def _registered_person(
        self, card_identifier: str, now: datetime
    ) -> tuple[FamilyRegister, RegisterPerson] | None:
        for link in self._world.honseki_links:
            if link.municipality_code == self.code and link.card_identifier == card_identifier:
                register = self._world.registers[link.register_id]
                return register, register.person(link.person_id)
        for row in self._state.registrations_of(self.code, card_identifier):
            usable = row.register_id in self._world.registers and row.person_id
            if (
                row.outcome == RegistrationState.REGISTERED
                and row.decided_at <= to_jst(now)
                and usable
            ):
                register = self._world.registers[str(row.register_id)]
                return register, register.person(str(row.person_id))
        return None

    def honseki_offer(self, card_identifier: str, now: datetime) -> Offer | Refusal:
        """The 本籍地 offer (戸籍, 附票) for a card registered here."""
        if not self.municipality.participates or not self.municipality.honseki_service:
            return self._refuse(RefusalReason.NOT_OFFERED)
        found = self._registered_person(card_identifier, now)
        if found is None:
            return self._refuse(RefusalReason.NOT_REGISTERED)
        register, person = found
        holder = self._world.residents.get(self._world.cards.get(card_identifier, ""))
        today = to_jst(now).date()
        if person.removed:
            return self._refuse(RefusalReason.NO_RECORD)
        if holder is not None:
            if holder.support_measures:
                return self._refuse(RefusalReason.SUPPORT_MEASURES)
            if holder.moved_out_on is not None and holder.moved_out_on <= today:
                return self._refuse(RefusalReason.MOVED_OUT)
        texts = [register.honseki, register.head.name.full] + [
            p.name.full for p in register.persons
        ]
        if not all(is_printable(text) for text in texts):
            return self._refuse(RefusalReason.CHARACTERS_NOT_SUPPORTED)
        extra = self._state.maintenance(self.code)
        lines = tuple(
            honseki_certificate(
                self.municipality,
                self.municipality.certificates[kind],
                now,
                extra,
                register,
                person.person_id,
            )
            for kind in self.municipality.honseki_kinds
        )
        return Offer(
            municipality_code=self.code,
            municipality_name=self.name,
            certificates=lines,
            honseki_municipality_code=self.code,
            honseki_municipality_name=self.name,
            notices=self.municipality.notices,
        )

    # -- issuance --------------------------------------------------------------------------
    def issue(
        self,
        resident_id_or_card: str,
        request: CertificateRequest,
        now: datetime,
        document_number: str,
    ) -> IssuedDocument | Refusal:
        """Check the request against the offer at ``now``, build and render the certificate."""
        honseki = request.jurisdiction is Jurisdiction.HONSEKI
        offer = (
            self.honseki_offer(resident_id_or_card, now)
            if honseki
            else self.offer(resident_id_or_card, now)
        )
        if isinstance(offer, Refusal):
            return offer
        line = next(
            (
                c
                for c in offer.certificates
                if c.kind is request.kind and c.jurisdiction is request.jurisdiction
            ),
            None,
        )
        if line is None:
            return self._refuse(RefusalReason.NOT_OFFERED)
        if not line.available:
            return self._refuse(RefusalReason(line.unavailable_reason or RefusalReason.NOT_OFFERED))
        if not _request_allowed(request, line, offer):
            return self._refuse(RefusalReason.NOT_OFFERED)
        today = to_jst(now).date()
        if honseki:
            found = self._registered_person(resident_id_or_card, now)
            if found is None:  # cannot happen after a successful honseki_offer
                return self._refuse(RefusalReason.NOT_REGISTERED)
            register, person = found
            document = documents.family_document(
                self.municipality, request, register, person.person_id, today, document_number
            )
        else:
            resident = self._resident(resident_id_or_card)
            if resident is None:
                return self._refuse(RefusalReason.RESIDENT_NOT_FOUND)
            built = documents.residence_document(
                self._world, self.municipality, request, resident, today, document_number
            )
            if isinstance(built, RefusalReason):
                return self._refuse(built)
            document = built
        from printing.documents import MissingGlyphError
        from printing.documents.render import render_document

        try:
            rendered = render_document(document)
        except MissingGlyphError:
            # The offer checks the applicant's own texts; a household member's name, a note or
            # an option's text can still hold a character no embedded font has. Refuse rather
            # than print a blank box (printing-documents.md, "Fonts").
            return self._refuse(RefusalReason.CHARACTERS_NOT_SUPPORTED)
        log.info(
            "issued: municipality=%s kind=%s pages=%d",
            self.code,
            request.kind.value,
            rendered.page_count,
        )
        return IssuedDocument(
            pdf=rendered.pdf,
            canonical_text=rendered.canonical_text,
            page_count=rendered.page_count,
            kind=request.kind,
            title=rendered.title,
            fee_yen=line.fee_yen,
        )

    # -- 本籍地 usage registration ------------------------------------------------------------
    def register_honseki(
        self, application: HonsekiApplication, now: datetime
    ) -> RegistrationReceipt | Refusal:
        """Receive an application (see hw_sim.municipality.registration for the rules)."""
        local = to_jst(now)
        if not self.municipality.participates or not self.municipality.honseki_service:
            return self._refuse(RefusalReason.NOT_OFFERED)
        problem = application_problem(application)
        if problem is not None:
            log.info("registration refused: municipality=%s problem=%s", self.code, problem)
            return self._refuse(RefusalReason.INVALID_APPLICATION)
        if self._registered_or_pending(application.card_identifier, local):
            return self._refuse(RefusalReason.ALREADY_REGISTERED)
        registers = [r for r in self._world.registers.values() if r.municipality_code == self.code]
        match = match_application(application, registers)
        days = self.municipality.honseki_registration_office_days
        decided_day = add_office_days(local.date(), days)
        decided_at = datetime.combine(decided_day, REGISTRATION_DECIDED_AT, JST)
        number = self._state.add_registration(
            code=self.code,
            prefix=f"{self.code}{local:%y%m%d}",
            card_identifier=application.card_identifier,
            submitted_at=local,
            decided_at=decided_at,
            outcome=RegistrationState.REGISTERED if match else RegistrationState.DEFICIENT,
            register_id=match.register.register_id if match else None,
            person_id=match.person.person_id if match else None,
        )
        log.info("registration received: municipality=%s decided=%s", self.code, decided_day)
        return RegistrationReceipt(number, messages.receipt_message(self.municipality, days))

    def _registered_or_pending(self, card_identifier: str, now: datetime) -> bool:
        if any(
            link.municipality_code == self.code and link.card_identifier == card_identifier
            for link in self._world.honseki_links
        ):
            return True
        for row in self._state.registrations_of(self.code, card_identifier):
            if row.outcome == RegistrationState.REGISTERED or row.decided_at > now:
                return True  # registered, or still being checked
        return False

    def registration_status(
        self, application_number: str, now: datetime
    ) -> RegistrationStatus | None:
        """受付中 until the staff finish, then 登録完了 or 不備; None for an unknown number."""
        if not isinstance(application_number, str) or not application_number.startswith(self.code):
            return None
        for link in self._world.honseki_links:
            if (
                link.municipality_code == self.code
                and link.application_number == application_number
            ):
                return RegistrationStatus(
                    RegistrationState.REGISTERED,
                    messages.status_message(self.municipality, RegistrationState.REGISTERED),
                )
        row = self._state.registration(application_number)
        if row is None or row.municipality_code != self.code:
            return None
        state = (
            RegistrationState(row.outcome)
            if to_jst(now) >= row.decided_at
            else RegistrationState.RECEIVED
        )
        return RegistrationStatus(state, messages.status_message(self.municipality, state))


def _request_allowed(request: CertificateRequest, line: OfferedCertificate, offer: Offer) -> bool:
    """True when every option of the request is one the offer allows."""
    rules = line.rules
    if not isinstance(request.copies, int) or not 1 <= request.copies <= rules.max_copies:
        return False
    options = request.options
    if options.shape not in request.kind.options:
        return False
    match options:
        case JuminhyoOptions():
            if options.scope not in rules.scopes:
                return False
            known = {m.member_id for m in offer.household}
            if options.scope is Scope.HOUSEHOLD_PART:
                chosen = options.member_ids
                if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= known:
                    return False
            elif options.member_ids:
                return False
            return not (
                (options.show_head_and_relationship and not rules.head_and_relationship)
                or (options.show_honseki and not rules.honseki)
                or (options.show_my_number and not rules.my_number)
                or (options.show_foreign_items and not rules.foreign_items)
            )
        case TaxOptions():
            return options.fiscal_year in rules.fiscal_years
        case KosekiOptions():
            if options.person_id is not None and (
                options.scope is not KosekiScope.INDIVIDUAL
                or options.person_id not in {p.member_id for p in rules.persons}
            ):
                return False
            return options.scope in rules.koseki_scopes
        case FuhyoOptions():
            known = {p.member_id for p in rules.persons}
            chosen = options.person_ids
            if options.scope is KosekiScope.INDIVIDUAL:
                if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= known:
                    return False
            elif chosen:
                return False
            if options.show_honseki and not rules.honseki:
                return False
            return options.scope in rules.koseki_scopes
        case NoOptions():
            return True
        case _:
            assert_never(options)
