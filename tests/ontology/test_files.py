"""The ontology's files: they parse, are canonical, quote the article verbatim, and cover DESIGN.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.core.namespaces import BASE, LP
from kg.core.settings import PROJECT_ROOT
from kg.loading.inputs import canonical_turtle
from tests.support.servers import SHARED

ONTOLOGY = PROJECT_ROOT / "ontology"
TURTLE_FILES = sorted(ONTOLOGY.rglob("*.ttl"))


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(ONTOLOGY)))
def test_turtle_file_parses_and_is_canonical(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 0
    assert path.read_text(encoding="utf-8") == canonical_turtle(graph), (
        f"{path} is not in canonical form: run `legpain format`"
    )


def test_shipped_article_is_the_shared_source() -> None:
    shared = SHARED / "source" / "leg-pain-while-walking.txt"
    if not shared.exists():
        pytest.skip("shared/ is not beside the checkout")
    assert (ONTOLOGY / "source" / "leg-pain-while-walking.txt").read_bytes() == shared.read_bytes()


def test_every_article_quote_stands_verbatim_in_the_article(service) -> None:  # noqa: ANN001
    article = re.sub(r"\s+", " ", (ONTOLOGY / "source" / "leg-pain-while-walking.txt").read_text("utf-8"))
    graph = service.graph.dataset
    passages = list(graph.subjects(LP.quotedIn, LP.LegPainWhileWalkingArticle))
    assert len(passages) >= 35
    for passage in passages:
        quote = re.sub(r"\s+", " ", str(graph.value(passage, LP.quote)))
        assert quote in article, passage


def lp(name: str) -> URIRef:
    return URIRef(BASE + name)


# DESIGN.md's domain checklist, item by item, as the terms that carry it
CHECKLIST = {
    "body systems": ["MusculoskeletalSystem", "VascularSystem", "NervousSystem"],
    "conditions": [
        "MuscleStrain",
        "Tendinitis",
        "AchillesTendinitis",
        "MedialTibialStressSyndrome",
        "KneeOsteoarthritis",
        "HipOsteoarthritis",
        "AnkleOsteoarthritis",
        "PlantarFasciitis",
        "PeripheralArteryDisease",
        "Atherosclerosis",
        "CriticalLimbIschemia",
        "DeepVeinThrombosis",
        "Sciatica",
        "HerniatedDisc",
        "SpinalStenosis",
        "PeripheralNeuropathy",
        "BoneOrSoftTissueInfection",
    ],
    "findings": [
        "DullAche",
        "BurningPain",
        "DeepAchingCrampingPain",
        "SharpShootingPain",
        "ThrobbingPain",
        "Tingling",
        "Numbness",
        "PinsAndNeedles",
        "MuscleWeakness",
        "MuscleFatigue",
        "UnilateralLegSwelling",
        "LegWarmth",
        "LegRedness",
        "Fever",
        "Chills",
        "PainAtRest",
        "SuddenSeverePainPreventingWeightBearing",
        "IntermittentClaudication",
    ],
    "sites": [
        "CalfPain",
        "ThighPain",
        "ButtockPain",
        "HeelPain",
        "ShinSplintPain",
        "KneePain",
        "HipPain",
        "AnklePain",
        "FootPain",
        "BackOfLegPain",
        "SoleOfFootPain",
    ],
    "patterns": [
        "PainOnPushOff",
        "PainEasesOnWarmUp",
        "FirstStepsHeelPain",
        "PainAfterPredictableDistance",
        "ReliefWithinMinutesOfRest",
        "WalkingDistanceShrinking",
        "RapidShrinkingWalkingDistance",
        "PainNotRelievedByRest",
        "RadiatingPainDownBackOfLeg",
        "SymmetricOnsetInFeet",
        "SymptomsSpreadingUpward",
        "WorseWithMovementOrPressure",
        "ShorterSlowerStride",
    ],
}


@pytest.mark.parametrize("name", [n for names in CHECKLIST.values() for n in names])
def test_checklist_term_has_label_definition_and_source(service, name: str) -> None:  # noqa: ANN001
    graph = service.graph.dataset
    term = lp(name)
    assert (term, RDF.type, None) in graph, f"{name} is missing"
    assert graph.value(term, RDFS.label), f"{name} has no label"
    assert graph.value(term, SKOS.definition), f"{name} has no definition"
    source = graph.value(term, DCTERMS.source)
    assert source is not None and graph.value(source, LP.quote), f"{name} cites no quoted passage"


WARNING_SIGNS = {  # DESIGN.md: warning signs set urgency 3 or 4
    "SuddenSeverePainPreventingWeightBearing": 4,
    "Fever": 3,
    "Chills": 3,
    "UnilateralLegSwelling": 3,
    "LegWarmth": 3,
    "LegRedness": 3,
    "ThrobbingPainNotRelievedByRest": 3,
    "PainAtRest": 4,
    "RapidShrinkingWalkingDistance": 3,
}


@pytest.mark.parametrize(("name", "rank"), sorted(WARNING_SIGNS.items()))
def test_warning_signs_warrant_urgency_three_or_four(service, name: str, rank: int) -> None:  # noqa: ANN001
    finding = service.knowledge.findings([BASE + name])[BASE + name]
    assert finding.is_warning
    assert service.knowledge.urgency_levels()[finding.warrants].rank == rank


def test_causes_and_urgency_scale(service) -> None:  # noqa: ANN001
    ix = service.graph.index
    assert set(ix.conditions[BASE + "Sciatica"].causes) == {BASE + "HerniatedDisc", BASE + "SpinalStenosis"}
    assert BASE + "Atherosclerosis" in ix.conditions[BASE + "PeripheralArteryDisease"].causes
    assert [(u.label, u.rank) for u in ix.urgency_by_rank()] == [
        ("self-care", 1),
        ("routine medical evaluation", 2),
        ("prompt medical assessment", 3),
        ("emergency", 4),
    ]


def test_ontology_header(service) -> None:  # noqa: ANN001
    from rdflib.namespace import OWL

    graph = service.graph.dataset
    onto = URIRef(BASE + "ontology")
    assert (onto, RDF.type, OWL.Ontology) in graph
    assert graph.value(onto, OWL.versionIRI) is not None
    assert graph.value(onto, DCTERMS.license) is not None
    assert graph.value(onto, DCTERMS.title) is not None
    assert graph.value(onto, DCTERMS.description) is not None
