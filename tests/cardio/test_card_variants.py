"""The driver against the virtual card's options for uncertain facts (docs/virtual-card.md,
jpki-card.md §12), in-process."""

from __future__ import annotations

import pytest

from cardio import JpkiSession, SecurityStatusNotSatisfied, UserPin
from hw_sim.card import CardProfile, InProcessTransport, build_card
from hw_sim.personas import get_persona
from hw_sim.pki import JpkiTestPki


def card(pki: JpkiTestPki, **options: object) -> InProcessTransport:
    profile = CardProfile.for_persona(get_persona("normal")).with_options(**options)
    return InProcessTransport(build_card("normal", pki, profile=profile))


def test_query_answered_9000_after_a_verify(pki: JpkiTestPki) -> None:
    """Some JICSAP cards answer 90 00 to the empty VERIFY once verified (§2.4, §12.8)."""
    with card(pki, query_after_success_9000=True) as transport:
        session = JpkiSession(transport)
        session.verify_pin(UserPin("1234"))
        assert session.get_pin_tries() == 3


def test_reselect_clears_security(pki: JpkiTestPki) -> None:
    """OpenSC's logout assumption (§2.2, §12.9): a new session on the same power-up starts
    without the PIN when the card clears on re-SELECT."""
    with card(pki, reselect_clears_security=True) as transport:
        first = JpkiSession(transport)
        first.verify_pin(UserPin("1234"))
        second = JpkiSession(transport)
        with pytest.raises(SecurityStatusNotSatisfied):
            second.sign_sha256(b"x")


def test_reselect_keeps_security_by_default(pki: JpkiTestPki) -> None:
    """Measured on a real card (§2.2): re-SELECT does not log out — which is why the kiosk must
    power the card off (PcscConnection.close) rather than rely on a new session."""
    with card(pki) as transport:
        JpkiSession(transport).verify_pin(UserPin("1234"))
        assert len(JpkiSession(transport).sign_sha256(b"x")) == 256


@pytest.mark.parametrize("atr", ["3BE000FF8131FE4514", "3BC5FF8131FB458073C6010000"])
def test_other_atrs_do_not_matter(pki: JpkiTestPki, atr: str) -> None:
    with card(pki, atr=bytes.fromhex(atr)) as transport:
        assert JpkiSession(transport).get_pin_tries() == 3
