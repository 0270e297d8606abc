"""The result writers: byte for byte what Oxigraph writes, and parsed back by rdflib to the same terms."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.query import Result

from api.sparql import results as sparql_results

# escapes, quotes, tabs, new lines, commas, a language tag, numbers that TSV writes short or long,
# a typed literal, an IRI with a character XML must escape, an unbound variable
TRICKY = r"""
SELECT ?text ?lang ?int ?dec ?dbl ?bool ?typed ?iri ?unbound
WHERE {
  VALUES (?text ?lang ?int ?dec ?dbl ?bool ?typed ?iri) {
    ("say \"hi\",\tthen\nbye \\ <&>" "Grüße"@de-AT 42 -1.50 1e3 true "x"^^<urn:type> <http://example.org/a?b=1&c=2>)
    ("plain" "hello"@en -7 0.0 "NaN"^^<http://www.w3.org/2001/XMLSchema#double> false
     "01"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:x>)
  }
}
"""
RDF12 = 'SELECT ?t ?d WHERE { BIND(TRIPLE(<urn:s>, <urn:p>, "o"@en) AS ?t) BIND("x"@ar--rtl AS ?d) }'
FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def _ours(store: ox.Store, query: str, name: str) -> bytes:
    result = store.query(query)
    variables = [v.value for v in result.variables]
    return sparql_results.write_select(name, variables, [tuple(s) for s in result])


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return ox.Store()


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("query", [TRICKY.replace("-1.50", "1.50"), RDF12, "SELECT * {}", "SELECT ?x { } LIMIT 0"])
def test_select_writers_match_oxigraph_byte_for_byte(store: ox.Store, query: str, name: str) -> None:
    expected = store.query(query).serialize(format=FORMATS[name])
    assert _ours(store, query, name) == expected


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("answer", [True, False])
def test_ask_writers_match_oxigraph(store: ox.Store, name: str, answer: bool) -> None:
    query = "ASK {}" if answer else "ASK { FILTER(false) }"
    assert sparql_results.write_boolean(name, answer) == store.query(query).serialize(format=FORMATS[name])


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_rdflib_reads_back_the_same_terms(store: ox.Store, name: str) -> None:
    result = Result.parse(io.BytesIO(_ours(store, TRICKY, name)), format=name)
    rows = {tuple(row) for row in result}  # type: ignore[arg-type]
    first = next(r for r in rows if r[0] is not None and str(r[0]).startswith("say"))
    assert str(first[0]) == 'say "hi",\tthen\nbye \\ <&>'
    assert first[1] == Literal("Grüße", lang="de-AT")
    assert first[2] == Literal(42)
    assert first[5] == Literal(True)
    assert first[6] == Literal("x", datatype=URIRef("urn:type"))
    assert first[7] == URIRef("http://example.org/a?b=1&c=2")
    assert first[8] is None


def test_negative_decimals_stay_quoted_in_tsv(store: ox.Store) -> None:
    """The one place the TSV differs from Oxigraph's: rdflib cannot read an unquoted `-1.5`."""
    body = _ours(store, "SELECT ?d { BIND(-1.50 AS ?d) }", "tsv")
    assert body == b'?d\n"-1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>\n'


def test_rdflib_reads_back_csv_values(store: ox.Store) -> None:
    result = Result.parse(io.BytesIO(_ours(store, TRICKY, "csv")), format="csv")
    values = {str(row[0]) for row in result}  # type: ignore[index]
    assert 'say "hi",\tthen\nbye \\ <&>' in values
