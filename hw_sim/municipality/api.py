"""The interface between the simulated issuance center and the municipality certificate servers.

This is the seam the center codes against (docs/simulated-world.md, "Interface"): the center
never reads the world's data, it asks a :class:`World` for a municipality's server and calls
the verbs below. Everything is plain data; every expected failure is a :class:`Refusal` value
with a stable reason code (``kiosk.domain.RefusalReason``), never an exception.

Time: every verb takes ``now`` (a timezone-aware ``datetime``; it is read in Asia/Tokyo). The
simulated world has no clock of its own, so tests drive hours, closures, maintenance and the
progress of 本籍地 registrations with fixed values.

Extensions beyond the brief are additive only and marked "(extension)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from kiosk.domain import Offer, RefusalReason
from printing.certificates import CertificateKind, CertificateRequest

if TYPE_CHECKING:
    from hw_sim.municipality.runtime import WorldRuntime

__all__ = [
    "HonsekiApplication",
    "IssuedDocument",
    "MunicipalityInfo",
    "MunicipalityServer",
    "Refusal",
    "RefusalReason",
    "RegistrationReceipt",
    "RegistrationState",
    "RegistrationStatus",
    "UnknownMunicipalityError",
    "World",
]


@dataclass(frozen=True)
class Refusal:
    """The municipality says no. ``reason`` is a stable code; ``message_ja`` its own wording.

    For a protected resident (支援措置) the message is neutral and says nothing about why.
    """

    reason: RefusalReason
    message_ja: str


@dataclass(frozen=True)
class MunicipalityInfo:
    """One municipality of the world, as the center and the kiosk's menus see it."""

    code: str  # 6-digit local government code with check digit (JIS X 0402), e.g. "131202"
    name: str  # 練馬区
    prefecture: str  # 東京都
    kana: str  # ねりまく
    participates: bool  # takes part in コンビニ交付 at all
    honseki_service: bool  # issues 戸籍 / 附票 to residents of other municipalities (本籍地交付)


@dataclass(frozen=True)
class IssuedDocument:
    """A certificate as the municipality server hands it to the center (step 5).

    ``pdf`` is one rendering (the kiosk prints ``request.copies`` of it); ``canonical_text`` is
    what the center's signed 2D code covers (printing.documents.canonical_text).
    """

    pdf: bytes
    canonical_text: str
    page_count: int
    kind: CertificateKind
    title: str  # the document's printed title, e.g. 住民票の写し
    fee_yen: int  # (extension) the kiosk fee per copy at ``now``, as in the offer


@dataclass(frozen=True)
class HonsekiApplication:
    """利用登録申請 for 本籍地 certificates (product-facts.md, "The 本籍地 family-register flow").

    The four facts are those read from the card's 券面事項入力補助AP with 照合番号B, as the card
    stores them: name with family and given name separated by U+3000, address with full-width
    digits, sex as the JIS X 0303 code ("1" male, "2" female, "9" not applicable). ``honseki``,
    ``hittosha_name`` and ``phone`` are typed by the resident on the on-screen keyboard.
    """

    card_identifier: str  # CN of the user-authentication certificate
    name: str
    address: str
    birth_date: date
    sex: str
    honseki: str  # 本籍 as typed, e.g. 静岡県静岡市葵区追手町９番地
    hittosha_name: str  # 筆頭者氏名
    phone: str  # 連絡先電話番号, digits with optional hyphens


class RegistrationState(StrEnum):
    """The states of a 利用登録申請 as the status site shows them."""

    RECEIVED = "受付中"  # queued for the 本籍地's staff
    REGISTERED = "登録完了"  # linked to the family register: 本籍地 certificates can be issued
    DEFICIENT = "不備"  # did not match the register: the resident must contact the 本籍地


@dataclass(frozen=True)
class RegistrationReceipt:
    """What the kiosk shows after sending an application (number, how to check, message)."""

    application_number: str  # 16 digits: municipality code (6) + YYMMDD (6) + sequence (4)
    message_ja: str  # the municipality's message: days needed, contact


@dataclass(frozen=True)
class RegistrationStatus:
    state: RegistrationState
    message_ja: str


class UnknownMunicipalityError(LookupError):
    """No municipality with this code exists in the world (``World.municipality``)."""


