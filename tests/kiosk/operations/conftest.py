"""A journal on disk with transactions as the kiosk writes them, and a center's settlement
that agrees with it (the tests then make them disagree)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.center import wire
from kiosk.journal import (
    IssuanceReceived,
    ItemAdded,
    Journal,
    MoneyIn,
    PaymentIntent,
    PaymentOutcome,
    PrintIntent,
    PrintOutcome,
    RefundIntent,
    RefundOutcome,
    ReportIntent,
    ReportOutcome,
    StaffOwed,
    TransactionClosed,
    TransactionOpened,
)
from kiosk.journal.records import CloseReason, RefundCause
from kiosk.operations.status import (
    CenterReport,
    DeviceStatus,
    DiskReport,
    PrinterReport,
    ReaderReport,
)
from kiosk.payment import CashLevels, Denomination
from kiosk.problems import OwedCode
from printing.certificates import CertificateKind
from printing.faults import MarkerLevel, PrinterFault

DAY = date(2026, 12, 8)
AT = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
FEE = 300
INKAN_FEE = 200  # a basket's second certificate (Day.basket_jammed): another fee per copy
CODE = "131202"


@dataclass
class Day:
    """What the kiosk did on DAY and what the center settled for it."""

    journal: Journal
    items: list[wire.SettlementItem] = field(default_factory=list)
    clock: list[datetime] = field(default_factory=lambda: [AT])
    business_day: date = DAY  # the center's business day its issuances name

    def tick(self) -> datetime:
        self.clock[0] += timedelta(seconds=30)
        return self.clock[0]

    def printed(self, txn: str, copies: int = 1) -> None:
        """Paid and printed, reported and acknowledged."""
        self._issued(txn, copies)
        j = self.journal
        j.write(PaymentIntent(txn, FEE * copies))
        j.write(MoneyIn(txn, FEE * copies))
        j.write(PaymentOutcome(txn, FEE * copies))
        j.write(PrintIntent(txn, copies, "dg"))
        j.write(PrintOutcome(txn, copies, None))
        self._reported(txn, "printed", copies, CloseReason.COMPLETED)
        self.items.append(self._item(txn, copies, self._report(copies, FEE * copies, 0, 0)))

    def refund_owed(self, txn: str, *, paid_back: bool = False) -> int:
        """Paid, the printer failed, the refund fell short: owed by staff (P-412)."""
        self._issued(txn, 1)
        j = self.journal
        j.write(PaymentIntent(txn, FEE))
        j.write(MoneyIn(txn, FEE))
        j.write(PaymentOutcome(txn, FEE))
        j.write(PrintIntent(txn, 1, "dg"))
        j.write(PrintOutcome(txn, 0, PrinterFault.JAM))
        j.write(RefundIntent(txn, FEE, RefundCause.CANCELLED))
        j.write(RefundOutcome(txn, FEE, 100))
        j.write(StaffOwed(txn, FEE - 100, OwedCode.REFUND_SHORT))
        self._reported(txn, "failed", 0, CloseReason.STAFF)
        report = self._report(0, FEE, 100, FEE - 100, outcome=wire.CompletionOutcome.FAILED)
        self.items.append(self._item(txn, 1, report))
        entry = next(e for e in j.owed_entries() if e.txn_id == txn)
        if paid_back:
            from kiosk.journal import OwedPaidBack

            j.write(OwedPaidBack(entry.entry, "1001", entry.yen))
        return entry.entry

    def basket_jammed(self, txn: str) -> None:
        """Two certificates in one visit: 住民票 ×1 (FEE) printed, 印鑑 ×2 (INKAN_FEE each)
        jammed before its first copy and paid back; each item its own issuance and report."""
        j = self.journal
        j.write(TransactionOpened(txn, "issue", "juminhyo", 1, FEE))
        j.write(ItemAdded(txn, 2, "inkan", 2, INKAN_FEE))
        for item in (1, 2):
            issuance = f"iss-{item:04d}-{txn}"
            j.write(IssuanceReceived(txn, issuance, 2, self.business_day, item))
        total = FEE + 2 * INKAN_FEE
        j.write(PaymentIntent(txn, total))
        j.write(MoneyIn(txn, total))
        j.write(PaymentOutcome(txn, total))
        j.write(PrintIntent(txn, 1, "d1", 1))
        j.write(PrintOutcome(txn, 1, None, 1))
        j.write(PrintIntent(txn, 2, "d2", 2))
        j.write(PrintOutcome(txn, 0, PrinterFault.JAM, 2))
        j.write(RefundIntent(txn, 2 * INKAN_FEE, RefundCause.CANCELLED))
        j.write(RefundOutcome(txn, 2 * INKAN_FEE, 2 * INKAN_FEE))
        for item, outcome, printed in ((1, "printed", 1), (2, "failed", 0)):
            j.write(ReportIntent(txn, outcome, printed, item))
            j.write(ReportOutcome(txn, True, item))
        j.write(TransactionClosed(txn, CloseReason.REFUNDED))
        self.items.append(
            wire.SettlementItem(
                f"iss-0001-{txn}", CODE, CertificateKind.JUMINHYO, 1, FEE, AT,
                self._report(1, FEE, 0, 0),
            )
        )  # fmt: skip
        failed = self._report(
            0, 2 * INKAN_FEE, 2 * INKAN_FEE, 0, outcome=wire.CompletionOutcome.FAILED
        )
        self.items.append(
            wire.SettlementItem(
                f"iss-0002-{txn}", CODE, CertificateKind.INKAN, 2, INKAN_FEE, AT, failed
            )
        )

    def unreported(self, txn: str) -> None:
        """Printed; the completion report is still being sent (the center has it open)."""
        self._issued(txn, 1)
        j = self.journal
        j.write(PaymentIntent(txn, FEE))
        j.write(MoneyIn(txn, FEE))
        j.write(PaymentOutcome(txn, FEE))
        j.write(PrintIntent(txn, 1, "dg"))
        j.write(PrintOutcome(txn, 1, None))
        j.write(ReportIntent(txn, "printed", 1))
        self.items.append(self._item(txn, 1, None))

    def settlement(self, day: date | None = None) -> wire.Settlement:
        day = day or self.business_day
        items = tuple(self.items)
        done = [i.completion for i in items if i.completion is not None]
        copies = sum(i.kiosk_paid_copies for i in items)
        fees = sum(i.kiosk_paid_copies * i.fee_yen_per_copy for i in items)
        lines = (wire.SettlementLine(CODE, copies, fees),) if copies else ()
        return wire.Settlement(
            kiosk_id="kiosk-0001",
            business_date=day,
            issuances=len(items),
            copies_issued=sum(i.copies for i in items),
            copies_printed=copies,
            municipality_fees_yen=fees,
            store_fee_per_copy_yen=wire.STORE_FEE_PER_COPY_YEN,
            store_fee_yen=wire.STORE_FEE_PER_COPY_YEN * copies,
            refunded_yen=sum(r.amount_refunded_yen for r in done),
            refund_pending_yen=sum(r.refund_pending_yen for r in done),
            open_issuances=len(items) - len(done),
            lines=lines,
            items=items,
        )

    # -- parts --------------------------------------------------------------------------------
    def _issued(self, txn: str, copies: int) -> None:
        self.journal.write(TransactionOpened(txn, "issue", "juminhyo", copies, FEE))
        issuance = IssuanceReceived(txn, f"iss-0000-{txn}", 2, business_date=self.business_day)
        self.journal.write(issuance)

    def _reported(self, txn: str, outcome: str, printed: int, reason: CloseReason) -> None:
        j = self.journal
        j.write(ReportIntent(txn, outcome, printed))
        j.write(ReportOutcome(txn, True))
        j.write(TransactionClosed(txn, reason))

    def _report(
        self,
        printed: int,
        paid: int,
        refunded: int,
        pending: int,
        outcome: wire.CompletionOutcome = wire.CompletionOutcome.PRINTED,
    ) -> wire.CompletionReport:
        reason = None if outcome is wire.CompletionOutcome.PRINTED else "jam"
        return wire.CompletionReport(outcome, printed, paid, refunded, pending, reason, AT)

    def _item(
        self, txn: str, copies: int, completion: wire.CompletionReport | None
    ) -> wire.SettlementItem:
        return wire.SettlementItem(
            f"iss-0000-{txn}", CODE, CertificateKind.JUMINHYO, copies, FEE, AT, completion
        )


@pytest.fixture
def day(tmp_path: Path) -> Day:
    clock = [AT]

    def now() -> datetime:
        clock[0] += timedelta(seconds=1)
        return clock[0]

    return Day(Journal(tmp_path / "kiosk" / "journal.sqlite", clock=now), clock=clock)


def printer_out_of_paper() -> DeviceStatus:
    """A device poll's answer: the printer out of paper with its toner low, 48 coins of change."""
    return DeviceStatus(
        at=datetime(2026, 12, 8, 1, 0, tzinfo=UTC),
        reader=ReaderReport(("Reader 0",), False, True),
        printer=PrinterReport(
            False,
            PrinterFault.OUT_OF_PAPER,
            ("media-empty-error",),
            (MarkerLevel("Black Toner", "toner", 12, 10),),
            "",
        ),
        cash=CashLevels({Denomination.Y100: 48}, {Denomination.Y1000: 3}),
        center=CenterReport(True, None, None),
        disk=DiskReport("/var/lib/konbini-kiosk", 5 * 2**30, 50 * 2**30, 2**20),
        faults=(),
    )
