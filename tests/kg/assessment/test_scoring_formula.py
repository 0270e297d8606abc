"""The scoring formula of `kg.assessment.scoring`, pinned on a tiny hand-built index.

The graph below is fictional (IRIs under http://example.org/t/, not the lp: vocabulary) and is built
straight from the records, so editing the medical content of the real ontology cannot break these
tests. Every expected score is worked out by hand from the formula in the scoring module's docstring.

The graph (N = 4 conditions; specificity s(df) = 1 + ln(N / df) / ln(N)):

    finding kinds (more general findings):  calf pain on walking -> calf pain -> leg pain

    arterial narrowing (urgency 2): walking calf pain  discriminating  2 * s(2)       = 3
                                    calf pain          typical         1 * s(2)       = 1.5
                                    numb foot          discriminating  2 * s(1)       = 4      total 8.5
    critical ischemia  (urgency 4): cold pale foot     discriminating  2 * s(1)       = 4
                                    walking calf pain  discriminating, inherited
                                                                       2 * s(2) * 0.8 = 2.4
                                    leg swelling       typical         1 * s(3)              total 6.4 + s(3)
    deep clot          (urgency 3): leg swelling       discriminating  2 * s(3)
                                    calf pain          typical         1 * s(2)       = 1.5  total 2 s(3) + 1.5
                                    fever              against
    skin infection     (urgency 2): red skin           discriminating  2 * s(1)       = 4
                                    fever              typical         1 * s(1)       = 2
                                    leg swelling       typical         1 * s(3)              total 6 + s(3)
                                    calf pain          against

    cold pale foot is a warning sign warranting urgency 3; the findings rule fires (urgency 3) when 2 of
    {calf pain, numb foot} are reported; the suspected-condition rule needs 2 supporting findings.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import pytest

from kg.assessment.scoring import (
    ABSENT_FACTOR,
    AGAINST_PENALTY,
    COVERAGE_BONUS,
    DISCRIMINATING_BASE,
    GENERAL_REPORT_FACTOR,
    INHERITED_FACTOR,
    TYPICAL_BASE,
    Candidate,
    Scorer,
    UnknownTermError,
    exclusion_weight,
)
from kg.core.records import (
    BodySystem,
    Condition,
    Finding,
    FindingLink,
    LinkRelation,
    RuleKind,
    SourceRef,
    UrgencyLevel,
    UrgencyRule,
)
from kg.knowledge.index import TermIndex, assemble_index
from kg.knowledge.indexed import IndexedKnowledge

T = "http://example.org/t/"

# urgency levels, ranks 1-4
L1, L2, L3, L4 = (f"{T}urgency/{rank}" for rank in range(1, 5))

# findings
PAIN = T + "LegPain"
CALF = T + "CalfPain"
CLAUD = T + "CalfPainOnWalking"
SWELL = T + "LegSwelling"
RED = T + "RedSkin"
FEVER = T + "Fever"
COLD = T + "ColdPaleFoot"
NUMB = T + "NumbFoot"

# conditions
PAD = T + "ArterialNarrowing"
CLI = T + "CriticalIschemia"
DVT = T + "DeepClot"
CELL = T + "SkinInfection"

# rules and cited passages
RULE_FINDINGS = T + "rule/CalfAndNumb"
RULE_SUSPECTED = T + "rule/Suspected"
SRC_WARN = T + "src/warning"
SRC_RULE = T + "src/rule"
SRC_LINK = T + "src/link"

N = 4  # conditions in the graph


def s(df: int, n: int = N) -> float:
    """The documented specificity of a finding that `df` of `n` conditions have as typical."""
    return 1 + math.log(n / df) / math.log(n)


def approx(value: float) -> object:
    """Scores are rounded to 4 places."""
    return pytest.approx(value, abs=1e-4)


def finding(
    iri: str, label: str, kinds: Sequence[str] = (), warrants: str | None = None, warrant_sources: Sequence[str] = ()
) -> Finding:
    return Finding(
        iri=iri,
        label=label,
        synonyms=(),
        definition=None,
        category=T + "Symptom",
        category_label="symptom",
        kinds=frozenset(kinds),
        warrants=warrants,
        warrant_sources=tuple(warrant_sources),
        is_warning=warrants is not None,
        sources=(),
        mappings=(),
    )


def link(target: str, relation: LinkRelation, inferred: bool = False) -> FindingLink:
    return FindingLink(target, relation, (SRC_LINK,), inferred)


def condition(iri: str, label: str, urgency: str, *links: FindingLink) -> Condition:
    return Condition(
        iri=iri,
        label=label,
        synonyms=(),
        definition=None,
        urgency=urgency,
        body_systems=((T + "Vascular", False),),
        causes=(),
        links=links,
        sources=(),
        mappings=(),
    )


DISC, TYP, AGAINST = LinkRelation.DISCRIMINATING, LinkRelation.TYPICAL, LinkRelation.AGAINST

LEVELS = {
    iri: UrgencyLevel(iri, f"level {rank}", rank, f"urgency rank {rank}", f"advice {rank}")
    for rank, iri in enumerate((L1, L2, L3, L4), start=1)
}

FINDINGS = {
    f.iri: f
    for f in (
        finding(PAIN, "leg pain"),
        finding(CALF, "calf pain", kinds=[PAIN]),
        finding(CLAUD, "calf pain on walking", kinds=[CALF, PAIN]),
        finding(SWELL, "leg swelling"),
        finding(RED, "red skin"),
        finding(FEVER, "fever"),
        finding(COLD, "cold pale foot", warrants=L3, warrant_sources=[SRC_WARN]),
        finding(NUMB, "numb foot"),
    )
}

CONDITIONS = {
    c.iri: c
    for c in (
        condition(PAD, "arterial narrowing", L2, link(CLAUD, DISC), link(CALF, TYP), link(NUMB, DISC)),
        condition(CLI, "critical ischemia", L4, link(COLD, DISC), link(CLAUD, DISC, inferred=True), link(SWELL, TYP)),
        condition(DVT, "deep clot", L3, link(SWELL, DISC), link(CALF, TYP), link(FEVER, AGAINST)),
        condition(CELL, "skin infection", L2, link(RED, DISC), link(FEVER, TYP), link(SWELL, TYP), link(CALF, AGAINST)),
    )
}

RULES = (
    UrgencyRule(RULE_FINDINGS, RuleKind.FINDINGS, "calf pain with a numb foot", None, (CALF, NUMB), 2, L3, (SRC_RULE,)),
    UrgencyRule(RULE_SUSPECTED, RuleKind.SUSPECTED_CONDITION, "suspected condition", None, (), 2, None, (SRC_RULE,)),
)

SOURCES = {iri: SourceRef(iri, f"work {iri[-4:]}", "a quote") for iri in (SRC_WARN, SRC_RULE, SRC_LINK)}
SYSTEMS = {T + "Vascular": BodySystem(T + "Vascular", "vascular", None, ())}


def make_index(
    conditions: dict[str, Condition] | None = None,
    findings: dict[str, Finding] | None = None,
    condition_count: int | None = None,
    typical_counts: dict[str, int] | None = None,
    version: str = "v1",
) -> TermIndex:
    return assemble_index(
        SYSTEMS,
        LEVELS,
        CONDITIONS if conditions is None else conditions,
        FINDINGS if findings is None else findings,
        RULES,
        SOURCES,
        condition_count=condition_count,
        typical_counts=typical_counts,
        version=version,
    )


def ranked(candidates: Sequence[Candidate]) -> list[tuple[str, float]]:
    return [(c.condition, c.score) for c in candidates]


def by_iri(candidates: Sequence[Candidate]) -> dict[str, Candidate]:
    return {c.condition: c for c in candidates}


@pytest.fixture()
def scorer() -> Scorer:
    return Scorer(IndexedKnowledge(make_index(), "v1", "test"))


# ---------------------------------------------------------------------------------------- constants


def test_the_constants_are_the_documented_ones() -> None:
    """The module docstring's numbers: bases 2 and 1, 0.4 for a general report, 1.5 per against finding,
    0.75 for an absent one, coverage bonus 0.5, inherited links 0.8."""
    assert (DISCRIMINATING_BASE, TYPICAL_BASE) == (2.0, 1.0)
    assert (GENERAL_REPORT_FACTOR, AGAINST_PENALTY, ABSENT_FACTOR) == (0.4, 1.5, 0.75)
    assert (COVERAGE_BONUS, INHERITED_FACTOR) == (0.5, 0.8)


def test_the_fixture_index_counts_what_the_weights_are_computed_from() -> None:
    """The hand arithmetic below rests on N = 4 and these document frequencies."""
    ix = make_index()
    assert ix.condition_count == N
    assert ix.typical_counts == {CLAUD: 2, CALF: 2, NUMB: 1, COLD: 1, SWELL: 3, RED: 1, FEVER: 1}


# ---------------------------------------------------------------------------------------- weights


def test_specificity_weight_of_a_finding_shared_by_three_conditions(scorer: Scorer) -> None:
    """w = base * (1 + ln(N/df)/ln(N)); score = support + 0.5 * support / all typical weight.
    Leg swelling is typical of 3 of the 4 conditions: discriminating for the clot, typical otherwise."""
    s3 = 1 + math.log(4 / 3) / math.log(4)  # ~1.2075
    s2 = 1 + math.log(4 / 2) / math.log(4)  # = 1.5
    s1 = 1 + math.log(4 / 1) / math.log(4)  # = 2
    dvt = 2 * s3 + 0.5 * (2 * s3) / (2 * s3 + 1 * s2)
    cell = 1 * s3 + 0.5 * s3 / (2 * s1 + 1 * s1 + s3)
    cli = 1 * s3 + 0.5 * s3 / (2 * s1 + 2 * s2 * 0.8 + s3)
    result = scorer.assess([SWELL])
    assert ranked(result.candidates) == [(DVT, approx(dvt)), (CELL, approx(cell)), (CLI, approx(cli))]
    assert [c.rank for c in result.candidates] == [1, 2, 3]
    assert all(c.supporting == (SWELL,) and c.conflicting == () for c in result.candidates)
    assert dvt == pytest.approx(2.7234, abs=1e-4)  # the arithmetic itself, for a reader checking by hand


def test_a_finding_of_one_condition_has_specificity_two(scorer: Scorer) -> None:
    """df = 1 gives specificity 1 + ln(4)/ln(4) = 2: a discriminating finding of one condition weighs 4."""
    w_cold = 2 * (1 + math.log(4 / 1) / math.log(4))
    total = w_cold + 2 * s(2) * 0.8 + s(3)
    assert ranked(scorer.candidates([COLD])) == [(CLI, approx(w_cold + 0.5 * w_cold / total))]


def test_an_inherited_link_counts_0_8_of_its_weight(scorer: Scorer) -> None:
    """Walking calf pain is the arterial narrowing's own discriminating finding (2 * s(2) = 3) and the
    critical ischemia's inherited one (0.8 * 3 = 2.4), so the general condition ranks first."""
    w_own = 2 * (1 + math.log(4 / 2) / math.log(4))
    w_inherited = 0.8 * w_own
    result = by_iri(scorer.candidates([CLAUD]))
    assert result[PAD].score == approx(w_own + 0.5 * w_own / 8.5)
    assert result[CLI].score == approx(w_inherited + 0.5 * w_inherited / (4 + 2.4 + s(3)))
    assert result[PAD].rank < result[CLI].rank


