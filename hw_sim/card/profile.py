"""Card-profile options: where jpki-card.md marks a behaviour uncertain (?), the virtual card
makes it an option. Defaults are the most likely behaviour; docs/virtual-card.md lists them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hw_sim.card.hostile import SLOW_ANSWER_S, HostileFault
from hw_sim.personas import Medium, Persona

# Contact ATRs (jpki-card.md §1.2; TCKs checked there).
ATR_JPKI_OPENSC = bytes.fromhex("3BE000FF8131FE4514")  # OpenSC's jpki_atrs[]; pcsc list: 住基カード
ATR_MY_NUMBER = bytes.fromhex("3BDA13FF8131FB468012392F31C173C601C03B")  # a new card (#3021)
ATR_MY_NUMBER_03 = bytes.fromhex("3BC5FF8131FB458073C6010000")  # "JPKI (03)"
ATRS: dict[str, bytes] = {
    "mynumber": ATR_MY_NUMBER,
    "mynumber-03": ATR_MY_NUMBER_03,
    "jpki-opensc": ATR_JPKI_OPENSC,
}


@dataclass(frozen=True)
class CardProfile:
    """Behaviour options of one virtual card.

    Fidelity options (uncertain facts, jpki-card.md §12):

    * ``atr`` — §1.2: production cards show several ATRs; default the one pcsc-tools labels
      "My Number Card" (a card from 2023, OpenSC #3021). ``3BE000FF8131FE4514`` (OpenSC's table,
      labelled 住基カード by pcsc-tools) is used for the 住基カード persona.
    * ``reselect_clears_security`` — §2.2/§12.9: re-selecting the *same* AP "does not reliably
      provide a clean session" (measured), so by default it keeps the security state.
    * ``warm_reset_clears_security`` — §2.2: a warm reset did not clear it on the measured card.
    * ``fci_on_select`` — §2.2/§12.7: ``P2=00`` returns an FCI whose content is unknown; we
      answer a minimal FCI (``6F`` with ``84`` DF name, or ``83`` FID + ``80`` size).
    * ``partial_aid_select`` — §2.2: selection by a prefix of the AID (JICSAP, ATR service byte
      C1); only prefixes of at least ``partial_aid_min`` bytes of this card's own AIDs match.
    * ``verify_p2_sfi`` — §2.4: ``P2 = 80|SFI`` names the key without SELECT.
    * ``query_accepts_le`` — §2.4: the 5-byte query ``00 20 00 80 00`` answers like the 4-byte one.
    * ``query_after_success_9000`` — §2.4/§12.8: an empty VERIFY after a successful one answers
      ``90 00`` (a JICSAP possibility) instead of ``63 Cx``; off because OpenSC needs ``63``.
    * ``cert_filler`` — §12.12: the byte after the DER in the 3808-byte certificate EFs.
    * ``lookup_tries`` — §5.1/§12.10: retry limit of 照合番号A/B and the 生年月日 key.
    * ``bad_signature_input_sw`` — §4.3/§12.11: ``67 00`` or ``69 85`` for a bad input length.
    * ``get_data_at_mf`` — §8: MF-level GET DATA objects answer with no AP selected (``6A 88``
      inside an AP); False swaps the two states.
    * ``auth_cert_needs_pin`` — §4.1: on the Android (GPSE) token, [MYNA] verifies the auth PIN
      before reading the auth certificate; we make the token require it.
    * ``last_command_indicator_ok`` — §2.6: ``80 FC 00 00`` answers ``90 00`` (iPhone token)
      instead of ``67 00`` (physical cards).

    Scenario options: ``response_delay_s`` (answer every APDU after a delay, applied by the
    transports so that a removal can interrupt it), ``first_command_6f00`` (§2.2 quirk) and
    ``hostile`` (a programmable card's answers instead of the card's, hw_sim/card/hostile.py).
    """

    atr: bytes = ATR_MY_NUMBER
    token_label: str = "JPKIAPICCTOKEN2"  # noqa: S105 - EF 0006 label, not a secret
    reselect_clears_security: bool = False
    warm_reset_clears_security: bool = False
    fci_on_select: bool = True
    partial_aid_select: bool = True
    partial_aid_min: int = 5
    verify_p2_sfi: bool = True
    query_accepts_le: bool = True
    query_after_success_9000: bool = False
    cert_filler: int = 0xFF
    cert_ef_size: int = 3808  # §2.3: 3808-byte certificate EFs on a real card
    lookup_tries: int = 10
    bad_signature_input_sw: int = 0x6700
    get_data_at_mf: bool = True
    auth_cert_needs_pin: bool = False
    last_command_indicator_ok: bool = False
    response_delay_s: float = 0.0
    first_command_6f00: bool = False
    hostile: HostileFault | None = None

    def with_options(self, **changes: object) -> CardProfile:
        """A copy with some options changed (unknown names raise ``TypeError``)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def with_fault(self, fault: HostileFault | str | None) -> CardProfile:
        """A copy that answers like the hostile card ``fault`` (None: like a card)."""
        if fault is None:
            return replace(self, hostile=None)
        fault = HostileFault(fault)
        delay = SLOW_ANSWER_S if fault is HostileFault.SLOW_ANSWER else self.response_delay_s
        return replace(self, hostile=fault, response_delay_s=delay)

    @classmethod
    def for_persona(cls, persona: Persona) -> CardProfile:
        """The profile a persona's card or token has (medium and scenario flags)."""
        profile = cls(
            token_label=persona.token_label,
            response_delay_s=persona.slow_delay_s,
            first_command_6f00=persona.first_6f00,
        )
        if persona.medium is Medium.JUKI_CARD:
            profile = profile.with_options(atr=ATR_JPKI_OPENSC)
        elif persona.medium is Medium.ANDROID:
            profile = profile.with_options(auth_cert_needs_pin=True)
        elif persona.medium is Medium.IPHONE:
            profile = profile.with_options(last_command_indicator_ok=True)
        return profile
