"""The one table of RDF formats: each format's names, media types, file suffix and the serializer names
rdflib and Oxigraph know it by.

Export and release (`kg.authoring.export`), the ontology documents (`api.ontology_routes`), the SPARQL
endpoint's CONSTRUCT answers and its service description (`api.sparql`) all read this table, so a
format is added or renamed in one place. SPARQL *result* formats (JSON, XML, CSV, TSV) are not RDF and
live with the endpoint (`api.sparql.formats`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

_W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialization."""

    #: the canonical short name, as the SPARQL endpoint's `format=` parameter takes it
    name: str
    media_type: str
    #: the file suffix release artefacts and downloads get
    suffix: str
    #: rdflib's serializer name, or None when rdflib cannot write it (OWL/XML goes through the OWL API)
    rdflib: str | None
    #: Oxigraph's format, or None when Oxigraph cannot write it
    oxigraph: ox.RdfFormat | None
    #: other names that select it (the CLI's `--format`, `?format=`, Fuseki's and Virtuoso's names)
    aliases: tuple[str, ...] = ()
    #: other media types an `Accept` header may name it by
    media_aliases: tuple[str, ...] = ()
    #: the W3C format IRI (http://www.w3.org/ns/formats/), for the SPARQL service description
    w3c: str = ""
    #: a dataset format, which keeps the named graphs
    quads: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


TURTLE = RdfFormat(
    "turtle", "text/turtle", "ttl", "turtle", ox.RdfFormat.TURTLE, ("ttl",), ("application/x-turtle",), _W3C + "Turtle"
)
NTRIPLES = RdfFormat(
    "ntriples",
    "application/n-triples",
    "nt",
    "nt",
    ox.RdfFormat.N_TRIPLES,
    ("nt", "n-triples"),
    ("text/plain",),
    _W3C + "N-Triples",
)
JSONLD = RdfFormat(
    "jsonld",
    "application/ld+json",
    "jsonld",
    "json-ld",
    ox.RdfFormat.JSON_LD,
    ("json-ld",),
    ("application/json",),
    _W3C + "JSON-LD",
)
RDFXML = RdfFormat(
    "rdfxml",
    "application/rdf+xml",
    "owl",
    "xml",
    ox.RdfFormat.RDF_XML,
    ("xml", "rdf", "owl"),
    ("application/xml",),
    _W3C + "RDF_XML",
)
OWLXML = RdfFormat("owlxml", "application/owl+xml", "owx", None, None, ("owx",), (), _W3C + "OWL_XML")
TRIG = RdfFormat("trig", "application/trig", "trig", "trig", ox.RdfFormat.TRIG, (), (), _W3C + "TriG", quads=True)
NQUADS = RdfFormat(
    "nquads",
    "application/n-quads",
    "nq",
    "nquads",
    ox.RdfFormat.N_QUADS,
    ("nq", "n-quads"),
    (),
    _W3C + "N-Quads",
    quads=True,
)

#: Every format, in the order they are offered (the first is the default).
RDF_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, OWLXML, TRIG, NQUADS)

#: The graph formats Oxigraph writes and rdflib reads back: what HTTP answers are offered in.
GRAPH_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)

_BY_NAME = {name: fmt for fmt in RDF_FORMATS for name in fmt.names}


def rdf_format(name: str) -> RdfFormat | None:
    """The format a name or alias selects (case-insensitive), or None."""
    return _BY_NAME.get(name.strip().lower())