def test_a_more_specific_report_supports_with_the_full_weight(scorer: Scorer) -> None:
    """Reported walking calf pain is a kind of calf pain: the clot's typical calf pain counts its whole
    weight s(2) = 1.5, so with leg swelling every typical finding is covered (bonus 0.5 * 1)."""
    w_swell, w_calf = 2 * s(3), 1 * s(2)
    dvt_total = w_swell + w_calf
    result = scorer.candidates([SWELL, CLAUD])
    assert ranked(result) == [
        (DVT, approx(dvt_total + 0.5 * dvt_total / dvt_total)),
        (CLI, approx((2.4 + s(3)) + 0.5 * (2.4 + s(3)) / (6.4 + s(3)))),
        (PAD, approx(3 + 0.5 * 3 / 8.5)),
    ]
    assert by_iri(result)[DVT].supporting == (SWELL, CLAUD)


def test_a_more_general_report_supports_with_0_4_of_the_weight_once(scorer: Scorer) -> None:
    """Reported leg pain is more general than calf pain and walking calf pain: it supports with 0.4 * w,
    through one typical finding only (the arterial narrowing gets 0.4 * 3, not 0.4 * (3 + 1.5))."""
    pad, cli, dvt = 0.4 * 3, 0.4 * 2.4, 0.4 * s(2)
    result = scorer.candidates([PAIN])
    assert ranked(result) == [
        (PAD, approx(pad + 0.5 * pad / 8.5)),
        (CLI, approx(cli + 0.5 * cli / (6.4 + s(3)))),
        (DVT, approx(dvt + 0.5 * dvt / (2 * s(3) + s(2)))),
    ]
    assert all(c.supporting == (PAIN,) for c in result)


