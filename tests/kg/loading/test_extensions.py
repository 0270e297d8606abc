"""Extension modules: a Turtle file added to a directory shows up in the graph, the reasoning, the
engine and the report with no code change (the shipped worked example)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.assessment.service import LegPainService, load_service
from kg.authoring.validation import validate
from kg.core.namespaces import BASE
from kg.core.settings import PROJECT_ROOT, Settings

#: slow: extension modules are reasoned with OWL RL
pytestmark = pytest.mark.slow

EXAMPLE = PROJECT_ROOT / "ontology" / "examples" / "chronic-exertional-compartment-syndrome.ttl"
CECS = BASE + "ChronicExertionalCompartmentSyndrome"


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, LegPainService]:
    modules = tmp_path_factory.mktemp("modules")
    shutil.copy(EXAMPLE, modules)
    settings = Settings(extension_dirs=(modules,), cache_dir=tmp_path_factory.mktemp("cache"), reasoner="owlrl")
    return settings, load_service(settings)


def test_the_example_is_not_loaded_by_default(service) -> None:  # noqa: ANN001
    assert not service.knowledge.conditions([CECS])


def test_extension_module_is_loaded_into_its_own_named_graph(extended) -> None:  # noqa: ANN001
    _, service = extended
    counts = service.graph.triple_counts()
    assert counts[BASE + "graph/extension/chronic-exertional-compartment-syndrome"] > 20
    assert service.graph.closure.origin == "computed"


def test_extension_condition_is_reasoned_and_ranked(extended) -> None:  # noqa: ANN001
    _, service = extended
    condition = service.knowledge.conditions([CECS])[CECS]
    assert condition.body_systems == ((BASE + "MusculoskeletalSystem", True),)
    hits = [service.search_findings(p, 1)[0].iri for p in ("leg feels tight when running", "foot goes numb")]
    ranked = service.scorer.candidates(hits)
    assert ranked[0].condition == CECS
    assert "AAOS" in ranked[0].sources[0].title or "Orthopaedic" in ranked[0].sources[0].title


def test_the_second_start_uses_the_cached_closure(extended) -> None:  # noqa: ANN001
    settings, _ = extended
    assert load_service(settings).graph.closure.origin == "cache"


def test_extension_module_validates(extended) -> None:  # noqa: ANN001
    settings, _ = extended
    report = validate(settings, reasoner="owlrl")
    assert report.ok, report.to_table()


def test_guide_walks_through_the_example() -> None:
    guide = (PROJECT_ROOT / "ontology" / "README.md").read_text(encoding="utf-8")
    assert EXAMPLE.name in guide and "legpain validate" in guide


def test_example_path_exists() -> None:
    assert Path(EXAMPLE).exists()
