"""The application's state: settings and the current loaded service, swapped whole on reload."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import anyio
from starlette.requests import HTTPConnection

from kg.assessment.service import LegPainService
from kg.core.settings import Settings
from kg.knowledge.graph import LoadedGraph
from kg.stores.errors import StoreError

T = TypeVar("T")

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


class Rendered:
    """Documents rendered from a loaded graph (reference pages, RDF serializations), kept until a reload
    swaps in another graph: keyed by the graph's input hash and what was rendered, a few entries at
    most."""

    MAX_ENTRIES = 12

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str], object] = OrderedDict()

    def get(self, graph: LoadedGraph, what: str, make: Callable[[], T]) -> T:
        key = (graph.closure.input_hash, what)
        if key not in self._entries:
            self._entries[key] = make()
            while len(self._entries) > self.MAX_ENTRIES:
                self._entries.popitem(last=False)
        return cast(T, self._entries[key])  # what `make` built for this graph and `what`


@dataclass
class AppState:
    settings: Settings
    service: LegPainService | None = None
    load_error: str | None = None
    reload_lock: anyio.Lock = field(default_factory=anyio.Lock)
    rendered: Rendered = field(default_factory=Rendered)

    def require(self) -> LegPainService:
        """The loaded service, or `NotReadyError` while it is loading."""
        if self.service is None:
            raise NotReadyError(self.load_error or "the knowledge graph is still loading")
        return self.service


def app_state(connection: HTTPConnection) -> AppState:
    """The `AppState` of the app serving this request."""
    state: AppState = connection.app.state.legpain
    return state