@runtime_checkable
class MunicipalityServer(Protocol):
    """One municipality's certificate server (証明発行サーバ), reached by the center over LGWAN."""

    code: str
    name: str

    def offer(self, resident_id: str, now: datetime) -> Offer | Refusal:
        """The menu for a resident of this municipality (住所地), with fees and what is closed.

        Resident-level refusals (moved_out, support_measures, under_age_excluded,
        characters_not_supported, resident_not_found, not_offered for a non-participating
        municipality) are a :class:`Refusal`; time-based ones (out_of_hours, weekdays_only,
        year_end_closure, maintenance) and missing records (no_record) mark single
        certificates unavailable in the :class:`~kiosk.domain.Offer`.
        """
        ...

    def honseki_offer(self, card_identifier: str, now: datetime) -> Offer | Refusal:
        """The 本籍地 menu (戸籍, 附票) for a card registered here; not_registered otherwise."""
        ...

    def issue(
        self,
        resident_id_or_card: str,
        request: CertificateRequest,
        now: datetime,
        document_number: str,
    ) -> IssuedDocument | Refusal:
        """Make one certificate: a resident id for 住所地 requests, the card identifier for
        本籍地 requests (``request.jurisdiction``). The request is checked against the offer
        at ``now``; an option not allowed is ``not_offered``. ``document_number`` (chosen by
        the center) is printed on the certificate.
        """
        ...

    def register_honseki(
        self, application: HonsekiApplication, now: datetime
    ) -> RegistrationReceipt | Refusal:
        """Receive a 利用登録申請. Well-formed applications are always received (受付中) and
        checked against the register by the 本籍地's staff later: a mismatch shows as 不備."""
        ...

    def registration_status(
        self, application_number: str, now: datetime
    ) -> RegistrationStatus | None:
        """The state of an application at ``now``; None for an unknown number."""
        ...


class World:
    """The simulated world: municipalities, residents, family registers and their servers.

    The static world (hw_sim/world/data/ plus the personas of hw_sim/personas.py and the
    seeded generator) is rebuilt deterministically on every load; what changes at runtime
    (registrations, maintenance overrides) lives in SQLite in ``state_dir`` and survives
    restarts.
    """

    def __init__(self, runtime: WorldRuntime) -> None:
        self._runtime = runtime

    @classmethod
    def load(cls, state_dir: Path) -> World:
        """Build the world and open (or create) its state in ``state_dir/world.sqlite3``.

        Raises ``hw_sim.world.WorldDataError`` naming the file and field when a data file is
        malformed, and ``hw_sim.municipality.state.StateError`` when the state file is not a
        state database of this version. Several processes may load the same ``state_dir``.
        """
        from hw_sim.municipality.runtime import WorldRuntime

        return cls(WorldRuntime.open(Path(state_dir)))

    def municipalities(self) -> list[MunicipalityInfo]:
        """Every municipality of the world, participating or not, ordered by code."""
        return self._runtime.municipality_infos()

    def municipality(self, code: str) -> MunicipalityServer:
        """The server of one municipality; raises :class:`UnknownMunicipalityError`."""
        return self._runtime.server(code)

    def locate_card_holder(self, card_identifier: str) -> tuple[str, str] | None:
        """(municipality code, resident id) of the card's holder, from the user-authentication
        certificate's CN (J-LIS knows this mapping); None for an unknown card."""
        return self._runtime.locate_card_holder(card_identifier)

    def set_maintenance(self, code: str, start: datetime, end: datetime) -> None:
        """Post a one-off maintenance window for all of a municipality's certificates
        (persisted). Raises :class:`UnknownMunicipalityError` or ValueError (end <= start)."""
        self._runtime.set_maintenance(code, start, end)

    def clear_maintenance(self, code: str) -> None:
        """(extension) Remove the runtime maintenance windows posted with set_maintenance."""
        self._runtime.clear_maintenance(code)

    def registration_municipality(self, application_number: str) -> str | None:
        """(extension) The municipality code an application number belongs to (its first six
        digits), or None when the number is malformed or names no municipality of the world."""
        return self._runtime.registration_municipality(application_number)

    def close(self) -> None:
        """(extension) Release the state database."""
        self._runtime.close()
