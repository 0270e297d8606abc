"""SELECT and ASK results written as SPARQL JSON, XML, CSV and TSV from pyoxigraph terms.

Why not pyoxigraph's own `QuerySolutions.serialize`: it writes every solution, and the endpoint must
stop at `sparql_max_rows` and say so; it cannot serialize a list of solutions already read. These
writers follow the W3C formats (and Oxigraph's choices where the formats leave room: compact JSON,
short numbers in TSV (but for negative decimals), `true`/`false` for ASK in CSV and TSV), so a test compares them with
pyoxigraph's output byte for byte. RDF 1.2 triple terms and directional language tags are written
the way SPARQL 1.2 results do, so no query result makes a writer fail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

Term = NamedNode | BlankNode | Literal | Triple
Row = Sequence[Term | None]

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_DIR_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
# Numbers TSV may write without quotes. A negative decimal stays quoted: rdflib's TSV reader fails on
# `-1.5` (it negates a Decimal it cannot), and rdflib is what many Python clients parse with.
_SHORT_TSV = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"\+?[0-9]*\.[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_ITS = ' xmlns:its="http://www.w3.org/2005/11/its" its:version="2.0"'


# ---------------------------------------------------------------------------------------- JSON
def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = _direction(term)
            if direction:
                out["its:dir"] = direction
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _json_select(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# ----------------------------------------------------------------------------------------- XML
_XML_HEAD = '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'


def _xml_text(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            direction = _direction(term)
            extra = f' its:dir="{direction}"{_ITS}' if direction else ""
            return f'<literal xml:lang="{_xml_text(term.language)}"{extra}>{_xml_text(term.value)}</literal>'
        if term.datatype.value != _XSD_STRING:
            return f'<literal datatype="{_xml_text(term.datatype.value)}">{_xml_text(term.value)}</literal>'
        return f"<literal>{_xml_text(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
        f"</predicate><object>{_xml_term(term.object)}</object></triple>"
    )


def _xml_select(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    parts = [_XML_HEAD, "<head>"]
    parts.extend(f'<variable name="{_xml_text(v)}"/>' for v in variables)
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        parts.extend(
            f'<binding name="{_xml_text(v)}">{_xml_term(t)}</binding>'
            for v, t in zip(variables, row, strict=True)
            if t is not None
        )
        parts.append("</result>")
    parts.append("</results></sparql>")
    return "".join(parts).encode()


# ----------------------------------------------------------------------------------------- CSV
def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_value(term: Term) -> str:
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, Triple):
        return " ".join(_csv_value(t) for t in (term.subject, term.predicate, term.object))
    return term.value


def _csv_select(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = [",".join(_csv_field(v) for v in variables)]
    lines.extend(",".join("" if t is None else _csv_field(_csv_value(t)) for t in row) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode()


# ----------------------------------------------------------------------------------------- TSV
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, Literal):
        datatype = term.datatype.value
        short = _SHORT_TSV.get(datatype)
        if short is not None and short.fullmatch(term.value):
            return term.value
        quoted = '"' + term.value.translate(_TSV_ESCAPES) + '"'
        if term.language:
            direction = _direction(term)
            return f"{quoted}@{term.language}" + (f"--{direction}" if direction else "")
        return quoted if datatype == _XSD_STRING else f"{quoted}^^<{datatype}>"
    return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"


def _tsv_select(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join("" if t is None else _tsv_term(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


def _direction(term: Literal) -> str | None:
    direction = term.direction
    if direction is None:
        return None
    return str(getattr(direction, "value", direction)).lower()


# ------------------------------------------------------------------------------------ dispatch
SELECT_WRITERS: dict[str, Callable[[Sequence[str], Sequence[Row]], bytes]] = {
    "json": _json_select,
    "xml": _xml_select,
    "csv": _csv_select,
    "tsv": _tsv_select,
}


def write_select(format_name: str, variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    """Solutions in a result format (`json`, `xml`, `csv`, `tsv`)."""
    return SELECT_WRITERS[format_name](variables, rows)


def write_boolean(format_name: str, value: bool) -> bytes:
    """An ASK answer in a result format."""
    text = "true" if value else "false"
    if format_name == "json":
        return ('{"head":{},"boolean":' + text + "}").encode()
    if format_name == "xml":
        return f"{_XML_HEAD}<head></head><boolean>{text}</boolean></sparql>".encode()
    return text.encode()
