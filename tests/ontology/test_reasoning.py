"""Reasoning: the committed closure is up to date, both reasoners agree, inconsistencies are named,
and inferred facts the engine relies on really come from the reasoner."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.assessment.service import load_service
from kg.core.namespaces import BASE, INFERRED_GRAPH, LP
from kg.core.settings import PROJECT_ROOT, Settings
from kg.loading.inputs import discover_inputs, input_hash, load_asserted
from kg.reasoning.closure import committed_paths, read_committed_hash
from kg.reasoning.reasoners import HermitReasoner, InconsistentOntologyError, OwlRlReasoner, materialize
from kg.sparql.library import QueryLibrary

#: slow: the reasoners run
pytestmark = pytest.mark.slow


def lp(name: str) -> URIRef:
    return URIRef(BASE + name)


def _asserted(settings: Settings) -> Graph:
    graph = Graph()
    for triple in load_asserted(discover_inputs(settings)).triples((None, None, None)):
        graph.add(triple)
    return graph


def _committed() -> Graph:
    ttl, _ = committed_paths(PROJECT_ROOT / "ontology")
    return Graph().parse(ttl, format="turtle")


def test_committed_closure_matches_the_inputs(settings: Settings) -> None:
    digest = input_hash(discover_inputs(settings), settings.ontology_dir)
    assert read_committed_hash(settings.ontology_dir) == digest, "run `legpain reason` and commit ontology/inferred/"


def test_server_starts_from_the_committed_closure_without_running_a_reasoner(
    settings: Settings, tmp_path: Path
) -> None:
    """A first start, with an empty cache: the session's shared service may have found the closure an
    earlier test's start left in the shared cache directory, which says nothing about this."""
    service = load_service(settings.with_changes(cache_dir=tmp_path / "cache"))
    assert service.graph.closure is not None and service.graph.closure.origin == "committed"


def test_owl_rl_reasoner_reproduces_the_committed_closure(settings: Settings) -> None:
    """The pure-Python path (no Java) infers the same facts as HermiT + OWL RL did."""
    inferred = materialize(_asserted(settings), OwlRlReasoner(), QueryLibrary(settings.queries_dir))
    assert set(inferred) == set(_committed())


@pytest.mark.java
def test_hermit_reproduces_the_committed_closure(settings: Settings) -> None:
    inferred = materialize(_asserted(settings), HermitReasoner(), QueryLibrary(settings.queries_dir))
    assert set(inferred) == set(_committed())


INCONSISTENT = """
@prefix lp: <https://w3id.org/legpain/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
lp:Confused a owl:NamedIndividual, lp:Condition, lp:Finding ; rdfs:label "confused"@en .
"""

UNSATISFIABLE = """
@prefix lp: <https://w3id.org/legpain/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
lp:ImpossibleThing a owl:Class ; rdfs:subClassOf lp:Condition, lp:Finding ; rdfs:label "impossible"@en .
"""


def _with_module(settings: Settings, tmp_path: Path, text: str) -> Graph:
    module = tmp_path / "broken.ttl"
    module.write_text(text, encoding="utf-8")
    graph = _asserted(settings)
    graph.parse(module, format="turtle")
    return graph


def test_owl_rl_names_an_individual_in_two_disjoint_classes(settings: Settings, tmp_path: Path) -> None:
    graph = _with_module(settings, tmp_path, INCONSISTENT)
    with pytest.raises(InconsistentOntologyError) as error:
        materialize(graph, OwlRlReasoner(), QueryLibrary(settings.queries_dir))
    assert any("Confused" in c for c in error.value.culprits)


@pytest.mark.java
def test_hermit_names_the_clash_of_an_inconsistent_ontology(settings: Settings, tmp_path: Path) -> None:
    graph = _with_module(settings, tmp_path, INCONSISTENT)
    with pytest.raises(InconsistentOntologyError) as error:
        materialize(graph, HermitReasoner(), QueryLibrary(settings.queries_dir))
    assert "inconsistent" in str(error.value)
    assert "Confused" in str(error.value)


@pytest.mark.java
def test_hermit_names_unsatisfiable_classes(settings: Settings, tmp_path: Path) -> None:
    graph = _with_module(settings, tmp_path, UNSATISFIABLE)
    with pytest.raises(InconsistentOntologyError) as error:
        materialize(graph, HermitReasoner(), QueryLibrary(settings.queries_dir))
    assert error.value.culprits == [BASE + "ImpossibleThing"]


# ---------------------------------------------------------------- inferred facts the engine uses
def _asserted_anywhere(service, triple) -> bool:  # noqa: ANN001
    return any(triple in g for g in service.graph.dataset.graphs() if g.identifier != INFERRED_GRAPH)


def _inferred(service, triple) -> bool:  # noqa: ANN001
    return triple in service.graph.dataset.graph(INFERRED_GRAPH)


def test_body_system_is_inferred_from_what_a_condition_affects(service) -> None:  # noqa: ANN001
    fact = (lp("PeripheralArteryDisease"), LP.hasBodySystem, lp("VascularSystem"))
    assert not _asserted_anywhere(service, fact) and _inferred(service, fact)
    assert (lp("PeripheralArteryDisease"), RDF.type, lp("VascularCondition")) in service.graph.dataset
    condition = service.knowledge.conditions([BASE + "PeripheralArteryDisease"])[BASE + "PeripheralArteryDisease"]
    assert condition.body_systems == ((BASE + "VascularSystem", True),)
    # herniated disc affects the disc (musculoskeletal) and the nerve root (nervous)
    systems = {
        s for s, _ in service.knowledge.conditions([BASE + "HerniatedDisc"])[BASE + "HerniatedDisc"].body_systems
    }
    assert systems == {BASE + "MusculoskeletalSystem", BASE + "NervousSystem"}


def test_warning_sign_type_and_urgency_are_inferred_through_subsumption(service) -> None:  # noqa: ANN001
    """Ischemic foot rest pain is a kind of pain at rest, so it is an emergency sign by inference."""
    finding = lp("IschemicFootRestPain")
    assert not _asserted_anywhere(service, (finding, LP.warrantsUrgency, lp("Emergency")))
    assert _inferred(service, (finding, RDF.type, LP.WarningSign))
    assert _inferred(service, (finding, RDF.type, LP.EmergencySign))
    assessment = service.scorer.assess([BASE + "IschemicFootRestPain"])
    assert assessment.warning_signs == (BASE + "IschemicFootRestPain",)
    assert service.knowledge.urgency_levels()[assessment.urgency].rank == 4


def test_site_subsumption_rule_lets_a_specific_report_match_a_general_finding(service) -> None:  # noqa: ANN001
    fact = (lp("CalfPain"), LP.isKindOf, lp("LegPain"))
    assert not _asserted_anywhere(service, fact) and _inferred(service, fact)
    assert BASE + "LegPain" in service.knowledge.findings([BASE + "CalfPain"])[BASE + "CalfPain"].kinds


def test_specific_condition_inherits_typical_findings_of_the_general_one(service) -> None:  # noqa: ANN001
    fact = (lp("KneeOsteoarthritis"), LP.hasTypicalFinding, lp("CartilageBreakdown"))
    assert not _asserted_anywhere(service, fact) and _inferred(service, fact)
    ranked = service.scorer.candidates([BASE + "CartilageBreakdown", BASE + "KneePain"])
    assert ranked[0].condition == BASE + "KneeOsteoarthritis"
    assert BASE + "CartilageBreakdown" in ranked[0].supporting
