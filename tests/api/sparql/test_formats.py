"""Content negotiation: q-values, specificity, aliases, defaults and `format=` names."""

from __future__ import annotations

import pytest

from api.sparql.formats import from_short_name, negotiate, parse_accept


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        (None, "results", "json"),
        ("", "results", "json"),
        ("*/*", "results", "json"),
        ("*/*", "graph", "turtle"),
        ("application/sparql-results+xml", "results", "xml"),
        ("text/csv", "results", "csv"),
        ("text/tab-separated-values", "results", "tsv"),
        ("application/json", "results", "json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "results", "xml"),
        ("text/*;q=0.1, text/tab-separated-values", "results", "tsv"),
        ("application/sparql-results+json;q=0, */*;q=0.5", "results", "xml"),
        ("application/n-triples", "graph", "ntriples"),
        ("application/ld+json", "graph", "jsonld"),
        ("application/rdf+xml", "graph", "rdfxml"),
        ("text/turtle;charset=utf-8;q=0.8, application/rdf+xml;q=0.9", "graph", "rdfxml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "results", "json"),
        ("application/sparql-results+json, text/turtle;q=0.9", "graph", "turtle"),
        ("garbage, text/csv", "results", "csv"),
    ],
)
def test_negotiation_honours_q_values_and_specificity(accept: str | None, kind: str, expected: str) -> None:
    chosen = negotiate(accept, kind)  # type: ignore[arg-type]
    assert chosen is not None and chosen.name == expected


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("image/png", "results"),
        ("text/turtle", "results"),
        ("application/sparql-results+json", "graph"),
        ("text/csv", "graph"),
        ("*/*;q=0", "results"),
    ],
)
def test_nothing_acceptable_gives_none(accept: str, kind: str) -> None:
    assert negotiate(accept, kind) is None  # type: ignore[arg-type]


def test_malformed_q_values_do_not_fail() -> None:
    ranges = parse_accept("text/csv;q=abc, text/plain;q=7, */foo")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "csv", 0.0), ("text", "plain", 1.0)]


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("json", "results", "json"),
        ("xml", "results", "xml"),
        ("csv", "results", "csv"),
        ("tsv", "results", "tsv"),
        ("json", "graph", "jsonld"),
        ("xml", "graph", "rdfxml"),
        ("ttl", "graph", "turtle"),
        ("nt", "graph", "ntriples"),
        ("text/csv", "results", "csv"),
    ],
)
def test_format_parameter_names(name: str, kind: str, expected: str) -> None:
    chosen = from_short_name(name, kind)  # type: ignore[arg-type]
    assert chosen is not None and chosen.name == expected


def test_unknown_format_name_falls_back_to_accept() -> None:
    assert from_short_name("yaml", "results") is None