def test_each_typical_finding_is_claimed_once(scorer: Scorer) -> None:
    """Calf pain and walking calf pain both reach the clot's calf pain: it counts once (1.5, not 3), and
    the second report supports nothing there. The ischemia's walking calf pain is claimed by the exact
    report (2.4), not also by the general calf pain report (0.4 * 2.4)."""
    result = scorer.candidates([CALF, CLAUD])
    assert ranked(result) == [
        (PAD, approx(4.5 + 0.5 * 4.5 / 8.5)),  # walking calf pain 3 + calf pain 1.5
        (CLI, approx(2.4 + 0.5 * 2.4 / (6.4 + s(3)))),
        (DVT, approx(1.5 + 0.5 * 1.5 / (2 * s(3) + 1.5))),
    ]
    found = by_iri(result)
    assert found[PAD].supporting == (CLAUD, CALF)
    assert found[CLI].supporting == (CLAUD,)
    assert found[DVT].supporting == (CALF,)


def test_the_strongest_claims_go_first(scorer: Scorer) -> None:
    """Greedy, strongest first: for the clot, walking calf pain (full 1.5) claims calf pain before leg
    pain (0.4 * 1.5); for the arterial narrowing, leg pain is left the calf pain (0.4 * 1.5) once walking
    calf pain has taken its own finding (3)."""
    result = by_iri(scorer.candidates([CLAUD, PAIN]))
    assert result[PAD].score == approx((3 + 0.4 * 1.5) + 0.5 * (3 + 0.4 * 1.5) / 8.5)
    assert result[PAD].supporting == (CLAUD, PAIN)
    assert result[DVT].score == approx(1.5 + 0.5 * 1.5 / (2 * s(3) + 1.5))
    assert result[DVT].supporting == (CLAUD,)
    assert result[CLI].score == approx(2.4 + 0.5 * 2.4 / (6.4 + s(3)))


