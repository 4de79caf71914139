"""One view per flow screen (kiosk.flow.state.Screen); :data:`VIEWS` maps each screen type to
the view class that renders it."""

from __future__ import annotations

import typing

from kiosk.flow.state import Screen
from kiosk.ui.screens.base import CancelInfo, NavAction, ScreenView
from kiosk.ui.screens.card import (
    AuthenticatingScreen,
    PinLockedScreen,
    PinScreen,
    PlaceCardScreen,
    TakeCardScreen,
    VerifyingPinScreen,
)
from kiosk.ui.screens.faults import FaultScreen
from kiosk.ui.screens.money import (
    CancelledScreen,
    DoneScreen,
    FetchingScreen,
    PaymentScreen,
    PrintingScreen,
    RefundingScreen,
)
from kiosk.ui.screens.order import (
    CertificateScreen,
    ConfirmationScreen,
    CopiesScreen,
    JurisdictionScreen,
    OptionsScreen,
)
from kiosk.ui.screens.registration import (
    CheckingStatusScreen,
    MatchingNumberScreen,
    MunicipalityScreen,
    ReadingFactsScreen,
    ReceiptScreen,
    RegistrationFormScreen,
    RegistrationReviewScreen,
    StatusEntryScreen,
    StatusResultScreen,
    SubmittingScreen,
)
from kiosk.ui.screens.slip import OwedSlipScreen
from kiosk.ui.screens.start import ConsentScreen, StartScreen

VIEW_CLASSES: tuple[type[ScreenView], ...] = (
    StartScreen,
    ConsentScreen,
    MunicipalityScreen,
    PlaceCardScreen,
    PinScreen,
    VerifyingPinScreen,
    PinLockedScreen,
    AuthenticatingScreen,
    TakeCardScreen,
    JurisdictionScreen,
    CertificateScreen,
    OptionsScreen,
    CopiesScreen,
    ConfirmationScreen,
    FetchingScreen,
    PaymentScreen,
    PrintingScreen,
    DoneScreen,
    RefundingScreen,
    FaultScreen,
    CancelledScreen,
    OwedSlipScreen,
    MatchingNumberScreen,
    ReadingFactsScreen,
    RegistrationFormScreen,
    RegistrationReviewScreen,
    SubmittingScreen,
    ReceiptScreen,
    StatusEntryScreen,
    CheckingStatusScreen,
    StatusResultScreen,
)

VIEWS: dict[type, type[ScreenView]] = {
    screen_type: view for view in VIEW_CLASSES for screen_type in view.handles
}

# Every screen type of the flow has a view (checked at import: a new screen must get one).
_missing = [t.__name__ for t in typing.get_args(Screen) if t not in VIEWS]
if _missing:
    raise ImportError(f"screens without a view: {', '.join(_missing)}")

__all__ = ["VIEWS", "VIEW_CLASSES", "CancelInfo", "NavAction", "ScreenView"]
