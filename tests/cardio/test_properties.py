"""Property tests: malformed responses and status words thrown at every parser and at the
session methods over a random-response transport. Only cardio's typed errors may come out."""

from __future__ import annotations

import contextlib
import threading

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cardio import (
    CardError,
    CollationNumberA,
    CollationNumberB,
    JpkiSession,
    KenmenHojoSession,
    KeyRole,
    MalformedResponse,
    UserPin,
    summarize_certificate,
)
from cardio.ber import parse_all, parse_header, parse_one
from cardio.errors import ApduError, UnknownStatus, error_for_status
from cardio.jpki import parse_token_label
from cardio.kenmen import (
    check_integrity,
    parse_basic_facts,
    parse_integrity_record,
    parse_my_number,
)
from cardio.testing import ScriptedTransport
from tests.cardio.builders import certificate, facts_ef, integrity_ef, my_number_ef, rsa_key

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Status words: the interesting ones of §9 plus anything.
interesting_sw = st.sampled_from(
    [
        0x9000,
        0x6282,
        0x63C0,
        0x63C3,
        0x6300,
        0x6982,
        0x6984,
        0x6A82,
        0x6A86,
        0x6B00,
        0x6700,
        0x6C00,
        0x6C10,
        0x6100,
        0x6110,
        0x6F00,
        0x6D00,
    ]
)
any_sw = st.one_of(interesting_sw, st.integers(0, 0xFFFF))
responses = st.lists(st.tuples(st.binary(max_size=300), any_sw), max_size=40)


def mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """``seed`` with bytes replaced, cut or inserted: near-valid inputs reach deeper code."""

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 4))):
            op = draw(st.sampled_from(["set", "cut", "insert"]))
            position = draw(st.integers(0, max(len(data) - 1, 0)))
            if op == "set" and data:
                data[position] = draw(st.integers(0, 255))
            elif op == "cut":
                del data[position:]
            else:
                data[position:position] = draw(st.binary(min_size=1, max_size=4))
        return bytes(data)

    return st.one_of(mutate(), st.binary(max_size=len(seed) + 16))


def only_card_errors(function: object, *args: object) -> None:
    """Run; a CardError is an accepted outcome, anything else fails the test."""
    with contextlib.suppress(CardError):
        function(*args)  # type: ignore[operator]


FACTS, COVERED = facts_ef()
NUMBER = my_number_ef()
INTEGRITY = integrity_ef(NUMBER, COVERED, rsa_key("issuer"))
CERT = certificate()


@SETTINGS
@given(st.binary(max_size=64))
def test_ber(data: bytes) -> None:
    only_card_errors(parse_header, data)
    only_card_errors(parse_one, data)
    only_card_errors(parse_all, data)


@SETTINGS
@given(st.one_of(st.binary(max_size=40), mutations(b"JPKIAPICCTOKEN2".ljust(32))))
def test_token_label(data: bytes) -> None:
    only_card_errors(parse_token_label, data)


@SETTINGS
@given(mutations(FACTS))
def test_four_facts(data: bytes) -> None:
    only_card_errors(parse_basic_facts, data)


@SETTINGS
@given(mutations(NUMBER))
def test_my_number(data: bytes) -> None:
    only_card_errors(parse_my_number, data)


@SETTINGS
@given(mutations(INTEGRITY))
def test_integrity_record(data: bytes) -> None:
    try:
        record = parse_integrity_record(data)
    except MalformedResponse:
        return
    key = rsa_key("issuer").public_key()
    only_card_errors(
        lambda: check_integrity(
            record, facts_bytes=COVERED, my_number_ef=NUMBER, issuer_public_key=key
        )
    )


@SETTINGS
@given(mutations(CERT[:300]))
def test_certificate_header_and_summary(data: bytes) -> None:
    only_card_errors(summarize_certificate, data)


@settings(max_examples=100, deadline=None)
@given(mutations(CERT))
def test_certificate_summary_of_a_damaged_certificate(data: bytes) -> None:
    only_card_errors(summarize_certificate, data)


@SETTINGS
@given(st.integers(-(2**40), 2**40))
def test_status_mapping_never_fails(sw: int) -> None:
    assume(sw != 0x9000)
    error = error_for_status(sw)
    assert isinstance(error, ApduError)
    if not 0 <= sw <= 0xFFFF:
        assert isinstance(error, UnknownStatus)


def run_jpki(script: list[tuple[bytes, int]]) -> None:
    session = JpkiSession(ScriptedTransport(script), cancel=threading.Event())
    session.read_token_info()
    session.read_certificate()
    session.get_pin_tries()
    session.verify_pin(UserPin("1234"))
    session.sign_sha256(b"challenge")
    session.get_pin_tries(KeyRole.SIGNING)
    session.read_certificate(KeyRole.SIGNING)


def run_kenmen(script: list[tuple[bytes, int]], credential: int) -> None:
    session = KenmenHojoSession(ScriptedTransport(script))
    key = rsa_key("issuer").public_key()
    if credential == 0:
        session.read(UserPin("1234"), include_my_number=True, issuer_public_key=key)
    elif credential == 1:
        session.read(CollationNumberA("123456789018"), issuer_public_key=key)
    else:
        session.get_tries(CollationNumberB)
        session.read(CollationNumberB("55021720352285"))


@SETTINGS
@given(responses)
def test_jpki_session_over_random_responses(script: list[tuple[bytes, int]]) -> None:
    only_card_errors(run_jpki, script)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.sampled_from([b"", FACTS, NUMBER, INTEGRITY[:256], INTEGRITY[256:], CERT[:256]]),
                interesting_sw,
            ),
            st.tuples(st.binary(max_size=300), any_sw),
        ),
        max_size=30,
    ),
    st.integers(0, 2),
)
def test_kenmen_session_over_random_responses(
    script: list[tuple[bytes, int]], credential: int
) -> None:
    only_card_errors(run_kenmen, script, credential)


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.sampled_from([b"", CERT[:256], CERT[256:512], bytes(256)]), interesting_sw
            ),
            st.tuples(st.binary(max_size=300), any_sw),
        ),
        max_size=30,
    )
)
def test_jpki_session_over_near_valid_responses(script: list[tuple[bytes, int]]) -> None:
    only_card_errors(run_jpki, script)