# ---------------------------------------------------------------------------------------- penalties


def test_an_against_finding_subtracts_1_5_and_is_conflicting(scorer: Scorer) -> None:
    """Fever argues against the clot: -1.5, listed in `conflicting`, not in `supporting`; for the skin
    infection it is typical and supports (2)."""
    result = scorer.candidates([SWELL, FEVER])
    dvt = 2 * s(3) - 1.5 + 0.5 * (2 * s(3)) / (2 * s(3) + 1.5)
    cell = (2 + s(3)) + 0.5 * (2 + s(3)) / (6 + s(3))
    cli = s(3) + 0.5 * s(3) / (6.4 + s(3))
    assert ranked(result) == [(CELL, approx(cell)), (CLI, approx(cli)), (DVT, approx(dvt))]
    found = by_iri(result)
    assert (found[DVT].supporting, found[DVT].conflicting) == ((SWELL,), (FEVER,))
    assert (found[CELL].supporting, found[CELL].conflicting) == ((FEVER, SWELL), ())


def test_a_kind_of_an_against_finding_is_against_too(scorer: Scorer) -> None:
    """Walking calf pain is a kind of calf pain, which argues against the skin infection: -1.5 there, and
    it does not support the infection."""
    result = by_iri(scorer.candidates([CLAUD, RED]))
    assert result[CELL].score == approx(4 - 1.5 + 0.5 * 4 / (6 + s(3)))
    assert (result[CELL].supporting, result[CELL].conflicting) == ((RED,), (CLAUD,))
    assert result[PAD].conflicting == ()


