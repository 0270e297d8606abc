"""`kg.stores.sparql.plain_rows`: a server's SELECT answer as plain values, whatever results format
it answers in; the same values `native_rows` gives in process."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from kg.stores.http import Answer, SparqlHttpClient
from kg.stores.sparql import plain_rows

BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


class _Canned(SparqlHttpClient):
    """A client whose server always gives the same answer."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("http://127.0.0.1:9/query", None, 1.0)
        self.answer = answer
        self.sent: list[str] = []

    def query(self, text: str, **kwargs: Sequence[str] | bool | float | int | None) -> Answer:  # type: ignore[override]
        self.sent.append(text)
        return self.answer


def test_json_results_become_plain_values() -> None:
    body = orjson.dumps(
        {
            "head": {"vars": ["s", "flag", "n", "label", "missing"]},
            "results": {
                "bindings": [
                    {
                        "s": {"type": "uri", "value": "urn:s"},
                        "flag": {"type": "literal", "datatype": BOOLEAN, "value": "false"},
                        "n": {"type": "literal", "datatype": INTEGER, "value": "3"},
                        "label": {"type": "literal", "xml:lang": "en", "value": "calf"},
                    },
                    {
                        "s": {"type": "bnode", "value": "b0"},
                        "flag": {"type": "literal", "datatype": BOOLEAN, "value": "1"},
                    },
                ]
            },
        }
    )
    client = _Canned(Answer("application/sparql-results+json", body))
    assert plain_rows(client, "SELECT * {}") == [
        {"s": "urn:s", "flag": False, "n": "3", "label": "calf"},
        {"s": "b0", "flag": True},
    ]
    assert client.sent == ["SELECT * {}"]


def test_xml_results_are_read_too() -> None:
    body = b"""<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head><variable name="s"/><variable name="flag"/></head>
  <results>
    <result><binding name="s"><uri>urn:s</uri></binding>
            <binding name="flag"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">true</literal></binding></result>
    <result><binding name="s"><uri>urn:t</uri></binding></result>
  </results>
</sparql>"""
    client = _Canned(Answer("application/sparql-results+xml", body))
    assert plain_rows(client, "SELECT * {}") == [{"s": "urn:s", "flag": True}, {"s": "urn:t"}]
