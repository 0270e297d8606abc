"""The application's state: settings and the current loaded service, swapped whole on reload."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import anyio
from starlette.requests import HTTPConnection

from kg.assessment.service import LegPainService
from kg.core.settings import Settings
from kg.stores.base import StoreError

# an absolute file path (two or more segments): clients are told which file, never where it lives
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/:'\"()]+/)+([^\s/:'\"()]+)")


def public_message(exc: BaseException) -> str:
    """What an HTTP client may read of a failure: what went wrong, without where (no store address,
    no absolute path: a file is named by its name alone). The full text goes to the server log."""
    if isinstance(exc, StoreError):
        return exc.public
    return _ABSOLUTE_PATH.sub(r"\1", str(exc))


class NotReadyError(RuntimeError):
    """The graph is still loading (or failed to load); answered with 503."""


@dataclass
class AppState:
    settings: Settings
    service: LegPainService | None = None
    load_error: str | None = None
    reload_lock: anyio.Lock = field(default_factory=anyio.Lock)

    def require(self) -> LegPainService:
        """The loaded service, or `NotReadyError` while it is loading."""
        if self.service is None:
            raise NotReadyError(self.load_error or "the knowledge graph is still loading")
        return self.service


def app_state(connection: HTTPConnection) -> AppState:
    """The `AppState` of the app serving this request."""
    state: AppState = connection.app.state.legpain
    return state