def test_a_condition_whose_score_is_not_positive_is_no_candidate(scorer: Scorer) -> None:
    """Leg swelling supports the skin infection (s(3)) but walking calf pain argues against it (-1.5):
    the score is negative, so it is left out though it is touched."""
    cell = s(3) - 1.5 + 0.5 * s(3) / (6 + s(3))
    assert cell < 0
    assert CELL in make_index().touched([SWELL, CLAUD])
    assert CELL not in by_iri(scorer.candidates([SWELL, CLAUD]))


def test_a_condition_without_support_is_no_candidate() -> None:
    """With leg pain typical of the skin infection, reported calf pain touches it (a kind of leg pain), but
    calf pain argues against it: no support, no candidate. The others keep their exact scores."""
    cell = CONDITIONS[CELL]
    conditions = {**CONDITIONS, CELL: dataclasses.replace(cell, links=(*cell.links, link(PAIN, TYP)))}
    ix = make_index(conditions)
    assert CELL in ix.touched([CALF])
    result = Scorer(IndexedKnowledge(ix, "v1", "test")).candidates([CALF])
    assert ranked(result) == [
        (DVT, approx(1.5 + 0.5 * 1.5 / (2 * s(3) + 1.5))),
        (PAD, approx(1.5 + 0.5 * 1.5 / 8.5)),  # calf pain itself (1.5) beats 0.4 * walking calf pain (1.2)
        (CLI, approx(0.4 * 2.4 + 0.5 * (0.4 * 2.4) / (6.4 + s(3)))),
    ]


def test_an_absent_generalisation_of_a_typical_finding_subtracts_0_75_w(scorer: Scorer) -> None:
    """Leg pain reported absent generalises calf pain (clot: -0.75 * 1.5) and walking calf pain (ischemia:
    -0.75 * 2.4, which sinks it below zero); it is listed in `conflicting`."""
    result = scorer.assess([SWELL], [PAIN])
    dvt = 2 * s(3) - 0.75 * 1.5 + 0.5 * (2 * s(3)) / (2 * s(3) + 1.5)
    cell = s(3) + 0.5 * s(3) / (6 + s(3))
    cli = s(3) - 0.75 * 2.4 + 0.5 * s(3) / (6.4 + s(3))
    assert cli < 0
    assert ranked(result.candidates) == [(DVT, approx(dvt)), (CELL, approx(cell))]
    assert by_iri(result.candidates)[DVT].conflicting == (PAIN,)
    assert by_iri(result.candidates)[CELL].conflicting == ()
    assert result.absent == (PAIN,)


