"""Result formats of the SPARQL endpoint and `Accept` negotiation with q-values.

Pure functions over strings, shared by the HTTP side (the service description, the `format=`
override) and the worker (which negotiates once it knows the query form). Each format has one
canonical media type, which the response carries, and aliases that also select it
(`application/json` for SPARQL JSON results, `text/plain` for N-Triples ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kg.core import formats as rdf

Kind = Literal["results", "graph"]


@dataclass(frozen=True)
class Format:
    """One serialization the endpoint writes."""

    name: str
    kind: Kind
    media_type: str
    aliases: tuple[str, ...] = ()
    #: The W3C format IRI (http://www.w3.org/ns/formats/), for the service description.
    w3c: str = ""

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        """What the response says: text formats are UTF-8."""
        return f"{self.media_type}; charset=utf-8"


_W3C = "http://www.w3.org/ns/formats/"

#: In order of preference: the first is the default when `Accept` is absent or `*/*`.
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "results", "application/sparql-results+json", ("application/json",), _W3C + "SPARQL_Results_JSON"),
    Format("xml", "results", "application/sparql-results+xml", (), _W3C + "SPARQL_Results_XML"),
    Format("csv", "results", "text/csv", (), _W3C + "SPARQL_Results_CSV"),
    Format("tsv", "results", "text/tab-separated-values", (), _W3C + "SPARQL_Results_TSV"),
)
#: The RDF formats of `kg.core.formats` that CONSTRUCT and DESCRIBE answers are written in.
GRAPH_FORMATS: tuple[Format, ...] = tuple(
    Format(f.name, "graph", f.media_type, f.media_aliases, f.w3c) for f in rdf.GRAPH_FORMATS
)
FORMATS: dict[Kind, tuple[Format, ...]] = {"results": RESULT_FORMATS, "graph": GRAPH_FORMATS}

#: `format=` values (as Fuseki and Virtuoso accept them) -> format name, per kind of result; an RDF
#: format's own names and aliases (`kg.core.formats`) select it too.
_SHORT_NAMES: dict[Kind, dict[str, str]] = {
    "results": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"},
    "graph": {"json": "jsonld"},
}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an `Accept` header."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """3 for an exact match, 2 for `type/*`, 1 for `*/*`, 0 for no match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an `Accept` header; malformed entries are skipped, not fatal."""
    ranges: list[MediaRange] = []
    for item in (header or "").split(","):
        parts = [p.strip() for p in item.split(";")]
        main, sep, sub = parts[0].lower().partition("/")
        if not sep or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
                break
        ranges.append(MediaRange(main, sub, q))
    return ranges


def quality(ranges: list[MediaRange], fmt: Format) -> float:
    """The q-value the client gives a format: that of the most specific range matching any of its
    media types (RFC 9110 12.5.1), so `text/*;q=0.1, text/csv` ranks CSV at 1."""
    best_specificity, best_q = 0, 0.0
    for media_type in fmt.media_types:
        for r in ranges:
            s = r.specificity(media_type)
            if s > best_specificity or (s == best_specificity and s and r.q > best_q):
                best_specificity, best_q = s, r.q
    return best_q


def negotiate(accept: str | None, kind: Kind) -> Format | None:
    """The format to answer in, or None (406) when the client accepts none of this kind.

    A missing or empty `Accept` means anything; ties go to the server's order of preference."""
    return best_format(accept, FORMATS[kind])


def best_format(accept: str | None, offered: tuple[Format, ...]) -> Format | None:
    """The offered format the client's `Accept` ranks highest (ties: the order offered), None if it
    accepts none; a missing or empty `Accept` gets the first."""
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        q = quality(ranges, fmt)
        if q > best_q:
            best, best_q = fmt, q
    return best


def from_short_name(name: str, kind: Kind) -> Format | None:
    """The format a `format=` parameter names for this kind of result (`json`, `ttl`, `csv` ...)."""
    wanted = _SHORT_NAMES[kind].get(name.strip().lower())
    if wanted is None and kind == "graph":
        chosen = rdf.rdf_format(name)
        wanted = chosen.name if chosen is not None else None
    if wanted is None:
        # a full media type is accepted too
        return negotiate(name, kind) if "/" in name else None
    return next(f for f in FORMATS[kind] if f.name == wanted)


def describe(kind: Kind) -> str:
    """The media types of a kind, for error messages."""
    return ", ".join(f.media_type for f in FORMATS[kind])
