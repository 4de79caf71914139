"""Materialise a persona's card (or smartphone token) from the test PKI."""

from __future__ import annotations

import hashlib

from hw_sim.card.content_apps import (
    common_application,
    juki_application,
    kenmen_application,
    kenmen_hojo_application,
    mf_data_objects,
    mf_files,
)
from hw_sim.card.content_jpki import jpki_application
from hw_sim.card.engine import VirtualCard
from hw_sim.card.hostile import apply_content_faults
from hw_sim.card.model import Application
from hw_sim.card.profile import CardProfile
from hw_sim.card.state import CardState, CardStateStore
from hw_sim.personas import Medium, Persona, get_persona
from hw_sim.pki import JpkiTestPki


def card_serial(persona: Persona) -> str:
    """The card's 15-digit serial (共通カードAP record 1, §7): stable per persona, synthetic."""
    digest = hashlib.sha256(b"jpki-test-card:" + persona.id.encode()).digest()
    return "4" + f"{int.from_bytes(digest[:8], 'big') % 10**14:014d}"


def build_card(
    persona: Persona | str,
    pki: JpkiTestPki,
    state: CardState | CardStateStore | None = None,
    profile: CardProfile | None = None,
) -> VirtualCard:
    """The persona's virtual card.

    ``state``: a store (the card's file in it is used, keyed by persona id), a ready state, or
    None for a fresh in-memory state. ``profile``: defaults to the persona's
    (:meth:`CardProfile.for_persona`).

    What the medium carries: a My Number card has the JPKI AP, both 券面 APs, 住基AP and
    共通カードAP; a 住基カード the JPKI AP and 住基AP; a smartphone token only the JPKI AP.
    """
    if isinstance(persona, str):
        persona = get_persona(persona)
    if profile is None:
        profile = CardProfile.for_persona(persona)
    if state is None:
        state = CardState(persona.id)
    elif isinstance(state, CardStateStore):
        state = state.open(persona.id)
    creds = pki.credentials(persona)
    serial = card_serial(persona)
    apps: list[Application] = [jpki_application(persona, creds, pki, profile, serial)]
    if persona.medium is Medium.MY_NUMBER_CARD:
        apps += [
            kenmen_hojo_application(persona, creds, pki, profile),
            kenmen_application(persona, creds, pki, profile),
            juki_application(persona, serial),
            common_application(persona, creds, serial),
        ]
    elif persona.medium is Medium.JUKI_CARD:
        apps.append(juki_application(persona, serial))
    apply_content_faults(profile.hostile, apps)
    return VirtualCard(
        apps,
        profile=profile,
        state=state,
        mf_files=mf_files(),
        data_objects=mf_data_objects(persona, profile, serial),
    )