def test_an_absent_more_specific_finding_is_no_penalty(scorer: Scorer) -> None:
    """Walking calf pain reported absent is more specific than the clot's calf pain: no penalty there;
    it is the ischemia's typical finding itself: -0.75 * 2.4, below zero."""
    result = by_iri(scorer.candidates([SWELL], [CLAUD]))
    assert result[DVT].score == approx(2 * s(3) + 0.5 * (2 * s(3)) / (2 * s(3) + 1.5))
    assert result[DVT].conflicting == ()
    assert CLI not in result


def test_an_absent_finding_subtracts_for_its_largest_typical_only(scorer: Scorer) -> None:
    """Leg pain reported absent generalises two of the arterial narrowing's typical findings (3 and 1.5):
    the penalty is 0.75 * 3, not 0.75 * 4.5."""
    result = scorer.candidates([NUMB], [PAIN])
    assert ranked(result) == [(PAD, approx(4 - 0.75 * max(3, 1.5) + 0.5 * 4 / 8.5))]


def test_an_absent_finding_subtracts_by_the_links_frequency_on_a_log_scale() -> None:
    """With `lp:frequency` on its links (HPO's annotations), a finding reported absent subtracts
    `0.75 * w(t) * ln(max(0.01, 1 - f)) / ln(0.01)`: the same presentation as above, the arterial
    narrowing's two findings under leg pain now shown by 20% and 90% of people with it, so the calf
    pain's, not the walking calf pain's, is the larger penalty."""
    frequencies = {CLAUD: 0.2, CALF: 0.9}
    pad = CONDITIONS[PAD]
    assert {link.finding for link in pad.typical} >= set(frequencies)
    changed = dataclasses.replace(
        pad,
        links=tuple(dataclasses.replace(lk, frequency=frequencies.get(lk.finding)) for lk in pad.links),
    )
    scorer = Scorer(IndexedKnowledge(make_index({**CONDITIONS, PAD: changed}), "v1", "test"))
    result = scorer.candidates([NUMB], [PAIN])
    # each weight is also scaled by 0.5 + 0.5 * f: walking calf pain 3 * 0.6, calf pain 1.5 * 0.95
    claud, calf = 3 * (0.5 + 0.5 * 0.2), 1.5 * (0.5 + 0.5 * 0.9)
    penalty = 0.75 * max(claud * math.log(0.8) / math.log(0.01), calf * math.log(0.1) / math.log(0.01))
    assert ranked(result)[0] == (PAD, approx(4 - penalty + 0.5 * 4 / (4 + claud + calf)))


def test_a_finding_reported_present_and_absent_counts_as_present(scorer: Scorer) -> None:
    """No absent penalty for a finding also reported present."""
    result = scorer.assess([SWELL], [SWELL])
    assert result.absent == ()
    assert ranked(result.candidates) == ranked(scorer.candidates([SWELL]))


# ---------------------------------------------------------------------------------------- ranking


def test_ranking_is_score_then_supporting_count_then_label() -> None:
    """score descending, then more supporting findings, then label. With every finding's document
    frequency equal to N (passed as the index's counts) each weight is its base: zeta 2 + 2 (+0.5);
    omega 1 + 1 of 3 and beta/alpha 2 of 3, all 2 + 0.5 * 2/3, omega with two supporting findings."""
    x, y, w, w2 = T + "X", T + "Y", T + "W", T + "W2"
    findings = {iri: finding(iri, iri[-2:]) for iri in (x, y, w, w2)}
    conditions = {
        c.iri: c
        for c in (
            condition(T + "C1", "beta", L1, link(x, DISC), link(w, TYP)),
            condition(T + "C2", "alpha", L1, link(x, DISC), link(w, TYP)),
            condition(T + "C3", "omega", L1, link(x, TYP), link(y, TYP), link(w2, TYP)),
            condition(T + "C4", "zeta", L1, link(x, DISC), link(y, DISC)),
        )
    }
    ix = make_index(conditions, findings, condition_count=4, typical_counts=dict.fromkeys(findings, 4))
    scorer = Scorer(IndexedKnowledge(ix, "v1", "test"))
    specificity = 1 + math.log(4 / 4) / math.log(4)  # = 1
    tied = 2 * specificity + 0.5 * (2 * specificity) / (3 * specificity)
    result = scorer.candidates([x, y])
    assert ranked(result) == [
        (T + "C4", approx(4 * specificity + 0.5)),
        (T + "C3", approx(tied)),
        (T + "C2", approx(tied)),
        (T + "C1", approx(tied)),
    ]
    assert [len(c.supporting) for c in result] == [2, 2, 1, 1]
    assert [c.rank for c in result] == [1, 2, 3, 4]
    assert ranked(scorer.candidates([x, y], limit=2)) == ranked(result)[:2]


