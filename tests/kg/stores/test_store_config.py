"""Choosing a store, loading it from the files or a prepared dump, and how writes are batched."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from kg.assessment.service import load_service
from kg.cli.main import main as legpain
from kg.core.settings import Settings
from kg.stores.base import _chunks_keeping_blank_nodes
from kg.stores.errors import StoreNotLoadedError, StoreSpecError
from kg.stores.memory import MemoryBackend
from kg.stores.oxigraph import OxigraphBackend
from kg.stores.registry import BACKENDS, backend_for
from kg.stores.sparql import SparqlBackend
from kg.stores.virtuoso import VirtuosoBackend

#: slow: stores and prepared dumps are loaded
pytestmark = pytest.mark.slow


def test_each_store_setting_picks_its_backend() -> None:
    assert isinstance(backend_for("memory"), MemoryBackend)
    assert isinstance(backend_for("oxigraph"), OxigraphBackend)
    disk = backend_for("oxigraph:/var/lib/legpain")
    assert isinstance(disk, OxigraphBackend) and disk.persistent and not disk.remote
    remote = backend_for("sparql:http://db:7878/query;http://db:7878/update")
    assert isinstance(remote, SparqlBackend) and remote.remote and remote.persistent
    assert (remote.query_url, remote.update_url) == ("http://db:7878/query", "http://db:7878/update")
    assert (
        backend_for("sparql:https://db.example/repositories/legpain").update_url
        == "https://db.example/repositories/update"
    )
    gsp = backend_for("sparql:http://db:7878/query;http://db:7878/update;http://db:7878/store")
    assert isinstance(gsp, SparqlBackend) and gsp.graph_store_url == "http://db:7878/store"
    assert remote.graph_store_url is None
    virtuoso = backend_for("virtuoso:http://db:8890/sparql/")
    assert (
        isinstance(virtuoso, VirtuosoBackend) and virtuoso.remote and str(virtuoso) == "virtuoso:http://db:8890/sparql/"
    )
    assert (virtuoso.query_url, virtuoso.update_url, virtuoso.graph_store_url) == (
        "http://db:8890/sparql",
        "http://db:8890/sparql",
        "http://db:8890/sparql-graph-crud",
    )
    assert set(BACKENDS) == {"memory", "oxigraph", "sparql", "virtuoso"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("postgres:db", "names no store"),
        ("memory:/tmp/x", "takes no location"),
        ("sparql:", "needs the query URL"),
        ("sparql:ftp://db/query", r"is not an http\(s\) URL"),
        ("sparql:http://db/query;http://db/update;file:///srv", r"'file:///srv' is not an http\(s\) URL"),
        ("virtuoso:", "needs the server's base URL"),
        ("virtuoso:db:8890", r"is not an http\(s\) URL"),
    ],
)
def test_a_wrong_store_setting_is_a_clear_error(spec: str, message: str) -> None:
    with pytest.raises(StoreSpecError, match=message):
        backend_for(spec)


def test_the_environment_sets_the_store() -> None:
    settings = Settings.from_env({"LEGPAIN_STORE": "oxigraph:/srv/kg", "LEGPAIN_DATASET": "hpo.nq.gz"})
    assert settings.store == "oxigraph:/srv/kg"
    assert settings.dataset == Path("hpo.nq.gz")


def test_loading_a_store_that_keeps_nothing_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEGPAIN_STORE", "memory")
    assert legpain(["load"]) == 2
    assert "nothing to load" in capsys.readouterr().err


def test_serving_an_empty_disk_store_says_to_load_it(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(StoreNotLoadedError, match="legpain load"):
        load_service(settings.with_changes(store=f"oxigraph:{tmp_path / 'nothing-here'}"))


def test_a_prepared_dump_loads_and_serves_like_the_files(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "legpain.nq"
    monkeypatch.setenv("LEGPAIN_CACHE_DIR", str(settings.cache_dir))
    assert legpain(["export", "--format", "nquads", "-o", str(dump)]) == 0
    packed = tmp_path / "legpain.nq.gz"
    packed.write_bytes(gzip.compress(dump.read_bytes()))
    store = f"oxigraph:{tmp_path / 'store'}"
    monkeypatch.setenv("LEGPAIN_STORE", store)
    assert legpain(["load", "--dataset", str(packed), "--quiet"]) == 0
    assert "graph/knowledge-base" in capsys.readouterr().err
    from_dump = load_service(settings.with_changes(store=store))
    from_files = load_service(settings.with_changes(store="oxigraph"))
    assert from_dump.knowledge.data_version().startswith("prepared-")
    present = ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"]
    assert from_dump.scorer.assess(present) == from_files.scorer.assess(present)
    served = load_service(settings.with_changes(store="memory", dataset=packed))  # served straight from the dump
    assert served.scorer.assess(present) == from_files.scorer.assess(present)


def test_a_broken_dump_is_a_clear_error(tmp_path: Path, settings: Settings) -> None:
    from kg.loading.inputs import OntologyLoadError

    broken = tmp_path / "broken.nq"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(OntologyLoadError, match="not valid N-Quads"):
        load_service(settings.with_changes(dataset=broken))


def test_batches_never_split_a_blank_node() -> None:
    g = URIRef("https://w3id.org/legpain/graph/knowledge-base")
    quads = []
    for i in range(50):
        axiom, inner = BNode(), BNode()
        quads += [
            (axiom, URIRef("p:source"), URIRef(f"s:{i}"), g),
            (URIRef(f"s:{i}"), URIRef("p:x"), Literal(i), g),
            (axiom, URIRef("p:nested"), inner, g),
            (inner, URIRef("p:value"), Literal(i), g),
        ]
    chunks = list(_chunks_keeping_blank_nodes(quads, 7))
    assert sorted(map(str, (q for c in chunks for q in c))) == sorted(map(str, quads))
    home: dict[BNode, int] = {}
    for n, chunk in enumerate(chunks):
        for s, _, o, _ in chunk:
            for node in (s, o):
                if isinstance(node, BNode):
                    assert home.setdefault(node, n) == n, "a blank node's triples travel in one request"


def test_graph_store_slices_are_whole_lines_and_a_graph_with_blank_nodes_stays_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kg.stores.sparql as sparql

    monkeypatch.setattr(sparql, "GRAPH_STORE_SLICE_BYTES", 40)
    lines = [f'<urn:s{i}> <urn:p> "{i}" .\n'.encode() for i in range(20)]
    pieces = list(sparql._slices(b"".join(lines)))
    assert len(pieces) > 3 and b"".join(pieces) == b"".join(lines)
    assert all(piece.endswith(b" .\n") for piece in pieces)
    with_blank = b"".join(lines) + b"_:b1 <urn:p> <urn:o> .\n"
    assert list(sparql._slices(with_blank)) == [with_blank]
    assert list(sparql._slices(b"")) == [b""]  # an empty graph is still replaced
