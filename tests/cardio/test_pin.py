"""The PIN types never show their value and wipe their bytes."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest

from cardio import CollationNumberA, CollationNumberB, InvalidPinFormat, SigningPassword, UserPin
from cardio.pin import my_number_check_digit


@pytest.mark.parametrize(
    ("cls", "value"),
    [
        (UserPin, "4821"),
        (SigningPassword, "PASS4821WORD"),
        (CollationNumberA, "123456789018"),
        (CollationNumberB, "55021720354821"),
    ],
)
def test_value_never_shown(cls: type, value: str, caplog: pytest.LogCaptureFixture) -> None:
    secret = cls(value)
    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret}",
        format(secret, "s"),
    ]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").debug("secret %s %r", secret, secret)
        logging.getLogger("test").debug("in a dict %s", {"pin": secret})
    for text in [*shown, caplog.text]:
        assert "4821" not in text
        assert "****" in text
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        copy.copy(secret)
    with pytest.raises(TypeError):
        copy.deepcopy(secret)


def test_context_manager_wipes_the_bytearray() -> None:
    with UserPin("4821") as pin:
        buffer = pin._value  # the internal buffer, to check it is zeroed
        assert pin.secret_bytes() == b"4821"
    assert pin.wiped
    assert buffer == bytearray(4)
    with pytest.raises(ValueError, match="wiped"):
        pin.secret_bytes()


def test_bytearray_input_is_copied() -> None:
    typed = bytearray(b"4821")
    pin = UserPin(typed)
    typed[:] = b"0000"
    assert pin.secret_bytes() == b"4821"


@pytest.mark.parametrize("bad", ["123", "12345", "12a4", "１２３４", "", " 1234"])
def test_user_pin_format(bad: str) -> None:
    with pytest.raises(InvalidPinFormat) as caught:
        UserPin(bad)
    assert bad not in str(caught.value) or bad == ""


def test_refused_value_is_not_in_the_error() -> None:
    with pytest.raises(InvalidPinFormat) as caught:
        SigningPassword("secretpass")
    assert "secretpass" not in str(caught.value)


def test_secrets_do_not_compare_equal_by_value() -> None:
    assert UserPin("1234") != UserPin("1234")


@pytest.mark.parametrize("number", ["123456789018", "000000000000", "999999999996"])
def test_my_number_check_digit(number: str) -> None:
    assert my_number_check_digit(number[:11].encode()) == int(number[11])
