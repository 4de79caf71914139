"""Bad input is normal input: random and malformed APDUs never crash the card or trip its
internal-error path; the control socket answers garbage with an error, not a crash."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hw_sim.card import CardDock, CardState, build_card
from hw_sim.card.control import ControlServer
from hw_sim.pki import JpkiTestPki

SELECTS = [
    b"",
    bytes.fromhex("00A4040C0AD392F000260100000001"),
    bytes.fromhex("00A4040C0AD3921000310001010408"),
    bytes.fromhex("00A4040C0AD3921000310001010100"),
]
INTERESTING_HEADERS = st.sampled_from(
    [
        bytes([c, i])
        for c in (0x00, 0x80, 0x08, 0x0C)
        for i in (0xA4, 0xB0, 0xB2, 0x20, 0x24, 0x2A, 0x32, 0x84, 0x88, 0xCA, 0xAE)
    ]
)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.sampled_from(SELECTS),
    header=INTERESTING_HEADERS,
    rest=st.binary(min_size=0, max_size=300),
    raw=st.binary(min_size=0, max_size=20),
)
def test_random_apdus_always_get_a_status_word(
    pki: JpkiTestPki, prefix: bytes, header: bytes, rest: bytes, raw: bytes
) -> None:
    card = build_card("normal", pki, CardState("normal"))
    card.power_on()
    if prefix:
        assert card.process(prefix)[-2:] == b"\x90\x00"
    for apdu in (header + rest, raw):
        answer = card.process(apdu)
        assert len(answer) >= 2
        assert answer[-2:] != b"\x6f\x00", f"internal error on {apdu.hex()}"


def test_control_server_refuses_garbage(pki: JpkiTestPki, tmp_path: Path) -> None:
    dock = CardDock("127.0.0.1", 1, state_dir=tmp_path / "cards", pki_dir=pki.folder)
    server = ControlServer(dock, tmp_path / "dock.sock")
    try:
        assert server.handle({"cmd": "insert", "slot": "0", "persona": "normal"})["ok"] is False
        assert server.handle({"cmd": "insert", "slot": 7, "persona": "normal"})["ok"] is False
        assert server.handle({"cmd": "insert", "slot": 0, "persona": "x"})["ok"] is False
        assert server.handle({"cmd": "format-disk"})["ok"] is False
        assert server.handle({"cmd": "status"})["ok"] is True
        for garbage in (b"{not json\n", b"[1, 2]\n", b"\xff\xfe\n"):
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(str(tmp_path / "dock.sock"))
                client.sendall(garbage)
                answer = json.loads(client.makefile("rb").readline())
            assert answer["ok"] is False
        assert (tmp_path / "dock.sock").stat().st_mode & 0o077 == 0
    finally:
        server.close()
        dock.close()
