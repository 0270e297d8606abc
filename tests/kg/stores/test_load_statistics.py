"""The counts a load records for readers (`kg.stores.base.load_statistics`), and what a remote reader
does with them: it looks them up instead of counting the store, and counts the store as before when
they are missing (a store loaded by a version that recorded none)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Dataset

from kg.assessment.service import LegPainService
from kg.core.namespaces import LP, from_curie
from kg.core.settings import Settings
from kg.knowledge.remote import StoreKnowledge
from kg.reasoning.closed import closed_dataset
from kg.sparql.library import QueryLibrary
from kg.stores.base import load_statistics, source_graphs
from kg.stores.oxigraph import source_size
from kg.stores.registry import backend_for
from tests.support.oxigraph import OxigraphServer, load_store

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def closed(settings: Settings) -> tuple[Dataset, str]:
    dataset, version, _, _ = closed_dataset(settings)
    return dataset, version


def test_the_statistics_count_what_the_index_queries_count(closed: tuple[Dataset, str], settings: Settings) -> None:
    queries = QueryLibrary(settings.queries_dir)
    quads = load_statistics(closed[0], queries)
    typical = {str(s): int(o) for s, p, o, _ in quads if p == LP.typicalConditionCount}  # type: ignore[call-overload]
    counted = queries.rows("index/count-typical-conditions", closed[0])
    assert typical == {str(r["finding"]): int(str(r["conditions"])) for r in counted}
    assert FINDINGS[0] in typical


@pytest.fixture
def unrecorded(
    oxigraph_session_server: OxigraphServer, settings: Settings, closed: tuple[Dataset, str]
) -> Iterator[str]:
    """The session's Oxigraph server loaded without statistics, as an older `legpain load` left it;
    loaded again properly afterwards (the session's other tests expect that)."""
    store = oxigraph_session_server.store
    backend_for(store).load(*closed)
    try:
        yield store
    finally:
        assert load_store(settings.with_changes(store=store)) == 0


def test_a_load_without_counts_is_not_taken_for_a_complete_one(
    unrecorded: str, settings: Settings, closed: tuple[Dataset, str]
) -> None:
    backend = backend_for(unrecorded)
    graphs = source_graphs(closed[0])
    held = backend.holds_load(graphs, source_size(closed[0], graphs), closed[1], QueryLibrary(settings.queries_dir))
    assert held is None  # so `legpain load` loads it again, this time with the counts


def _reader(store: str, settings: Settings) -> StoreKnowledge:
    backend = backend_for(store)
    return StoreKnowledge(backend, backend.open(read_only=True), QueryLibrary(settings.queries_dir), ttl_s=60)


FINDINGS = [
    from_curie(f"lp:{name}")
    for name in ("CalfCrampingOnWalking", "ReliefWithinMinutesOfRest", "UnilateralLegSwelling", "LegPain", "Fever")
]


def _counts(reader: StoreKnowledge) -> tuple[int, dict[str, int]]:
    return reader._condition_count(), reader._typical_counts(FINDINGS)


def test_a_reader_counts_the_store_when_the_load_recorded_nothing(
    unrecorded: str, settings: Settings, closed: tuple[Dataset, str]
) -> None:
    queries = QueryLibrary(settings.queries_dir)
    (conditions,) = queries.rows("index/count-conditions", closed[0])
    typical = {
        str(r["finding"]): int(str(r["conditions"])) for r in queries.rows("index/count-typical-conditions", closed[0])
    }
    expected = (int(str(conditions["conditions"])), {f: typical.get(f, 0) for f in FINDINGS})
    counting = _reader(unrecorded, settings)
    assert counting._recorded_counts() is None
    assert _counts(counting) == expected
    assert load_store(settings.with_changes(store=unrecorded)) == 0
    recorded = _reader(unrecorded, settings)
    assert recorded._recorded_counts() == expected[0]
    assert _counts(recorded) == expected


def test_records_read_for_scoring_leave_the_whole_records_whole(
    oxigraph_session_server: OxigraphServer, settings: Settings, service: LegPainService
) -> None:
    """The findings an assessment's outline and write-up reach are read without their names
    (`read_findings(names=False)`); a later lookup of one of them still gives the whole record."""
    store = oxigraph_session_server.store
    assert load_store(settings.with_changes(store=store)) == 0
    reader = _reader(store, settings)
    general = from_curie("lp:LegPain")  # reaches many more specific findings
    ix = reader.index_for([general], [])
    reached = sorted(set(ix.findings) - {general})
    assert reached and all(not ix.findings[f].synonyms for f in reached)  # the scoring's records
    assert reader.findings(reached) == service.knowledge.findings(reached)  # whole, as the reference
