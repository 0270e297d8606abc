"""How `legpain serve` runs the app under uvicorn: a header-read timeout, and logs a collector can read.

- **Header timeout.** uvicorn closes idle keep-alive connections, but not one that opened and then
  sends its request line and headers a byte at a time (slowloris): a thousand such connections
  stayed open for as long as their clients liked. `HeaderTimeoutProtocol` is uvicorn's httptools
  protocol with one timer more: from the moment a connection opens, or a new request on it begins,
  its headers must be complete within `LEGPAIN_HEADER_TIMEOUT_S` seconds, or the connection is
  closed. uvicorn takes the class by its import path, so every worker process uses it.
- **Logs.** `log_config(level, fmt)` is the `logging.config.dictConfig` that uvicorn is started with:
  one stderr handler for the app's loggers (`legpain...`) and uvicorn's, either text (the default) or
  JSON lines (`--log-format json`) for log collectors. Every record carries the request ID of the
  request it was logged for (`api.middleware.request_id`), or `-` outside a request. uvicorn's own access log is
  off: `api.middleware.request_id` writes one access line per request instead, with its ID and duration.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.middleware.request_id import current_request_id
from kg.core.settings import Settings

PROTOCOL = "api.server:HeaderTimeoutProtocol"


@functools.cache
def header_timeout() -> float:
    """`Settings.header_timeout_s` (LEGPAIN_HEADER_TIMEOUT_S), read once per process: uvicorn builds
    each connection's protocol itself, from an import path, so the setting cannot be passed in."""
    return Settings.from_env().header_timeout_s


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose headers do not arrive in time."""

    _header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(header_timeout(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        logging.getLogger("legpain.api").info(
            "closing a connection from %s: its request headers did not arrive within %g s",
            self.client,
            header_timeout(),
        )
        self.transport.close()

    def connection_made(  # type: ignore[override]  # as uvicorn's: asyncio's Protocol takes a BaseTransport
        self, transport: asyncio.Transport
    ) -> None:
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the ID of the request being served, or `-`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request ID, and the
    traceback as one string when there is one (so a collector keeps it with its record)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ("method", "path", "status", "duration_ms", "client"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


def log_config(level: str = "info", fmt: str = "text") -> dict[str, Any]:
    """The logging configuration uvicorn starts with (see the module docstring)."""
    formatter: dict[str, Any] = (
        {"()": JsonFormatter} if fmt == "json" else {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S"}
    )
    level = level.upper()
    logger = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"main": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "main",
                "filters": ["request_id"],
            }
        },
        "loggers": {
            "legpain": logger,
            "kg": logger,
            "api": logger,
            "uvicorn": logger,
            "uvicorn.error": logger,
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