# ---------------------------------------------------------------------------------------- urgency


def test_the_lowest_level_when_nothing_fires(scorer: Scorer) -> None:
    """No warning sign, no rule: one trigger of a 2-trigger rule, a best candidate with 1 supporting
    finding of the 2 the suspected-condition rule needs, or nothing reported at all."""
    for present in ([SWELL], [NUMB], []):
        result = scorer.assess(present)
        assert (result.urgency, result.reasons, result.warning_signs) == (L1, (), ())
    assert scorer.assess([]).candidates == ()


def test_a_findings_rule_fires_on_enough_triggers_counting_kinds(scorer: Scorer) -> None:
    """Walking calf pain is a kind of the trigger calf pain: with numb foot that is 2 distinct triggers,
    so the rule's urgency 3 applies (above the best candidate's 2)."""
    result = scorer.assess([CLAUD, NUMB])
    assert result.urgency == L3
    assert [(r.rule, r.urgency, r.findings) for r in result.reasons] == [
        (RULE_FINDINGS, L3, (CLAUD, NUMB)),
        (RULE_SUSPECTED, L2, (NUMB, CLAUD)),
    ]
    assert result.reasons[0].sources == (SOURCES[SRC_RULE],)


def test_a_findings_rule_counts_distinct_triggers(scorer: Scorer) -> None:
    """Calf pain and walking calf pain both match the one trigger calf pain: 1 of 2, the rule does not
    fire; the best candidate (arterial narrowing, 2 supporting) gives urgency 2."""
    result = scorer.assess([CALF, CLAUD])
    assert result.urgency == L2
    assert [(r.rule, r.urgency) for r in result.reasons] == [(RULE_SUSPECTED, L2)]


def test_the_suspected_condition_rule_gives_the_best_candidates_urgency(scorer: Scorer) -> None:
    """The best candidate (the clot, urgency 3) has 2 supporting findings, the rule's minimum; with one
    (leg swelling alone) the rule does not fire and the level is the lowest."""
    result = scorer.assess([SWELL, CALF])
    assert result.candidates[0].condition == DVT
    assert result.urgency == L3
    [reason] = result.reasons
    assert (reason.rule, reason.label, reason.urgency, reason.findings) == (
        RULE_SUSPECTED,
        "suspected condition: deep clot",
        L3,
        (SWELL, CALF),
    )
    assert scorer.assess([SWELL]).urgency == L1


def test_urgency_is_never_below_a_reported_warning_sign(scorer: Scorer) -> None:
    """Cold pale foot warrants urgency 3: alone (best candidate with 1 supporting finding), and when the
    best candidate (skin infection) brings only 2; a higher rule still wins (ischemia, urgency 4)."""
    alone = scorer.assess([COLD])
    assert (alone.urgency, alone.warning_signs) == (L3, (COLD,))
    assert [(r.rule, r.label, r.urgency, r.findings, r.sources) for r in alone.reasons] == [
        (COLD, "warning sign: cold pale foot", L3, (COLD,), (SOURCES[SRC_WARN],))
    ]
    mixed = scorer.assess([COLD, RED, FEVER])
    assert mixed.candidates[0].condition == CELL
    assert mixed.urgency == L3
    assert [(r.rule, r.urgency) for r in mixed.reasons] == [(COLD, L3), (RULE_SUSPECTED, L2)]
    higher = scorer.assess([COLD, SWELL])
    assert higher.candidates[0].condition == CLI
    assert higher.urgency == L4


