"""The center's HTTPS application: routes of docs/center-protocol.md on top of CenterService.

Every supported protocol version is served side by side (``/v1``, ``/v2`` and ``/v3``,
wire.versions): the calls are the same, only the envelope (v3 names the business day), the
completion report (v2 adds the payment place) and the settlement differ in shape.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web

from hw_sim.center import openapi
from hw_sim.center.faults import FaultBoard
from hw_sim.center.http import (
    MAX_REQUEST_BYTES,
    Answer,
    ApiError,
    Idempotency,
    StepTimer,
    error_middleware,
    fault_middleware,
    json_response,
    kiosk_middleware,
    parse,
    read_json,
)
from hw_sim.center.service import CenterService
from kiosk.center import wire

SERVICE = web.AppKey("service", CenterService)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Calls answered even while the center is in maintenance (so a kiosk can tell staff until when).
OPEN_DURING_MAINTENANCE = frozenset(
    {
        *(
            f"{wire.api_prefix(version)}/{call}"
            for version in wire.SUPPORTED_VERSIONS
            for call in ("health", "notices")
        ),
        "/openapi.yaml",
        "/openapi.json",
    }
)


def request_version(request: web.Request) -> int:
    """The protocol version of the path asked (``/v2/...`` → 2)."""
    prefix = request.path.split("/", 2)[1] if request.path.count("/") >= 2 else ""
    for version in wire.SUPPORTED_VERSIONS:
        if prefix == wire.api_prefix(version)[1:]:
            return version
    raise ApiError(wire.ErrorCode.NOT_FOUND, "no such protocol version")


def create_app(service: CenterService, faults: FaultBoard, resign: Any) -> web.Application:
    """The aiohttp application (mount it on an SSL site that requires client certificates)."""
    idempotency = Idempotency(service.store, service.sessions)

    @web.middleware
    async def maintenance(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path not in OPEN_DURING_MAINTENANCE:
            service.check_open()
        return await handler(request)

    @web.middleware
    async def request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        rid = request.headers.get("X-Request-Id")
        if rid and len(rid) <= 64 and rid.isascii() and rid.isprintable():
            response.headers["X-Request-Id"] = rid
        return response

    app = web.Application(
        client_max_size=MAX_REQUEST_BYTES,
        middlewares=[
            request_id,
            fault_middleware(faults, resign),
            error_middleware(),
            kiosk_middleware(service.kiosk_for),
            maintenance,
        ],
    )
    app[SERVICE] = service

    async def health(request: web.Request) -> web.Response:
        return json_response(service.health(request_version(request)).to_wire())

    async def notices(request: web.Request) -> web.Response:
        return json_response((await service.notices()).to_wire())

    async def municipalities(request: web.Request) -> web.Response:
        return json_response(service.municipalities().to_wire())

    async def challenges(request: web.Request) -> web.Response:
        key = Idempotency.key_of(request, required=False)
        body = await read_json(request)
        asked = parse("challenge request", wire.ChallengeRequest.from_wire, body)

        async def compute(_: str) -> Answer:
            challenge = await service.auth.create_challenge(request["kiosk_id"], asked.purpose)
            return Answer(200, wire.dumps(challenge.to_wire()))

        return await idempotency.run(request, key, body, compute)

    async def sessions(request: web.Request) -> web.Response:
        key = Idempotency.key_of(request, required=False)
        body = await read_json(request)
        answer = parse("challenge answer", wire.ChallengeAnswer.from_wire, body)

        async def compute(_: str) -> Answer:
            timer = StepTimer()
            grant = await service.auth.open_session(request["kiosk_id"], answer, timer)
            return Answer(200, wire.dumps(grant.to_wire()), headers=timer.header())

        return await idempotency.run(request, key, body, compute)

    async def end_session(request: web.Request) -> web.Response:
        await service.auth.end_session(request["kiosk_id"], request.headers.get("Authorization"))
        return web.Response(status=204)

    async def offer(request: web.Request) -> web.Response:
        timer = StepTimer()
        session = await service.auth.session(
            request["kiosk_id"], request.headers.get("Authorization"), wire.AuthPurpose.ISSUANCE
        )
        timer.lap("session")
        offer = await service.offer(session, timer)
        return json_response(
            wire.offer_to_wire(offer, request_version(request)), headers=dict(timer.header())
        )

    async def issuances(request: web.Request) -> web.Response:
        key = Idempotency.key_of(request, required=True)
        assert key is not None
        body = await read_json(request)
        version = request_version(request)
        asked = parse(
            "issuance request", lambda v: wire.IssuanceRequest.from_wire(v, version), body
        )

        async def compute(fingerprint: str) -> Answer:
            session = await service.auth.session(
                request["kiosk_id"], request.headers.get("Authorization"), wire.AuthPurpose.ISSUANCE
            )
            return await service.issue(
                request["kiosk_id"], key, session, asked.request, fingerprint, version
            )

        return await idempotency.run(request, key, body, compute)

    async def completion(request: web.Request) -> web.Response:
        key = Idempotency.key_of(request, required=True)
        body = await read_json(request)
        version = request_version(request)
        report = parse(
            "completion report", lambda v: wire.CompletionReport.from_wire(v, version), body
        )
        issuance_id = request.match_info["issuance_id"]

        async def compute(_: str) -> Answer:
            receipt = await service.complete(request["kiosk_id"], issuance_id, report)
            return Answer(200, wire.dumps(receipt.to_wire()))

        return await idempotency.run(request, key, body, compute)

    async def settlement(request: web.Request) -> web.Response:
        try:
            day = date.fromisoformat(request.match_info["day"])
        except ValueError:
            raise ApiError(wire.ErrorCode.MALFORMED_REQUEST, "the day must be YYYY-MM-DD") from None
        settlement = await service.settlement(request["kiosk_id"], day)
        return json_response(settlement.to_wire(request_version(request)))

    async def registrations(request: web.Request) -> web.Response:
        key = Idempotency.key_of(request, required=True)
        body = await read_json(request)
        application = parse("registration", wire.RegistrationApplication.from_wire, body)

        async def compute(_: str) -> Answer:
            session = await service.auth.session(
                request["kiosk_id"],
                request.headers.get("Authorization"),
                wire.AuthPurpose.REGISTRATION,
            )
            receipt = await service.register(request["kiosk_id"], session, application)
            return Answer(200, wire.dumps(receipt.to_wire()))

        return await idempotency.run(request, key, body, compute)

    async def registration_status(request: web.Request) -> web.Response:
        number = request.match_info["number"]
        if not wire.messages.APPLICATION_NUMBER.fullmatch(number):
            raise ApiError(wire.ErrorCode.NOT_FOUND, "no such application number")
        return json_response((await service.registration_status(number)).to_wire())

    async def openapi_yaml(request: web.Request) -> web.Response:
        return web.Response(text=openapi.as_yaml(), content_type="application/yaml")

    async def openapi_json(request: web.Request) -> web.Response:
        return web.Response(
            text=json.dumps(openapi.document(), ensure_ascii=False, indent=2),
            content_type="application/json",
        )

    for version in wire.SUPPORTED_VERSIONS:
        v = wire.api_prefix(version)
        app.router.add_get(f"{v}/health", health)
        app.router.add_get(f"{v}/notices", notices)
        app.router.add_get(f"{v}/municipalities", municipalities)
        app.router.add_post(f"{v}/auth/challenges", challenges)
        app.router.add_post(f"{v}/auth/sessions", sessions)
        app.router.add_delete(f"{v}/auth/session", end_session)
        app.router.add_get(f"{v}/offer", offer)
        app.router.add_post(f"{v}/issuances", issuances)
        app.router.add_post(f"{v}/issuances/{{issuance_id}}/completion", completion)
        app.router.add_get(f"{v}/settlements/{{day}}", settlement)
        app.router.add_post(f"{v}/registrations", registrations)
        app.router.add_get(f"{v}/registrations/{{number}}", registration_status)
    app.router.add_get("/openapi.yaml", openapi_yaml)
    app.router.add_get("/openapi.json", openapi_json)
    return app
