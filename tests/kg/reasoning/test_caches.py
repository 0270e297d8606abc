"""Cache entries are verified before use: a damaged one is recomputed, never served short."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.assessment.service import load_service
from kg.core.cache import read_entry, sidecar, write_entry
from kg.core.settings import Settings
from kg.reasoning.closure import cache_file, obtain_closure, store_in_cache
from kg.sparql.library import QueryLibrary


def test_an_entry_is_read_back_only_when_it_matches_its_record(tmp_path: Path) -> None:
    path = tmp_path / "entry.nt"
    write_entry(path, b"some bytes", {"triples": 1})
    assert read_entry(path) == (b"some bytes", {"triples": 1, "bytes": 10, "sha256": read_entry(path)[1]["sha256"]})
    for damage in (b"", b"some byte", b"other bytes"):
        write_entry(path, b"some bytes", {})
        path.write_bytes(damage)
        assert read_entry(path) is None
        assert not path.exists() and not sidecar(path).exists()  # removed, so it is written again
    path.write_bytes(b"no sidecar")
    assert read_entry(path) is None


@pytest.mark.parametrize("damage", ["empty", "half"])
def test_a_damaged_snapshot_is_discarded_and_the_graph_loaded_whole(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An empty snapshot was read as an empty graph (ready with 3,299 triples instead of 4,046, PAD
    without its body system); a half-written one failed every start."""
    settings = Settings(cache_dir=tmp_path)
    first = load_service(settings)
    [snapshot] = tmp_path.glob("dataset-*.nq")
    data = snapshot.read_bytes()
    snapshot.write_bytes(b"" if damage == "empty" else data[: len(data) // 2])
    with caplog.at_level(logging.WARNING):
        again = load_service(settings)
    assert again.graph.triple_counts() == first.graph.triple_counts()
    assert again.graph.triples == len(again.graph.dataset)
    assert "damaged cache entry" in caplog.text
    assert len(again.scorer.assess(["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"]).candidates) == len(
        first.scorer.assess(["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"]).candidates
    )
    assert read_entry(snapshot) is not None  # written again, whole, and verified


def test_a_damaged_cached_closure_is_recomputed(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    inferred = Graph()
    inferred.add((URIRef("urn:a"), URIRef("urn:b"), Literal("c")))
    store_in_cache(tmp_path, "h", inferred)
    queries = QueryLibrary(settings.queries_dir)
    got, info = obtain_closure(Graph(), "h", tmp_path / "no-ontology", tmp_path, queries)
    assert info.origin == "cache" and len(got) == 1 and str(tmp_path) not in info.message
    cache_file(tmp_path, "h").write_bytes(b"")
    computed: list[str] = []

    def reason(asserted: Graph, reasoner: object, library: object) -> Graph:
        computed.append("yes")
        return inferred

    monkeypatch.setattr("kg.reasoning.closure.materialize", reason)
    monkeypatch.setattr("kg.reasoning.closure.make_reasoner", lambda name: type("R", (), {"name": name})())
    got, info = obtain_closure(Graph(), "h", tmp_path / "no-ontology", tmp_path, queries, reasoner_name="owlrl")
    assert computed == ["yes"] and info.origin == "computed" and len(got) == 1
    assert read_entry(cache_file(tmp_path, "h")) is not None  # cached again, verified
