"""The center's keys (made once, reloaded, shaped for their one use) and fault rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hw_sim.center.faults import FaultBoard, FaultRule
from hw_sim.center.keys import ENVELOPE_SIGNING_EKU, CenterKeys
from hw_sim.pki import JpkiTestPki


def _eku(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def test_keys_are_made_once_and_reloaded(center_pki: JpkiTestPki, tmp_path: Path) -> None:
    first = CenterKeys.load_or_create(tmp_path, center_pki)
    again = CenterKeys.load_or_create(tmp_path, center_pki)
    assert again.ca_cert == first.ca_cert
    assert again.envelope_cert == first.envelope_cert
    assert again.scramble_master_key == first.scramble_master_key
    assert len(first.scramble_master_key) == 32
    assert (tmp_path / "envelope.key.pem").stat().st_mode & 0o777 == 0o600


def test_each_certificate_is_for_its_one_use(center_pki: JpkiTestPki, tmp_path: Path) -> None:
    keys = CenterKeys.load_or_create(tmp_path, center_pki)
    assert _eku(keys.envelope_cert) == [ENVELOPE_SIGNING_EKU]
    assert ExtendedKeyUsageOID.SERVER_AUTH in _eku(
        x509.load_pem_x509_certificate(keys.server_cert_path.read_bytes())
    )
    assert _eku(keys.ocsp_cert) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    keys.ocsp_cert.verify_directly_issued_by(center_pki.auth_ca_cert)
    keys.envelope_cert.verify_directly_issued_by(keys.ca_cert)
    kiosk = keys.kiosk("kiosk-0042")
    cert = x509.load_pem_x509_certificate(kiosk.cert_path.read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kiosk-0042"
    assert _eku(cert) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    cert.verify_directly_issued_by(keys.ca_cert)
    issued = kiosk.fingerprint  # read from the file now
    assert keys.kiosk("kiosk-0042").fingerprint == issued  # stable until reissued
    assert keys.reissue_kiosk("kiosk-0042").fingerprint != issued


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"kind": "slow", "delay_s": 0},
        {"kind": "error", "status": 404},
        {"kind": "malformed", "variant": "rot13"},
        {"kind": "drop", "when": "during"},
        {"kind": "slow", "delay_s": 1, "count": 0},
        {"kind": "slow", "delay_s": 1, "path_prefix": "v1"},
        {"kind": "slow", "delay_s": 1, "surprise": True},
    ],
)
def test_bad_fault_rules_are_refused(rule: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        FaultRule.from_json(rule)


def test_fault_rules_fire_count_times_on_matching_requests() -> None:
    board = FaultBoard()
    board.add(
        FaultRule.from_json(
            {"kind": "error", "path_prefix": "/v1/offer", "count": 2, "status": 503}
        )
    )
    board.add(FaultRule.from_json({"kind": "slow", "delay_s": 1, "method": "POST", "count": None}))
    assert board.take("GET", "/v1/health", ("error",)) is None
    assert board.take("GET", "/v1/offer", ("error",)) is not None
    assert board.take("GET", "/v1/offer", ("error",)) is not None
    assert board.take("GET", "/v1/offer", ("error",)) is None
    for _ in range(5):
        assert board.take("POST", "/v1/issuances", ("slow",)) is not None
    assert board.take("GET", "/v1/issuances", ("slow",)) is None
    board.set_municipality_delay("131202", 9.0)
    assert board.municipality_delay("131202") == 9.0
    board.clear()
    assert board.municipality_delay("131202") == 0.0
    assert board.take("POST", "/v1/issuances", ("slow",)) is None
