"""Vocabulary IRIs, declared once.

`LP` is a closed `DefinedNamespace`: a typo such as `LP.hasTypicalFindng` raises instead of minting a
new IRI. Terms of the medical content (individual conditions and findings) are data, not code, and are
not listed here; only the classes and properties the code relies on are.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD, DefinedNamespace

BASE = "https://w3id.org/legpain/"


class LP(DefinedNamespace):
    """The legpain ontology's own classes and properties."""

    _NS = Namespace(BASE)
    _fail = True

    # classes
    BodySystem: URIRef
    AnatomicalStructure: URIRef
    Condition: URIRef
    Finding: URIRef
    WarningSign: URIRef
    EmergencySign: URIRef
    UrgencyLevel: URIRef
    HighUrgencyLevel: URIRef
    UrgencyRule: URIRef
    SuspectedConditionRule: URIRef
    Source: URIRef
    SourcePassage: URIRef
    LocalizedPain: URIRef
    # object properties
    affects: URIRef
    partOf: URIRef
    hasPart: URIRef
    belongsToSystem: URIRef
    hasBodySystem: URIRef
    isBodySystemOf: URIRef
    hasSite: URIRef
    isKindOf: URIRef
    hasKind: URIRef
    hasTypicalFinding: URIRef
    isTypicalFindingOf: URIRef
    hasDiscriminatingFinding: URIRef
    hasFindingAgainst: URIRef
    arguesAgainst: URIRef
    suggests: URIRef
    hasCause: URIRef
    causes: URIRef
    hasUrgency: URIRef
    warrantsUrgency: URIRef
    triggeredBy: URIRef
    assignsUrgency: URIRef
    quotedIn: URIRef
    # data and annotation properties
    rank: URIRef
    minimumFindings: URIRef
    advice: URIRef
    quote: URIRef
    section: URIRef
    mappingJustification: URIRef
    frequency: URIRef
    typicalConditionCount: URIRef
    scheme: URIRef
    # provenance individuals the code refers to
    DesignDecision: URIRef
    LegPainWhileWalkingArticle: URIRef


ONTOLOGY_IRI = URIRef(BASE + "ontology")
GRAPH_BASE = BASE + "graph/"
ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology")
KNOWLEDGE_BASE_GRAPH = URIRef(GRAPH_BASE + "knowledge-base")
MAPPINGS_GRAPH = URIRef(GRAPH_BASE + "mappings")
INFERRED_GRAPH = URIRef(GRAPH_BASE + "inferred")
EXTENSION_GRAPH_BASE = GRAPH_BASE + "extension/"
#: Where a store load records the dataset's data version (`kg.stores`); written last by `legpain load`.
LOAD_GRAPH = URIRef(GRAPH_BASE + "load")
#: The loaded dataset as a whole: the subject of its data version and load time.
DATASET_IRI = URIRef(BASE + "dataset")

HP = Namespace("http://purl.obolibrary.org/obo/HP_")
ICD10CM = Namespace("http://purl.bioontology.org/ontology/ICD10CM/")
SNOMEDCT = Namespace("http://snomed.info/id/")
UBERON = Namespace("http://purl.obolibrary.org/obo/UBERON_")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

#: Prefixes bound in every graph, export and SPARQL query; also the CURIE prefixes of API IDs.
PREFIXES: dict[str, Namespace] = {
    "lp": Namespace(BASE),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "xsd": Namespace(str(XSD)),
    "HP": HP,
    "ICD10CM": ICD10CM,
    "SNOMEDCT": SNOMEDCT,
    "UBERON": UBERON,
    "semapv": SEMAPV,
}


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's prefixes on an rdflib graph or dataset (replacing rdflib's defaults)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


def to_curie(iri: str) -> str:
    """Shorten an IRI to a CURIE with the project's prefixes (the form API IDs take)."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if iri.startswith(ns) and len(ns) > len(best):
            best = ns
            curie = f"{prefix}:{iri[len(ns) :]}"
    return curie if best else iri


def from_curie(curie: str) -> str:
    """Expand a CURIE with the project's prefixes; a full IRI is returned unchanged."""
    prefix, sep, local = curie.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    return curie
