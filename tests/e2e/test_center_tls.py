"""End to end: mutual TLS. Kiosk certificates the center does not know, has revoked, or did not
issue are refused (at HTTP or TLS level); a server that is not the pinned center is never
talked to."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hw_sim.center.keys import CenterKeys
from hw_sim.pki import JpkiTestPki
from kiosk.center import wire
from kiosk.center.client import CenterClient, CenterConfig
from kiosk.center.errors import CenterUnreachable, KioskNotAuthorised
from tests.hw_sim.center.harness import RunningCenter


class Sleeps:
    def __init__(self) -> None:
        self.pauses: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        time.sleep(0.01)


@pytest.fixture(scope="module")
def stranger_keys(tmp_path_factory: pytest.TempPathFactory) -> CenterKeys:
    """Another center's keys: its CA, its kiosk certificates."""
    folder = tmp_path_factory.mktemp("stranger")
    return CenterKeys.load_or_create(folder / "keys", JpkiTestPki.load_or_create(folder / "pki"))


def test_a_registered_kiosk_is_served(center: RunningCenter) -> None:
    with center.client("kiosk-0003") as kiosk:
        assert kiosk.kiosk_id == "kiosk-0003"
        assert kiosk.challenge(wire.AuthPurpose.ISSUANCE).kiosk_id == "kiosk-0003"


def test_an_unknown_kiosk_certificate_is_refused(center: RunningCenter) -> None:
    """Issued by the center CA but never registered (a kiosk nobody commissioned)."""
    sleeps = Sleeps()
    with center.client("kiosk-unknown", sleep=sleeps) as kiosk, pytest.raises(KioskNotAuthorised):
        kiosk.health()
    assert sleeps.pauses == []


def test_a_revoked_kiosk_is_refused_from_then_on(center: RunningCenter) -> None:
    center.admin("POST", "/admin/kiosks", {"kiosk_id": "kiosk-0100"})
    with center.client("kiosk-0100") as kiosk:
        kiosk.health()
        center.admin("POST", "/admin/kiosks/kiosk-0100/revoke")
        with pytest.raises(KioskNotAuthorised):
            kiosk.health()


def test_a_reissued_kiosk_certificate_replaces_the_old_one(
    center: RunningCenter, tmp_path: Path
) -> None:
    """After re-registration with a new certificate, a copy of the old one is refused."""
    old = center.admin("POST", "/admin/kiosks", {"kiosk_id": "kiosk-0101"})
    old_cert, old_key = tmp_path / "old.pem", tmp_path / "old.key.pem"
    old_cert.write_bytes(Path(old["cert_path"]).read_bytes())
    old_key.write_bytes(Path(old["key_path"]).read_bytes())
    for name in ("kiosk.pem", "kiosk.key.pem"):
        (Path(old["cert_path"]).parent / name).unlink()
    center.admin("POST", "/admin/kiosks", {"kiosk_id": "kiosk-0101"})  # new key pair, registered
    with center.client("kiosk-0101") as kiosk:
        kiosk.health()
    stale = CenterConfig(
        center.endpoints["center_url"], Path(center.endpoints["ca_path"]), old_cert, old_key
    )
    with CenterClient(stale) as kiosk, pytest.raises(KioskNotAuthorised):
        kiosk.health()


def test_a_certificate_from_another_ca_is_refused_at_tls(
    center: RunningCenter, stranger_keys: CenterKeys
) -> None:
    """The handshake fails. Under TLS 1.3 the server judges the client certificate after the
    client has finished its side of the handshake, and asyncio closes without flushing the
    alert, so the kiosk cannot tell this refusal from a dropped line: it ends as unreachable
    (after its retries), and never gets an answer."""
    foreign = stranger_keys.kiosk("kiosk-0001")  # same name, other CA
    config = CenterConfig(
        center.endpoints["center_url"],
        Path(center.endpoints["ca_path"]),
        foreign.cert_path,
        foreign.key_path,
    )
    sleeps = Sleeps()
    with (
        CenterClient(config, sleep=sleeps) as kiosk,
        pytest.raises((KioskNotAuthorised, CenterUnreachable)),
    ):
        kiosk.health()
    with (
        CenterClient(config, sleep=sleeps) as kiosk,
        pytest.raises((KioskNotAuthorised, CenterUnreachable)),
    ):
        kiosk.challenge(wire.AuthPurpose.ISSUANCE)


def test_no_client_certificate_is_refused_at_tls(center: RunningCenter) -> None:
    import requests

    with requests.Session() as http:
        http.trust_env = False
        http.verify = center.endpoints["ca_path"]
        # The handshake is refused: no HTTP answer of any kind comes back.
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            http.get(center.endpoints["center_url"] + "/v3/health", timeout=5)


def test_a_server_that_is_not_the_pinned_center_is_never_trusted(
    center: RunningCenter, stranger_keys: CenterKeys
) -> None:
    """The kiosk pins another CA: the real center's certificate does not chain to it."""
    own = center.kiosk_config()
    config = CenterConfig(own.base_url, stranger_keys.ca_path, own.cert_path, own.key_path)
    sleeps = Sleeps()
    with (
        CenterClient(config, sleep=sleeps) as kiosk,
        pytest.raises(CenterUnreachable, match="pinned"),
    ):
        kiosk.health()
    assert sleeps.pauses == []  # not retried: talking to it again would not make it the center


def test_the_pinned_ca_also_checks_envelopes(
    center: RunningCenter, stranger_keys: CenterKeys, center_pki: Any
) -> None:
    """A client's CA is the only trust anchor: the same file serves TLS and envelope checks."""
    with center.client() as kiosk:
        assert kiosk.ca.subject == stranger_keys.ca_cert.subject  # same name …
        assert kiosk.ca != stranger_keys.ca_cert  # … other key: names alone prove nothing
