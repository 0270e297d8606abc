"""The errors of the store layer, and a one-line reason for a transport failure (no stack trace)."""

from __future__ import annotations

import socket
import urllib.error
from http.client import HTTPException
from typing import Self


class StoreError(RuntimeError):
    """A store that cannot be used: misconfigured, unreachable, or holding no complete load.

    `str()` names the store (for logs and the operator's terminal); `public` says the same without
    where the store is, for HTTP clients, who need to know what failed but not the store's address."""

    def __init__(self, message: str, public: str | None = None) -> None:
        super().__init__(message)
        self.public = public or message

    @classmethod
    def about(cls, backend: object, text: str) -> Self:
        """`the store <backend> <text>`, and `the store <text>` as the public message."""
        return cls(f"the store {backend} {text}", f"the store {text}")


class StoreSpecError(StoreError, ValueError):
    """A `LEGPAIN_STORE` value that names no backend or misses its location."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached or refused a request; the message says which and why."""


class StoreNotLoadedError(StoreError):
    """The store holds no complete load of the knowledge graph (run `legpain load`)."""


class StoreEngineError(StoreError):
    """The store's engine answers SPARQL against the standard in a way legpain's queries meet, so its
    answers cannot be served (`kg.knowledge.remote.StoreKnowledge` checks before serving)."""


def describe_error(exc: BaseException) -> str:
    """A one-line reason for a store failure, without a stack trace."""
    if isinstance(exc, urllib.error.HTTPError):
        body = ""
        try:
            body = exc.read().decode("utf-8", "replace").strip().splitlines()[0][:200]
        except Exception:  # noqa: BLE001 - the body is only a hint
            pass
        return f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body else "")
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, (ConnectionError, HTTPException, OSError)):
        return f"connection failed ({exc})"
    return f"{type(exc).__name__}: {exc}"
