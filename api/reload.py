"""Safe reload: pick up changed or new extension modules without losing what is being served.

A reload validates the inputs first (`kg.authoring.validation`: syntax, consistency, checks, shapes); a module
that fails is refused with the report and the server keeps serving the last good graph. Only a
graph that validates and loads is swapped in, whole, so a request sees either the old graph or the
new one. Triggered by SIGHUP (single-process server) or `POST /admin/reload` (off unless
`LEGPAIN_ADMIN_TOKEN` is set; the token goes in `Authorization: Bearer ...`).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from enum import StrEnum

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.state import AppState, app_state, public_message
from kg.assessment.service import load_service
from kg.authoring.validation import Level, ValidationReport, validate
from kg.stores.errors import StoreError
from kg.stores.registry import backend_for

log = logging.getLogger("legpain.api.reload")


class ReloadStatus(StrEnum):
    """How a reload ended, and the HTTP status it answers with."""

    RELOADED = "reloaded"
    #: validation failed or the new graph could not be loaded: the last good graph is still served
    REFUSED = "refused"
    #: another reload is running
    BUSY = "busy"

    @property
    def http_status(self) -> int:
        return {ReloadStatus.RELOADED: 200, ReloadStatus.REFUSED: 422, ReloadStatus.BUSY: 409}[self]


@dataclass(frozen=True)
class ReloadOutcome:
    status: ReloadStatus
    report: ValidationReport | None
    detail: str

    def as_json(self, state: AppState) -> dict[str, object]:
        service = state.service
        body: dict[str, object] = {"status": self.status, "detail": self.detail}
        if service is not None:
            try:
                body["serving"] = service.describe()
            except StoreError as exc:
                body["serving"] = {"store": service.backend.scheme, "error": exc.public}
        if self.report is not None:
            body["report"] = {
                "ok": self.report.ok,
                "summary": {lvl: self.report.count(lvl) for lvl in Level},
                "problems": [p.__dict__ for p in self.report.problems],
            }
        return body


async def reload_graph(state: AppState) -> ReloadOutcome:
    """Validate, then load and swap in the new graph; refuse and keep the old one on any error."""
    if state.reload_lock.locked():
        return ReloadOutcome(ReloadStatus.BUSY, None, "a reload is already running")
    async with state.reload_lock:
        if backend_for(state.settings.store).persistent:
            # the store holds what `legpain load` wrote: reloading re-reads it; the files are not
            # involved, so there is nothing of this process's to validate
            report = None
        else:
            report = await anyio.to_thread.run_sync(validate, state.settings)
        if report is not None and not report.ok:
            log.warning("reload refused: %d error(s); still serving the last good graph", report.count(Level.ERROR))
            return ReloadOutcome(ReloadStatus.REFUSED, report, "validation failed; still serving the last good graph")
        try:
            service = await anyio.to_thread.run_sync(load_service, state.settings)
        except Exception as exc:  # anything at all: keep serving what we have
            log.exception("reload failed while loading")
            return ReloadOutcome(
                ReloadStatus.REFUSED,
                report,
                f"loading failed ({public_message(exc)}); still serving the last good graph",
            )
        state.service = service
        state.load_error = None
        message = service.graph.closure.message if service.graph else "reconnected to the store"
        log.info("reloaded: %s", message)
        return ReloadOutcome(ReloadStatus.RELOADED, report, message)


async def admin_reload(request: Request) -> Response:
    """`POST /admin/reload`: 404 when the admin endpoint is off, 401 without the right token."""
    state = app_state(request)
    token = state.settings.admin_token
    if not token:
        return JSONResponse({"detail": "not found"}, status_code=404)
    scheme, _, given = request.headers.get("authorization", "").strip().partition(" ")
    # the scheme is case-insensitive (RFC 9110, section 11.1); the token is compared in constant time
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return JSONResponse(
            {"detail": "a valid bearer token is required"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    outcome = await reload_graph(state)
    return JSONResponse(outcome.as_json(state), status_code=outcome.status.http_status)
