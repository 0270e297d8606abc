"""Reasoning: from the asserted graph to the inferred triples, kept in their own named graph.

The pipeline is: SPARQL rules (`queries/rules/*.rq`, for what OWL cannot express) -> a DL reasoner
(HermiT through owlready2: consistency, unsatisfiable classes, inferred types, class subsumption and
property values through chains, inverses and transitivity, completed by an OWL 2 RL pass) -> only the
new triples about the ontology's own vocabulary are kept. OWL 2 RL alone (the `owlrl` package) is the
pure-Python alternative used when Java is missing and no cached closure fits the inputs.

HermiT costs a JVM start (about a second), so it never runs per request: `kg.reasoning.closure` caches its
result keyed by a hash of the inputs, and the closure of the shipped ontology is committed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.core.namespaces import BASE, bind_prefixes
from kg.sparql.library import QueryLibrary, constructed_triples, select_rows


class ReasoningError(RuntimeError):
    """Reasoning failed; the message says why and what to do."""


class JavaUnavailableError(ReasoningError):
    """HermiT needs a Java runtime and none was found."""


class InconsistentOntologyError(ReasoningError):
    """The ontology is inconsistent or has unsatisfiable classes; `culprits` names what was found."""

    def __init__(self, message: str, culprits: list[str]) -> None:
        super().__init__(message)
        self.culprits = culprits


class Reasoner(Protocol):
    """Infers from an asserted graph; returns the entailed triples (it may repeat asserted ones)."""

    name: str

    def infer(self, asserted: Graph) -> Graph: ...


def resolve_reasoner(name: str) -> str:
    """The reasoner a name stands for: `auto` is HermiT where Java runs, else OWL RL; others as given."""
    if name != "auto":
        return name
    return "hermit" if java_available() else "owlrl"


def java_available() -> bool:
    """Whether a `java` executable is on the PATH and runs."""
    java = shutil.which("java")
    if not java:
        return False
    try:
        return subprocess.run([java, "-version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class HermitReasoner:
    """HermiT through owlready2, completed by an OWL RL pass.

    owlready2 reads N-Triples, not Turtle, so the graph is converted first.
    """

    name = "HermiT (owlready2)"

    def infer(self, asserted: Graph) -> Graph:
        if not java_available():
            raise JavaUnavailableError(
                "HermiT needs Java, and no working `java` was found on the PATH; install a Java 11+ "
                "runtime (e.g. `apt-get install default-jre-headless`) or use the OWL RL reasoner "
                "(`legpain reason --reasoner owlrl`)."
            )
        import owlready2  # imported here: it is slow to import and only needed when reasoning

        with tempfile.TemporaryDirectory(prefix="legpain-hermit-") as tmp:
            source = Path(tmp) / "asserted.nt"
            asserted.serialize(source, format="nt", encoding="utf-8")
            world = owlready2.World()
            try:
                world.get_ontology(source.as_uri()).load()
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
            except owlready2.OwlReadyInconsistentOntologyError:
                culprits = find_clashes(asserted)
                raise InconsistentOntologyError(
                    "the ontology is inconsistent"
                    + (
                        ": " + "; ".join(culprits)
                        if culprits
                        else " (HermiT found no model; check disjointness, functional properties and datatype ranges)"
                    ),
                    culprits,
                ) from None
            except owlready2.OwlReadyJavaError as exc:
                raise ReasoningError(f"HermiT failed: {exc}") from exc
            unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing))
            if unsatisfiable:
                raise InconsistentOntologyError("unsatisfiable classes: " + ", ".join(unsatisfiable), unsatisfiable)
            out_path = Path(tmp) / "inferred.nt"
            world.get_ontology("http://inferrences/").save(str(out_path), format="ntriples")
            dl_facts = Graph()
            dl_facts.parse(out_path, format="nt")
        # owlready2 keeps only what its own model cannot derive (it leaves out inverses and
        # sub-property entailments), so an OWL RL pass over asserted + HermiT facts completes the
        # property values; HermiT still decides consistency, satisfiability and classification.
        return OwlRlReasoner().infer(asserted + dl_facts)


class OwlRlReasoner:
    """OWL 2 RL forward chaining with the `owlrl` package (pure Python, no Java).

    `reasonable` is faster but does not implement property chains (rule prp-spo2), which this
    ontology relies on, so `owlrl` it is; it only runs on a cache miss, never per request.
    """

    name = "OWL 2 RL (owlrl)"

    def infer(self, asserted: Graph) -> Graph:
        import owlrl

        closure = Graph()
        for triple in asserted:
            closure.add(triple)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)
        from owlrl.Namespaces import ERRNS

        messages = sorted(str(m) for m in closure.objects(None, ERRNS.error))
        nothing = sorted(str(s) for s, _, _ in closure.triples((None, RDF.type, OWL.Nothing)))
        if messages or nothing:
            culprits = find_clashes(asserted) or nothing or messages
            raise InconsistentOntologyError("the ontology is inconsistent: " + "; ".join(culprits), culprits)
        return closure


REASONERS: dict[str, type[HermitReasoner] | type[OwlRlReasoner]] = {
    "hermit": HermitReasoner,
    "owlrl": OwlRlReasoner,
}


def make_reasoner(name: str) -> Reasoner:
    """The reasoner registered under `name` (`hermit` or `owlrl`)."""
    try:
        return REASONERS[name]()
    except KeyError:
        raise ReasoningError(f"unknown reasoner {name!r}; choose one of {', '.join(REASONERS)}") from None


def find_clashes(graph: Graph) -> list[str]:
    """Name individuals that are typed with two classes declared disjoint (a common cause of
    inconsistency), so an inconsistency report points at the terms to fix."""
    query = """
    SELECT DISTINCT ?x ?a ?b WHERE {
      { ?a owl:disjointWith ?b } UNION
      { ?d a owl:AllDisjointClasses ; owl:members ?l . ?l rdf:rest*/rdf:first ?a .
        ?l rdf:rest*/rdf:first ?b . FILTER (?a != ?b) }
      ?x a ?a , ?b .
    }"""
    rows = graph.query(query, initNs={"owl": OWL, "rdf": RDF})
    return sorted({f"{x} is both {a} and {b}, which are disjoint" for x, a, b in select_rows(rows)})


def apply_rules(graph: Graph, queries: QueryLibrary) -> Graph:
    """Run every CONSTRUCT rule of `queries/rules/` against the graph; returns what they construct."""
    constructed = Graph()
    for rule in queries.under("rules"):
        for triple in constructed_triples(queries.run(rule.name, graph)):
            constructed.add(triple)
    return constructed


def _keep(s: Node, p: Node, o: Node, asserted: Graph) -> bool:
    """Keep a new, named triple about the ontology's own vocabulary; drop OWL/RDF bookkeeping."""
    if not (isinstance(s, URIRef) and isinstance(p, URIRef)):
        return False
    if not str(s).startswith(BASE) or (s, p, o) in asserted:
        return False
    if str(p).startswith(BASE):
        return isinstance(o, URIRef) or not str(o).startswith("_")
    if p == RDF.type or p in (RDFS.subClassOf, OWL.equivalentClass):
        return isinstance(o, URIRef) and str(o).startswith(BASE) and o != s
    return False


def materialize(asserted: Graph, reasoner: Reasoner, queries: QueryLibrary) -> Graph:
    """Rules, then the DL (or RL) reasoner; returns only the new triples worth keeping."""
    ruled = apply_rules(asserted, queries)
    combined = Graph()
    for triple in asserted:
        combined.add(triple)
    for triple in ruled:
        combined.add(triple)
    entailed = reasoner.infer(combined)
    inferred = Graph()
    bind_prefixes(inferred)
    for s, p, o in (*ruled, *entailed):
        if _keep(s, p, o, asserted):
            inferred.add((s, p, o))
    return inferred
