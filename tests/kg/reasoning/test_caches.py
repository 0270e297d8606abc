"""Cache entries are verified before use: a damaged one is recomputed, never served short."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from kg.assessment.service import load_service
from kg.core.cache import read_entry, sidecar, write_entry
from kg.core.settings import Settings
from kg.knowledge import graph
from kg.knowledge.snapshot import fingerprint
from kg.reasoning import closed
from kg.reasoning.closure import cache_file, obtain_closure, store_in_cache
from kg.sparql.library import QueryLibrary
from kg.stores.oxigraph import native_store


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


def test_a_warm_start_reads_the_index_back_instead_of_building_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(cache_dir=tmp_path)
    first = load_service(settings)
    [kept] = tmp_path.glob("index-*.pickle")
    assert first.knowledge.data_version() in kept.name

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the index was built again")

    monkeypatch.setattr(graph, "build_index", no_build)
    second = load_service(settings)
    assert second.graph is not None and first.graph is not None
    assert second.graph.index == first.graph.index
    assert second.graph.triple_counts() == first.graph.triple_counts()
    present = ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"]
    assert second.scorer.assess(present) == first.scorer.assess(present)


def test_an_unreadable_index_snapshot_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(cache_dir=tmp_path)
    first = load_service(settings)
    [kept] = tmp_path.glob("index-*.pickle")
    write_entry(kept, b"not a pickle", {"counts": {}})  # verifies as an entry, but is no index
    with caplog.at_level(logging.WARNING):
        again = load_service(settings)
    assert "discarding the unreadable index snapshot" in caplog.text
    assert again.graph is not None and first.graph is not None and again.graph.index == first.graph.index
    assert read_entry(kept) is not None  # written again, whole


def test_a_changed_index_query_never_reads_an_old_snapshot(tmp_path: Path, ontology_copy: Path) -> None:
    queries = ontology_copy / "queries"
    before = fingerprint(queries)
    query = queries / "index" / "list-conditions.rq"
    query.write_text(query.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert fingerprint(queries) != before


def test_a_prepared_dump_is_loaded_and_counted_once_and_its_index_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    dump = tmp_path / "dump.nq.gz"
    source = load_service(settings)
    assert source.graph is not None
    native = native_store(source.graph.dataset)
    assert native is not None
    dump.write_bytes(gzip.compress(native.dump(format=ox.RdfFormat.N_QUADS) or b""))
    prepared = Settings(cache_dir=tmp_path / "cache", dataset=dump)
    first = load_service(prepared)
    assert first.graph is not None and first.graph.triple_counts() == source.graph.triple_counts()
    writing = closed.keeper(closed.prepared_store_path(tmp_path / "cache", first.knowledge.data_version()))
    assert writing is not None
    writing.join(timeout=120)  # kept on disk in the background

    def counted(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was counted again")

    [kept] = (tmp_path / "cache").glob("store-prepared-*")
    assert (kept / closed.COMPLETE).is_file()  # the dump is kept on disk, loaded once
    monkeypatch.setattr(graph, "count_graphs", counted)
    monkeypatch.setattr(graph, "build_index", counted)
    monkeypatch.setattr(closed, "_bulk_load", counted)  # the next start parses nothing
    second = load_service(prepared)
    assert second.graph is not None and second.graph.triple_counts() == source.graph.triple_counts()
    assert second.scorer.assess(["lp:HeelPain"]) == source.scorer.assess(["lp:HeelPain"])


def test_a_prepared_dump_is_served_when_the_cache_cannot_keep_it(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    source = load_service(settings)
    assert source.graph is not None
    native = native_store(source.graph.dataset)
    assert native is not None
    dump = tmp_path / "dump.nq"
    dump.write_bytes(native.dump(format=ox.RdfFormat.N_QUADS) or b"")
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        served = load_service(Settings(cache_dir=blocked, dataset=dump))
        writing = closed.keeper(closed.prepared_store_path(blocked, served.knowledge.data_version()))
        assert writing is not None
        writing.join(timeout=120)
    assert "the next start reads it again" in caplog.text
    assert served.scorer.assess(["lp:HeelPain"]) == source.scorer.assess(["lp:HeelPain"])
