"""The whole issuance, event by event, with the exact effects of every step."""

from __future__ import annotations

from kiosk.flow import TimerName
from kiosk.flow import effects as fx
from kiosk.flow import events as ev
from kiosk.flow import state as st
from kiosk.journal import records as jr
from kiosk.payment import ChangeDispensed, Denomination, EscrowHeld, MoneyInserted, TrayEmptied
from printing.certificates import (
    CertificateKind,
    CertificateRequest,
    JuminhyoOptions,
    Jurisdiction,
    Scope,
)
from tests.kiosk.flow.conftest import PIN, Driver, core, make_offer

TXN = "boot-000001"


def test_a_resident_gets_two_copies_of_a_juminhyo(driver: Driver) -> None:
    assert driver.screen == st.Start()
    assert driver.state.timer is None

    assert core(driver.send(ev.ChooseService(ev.Service.ISSUE))) == [
        fx.StartTimer(TimerName.CONSENT, 90, 1)
    ]
    assert driver.screen == st.Consent()
    assert driver.txn_id == TXN

    assert core(driver.send(ev.Agree())) == [
        fx.ReadCard(),
        fx.StartTimer(TimerName.PLACE_CARD, 60, 2),
    ]
    assert core(driver.send(ev.CardDetected())) == [fx.StartTimer(TimerName.CARD_READ, 30, 3)]
    assert driver.screen == st.PlaceCard(reading=True)

    assert core(driver.send(ev.CardRead())) == [
        fx.ReadPinTries(),
        fx.StartTimer(TimerName.CARD_READ, 30, 4),
    ]
    assert driver.screen == st.PinEntry(tries_left=None)
    assert core(driver.send(ev.PinTriesRead(3))) == [fx.StartTimer(TimerName.PIN_ENTRY, 60, 5)]

    for n, digit in enumerate(PIN, start=1):
        assert core(driver.send(ev.Digit(digit))) == [fx.StartTimer(TimerName.PIN_ENTRY, 60, 5 + n)]
    assert driver.screen.masked == "●●●●"
    assert core(driver.send(ev.Submit())) == [
        fx.VerifyPin(PIN),
        fx.StartTimer(TimerName.PIN_VERIFY, 20, 10),
    ]
    assert driver.screen == st.VerifyingPin(3)

    assert core(driver.send(ev.PinAccepted())) == [
        fx.RequestChallenge(fx.AuthPurpose.ISSUANCE),
        fx.StartTimer(TimerName.AUTHENTICATION, 90, 11),
    ]
    # One watchdog covers challenge, signature and the center's check: not restarted.
    assert core(driver.send(ev.ChallengeReceived(b"to-sign"))) == [fx.SignChallenge(b"to-sign")]
    # Rule 3: right after the signature the card is powered off and asked for.
    assert core(driver.send(ev.ChallengeSigned(b"sig"))) == [
        fx.ReleaseCard(),
        fx.Authenticate(b"sig"),
        fx.StartTimer(TimerName.TAKE_CARD, 10, 12),
    ]
    assert driver.screen == st.TakeCard()
    assert driver.state.txn.card is st.CardState.RELEASED

    offer = make_offer()
    assert core(driver.send(ev.OfferReceived(offer))) == []
    assert driver.screen == st.TakeCard()  # the menu waits for the card to be taken
    assert core(driver.send(ev.CardRemoved())) == [fx.StartTimer(TimerName.MENU, 90, 13)]
    assert driver.screen == st.JurisdictionChoice()

    driver.send(ev.ChooseJurisdiction(Jurisdiction.RESIDENCE))
    assert driver.screen == st.CertificateChoice()
    driver.send(ev.ChooseCertificate(CertificateKind.JUMINHYO))
    assert driver.screen == st.OptionChoice(JuminhyoOptions(scope=Scope.SELF))
    driver.send(ev.Next())
    assert driver.screen == st.CopiesChoice(1)
    driver.send(ev.SetCopies(2), ev.Next())
    assert driver.screen == st.Confirmation()
    assert driver.state.txn.total_fee_yen == 600
    serial = driver.state.timer.serial

    request = CertificateRequest(
        CertificateKind.JUMINHYO, Jurisdiction.RESIDENCE, JuminhyoOptions(scope=Scope.SELF), 2
    )
    assert core(driver.send(ev.ConfirmOrder())) == [
        fx.JournalWrite(jr.TransactionOpened(TXN, "issue", "juminhyo", 2, 300)),
        fx.CheckPrinter(),
        fx.StartTimer(TimerName.FETCH, 150, serial + 1),
    ]
    assert core(driver.send(ev.PrinterReady())) == [fx.IssueCertificate(TXN, request)]
    assert driver.screen == st.Fetching(st.FetchPhase.ISSUING)

    # The verified envelope: journaled, and handed to the print service to compose; the
    # FETCH watchdog keeps running.
    assert core(driver.send(ev.CertificateIssued(TXN, "ISS-1", 600, 1))) == [
        fx.JournalWrite(jr.IssuanceReceived(TXN, "ISS-1", 1)),
        fx.ComposePrintJob(TXN),
    ]
    assert driver.screen == st.Fetching(st.FetchPhase.COMPOSING)

    # Rule 1: the acceptor is enabled only now, for the checked total.
    assert core(driver.send(ev.CertificateReady(TXN, "d1g3st"))) == [
        fx.JournalWrite(jr.PaymentIntent(TXN, 600)),
        fx.EnableAcceptor(600),
        fx.StartTimer(TimerName.PAYMENT, 120, serial + 2),
    ]
    assert driver.screen == st.Payment()

    assert core(driver.send(MoneyInserted(Denomination.Y500))) == [
        fx.JournalWrite(jr.MoneyIn(TXN, 500)),
        fx.StartTimer(TimerName.PAYMENT, 120, serial + 3),
    ]
    assert driver.state.txn.money.remaining_yen == 100
    assert core(driver.send(EscrowHeld(Denomination.Y1000))) == [
        fx.AcceptEscrow(),
        fx.StartTimer(TimerName.PAYMENT, 120, serial + 4),
    ]
    assert core(driver.send(MoneyInserted(Denomination.Y1000))) == [
        fx.JournalWrite(jr.MoneyIn(TXN, 1000)),
        fx.DisableAcceptor(),
        fx.JournalWrite(jr.PaymentOutcome(TXN, 1500)),
        fx.JournalWrite(jr.ChangeIntent(TXN, 900)),
        fx.DispenseChange(900),
        fx.JournalWrite(jr.PrintIntent(TXN, 2, "d1g3st")),
        fx.PrintCertificate(TXN, 2),
        fx.CancelTimer(),  # printing has no flow timer: the print tracker has its deadline
    ]
    assert driver.screen == st.Printing(0, 2)

    assert core(driver.send(ChangeDispensed(900, 900))) == [
        fx.JournalWrite(jr.ChangeOutcome(TXN, 900, 900)),
    ]
    driver.send(ev.PrintProgress(1))
    assert driver.screen == st.Printing(1, 2)
    assert core(driver.send(ev.PrintFinished(2))) == [
        fx.JournalWrite(jr.PrintOutcome(TXN, 2, None)),
        fx.PlayReminder(fx.Reminder.CERTIFICATES),
        fx.PlayReminder(fx.Reminder.CHANGE),
        fx.JournalWrite(jr.ReportIntent(TXN, "printed", 2)),
        fx.ReportCompletion(TXN, fx.Completion.PRINTED, 2, st.PaymentMode.ACCEPTOR, 600, 0, 0),
        fx.StartTimer(TimerName.DONE_REMINDER, 15, serial + 5),
    ]
    assert driver.screen == st.Done()

    assert core(driver.send(ev.CompletionReported(TXN))) == [
        fx.JournalWrite(jr.ReportOutcome(TXN, True)),
        fx.JournalWrite(jr.TransactionClosed(TXN, jr.CloseReason.COMPLETED)),
    ]
    driver.send(TrayEmptied())
    assert driver.state.txn.change_in_tray is False
    assert core(driver.send(ev.Finish())) == [fx.WipePersonalData(), fx.CancelTimer()]
    assert driver.screen == st.Start()
    assert driver.state.txn is None
    money_done = driver.history[-2][2].txn.money
    assert money_done.inserted_yen == money_done.change_yen + 600


def test_the_next_transaction_gets_the_next_id(driver: Driver) -> None:
    driver.send(ev.ChooseService(ev.Service.ISSUE), ev.Cancel(), ev.ChooseService(ev.Service.ISSUE))
    assert driver.txn_id == "boot-000002"


def test_audit_records_long_actions_with_init_and_complete(driver: Driver) -> None:
    driver.to_printing(inserted=(500,))
    driver.send(ChangeDispensed(200, 200), ev.PrintFinished(1))
    events = [
        e.record.event.value
        for _, _, _, effects in driver.history
        for e in effects
        if isinstance(e, fx.Audit)
    ]
    for action in ("card-read", "pin-verify", "authentication", "issue", "payment", "print"):
        assert f"{action}-init" in events
        assert f"{action}-complete" in events
    assert events.index("issue-complete") < events.index("payment-init")
