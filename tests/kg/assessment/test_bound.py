"""Ranking a large graph through the score bound (`kg.assessment.scoring._Bound`) gives exactly what
scoring every touched condition and sorting gives: the same candidates, scores, explanations and
urgency, on seeded random presentations over the shipped graph and over a seeded random graph large
enough to be ranked through the bound by default."""

from __future__ import annotations

import dataclasses
import random

import pytest

from kg.assessment.scoring import BOUND_MIN_CONDITIONS, Scorer
from kg.assessment.service import LegPainService
from kg.core.records import Condition, Finding, FindingLink, LinkRelation, RiskFactor, SourcedLink
from kg.knowledge.index import assemble_index
from kg.knowledge.indexed import IndexedKnowledge
from tests.kg.assessment.test_scoring_formula import LEVELS, RULES, SOURCES, SYSTEMS, T, condition, finding

#: never through the bound / always through it
EVERY_CONDITION, ALWAYS = 10**9, 0


def _random_graph(seed: int, conditions: int = 2 * BOUND_MIN_CONDITIONS, findings: int = 400) -> IndexedKnowledge:
    """A graph with a finding hierarchy (each finding a kind of up to two earlier ones, transitively),
    conditions with typical, discriminating, inherited and against links (with a frequency or none),
    and risk factors: what makes greedy claims collide and general reports reach many specific findings."""
    rng = random.Random(seed)
    iris = [f"{T}f{i}" for i in range(findings)]
    kinds: list[set[str]] = []
    for i in range(findings):
        parents = rng.sample(range(i), min(i, rng.choice([0, 1, 1, 2]))) if i else []
        kinds.append(set().union(*({iris[p]} | kinds[p] for p in parents)) if parents else set())
    records: dict[str, Finding] = {iri: finding(iri, f"finding {i}", sorted(kinds[i])) for i, iri in enumerate(iris)}
    risks = {f"{T}r{i}": RiskFactor(f"{T}r{i}", f"risk {i}", (), None, None, ()) for i in range(8)}
    table: dict[str, Condition] = {}
    for c in range(conditions):
        chosen = rng.sample(iris, rng.randint(2, 14))
        links = [
            FindingLink(
                f,
                rng.choice([LinkRelation.TYPICAL, LinkRelation.TYPICAL, LinkRelation.DISCRIMINATING]),
                (),
                rng.random() < 0.15,
                rng.choice([None, None, 1.0, 0.5, 0.17, 0.025, rng.random()]),  # as HPO's annotations give it
            )
            for f in chosen[:-1]
        ]
        if rng.random() < 0.3:
            links.append(FindingLink(chosen[-1], LinkRelation.AGAINST, (), False))
        record = condition(f"{T}c{c}", f"condition {c % 97}", LEVELS_BY_RANK[rng.randint(1, 4)], *links)
        linked = rng.sample(sorted(risks), rng.randint(0, 3))
        table[record.iri] = dataclasses.replace(record, risk_factors=tuple(SourcedLink(r, ()) for r in linked))
    index = assemble_index(
        SYSTEMS, LEVELS, table, records, RULES, SOURCES, version=f"random-{seed}", risk_factors=risks
    )
    return IndexedKnowledge(index, index.version, "test")


LEVELS_BY_RANK = {level.rank: iri for iri, level in LEVELS.items()}


Presentation = tuple[list[str], list[str], int, list[str]]


def _presentations(rng: random.Random, findings: list[str], risks: list[str], count: int) -> list[Presentation]:
    return [
        (
            rng.sample(findings, rng.randint(1, 7)),
            rng.sample(findings, rng.randint(0, 5)),
            rng.choice([1, 3, 10, 25]),
            rng.sample(risks, rng.randint(0, 3)),
        )
        for _ in range(count)
    ]


def _same(knowledge: IndexedKnowledge, presentations: list[Presentation]) -> int:
    """Assess each presentation both ways; the number of presentations with candidates."""
    exhaustive, bounded = Scorer(knowledge, EVERY_CONDITION), Scorer(knowledge, ALWAYS)
    with_candidates = 0
    for present, absent, limit, risks in presentations:
        expected = exhaustive.assess(present, absent, limit, risks)
        assert bounded.assess(present, absent, limit, risks) == expected, (present, absent, limit, risks)
        assert bounded.ranking(present, absent, risks, limit) == exhaustive.ranking(present, absent, risks, limit)
        with_candidates += bool(expected.candidates)
    return with_candidates


def test_the_bound_ranks_the_shipped_graph_exactly(service: LegPainService) -> None:
    knowledge = service.knowledge
    assert isinstance(knowledge, IndexedKnowledge)
    rng = random.Random(20261202)
    presentations = _presentations(rng, knowledge.finding_iris(), knowledge.risk_factor_iris(), 600)
    assert _same(knowledge, presentations) > 400


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_bound_ranks_a_large_random_graph_exactly(seed: int) -> None:
    knowledge = _random_graph(seed)
    index = knowledge.index
    assert len(index.conditions) >= BOUND_MIN_CONDITIONS  # ranked through the bound by default
    rng = random.Random(seed)
    presentations = _presentations(rng, list(index.findings), list(index.risk_factors), 300)
    assert _same(knowledge, presentations) > 250
