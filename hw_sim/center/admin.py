"""The loopback-only admin endpoint of the simulated center: faults, clock, maintenance,
kiosk certificates and JPKI revocations at run time (used by tests, the CLI and the dev dock).

Plain HTTP bound to 127.0.0.1, and every request's peer address is checked to be loopback:
the admin endpoint is never reachable from another machine.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from hw_sim.center.faults import BusinessClock, FaultBoard, FaultRule
from hw_sim.center.keys import CenterKeys
from hw_sim.center.service import CenterMaintenance, CenterService
from hw_sim.center.state import Notice
from kiosk.center import wire

log = logging.getLogger(__name__)


@dataclass
class AdminContext:
    service: CenterService
    faults: FaultBoard
    clock: BusinessClock
    keys: CenterKeys
    persona_serials: dict[str, int]  # persona id → auth certificate serial


def kiosk_spec(spec: str) -> tuple[str, tuple[str, ...]]:
    """``ID`` or ``ID=MODES`` (``--kiosk``) → (kiosk id, payment modes): where the kiosk takes
    fees, comma-separated ``wire.PaymentPlace`` values; a kiosk named alone is a store kiosk,
    paid at the kiosk (docs/center-protocol.md, "Completion")."""
    kiosk_id, equals, modes = spec.partition("=")
    places = tuple(mode.strip() for mode in modes.split(",")) if equals else ("kiosk",)
    known = {place.value for place in wire.PaymentPlace}
    if not wire.KIOSK_ID.fullmatch(kiosk_id) or not places or not set(places) <= known:
        raise ValueError(f"a kiosk is ID or ID=MODES with MODES from {sorted(known)}: {spec!r}")
    return kiosk_id, places


def _time(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{field} must be an ISO 8601 timestamp with offset")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{field} needs an offset")
    return moment


def _ok(value: Any = None) -> web.Response:
    return web.json_response({"ok": True, **({"result": value} if value is not None else {})})


def admin_application(ctx: AdminContext) -> web.Application:
    @web.middleware
    async def loopback_only(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        remote = request.remote or ""
        try:
            loopback = ipaddress.ip_address(remote).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return web.json_response({"ok": False, "error": "loopback only"}, status=403)
        try:
            return await handler(request)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)

    store = ctx.service.store

    async def body(request: web.Request) -> dict[str, Any]:
        value = await request.json()
        if not isinstance(value, dict):
            raise ValueError("body must be a JSON object")
        return value

    async def status(request: web.Request) -> web.Response:
        maintenance = ctx.service.maintenance
        return _ok(
            {
                "faults": ctx.faults.describe(),
                "business_now": ctx.clock.now().isoformat(),
                "clock_offset_s": ctx.clock.offset.total_seconds(),
                "center_maintenance_until": maintenance.until.isoformat() if maintenance else None,
                "kiosks": await store.call(store.store.kiosks),
                "issuances": await store.call(store.store.issuance_count),
            }
        )

    async def add_fault(request: web.Request) -> web.Response:
        rule = FaultRule.from_json(await body(request))
        return _ok({"rule_id": ctx.faults.add(rule)})

    async def clear_faults(request: web.Request) -> web.Response:
        ctx.faults.clear()
        return _ok()

    async def municipality_delay(request: web.Request) -> web.Response:
        value = await body(request)
        delay = float(value["delay_s"])
        if not 0 <= delay <= 600:
            raise ValueError("delay_s must be 0..600")
        ctx.faults.set_municipality_delay(str(value["municipality_code"]), delay)
        return _ok()

    async def set_clock(request: web.Request) -> web.Response:
        value = await body(request)
        moment = None if value.get("now") is None else _time(value["now"], "now")
        offset = ctx.clock.set_now(moment)
        return _ok({"offset_s": offset.total_seconds()})

    async def set_maintenance(request: web.Request) -> web.Response:
        value = await body(request)
        code = str(value["municipality_code"])
        start = _time(value["start"], "start") if "start" in value else ctx.clock.now()
        end = (
            _time(value["end"], "end")
            if "end" in value
            else start + timedelta(minutes=float(value.get("minutes", 60)))
        )
        await ctx.service.gateway.set_maintenance(code, start, end)
        message = str(
            value.get("message_ja", "システムメンテナンスのため、証明書の交付を停止しています。")
        )
        notice = Notice(
            f"maintenance-{code}-{int(start.timestamp())}",
            "municipality",
            code,
            start,
            end,
            message,
        )
        await store.call(store.store.add_notice, notice)
        return _ok({"start": start.isoformat(), "end": end.isoformat()})

    async def clear_maintenance(request: web.Request) -> web.Response:
        code = request.match_info["code"]
        await ctx.service.gateway.clear_maintenance(code)
        await store.call(store.store.remove_notices, "municipality", code)
        return _ok()

    async def center_maintenance(request: web.Request) -> web.Response:
        value = await body(request)
        until = (
            _time(value["until"], "until")
            if "until" in value
            else ctx.clock.now() + timedelta(minutes=float(value.get("minutes", 30)))
        )
        message = str(value.get("message_ja", "交付センターのメンテナンス中です。"))
        ctx.service.maintenance = CenterMaintenance(until, message)
        return _ok({"until": until.isoformat()})

    async def end_center_maintenance(request: web.Request) -> web.Response:
        ctx.service.maintenance = None
        return _ok()

    async def add_kiosk(request: web.Request) -> web.Response:
        value = await body(request)
        kiosk_id = str(value["kiosk_id"])
        credentials = ctx.keys.kiosk(kiosk_id)
        if value.get("register", True):
            payment = value.get("payment")
            if payment is None:  # a kiosk registered again keeps its payment modes
                known = await store.call(store.store.kiosk_payment_modes, kiosk_id)
                modes = tuple(sorted(known)) or ("kiosk",)
            else:
                _, modes = kiosk_spec(f"{kiosk_id}={','.join(payment)}")
            await store.call(
                store.store.register_kiosk,
                kiosk_id,
                credentials.fingerprint,
                datetime.now(UTC),
                modes,
            )
            ctx.service.forget_kiosks()
        return _ok(
            {
                "kiosk_id": kiosk_id,
                "cert_path": str(credentials.cert_path),
                "key_path": str(credentials.key_path),
                "ca_path": str(credentials.ca_path),
            }
        )

    async def revoke_kiosk(request: web.Request) -> web.Response:
        kiosk_id = request.match_info["kiosk_id"]
        if not await store.call(store.store.revoke_kiosk, kiosk_id, datetime.now(UTC)):
            raise KeyError(f"unknown kiosk {kiosk_id}")
        ctx.service.forget_kiosks()
        return _ok()

    async def revoke_certificate(request: web.Request) -> web.Response:
        value = await body(request)
        if "persona" in value:
            serial = ctx.persona_serials[str(value["persona"])]
        else:
            serial = int(str(value["serial"]), 16)
        now = datetime.now(UTC).replace(microsecond=0)
        # The validity service reads this table on every request (validity_service.py).
        await store.call(store.store.revoke_certificate, serial, now, "keyCompromise")
        return _ok({"serial": format(serial, "x")})

    app = web.Application(middlewares=[loopback_only])

    async def reset_verification_limits(request: web.Request) -> web.Response:
        """Forget the verification service's rate-limit buckets (tests: one loopback client)."""
        verifications = ctx.service.verifications
        if verifications is not None:
            verifications.reset_limits()
        return _ok()

    app.router.add_get("/admin/status", status)
    app.router.add_post("/admin/faults", add_fault)
    app.router.add_delete("/admin/faults", clear_faults)
    app.router.add_post("/admin/municipality-delay", municipality_delay)
    app.router.add_post("/admin/clock", set_clock)
    app.router.add_post("/admin/maintenance", set_maintenance)
    app.router.add_delete("/admin/maintenance/{code}", clear_maintenance)
    app.router.add_post("/admin/center-maintenance", center_maintenance)
    app.router.add_delete("/admin/center-maintenance", end_center_maintenance)
    app.router.add_post("/admin/kiosks", add_kiosk)
    app.router.add_post("/admin/kiosks/{kiosk_id}/revoke", revoke_kiosk)
    app.router.add_post("/admin/revocations", revoke_certificate)
    app.router.add_delete("/admin/verification-limits", reset_verification_limits)
    return app
