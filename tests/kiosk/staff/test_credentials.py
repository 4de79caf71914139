"""Staff PINs as salted slow hashes: made, checked, parsed strictly; the CLI prints only the
hash; an unknown staff number costs the same time as a known one."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.staff.credentials import (
    MIN_N,
    CredentialError,
    StaffDirectory,
    StaffMember,
    card_digest,
    hash_pin,
    parse_pin_hash,
)

REPO = Path(__file__).resolve().parents[3]


def test_a_hash_checks_its_pin_only() -> None:
    made = hash_pin("4821", n=MIN_N)
    again = parse_pin_hash(made.text())
    assert again == made
    assert again.matches("4821")
    assert not again.matches("4822")
    assert not again.matches("")
    assert "4821" not in made.text()
    assert hash_pin("4821", n=MIN_N).text() != made.text()  # salted


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", ""])
def test_a_staff_pin_is_four_to_eight_digits(pin: str) -> None:
    with pytest.raises(CredentialError):
        hash_pin(pin, n=MIN_N)


def test_the_directory_checks_numbers_and_cards() -> None:
    member = StaffMember("1001", hash_pin("4821", n=MIN_N), card_digest(b"\x04\xa2\x24"))
    directory = StaffDirectory((member,))
    assert directory.check("1001", "4821")
    assert not directory.check("1001", "0000")
    assert not directory.check("9999", "4821")
    assert not directory.check("1001", "４８２１")  # full-width digits are no PIN
    assert directory.staff_of_card(b"\x04\xa2\x24") == "1001"
    assert directory.staff_of_card(b"\x04\xa2\x25") is None


def test_an_unknown_staff_number_takes_as_long_as_a_known_one() -> None:
    directory = StaffDirectory((StaffMember("1001", hash_pin("4821", n=2**15)),))

    def timed(staff_id: str) -> float:
        started = time.perf_counter()
        directory.check(staff_id, "0000")
        return time.perf_counter() - started

    known = min(timed("1001") for _ in range(3))
    unknown = min(timed("9999") for _ in range(3))
    assert unknown > known / 3  # the same scrypt work (not a shortcut), within machine noise


def test_the_cli_prints_the_hash_not_the_pin() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.staff", "hash-pin", "--stdin"],
        input="73914\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    line = result.stdout.strip()
    assert "73914" not in result.stdout + result.stderr
    assert parse_pin_hash(line).matches("73914")
    digest = subprocess.run(
        [sys.executable, "-m", "kiosk.staff", "card-digest", "04a224"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    assert digest.stdout.strip() == card_digest(bytes.fromhex("04a224"))
