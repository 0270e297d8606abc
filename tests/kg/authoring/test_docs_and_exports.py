"""Generated documentation stays in step with the ontology; exports and releases are readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from kg.authoring.diagram import to_dot
from kg.authoring.docs import write_reference
from kg.authoring.export import release, serialize
from kg.core.namespaces import ONTOLOGY_IRI
from kg.core.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"


def test_reference_pages_are_up_to_date(service, tmp_path: Path) -> None:  # noqa: ANN001
    written = write_reference(service.graph, tmp_path)
    assert len(written) > 60
    for path in written:
        committed = DOCS / "reference" / path.relative_to(tmp_path)
        assert committed.exists() and committed.read_text("utf-8") == path.read_text("utf-8"), (
            f"{committed} is stale: run `legpain docs`"
        )


def test_reference_page_of_a_condition_cites_and_maps(service) -> None:  # noqa: ANN001
    page = (DOCS / "reference" / "conditions" / "PeripheralArteryDisease.md").read_text("utf-8")
    assert "vascular system (inferred)" in page
    assert "I73.9" in page and "HP:0004950" in page
    assert "known as claudication" in page


def test_diagram_source_is_up_to_date(service) -> None:  # noqa: ANN001
    assert (DOCS / "ontology.dot").read_text("utf-8") == to_dot(service.graph), "run `legpain diagram`"
    assert (DOCS / "ontology.svg").exists() and (DOCS / "ontology.png").exists()


@pytest.mark.parametrize(
    ("fmt", "parse_as"),
    [
        ("turtle", "turtle"),
        ("nt", "nt"),
        ("json-ld", "json-ld"),
        ("xml", "xml"),
        ("nquads", "nquads"),
        ("trig", "trig"),
    ],
)
def test_every_rdf_export_parses_back_whole(service, fmt: str, parse_as: str) -> None:  # noqa: ANN001
    data = serialize(service.graph, fmt, "all")
    if parse_as in ("nquads", "trig"):
        from rdflib import Dataset

        assert len(Dataset().parse(data=data, format=parse_as)) == len(service.graph.dataset)
    else:
        assert len(Graph().parse(data=data, format=parse_as)) == len(service.graph.dataset)


def test_release_sets_the_version_iri(service, tmp_path: Path) -> None:  # noqa: ANN001
    written = release(service.graph, "9.9.9", tmp_path, formats=("turtle",))
    assert {p.name for p in written} == {"legpain-base.ttl", "legpain-full.ttl"}
    base = Graph().parse(tmp_path / "legpain-base.ttl")
    full = Graph().parse(tmp_path / "legpain-full.ttl")
    assert base.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/9.9.9")
    assert len(full) > len(base)


@pytest.mark.java
def test_owlxml_export_is_an_owl_xml_document(service) -> None:  # noqa: ANN001
    data = serialize(service.graph, "owlxml", "asserted").decode("utf-8")
    assert '<Ontology xmlns="http://www.w3.org/2002/07/owl#"' in data
    assert 'ontologyIRI="https://w3id.org/legpain/ontology"' in data
    assert "PeripheralArteryDisease" in data
