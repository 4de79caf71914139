"""Schemathesis against the running simulated center (issue 16): requests generated from the
center's own OpenAPI document, valid and invalid (schemathesis' positive and negative modes),
over mutual TLS with a registered kiosk's certificate, for every operation of both protocol
versions. Bounded: at most 20 examples per operation and mode (about 1 400 requests, ≈20 s).
Every answer: no server error, a status the document lists for the operation, the documented
content type and schema, and every non-2xx answer in the protocol's error format
(docs/center-protocol.md, "Errors").

The first run found a gap: every call with an Idempotency-Key may answer 409 (a key reused with
another request), which the document did not list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hw_sim.center import openapi
from kiosk.center import wire
from tests.hw_sim.center.harness import RunningCenter

schema = schemathesis.openapi.from_dict(openapi.document())
# Operations served on the public verification listener (their own `servers` in the document).
PUBLIC_OPERATIONS = {"/v2/verifications/{serial}"}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def mtls(running_center: RunningCenter) -> Iterator[requests.Session]:
    config = running_center.kiosk_config("kiosk-0002")
    with requests.Session() as session:
        session.trust_env = False
        session.verify = str(config.ca_path)
        session.cert = (str(config.cert_path), str(config.key_path))
        yield session


@pytest.fixture(scope="module")
def public(running_center: RunningCenter) -> Iterator[requests.Session]:
    """A relying party's session: the center's CA, no client certificate."""
    with requests.Session() as session:
        session.trust_env = False
        session.verify = str(running_center.kiosk_config("kiosk-0002").ca_path)
        yield session


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_center_answers_every_generated_request_as_documented(
    case: Any, center: RunningCenter, mtls: requests.Session, public: requests.Session
) -> None:
    config = center.kiosk_config("kiosk-0002")
    if case.operation.path in PUBLIC_OPERATIONS:
        # Its own listener (the document's per-operation `servers`), without a client
        # certificate; a fresh bucket per example so the rate limit answers 429 only when
        # the generated request itself floods.
        center.admin("DELETE", "/admin/verification-limits")
        response = case.call(
            base_url=center.endpoints["verification_url"],
            session=public,
            verify=str(config.ca_path),
            timeout=30,
        )
    else:
        response = case.call(
            base_url=center.endpoints["center_url"],
            session=mtls,
            verify=str(config.ca_path),
            cert=(str(config.cert_path), str(config.key_path)),
            timeout=30,
        )
    case.validate_response(response, checks=CHECKS)
    if not 200 <= response.status_code < 300:
        error = wire.ErrorBody.from_wire(wire.loads(response.content))
        assert error.code in wire.ErrorCode