# ---------------------------------------------------------------------------------------- errors


def test_an_iri_that_names_no_finding_is_an_unknown_term(scorer: Scorer) -> None:
    """`UnknownTermError` lists every ID that names no finding (a condition's IRI included), present or
    absent."""
    with pytest.raises(UnknownTermError) as raised:
        scorer.assess([SWELL, T + "Nothing"], [DVT])
    assert raised.value.unknown == [T + "Nothing", DVT]
    with pytest.raises(UnknownTermError):
        scorer.candidates([T + "Nothing"])


# ---------------------------------------------------------------------------------------- caches


class SequenceReader:
    """An `AssessmentReader` whose index changes between assessments, as after `legpain load`."""

    def __init__(self, *indexes: TermIndex) -> None:
        self.indexes = list(indexes)

    def index_for(self, present: Sequence[str], absent: Sequence[str]) -> TermIndex:
        return self.indexes.pop(0)


def test_weights_are_recomputed_when_the_data_version_changes() -> None:
    """The second index says N = 16 at version v2: swelling's weight for the clot becomes
    2 * (1 + ln(16/3)/ln(16)) and calf pain's 1 + ln(16/2)/ln(16), not the N = 4 values."""
    scorer = Scorer(SequenceReader(make_index(version="v1"), make_index(condition_count=16, version="v2")))
    swell_1, calf_1 = 2 * (1 + math.log(4 / 3) / math.log(4)), 1 + math.log(4 / 2) / math.log(4)
    swell_2, calf_2 = 2 * (1 + math.log(16 / 3) / math.log(16)), 1 + math.log(16 / 2) / math.log(16)
    first = by_iri(scorer.assess([SWELL]).candidates)
    second = by_iri(scorer.assess([SWELL]).candidates)
    assert first[DVT].score == approx(swell_1 + 0.5 * swell_1 / (swell_1 + calf_1))
    assert second[DVT].score == approx(swell_2 + 0.5 * swell_2 / (swell_2 + calf_2))
    assert second[DVT].score != pytest.approx(first[DVT].score, abs=1e-4)


def test_weights_are_kept_while_the_data_version_is_the_same() -> None:
    """The cache is keyed by the data version: an index at the same version is scored with the weights
    already derived (N = 4), one at a new version with its own (N = 16)."""
    scorer = Scorer(
        SequenceReader(
            make_index(version="v1"),
            make_index(condition_count=16, version="v1"),
            make_index(condition_count=16, version="v2"),
        )
    )
    swell_1, calf_1 = 2 * s(3), s(2)
    swell_2, calf_2 = 2 * s(3, 16), s(2, 16)
    kept = swell_1 + 0.5 * swell_1 / (swell_1 + calf_1)
    scores = [by_iri(scorer.candidates([SWELL]))[DVT].score for _ in range(3)]
    assert scores == [approx(kept), approx(kept), approx(swell_2 + 0.5 * swell_2 / (swell_2 + calf_2))]


@pytest.mark.parametrize(
    ("frequency", "weight"),
    [(None, 1.0), (1.0, 1.0), (0.995, 1.0), (0.9, 0.5), (0.5, math.log(0.5) / math.log(0.01)), (0.0, 0.0)],
)
def test_what_a_finding_reported_absent_weighs_by_its_frequency(frequency: float | None, weight: float) -> None:
    """An obligate finding (or one whose frequency no source gives) weighs 1; the floor of 0.01 (a
    finding missed by the observer) caps it there; 90% of patients: half; none: nothing."""
    assert exclusion_weight(frequency) == approx(weight)
