"""End to end: 本籍地 usage registration (利用登録申請) with card + PIN and 照合番号B through pcscd,
its status by application number, and what registration changes in the offer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from hw_sim.personas import get_persona
from kiosk.center import wire
from kiosk.center.client import CenterClient, new_idempotency_key
from kiosk.center.errors import CenterRefused, NotFound
from printing.certificates import Jurisdiction
from tests.hw_sim.center.harness import CardReader, RunningCenter, card_reader

__all__ = ["card_reader"]  # a module-scoped fixture used here

pytestmark = pytest.mark.pcscd


@pytest.fixture
def client(center: RunningCenter) -> Iterator[CenterClient]:
    with center.client() as kiosk:
        yield kiosk


def register(
    client: CenterClient,
    reader: CardReader,
    persona_id: str,
    municipality: str,
    honseki: str,
    hittosha: str,
) -> wire.RegistrationReceipt:
    challenge, certificate, signature, facts = reader.answer(
        client, persona_id, wire.AuthPurpose.REGISTRATION
    )
    session = client.open_session(challenge, certificate, signature)
    assert facts is not None
    birth = facts.birth_date_as_date()
    assert birth is not None
    application = wire.RegistrationApplication(
        honseki_municipality_code=municipality,
        name=facts.name,
        address=facts.address,
        birth_date=birth,
        sex=facts.sex.value,
        honseki=honseki,
        hittosha_name=hittosha,
        phone="090-1234-5678",
    )
    try:
        return client.register(session, application, new_idempotency_key())
    finally:
        client.end_session(session)


def test_registration_and_status(
    center: RunningCenter, client: CenterClient, card_reader: CardReader
) -> None:
    persona = get_persona("rare-chars")
    receipt = register(
        client, card_reader, "rare-chars", "221007", "静岡県静岡市葵区追手町９番地", persona.name
    )
    assert receipt.municipality_code == "221007"
    assert receipt.municipality_name == "静岡市"
    assert receipt.message_ja
    status = client.registration_status(receipt.application_number)
    assert status.application_number == receipt.application_number
    assert status.state in (wire.RegistrationState.RECEIVED, wire.RegistrationState.INCOMPLETE)
    # Days later (the business clock): the 本籍地's staff have decided.
    center.set_clock(datetime.fromisoformat("2026-12-10T10:00:00+09:00"))
    later = client.registration_status(receipt.application_number)
    assert later.state in (wire.RegistrationState.REGISTERED, wire.RegistrationState.INCOMPLETE)


def test_a_second_registration_of_the_same_card_is_refused(
    client: CenterClient, card_reader: CardReader
) -> None:
    with pytest.raises(CenterRefused) as caught:
        register(
            client, card_reader, "honseki", "221007", "静岡県静岡市", get_persona("honseki").name
        )
    assert caught.value.reason == "already_registered"


def test_unknown_application_number(client: CenterClient) -> None:
    with pytest.raises(NotFound):
        client.registration_status("2210079999999999")
    with pytest.raises(NotFound):
        client.registration_status("../../etc")


def test_registered_card_gets_honseki_certificates(
    client: CenterClient, card_reader: CardReader
) -> None:
    session = card_reader.session(client, "honseki")
    offer = client.offer(session)
    assert offer.honseki_municipality_code == "221007"
    assert any(c.jurisdiction is Jurisdiction.HONSEKI for c in offer.certificates)


def test_registration_answer_replays(client: CenterClient, center_pki: object) -> None:
    """A lost registration answer, retried with the same key, gives the same application number."""
    from tests.hw_sim.center.harness import open_session

    session = open_session(client, center_pki, "iphone", wire.AuthPurpose.REGISTRATION)  # type: ignore[arg-type]
    persona = get_persona("iphone")
    application = wire.RegistrationApplication(
        "341002",
        persona.name,
        persona.address,
        persona.birth_date,
        persona.sex,
        "広島県広島市中区国泰寺町一丁目６番",
        persona.name,
        "0312345678",
    )
    key = new_idempotency_key()
    first = client.register(session, application, key)
    again = client.register(session, application, key)
    assert again == first


def test_cli_registration_and_status(
    running_center: RunningCenter, card_reader: CardReader, pcscd: object
) -> None:
    """``python -m kiosk.center register`` with the card (PIN, then 照合番号B on stdin), then
    ``status`` with the application number it printed."""
    import json
    import os
    import subprocess
    import sys

    from tests.cardio.pcsc_cards import READER, wait_for_card
    from tests.hw_sim.center.harness import REPO

    running_center.reset()
    persona = get_persona("foreign")
    env = {**os.environ, **pcscd.env}  # type: ignore[attr-defined]
    cli = [
        sys.executable,
        "-m",
        "kiosk.center",
        "--endpoints",
        str(running_center.state_dir / "endpoints.json"),
    ]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli, *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=120,
            check=False,
        )

    card_reader.dock.insert(0, "foreign")
    try:
        wait_for_card(card_reader.context, present=True)
        registered = run(
            "register",
            "--municipality", "271004",
            "--honseki", "大阪府大阪市北区中之島一丁目３番",
            "--hittosha", persona.name,
            "--phone", "06-1234-5678",
            "--reader", READER,
            "--pin-stdin",
            stdin=f"{persona.auth_pin}\n{persona.shogo_b}\n",
        )  # fmt: skip
    finally:
        card_reader.dock.remove(0)
        wait_for_card(card_reader.context, present=False)
    assert registered.returncode == 0, registered.stderr
    assert persona.shogo_b not in registered.stdout + registered.stderr
    receipt = json.loads(registered.stdout)
    assert receipt["municipality_code"] == "271004"
    status = run("status", receipt["application_number"])
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["state"] in ("received", "incomplete")
    unknown = run("status", "2710049999999999")
    assert unknown.returncode == 2
    assert "not_found" in unknown.stderr
