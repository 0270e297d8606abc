"""The SPARQL 1.1 Service Description of the endpoint: what `GET /sparql` without a query returns.

It tells a tool the endpoint's URL, the query language (no update), the result formats, that the
default graph is the union of all graphs (`sd:UnionDefaultGraph`), each named graph with its IRI,
size and meaning, and the prefixes the project uses (as SHACL `sh:declare`, the standard vocabulary
for prefix declarations).
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, VOID, XSD

from api.sparql.formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from kg.core.formats import rdf_format
from kg.core.namespaces import (
    EXTENSION_GRAPH_BASE,
    INFERRED_GRAPH,
    KNOWLEDGE_BASE_GRAPH,
    MAPPINGS_GRAPH,
    ONTOLOGY_GRAPH,
    PREFIXES,
)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: What each named graph holds; the README's table says the same.
GRAPH_DESCRIPTIONS: dict[str, str] = {
    str(ONTOLOGY_GRAPH): "The OWL ontology: classes, properties and the individuals (body systems, anatomy, "
    "conditions, findings, urgency levels, sources and quoted passages).",
    str(KNOWLEDGE_BASE_GRAPH): "Asserted knowledge: condition-finding links, causes, urgency, with the passage "
    "each rests on (owl:Axiom annotations with dcterms:source).",
    str(MAPPINGS_GRAPH): "Mappings to standard terminologies (ICD-10-CM, HPO ...) from the SSSOM files.",
    str(INFERRED_GRAPH): "Triples inferred by the reasoner (the materialized closure); never asserted.",
}


def graph_description(name: str) -> str:
    if name in GRAPH_DESCRIPTIONS:
        return GRAPH_DESCRIPTIONS[name]
    if name.startswith(EXTENSION_GRAPH_BASE):
        return f"Extension module '{name[len(EXTENSION_GRAPH_BASE) :]}' (asserted)."
    return "A named graph of this dataset."


def describe_service(endpoint: str, graph_sizes: Mapping[str, int]) -> Graph:
    """The description as an rdflib graph (small: built per endpoint URL and cached by the caller)."""
    g = Graph()
    for prefix, ns in (("sd", SD), ("void", VOID), ("dcterms", DCTERMS), ("sh", SH), ("rdfs", RDFS)):
        g.bind(prefix, ns)
    g.bind("lp", PREFIXES["lp"])
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, RDFS.label, Literal("legpain SPARQL endpoint (read-only)", lang="en")))
    g.add(
        (
            service,
            DCTERMS.description,
            Literal(
                "Leg pain while walking knowledge graph. Read-only SPARQL 1.1 Query; SERVICE is disabled and FROM / "
                "FROM NAMED only select graphs of this dataset. The default graph is the union of every named graph "
                "(asserted and inferred).",
                lang="en",
            ),
        )
    )
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    fmt: Format
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        g.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    dataset, default = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(sum(graph_sizes.values()))))
    g.add((default, DCTERMS.description, Literal("The union of all named graphs below.", lang="en")))
    for name, size in sorted(graph_sizes.items()):
        named, inner = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, inner))
        g.add((inner, RDF.type, SD.Graph))
        g.add((inner, VOID.triples, Literal(size)))
        g.add((inner, DCTERMS.description, Literal(graph_description(name), lang="en")))
    for prefix, ns in PREFIXES.items():
        declaration = BNode()
        g.add((service, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(prefix)))
        g.add((declaration, SH.namespace, Literal(str(ns), datatype=XSD.anyURI)))
    return g


def render(description: Graph, fmt: Format) -> bytes:
    """The description in a graph format."""
    chosen = rdf_format(fmt.name)
    assert chosen is not None and chosen.rdflib is not None  # the endpoint offers only formats rdflib writes
    data = description.serialize(format=chosen.rdflib, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode()
