"""The OpenAPI description agrees with the wire models and is valid YAML = the same document."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from hw_sim.center import openapi
from kiosk.center import wire
from tests.kiosk.center.test_wire import SAMPLES

SCHEMAS = openapi.document()["components"]["schemas"]


def test_yaml_and_json_are_the_same_document() -> None:
    assert yaml.safe_load(openapi.as_yaml()) == openapi.document()


def test_every_reference_resolves() -> None:
    def refs(value: Any) -> list[str]:
        if isinstance(value, dict):
            found = [value["$ref"]] if "$ref" in value else []
            return found + [r for item in value.values() for r in refs(item)]
        if isinstance(value, list):
            return [r for item in value for r in refs(item)]
        return []

    for ref in refs(openapi.document()):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in SCHEMAS


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_schema_properties_are_the_wire_fields(message: Any) -> None:
    name = type(message).__name__
    name = {"ErrorBody": "Error", "RegistrationStatus": "RegistrationStatus"}.get(name, name)
    schema = SCHEMAS[name]
    value = message.to_wire()
    assert set(schema["properties"]) == set(value)
    assert set(schema["required"]) == set(value)  # every field is present (null explicit)
    assert schema["additionalProperties"] is False


VERSIONED = [
    m
    for m in SAMPLES
    if f"{type(m).__name__}V1" in SCHEMAS and getattr(m, "payment", None) != "counter"
]


def test_v1_schemas_are_the_v1_wire_fields() -> None:
    """Messages that differ in v1 have a ``…V1`` schema, used by the deprecated /v1 calls."""
    assert {type(m).__name__ for m in VERSIONED} == {"CompletionReport", "Settlement"}
    for message in VERSIONED:
        value = message.to_wire(version=1)
        schema = SCHEMAS[f"{type(message).__name__}V1"]
        assert set(schema["properties"]) == set(value) == set(schema["required"])
        assert set(SCHEMAS[type(message).__name__]["properties"]) > set(value)  # v2 adds
        if value.get("lines"):
            assert set(SCHEMAS["SettlementLineV1"]["properties"]) == set(value["lines"][0])


def test_every_version_is_described() -> None:
    """Each version's calls name the shapes that version has: an older shape under the name of
    the last version that had it (v1's completion, v1 and v2's offer)."""
    paths = openapi.document()["paths"]
    expected = {1: ("CompletionReportV1", "OfferV2"), 2: ("CompletionReport", "OfferV2")}
    for version in wire.SUPPORTED_VERSIONS:
        prefix = wire.api_prefix(version)
        completion = paths[f"{prefix}/issuances/{{issuance_id}}/completion"]["post"]
        body = completion["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        offer = paths[f"{prefix}/offer"]["get"]
        answer = offer["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        names = expected.get(version, ("CompletionReport", "Offer"))
        assert body.endswith(f"/{names[0]}")
        assert answer.endswith(f"/{names[1]}")
        assert ("deprecated" in completion) is (version != wire.PROTOCOL_VERSION)


def test_offer_notices_by_version() -> None:
    from kiosk.domain import NoticeKind, NoticeText, Offer

    offer = Offer(
        "131202", "練馬区", (), notices=(NoticeText.of(NoticeKind.CLOSURE, {"ja": "休止"}),)
    )
    v3 = SCHEMAS["Offer"]["properties"]["notices"]["items"]
    assert set(v3["properties"]) == set(wire.offer_to_wire(offer)["notices"][0])
    v2 = SCHEMAS["OfferV2"]["properties"]["notices"]["items"]
    assert v2["type"] == "string"
    assert wire.offer_to_wire(offer, 2)["notices"] == ["休止"]


def test_offer_and_envelope_schemas_match() -> None:
    from kiosk.domain import Offer, OfferedCertificate
    from printing.certificates import CertificateKind, CertificateRequest, Jurisdiction, NoOptions

    offer = Offer(
        "131202",
        "練馬区",
        (OfferedCertificate(CertificateKind.INKAN, Jurisdiction.RESIDENCE, 200, 300),),
    )
    value = wire.offer_to_wire(offer)
    assert set(SCHEMAS["Offer"]["properties"]) == set(value)
    assert set(SCHEMAS["OfferedCertificate"]["properties"]) == set(value["certificates"][0])
    request = wire.request_to_wire(
        CertificateRequest(CertificateKind.INKAN, Jurisdiction.RESIDENCE, NoOptions(), 1)
    )
    assert set(SCHEMAS["CertificateRequest"]["properties"]) == set(request)
    from tests.kiosk.center.test_verify import envelope

    value = envelope().to_wire()
    assert set(SCHEMAS["Envelope"]["properties"]) == set(value)
    assert set(SCHEMAS["IssuedCopy"]["properties"]) == set(value["copies"][0])
    assert set(SCHEMAS["BackSidePage"]["properties"]) == set(value["copies"][0]["back_sides"][0])


def test_error_reasons_list_every_reason() -> None:
    reason = SCHEMAS["Error"]["properties"]["error"]["properties"]["reason"]["oneOf"][0]
    assert set(reason["enum"]) == set(wire.REASONS)


def test_the_committed_copy_is_current() -> None:
    """docs/center-openapi.yaml is regenerated with ``python -m hw_sim.center openapi``."""
    from pathlib import Path

    committed = Path(__file__).resolve().parents[3] / "docs" / "center-openapi.yaml"
    assert committed.read_text(encoding="utf-8") == openapi.as_yaml()
