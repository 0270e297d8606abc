"""Scoring: reported findings (IRIs) in, ranked and explained candidates plus an urgency out.

Scoring (documented for clinicians in the README, "How candidates are scored"):
- Each typical finding `t` of a condition has a weight `w(t) = base * specificity`, where `base` is
  2 for a discriminating finding and 1 for another typical one, and
  `specificity = 1 + ln(N / df(t)) / ln(N)` (N conditions, df(t) of them have `t` as typical), so a
  finding shared by many conditions counts less (between 1 and 2). A finding a condition inherits
  from the more general condition it is a kind of (critical limb ischemia from peripheral artery
  disease) counts 0.8 of that, so the specific condition ranks above the general one only when its
  own findings are reported. Where the link gives a frequency `f(t)` (`lp:frequency`: the fraction of
  people with the condition who show the finding, as HPO's annotations give it; none of the shipped
  graph's links do), the weight is also multiplied by `0.5 + 0.5 * f(t)`: a finding everyone with
  the condition shows counts fully, one that few show counts half.
- A reported finding `p` supports the condition through `t` when `p` is `t` or a more specific kind
  of it (ontology subsumption, asserted or inferred): weight `w(t)`. When `p` is more general than `t`
  (reported "heel pain", typical "first-step heel pain") it supports with `0.4 * w(t)`. Each reported
  finding supports through one typical finding and each typical finding is claimed once (strongest
  first), so overlapping reports are not counted twice.
- A reported finding that is (a kind of) a finding that argues against the condition subtracts 1.5;
  a finding reported absent that is (a generalisation of) a typical finding subtracts
  `0.75 * w(t) * x(f(t))` (the largest over the typical findings it rules out), where
  `x(f) = ln(max(0.01, 1 - f)) / ln(0.01)` and `x` is 1 where the link gives no frequency (every
  link of the shipped graph). `ln(max(0.01, 1 - f))` is the log likelihood ratio LIRICAL gives an
  excluded feature shown by a fraction f of the disease's patients (Robinson et al., AJHG 2020;
  0.01 is its chance that a feature is there but not noticed), here divided by its value for an
  obligate finding: missing a finding everyone with the condition has costs 0.75 w, one that 90%
  have costs half of that, one that half have 15%, one that a fifth have 5%.
- Each reported risk factor of the condition (`lp:hasRiskFactor`, each link citing its source) adds
  0.5, half a typical finding of base weight, for at most two of them: a risk factor makes a
  condition more likely but is not a sign of it, so it only adds to a condition the findings
  already support and never makes a candidate on its own.
- score = support - penalties + risk factors + 0.5 * (supported typical weight / all typical
  weight); only conditions with support and a positive score are candidates.
Ranking a large graph: scoring every touched condition in Python costs about 14 µs each, which is
30 ms for the 2,000 of HPO's 12,633 diseases a typical presentation touches. On a graph held whole
in memory with at least `BOUND_MIN_CONDITIONS` conditions, `_Bound` first computes, for every
condition at once from sparse matrices built once per data version, an upper bound of its score:
the support each reported finding could give on its own (its best typical finding, ignoring that
each typical finding is claimed once), with the penalties and the risk factor bonus exact. The
exact scoring above then runs in descending order of that bound and stops as soon as the next bound
cannot reach the k-th best exact score: the top k is exactly what scoring every condition and
sorting gives, at a fraction of the cost, and only the candidates returned are written up.

Urgency is computed from data in the graph (each rule cites its source): the highest of the levels
warranted by reported warning signs, the levels of urgency rules whose triggers are reported in
sufficient number (a trigger risk factor counts only beside one of the rule's trigger findings),
and the urgency of the best candidate when the suspected-condition rule's minimum support is met;
never lower than any reported warning sign.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from kg.assessment.patient import Patient, unknown_risk_factors
from kg.core.namespaces import from_curie
from kg.core.records import Condition, FindingLink, LinkRelation, RuleKind, SourceRef
from kg.knowledge.index import TermIndex
from kg.knowledge.protocols import AssessmentReader, StagedReader

if TYPE_CHECKING:
    from kg.assessment.text import Mention

DISCRIMINATING_BASE = 2.0
TYPICAL_BASE = 1.0
GENERAL_REPORT_FACTOR = 0.4
AGAINST_PENALTY = 1.5
ABSENT_FACTOR = 0.75
COVERAGE_BONUS = 0.5
INHERITED_FACTOR = 0.8
#: What a typical finding shown by almost nobody with the condition still counts (`0.5 + 0.5 * f`).
FREQUENCY_FLOOR = 0.5
#: LIRICAL's chance that a feature the person has is not noticed (FALSE_NEGATIVE_OBSERVATION_OF_PHENOTYPE_PROB):
#: what bounds the evidence a finding reported absent gives against a condition that always shows it.
MISSED_FINDING = 0.01
RISK_FACTOR_WEIGHT = 0.5
MAX_RISK_FACTORS = 2
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: A whole graph held in memory with at least this many conditions is ranked through `_Bound`.
BOUND_MIN_CONDITIONS = 256
#: What rounding a score (4 decimals) can add to it: the bound is compared with this margin.
_ROUNDING = 5e-5


def exclusion_weight(frequency: float | None) -> float:
    """How much a finding reported absent says against a condition that shows it in a fraction
    `frequency` of its patients, relative to one that always shows it (1; also where the source gives
    no frequency): LIRICAL's log likelihood ratio of an excluded feature, `ln(max(0.01, 1 - f))`,
    over its value at f = 1. On a log scale because the evidence is: missing a finding half the
    patients lack is weak evidence, missing one that all have is strong (0.15 against 1 here, not
    0.5 against 1, which on HPO's published cases cost the true disease its place more often than it
    helped; see the README's "Real cases at HPO scale")."""
    if frequency is None:
        return 1.0
    return math.log(max(MISSED_FINDING, 1.0 - frequency)) / math.log(MISSED_FINDING)


class UnknownTermError(ValueError):
    """IDs that name no finding; `unknown` lists them."""

    def __init__(self, unknown: Sequence[str], kind: str = "symptom") -> None:
        self.unknown = list(unknown)
        super().__init__(f"unknown {kind} ID(s): {', '.join(self.unknown)}")


@dataclass(frozen=True)
class Candidate:
    """A ranked candidate condition and why."""

    condition: str
    rank: int
    score: float
    supporting: tuple[str, ...]
    missing: tuple[str, ...]
    conflicting: tuple[str, ...]
    explanation: str
    sources: tuple[SourceRef, ...]
    #: the reported risk factors that made it more likely (those that counted)
    risk_factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class FiredRule:
    """A reason the presentation has its urgency: a warning sign, a rule, or the best candidate."""

    rule: str
    label: str
    urgency: str
    findings: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    #: the reported risk factors that counted towards the rule
    risk_factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    candidates: tuple[Candidate, ...]
    urgency: str
    warning_signs: tuple[str, ...]
    advice: str
    reasons: tuple[FiredRule, ...]
    present: tuple[str, ...]
    absent: tuple[str, ...]
    #: what the person said that named no finding (`kg.assessment.service` fills it)
    unrecognized: tuple[str, ...] = ()
    #: what was read from the request's free text (`kg.assessment.text.Mention`s; the service fills it)
    understood: tuple[Mention, ...] = ()
    #: the reported risk factors (stated, read from the text, or given by the age) the scoring used
    risk_factors: tuple[str, ...] = ()
    #: the patient context the assessment used (`kg.assessment.patient`; the service fills it)
    patient: Patient | None = None

    @property
    def in_scope(self) -> bool:
        """Whether anything reported concerns leg pain on walking: a finding, present or absent."""
        return bool(self.present or self.absent)


def resolve_risk_factors(index: TermIndex, ids: Sequence[str]) -> list[str]:
    """Risk factor IRIs for CURIEs or IRIs, in order, without repeats; `UnknownTermError` lists every
    ID that names no risk factor."""
    resolved = list(dict.fromkeys(from_curie(raw.strip()) for raw in ids))
    unknown = unknown_risk_factors(ids, index.risk_factors)
    if unknown:
        raise UnknownTermError(unknown, "risk factor")
    return resolved


def resolve_ids(index: TermIndex, present: Sequence[str], absent: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """Finding IRIs for CURIEs or IRIs, in order, without repeats (a finding reported both present and
    absent counts as present); `UnknownTermError` lists every ID that names no finding."""
    unknown: list[str] = []

    def resolve(ids: Sequence[str]) -> list[str]:
        resolved: list[str] = []
        for raw in ids:
            iri = from_curie(raw.strip())
            if iri in index.findings:
                if iri not in resolved:
                    resolved.append(iri)
            else:
                unknown.append(raw)
        return resolved

    present_iris, absent_iris = resolve(present), resolve(absent)
    if unknown:
        raise UnknownTermError(unknown)
    return present_iris, [a for a in absent_iris if a not in present_iris]


@dataclass(frozen=True)
class _Scored:
    """A condition's score for one presentation, before it is written up as a `Candidate`."""

    condition: Condition
    score: float
    supporting: tuple[str, ...]
    conflicting: tuple[str, ...]
    support: dict[str, tuple[float, str]]
    risk_factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Reach:
    """Per reported finding: what it is (itself and every more general kind) and every more specific
    finding; computed once per assessment instead of once per condition."""

    kinds: dict[str, frozenset[str]]
    narrower: dict[str, frozenset[str]]
    #: the finding and every more specific one (what a finding reported absent rules out)
    at_or_below: dict[str, frozenset[str]]

    @classmethod
    def of(cls, ix: TermIndex, findings: Iterable[str]) -> _Reach:
        kinds = {f: ix.findings[f].kinds | {f} for f in findings}
        narrower = {f: ix.narrower.get(f, frozenset()) for f in kinds}
        return cls(kinds, narrower, {f: narrower[f] | {f} for f in kinds})


def _common(items: frozenset[str] | set[str], weights: dict[str, float]) -> Iterable[str]:
    """The items that are keys of `weights`, iterating over the smaller side."""
    if len(items) <= len(weights):
        return [t for t in items if t in weights]
    return [t for t in weights if t in items]


@dataclass(frozen=True)
class _Ranking:
    """One ranking: the index it was scored on, the reported IDs resolved, their reach, the best."""

    ix: TermIndex
    derived: _Derived
    reach: _Reach
    present: list[str]
    absent: list[str]
    risks: list[str]
    ranked: list[_Scored]


@dataclass
class _Derived:
    """What the scorer derives per condition and keeps for one data version: each typical finding's
    weight, the findings that argue against it, and the bound over the whole graph."""

    version: str
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    against: dict[str, frozenset[str]] = field(default_factory=dict)
    #: per condition, what each typical finding takes off when it is reported absent (before ABSENT_FACTOR)
    missing: dict[str, dict[str, float]] = field(default_factory=dict)
    #: each condition's typical findings, most telling first (the order `Candidate.missing` lists them in)
    by_weight: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bound: _Bound | None = None


@dataclass(frozen=True)
class _Columns:
    """A sparse matrix by columns (compressed sparse column arrays): for column j, the rows
    `rows[starts[j]:starts[j + 1]]` hold the values `values[...]`."""

    starts: Ints
    rows: Ints
    values: Floats

    @classmethod
    def of(cls, cells: Sequence[tuple[int, int, float]], columns: int) -> _Columns:
        rows = np.fromiter((r for r, _, _ in cells), dtype=np.int64, count=len(cells))
        cols = np.fromiter((c for _, c, _ in cells), dtype=np.int64, count=len(cells))
        values = np.fromiter((v for _, _, v in cells), dtype=np.float64, count=len(cells))
        order = np.argsort(cols, kind="stable")
        starts = np.concatenate(([0], np.cumsum(np.bincount(cols, minlength=columns)))).astype(np.int64)
        return cls(starts, rows[order], values[order])

    def entries(self, cols: Sequence[int] | Ints) -> tuple[Ints, Floats]:
        """The rows and values of these columns, gathered without a Python loop."""
        picked = np.asarray(cols, dtype=np.int64)
        starts = self.starts[picked]
        lengths = self.starts[picked + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return self.rows[:0], self.values[:0]
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return self.rows[at], self.values[at]


class _Bound:
    """An upper bound of every condition's score at once (see the module docstring), from sparse
    matrices over the whole graph: rows are conditions, columns findings (or risk factors)."""

    def __init__(
        self, ix: TermIndex, weights: dict[str, dict[str, float]], missing: dict[str, dict[str, float]]
    ) -> None:
        self.conditions = list(ix.conditions.values())
        linked = (t for c in self.conditions for t in weights[c.iri])
        self.columns = {iri: i for i, iri in enumerate(dict.fromkeys([*ix.findings, *linked]))}
        self.risk_columns = {iri: i for i, iri in enumerate(ix.risk_factors)}
        self.size = len(self.conditions)
        self.weights = _Columns.of(
            [(row, self.columns[t], w) for row, c in enumerate(self.conditions) for t, w in weights[c.iri].items()],
            len(self.columns),
        )
        self.missing = _Columns.of(
            [(row, self.columns[t], w) for row, c in enumerate(self.conditions) for t, w in missing[c.iri].items()],
            len(self.columns),
        )
        self.against = _Columns.of(
            [
                (row, self.columns[link.finding], 1.0)
                for row, c in enumerate(self.conditions)
                for link in c.against
                if link.finding in self.columns
            ],
            len(self.columns),
        )
        self.risks = _Columns.of(
            [
                (row, self.risk_columns[target], 1.0)
                for row, c in enumerate(self.conditions)
                for target in dict.fromkeys(link.target for link in c.risk_factors)
                if target in self.risk_columns
            ],
            len(self.risk_columns),
        )
        self.totals = np.bincount(self.weights.rows, weights=self.weights.values, minlength=self.size)

    def _cols(self, findings: Iterable[str]) -> list[int]:
        columns = self.columns
        return [columns[f] for f in findings if f in columns]

    def _best(self, cols: Sequence[int] | Ints, matrix: _Columns | None = None) -> Floats:
        """Per condition, the largest value of a typical finding among these columns (0 for none), in
        `matrix` (the weights by default)."""
        best = np.zeros(self.size)
        rows, values = (matrix or self.weights).entries(cols)
        np.maximum.at(best, rows, values)
        return best

    def upper(self, reach: _Reach, present: Sequence[str], absent: Sequence[str], risks: Sequence[str]) -> Floats:
        """Every condition's score bound; `-inf` where no reported finding can support it."""
        support = np.zeros(self.size)
        penalty = np.zeros(self.size)
        # each typical finding is claimed once: the support is also at most the sum, over the typical
        # findings any reported one reaches, of the most a reported finding gets from it
        reached: dict[int, float] = {}
        for p in present:
            kinds, narrower = self._cols(reach.kinds[p]), self._cols(reach.narrower[p])
            for col in narrower:
                reached[col] = max(reached.get(col, 0.0), GENERAL_REPORT_FACTOR)
            reached.update(dict.fromkeys(kinds, 1.0))
            conflicting = np.zeros(self.size, dtype=bool)
            conflicting[self.against.entries(kinds)[0]] = True
            penalty += AGAINST_PENALTY * conflicting
            best = self._best(kinds)
            if narrower:
                best = np.maximum(best, GENERAL_REPORT_FACTOR * self._best(narrower))
            best[conflicting] = 0.0
            support += best
        if reached:
            cols = np.fromiter(reached, dtype=np.int64, count=len(reached))
            rows, values = self.weights.entries(cols)
            factors = np.repeat(
                np.fromiter(reached.values(), dtype=np.float64, count=len(cols)),
                self.weights.starts[cols + 1] - self.weights.starts[cols],
            )
            support = np.minimum(support, np.bincount(rows, weights=values * factors, minlength=self.size))
        for a in absent:
            penalty += ABSENT_FACTOR * self._best(self._cols(reach.at_or_below[a]), self.missing)
        risk_cols = [self.risk_columns[r] for r in dict.fromkeys(risks) if r in self.risk_columns]
        counts = np.bincount(self.risks.entries(risk_cols)[0], minlength=self.size)
        bonus = RISK_FACTOR_WEIGHT * np.minimum(counts, MAX_RISK_FACTORS)
        coverage = COVERAGE_BONUS * np.divide(support, self.totals, out=np.zeros_like(support), where=self.totals > 0)
        bound = support - penalty + bonus + coverage
        return np.where(support > 0, bound, -np.inf)


class Scorer:
    """Ranks candidates over the index an `AssessmentReader` gives for each assessment: the whole
    graph's index when it is held in memory, or the part of it the reported findings touch when the
    graph lives in a remote store. It owns the values it derives from the index (weights, against
    sets), kept for the data version they were computed at and dropped when it changes."""

    def __init__(self, reader: AssessmentReader, bound_min_conditions: int = BOUND_MIN_CONDITIONS) -> None:
        self.reader = reader
        #: a whole graph in memory with at least this many conditions is ranked through the bound
        self.bound_min_conditions = bound_min_conditions
        self._lock = threading.Lock()
        self._derived = _Derived("")

    def _index(self, present: Sequence[str], absent: Sequence[str]) -> tuple[TermIndex, _Derived]:
        """The index an assessment starts from: the reader's whole index or its part for these
        findings, or, from a `StagedReader`, its outline (`_rank` completes what it ranks)."""
        present, absent = [from_curie(p.strip()) for p in present], [from_curie(a.strip()) for a in absent]
        if isinstance(self.reader, StagedReader):
            ix = self.reader.outline_for(present, absent)
        else:
            ix = self.reader.index_for(present, absent)
        return ix, self._index_derived(ix)

    @staticmethod
    def _weights(ix: TermIndex, derived: _Derived, condition: Condition) -> dict[str, float]:
        """Each typical finding's weight for a condition (see the module docstring), kept per data version."""
        cached = derived.weights.get(condition.iri)
        if cached is None:
            n = max(ix.condition_count, 2)
            cached = {
                link.finding: (DISCRIMINATING_BASE if link.relation is LinkRelation.DISCRIMINATING else TYPICAL_BASE)
                * (1 + math.log(n / max(ix.typical_counts.get(link.finding, 1), 1)) / math.log(n))
                * (INHERITED_FACTOR if link.inferred else 1.0)
                * (1.0 if link.frequency is None else FREQUENCY_FLOOR + (1 - FREQUENCY_FLOOR) * link.frequency)
                for link in condition.typical
            }
            derived.weights[condition.iri] = cached
        return cached

    # ------------------------------------------------------------------ candidates
    @staticmethod
    def _kinds(ix: TermIndex, finding: str) -> frozenset[str]:
        return ix.findings[finding].kinds | {finding}

    def _score(
        self,
        ix: TermIndex,
        derived: _Derived,
        condition: Condition,
        reach: _Reach,
        present: list[str],
        absent: list[str],
        risks: Sequence[str] = (),
    ) -> _Scored | None:
        weights = self._weights(ix, derived, condition)
        if not weights:
            return None
        # each reported finding supports through its best typical finding, each typical finding
        # is claimed once (greedy, strongest first)
        against = self._against(derived, condition)
        options: list[tuple[float, str, str]] = []  # (-value, reported, typical): sorts strongest first
        conflicting: list[str] = []
        penalty = 0.0
        for p in present:
            kinds = reach.kinds[p]
            if not against.isdisjoint(kinds):
                conflicting.append(p)  # a finding that argues against a condition does not also support it
                penalty += AGAINST_PENALTY
                continue
            options.extend((-weights[t], p, t) for t in kinds if t in weights)
            options.extend((-GENERAL_REPORT_FACTOR * weights[t], p, t) for t in _common(reach.narrower[p], weights))
        options.sort()
        support: dict[str, tuple[float, str]] = {}  # typical finding -> (weight, reported finding)
        used: set[str] = set()
        for negated, p, t in options:
            if p not in used and t not in support:
                support[t] = (-negated, p)
                used.add(p)
        if not support:
            return None
        missing = self._missing(ix, derived, condition)
        for a in absent:
            hits = [missing[t] for t in _common(reach.at_or_below[a], missing)]
            if hits:
                conflicting.append(a)
                penalty += ABSENT_FACTOR * max(hits)
        supported = sum(v for v, _ in support.values())
        own = {link.target for link in condition.risk_factors}
        counted = tuple(r for r in risks if r in own)[:MAX_RISK_FACTORS]
        score = (
            supported - penalty + RISK_FACTOR_WEIGHT * len(counted) + COVERAGE_BONUS * supported / sum(weights.values())
        )
        if score <= 0:
            return None
        return _Scored(
            condition,
            round(score, 4),
            tuple(dict.fromkeys(p for _, p in support.values())),
            tuple(conflicting),
            support,
            counted,
        )

    def _missing(self, ix: TermIndex, derived: _Derived, condition: Condition) -> dict[str, float]:
        """What each typical finding takes off when reported absent: its weight times `exclusion_weight(f)`
        (1 when the link gives no frequency), kept per data version."""
        cached = derived.missing.get(condition.iri)
        if cached is None:
            weights = self._weights(ix, derived, condition)
            cached = {
                link.finding: weights[link.finding] * exclusion_weight(link.frequency) for link in condition.typical
            }
            derived.missing[condition.iri] = cached
        return cached

    def _by_weight(self, ix: TermIndex, derived: _Derived, condition: Condition) -> tuple[str, ...]:
        """A condition's typical findings by weight, then label (kept per data version)."""
        cached = derived.by_weight.get(condition.iri)
        if cached is None:
            weights = self._weights(ix, derived, condition)
            cached = tuple(sorted(weights, key=lambda t: (-weights[t], ix.findings[t].label)))
            derived.by_weight[condition.iri] = cached
        return cached

    @staticmethod
    def _against(derived: _Derived, condition: Condition) -> frozenset[str]:
        cached = derived.against.get(condition.iri)
        if cached is None:
            cached = derived.against[condition.iri] = frozenset(link.finding for link in condition.against)
        return cached

    def _candidate(
        self,
        ix: TermIndex,
        derived: _Derived,
        scored: _Scored,
        rank: int,
        reach: _Reach,
        present: list[str],
        absent: list[str],
    ) -> Candidate:
        """The full candidate, with its missing findings, sources and explanation: written only for the
        candidates that are returned, which keeps ranking a large graph cheap."""
        condition, support = scored.condition, scored.support
        implied = set().union(*(reach.kinds[p] for p in present))
        said_absent = set(absent)
        missing = tuple(
            t
            for t in self._by_weight(ix, derived, condition)
            if t not in support and t not in implied and t not in said_absent
        )
        partial = Candidate(
            condition.iri,
            rank,
            scored.score,
            scored.supporting,
            missing,
            scored.conflicting,
            "",
            self._sources(ix, condition, support, list(scored.conflicting), scored.risk_factors),
            scored.risk_factors,
        )
        return dataclasses.replace(partial, explanation=self._explain(ix, partial, set(absent)))

    def _sources(
        self,
        ix: TermIndex,
        condition: Condition,
        support: dict[str, tuple[float, str]],
        conflicting: list[str],
        risks: Sequence[str] = (),
    ) -> tuple[SourceRef, ...]:
        links: dict[str, FindingLink] = {link.finding: link for link in condition.typical}
        iris: list[str] = []
        for t, _ in sorted(support.items(), key=lambda item: -item[1][0]):
            iris.extend(links[t].sources)
        against = {link.finding: link for link in condition.against}
        for c in conflicting:
            for a in self._kinds(ix, c) & set(against):
                iris.extend(against[a].sources)
        risk_links = {link.target: link for link in condition.risk_factors}
        for r in risks:
            iris.extend(risk_links[r].sources)
        iris.extend(condition.sources)
        return ix.source_refs(iris)

    def _explain(self, ix: TermIndex, candidate: Candidate, absent: set[str]) -> str:
        condition = ix.conditions[candidate.condition]
        own = {
            link.finding
            for link in condition.typical
            if link.relation is LinkRelation.DISCRIMINATING and not link.inferred
        }
        names = [
            ix.findings[p].label + (" (characteristic)" if self._kinds(ix, p) & own else "")
            for p in candidate.supporting
        ]
        sentence = (
            f"{_cap(condition.label)} fits {len(names)} reported finding"
            f"{'s' if len(names) != 1 else ''}: {'; '.join(names)}."
        )
        if candidate.risk_factors:
            sentence += (
                " More likely because: " + "; ".join(ix.risk_factors[r].label for r in candidate.risk_factors) + "."
            )
        extra = []
        if candidate.conflicting:
            extra.append(
                "against it: "
                + "; ".join(
                    ix.findings[c].label
                    + (" (reported absent)" if c not in candidate.supporting and c in absent else "")
                    for c in candidate.conflicting
                )
            )
        if candidate.missing:
            shown = [ix.findings[m].label for m in candidate.missing[:3]]
            extra.append(
                "typical but not reported: "
                + "; ".join(shown)
                + (f" and {len(candidate.missing) - 3} more" if len(candidate.missing) > 3 else "")
            )
        if extra:
            sentence += " " + _cap("; ".join(extra)) + "."
        return sentence

    def candidates(
        self, present: Sequence[str], absent: Sequence[str] = (), limit: int = 10, risk_factors: Sequence[str] = ()
    ) -> list[Candidate]:
        """Ranked candidates for finding IDs (CURIEs or IRIs) and risk factor IDs; raises
        `UnknownTermError`."""
        r = self._ranked(present, absent, risk_factors, limit)
        return [
            self._candidate(r.ix, r.derived, s, rank, r.reach, r.present, r.absent)
            for rank, s in enumerate(r.ranked[: max(limit, 0)], start=1)
        ]

    def ranking(
        self, present: Sequence[str], absent: Sequence[str] = (), risk_factors: Sequence[str] = (), limit: int = 10
    ) -> list[tuple[str, float]]:
        """The best conditions and their scores alone, without writing candidates up: what an interview
        rescores for each possible answer (`kg.assessment.interview`)."""
        ranked = self._ranked(present, absent, risk_factors, limit).ranked
        return [(s.condition.iri, s.score) for s in ranked[: max(limit, 0)]]

    def _ranked(
        self, present: Sequence[str], absent: Sequence[str], risk_factors: Sequence[str], limit: int
    ) -> _Ranking:
        """What every ranking starts with: the index (completed for what was ranked, from a
        `StagedReader`), the reported IDs resolved, their reach, and the `limit` best candidates."""
        ix, derived = self._index(present, absent)
        present_iris, absent_iris = resolve_ids(ix, present, absent)
        risks = resolve_risk_factors(ix, risk_factors)
        reach = _Reach.of(ix, present_iris + absent_iris)
        if isinstance(self.reader, StagedReader):
            ranked, ix = self._rank_staged(self.reader, ix, reach, present_iris, absent_iris, risks, limit)
            reach, derived = _Reach.of(ix, present_iris + absent_iris), self._index_derived(ix)
        else:
            ranked = self._rank(ix, derived, reach, present_iris, absent_iris, risks, limit)
        return _Ranking(ix, derived, reach, present_iris, absent_iris, risks, ranked)

    def _rank_staged(
        self,
        reader: StagedReader,
        outline: TermIndex,
        reach: _Reach,
        present: list[str],
        absent: list[str],
        risks: Sequence[str],
        top: int,
    ) -> tuple[list[_Scored], TermIndex]:
        """`_rank` over a `StagedReader`: the bound from the outline (each condition's links to the
        reported findings' reach, which are all the links that can support it; its coverage share
        taken over those links, and the most risk factors could add, so it bounds the exact score
        from above), then the conditions read whole, `top` at a time, in descending order of the
        bound, scored exactly, until none left can reach the `top`-th best: the same top as scoring
        every touched condition, from the records of a few. Returns them with the index completed
        for them (what writing them up reads)."""
        top = max(top, 1)
        scratch = _Derived(outline.version)  # outline records are partial: never in the shared cache
        conditions = outline.conditions.values()
        bound = _Bound(
            outline,
            {c.iri: self._weights(outline, scratch, c) for c in conditions},
            {c.iri: self._missing(outline, scratch, c) for c in conditions},
        )
        upper = bound.upper(reach, present, absent, risks)
        upper += RISK_FACTOR_WEIGHT * min(len(set(risks)), MAX_RISK_FACTORS)
        order = _descending(upper, np.flatnonzero(upper > 0), 4 * top)
        best: list[tuple[tuple[float, int, str, str], _Scored]] = []
        read: list[str] = []
        full: TermIndex | None = None
        exhausted = False
        while not exhausted:
            batch: list[str] = []
            for row in order:
                if len(best) >= top and upper[row] + _ROUNDING < best[-1][1].score:
                    exhausted = True
                    break
                batch.append(bound.conditions[row].iri)
                if len(batch) >= top:
                    break
            else:
                exhausted = True
            if not batch:
                break
            read += batch
            full = reader.complete_for(present, absent, read)
            derived = self._index_derived(full)
            full_reach = _Reach.of(full, present + absent)
            for iri in batch:
                condition = full.conditions.get(iri)  # one the store's condition list leaves out is no candidate
                if condition is None:
                    continue
                one = self._score(full, derived, condition, full_reach, present, absent, risks)
                if one is not None:
                    bisect.insort(best, (_order(one), one), key=lambda item: item[0])
                    del best[top:]
        return [s for _, s in best], full or reader.complete_for(present, absent, read)

    def _index_derived(self, ix: TermIndex) -> _Derived:
        """The shared derived values for an index's data version."""
        derived = self._derived
        if derived.version != ix.version:
            with self._lock:
                if self._derived.version != ix.version:
                    self._derived = _Derived(ix.version)
                derived = self._derived
        return derived

    def _rank(
        self,
        ix: TermIndex,
        derived: _Derived,
        reach: _Reach,
        present: list[str],
        absent: list[str],
        risks: Sequence[str] = (),
        top: int = 10,
    ) -> list[_Scored]:
        """The `top` best candidates, best first (see the module docstring for how a large graph is
        ranked through the bound)."""
        top = max(top, 1)
        bound = self._bound(ix, derived)
        if bound is None:
            touched = (ix.conditions[iri] for iri in ix.touched(present) if iri in ix.conditions)
            every = [
                c
                for c in (self._score(ix, derived, cond, reach, present, absent, risks) for cond in touched)
                if c is not None
            ]
            every.sort(key=_order)
            return every[:top]
        upper = bound.upper(reach, present, absent, risks)
        rows = np.flatnonzero(upper > 0)
        best: list[tuple[tuple[float, int, str, str], _Scored]] = []
        for row in _descending(upper, rows, 4 * top):
            if len(best) >= top and upper[row] + _ROUNDING < best[-1][1].score:
                break  # no condition left can reach the k-th best
            one = self._score(ix, derived, bound.conditions[row], reach, present, absent, risks)
            if one is not None:
                bisect.insort(best, (_order(one), one), key=lambda item: item[0])
                del best[top:]
        return [s for _, s in best]

    def prepare(self) -> None:
        """Derive what ranking needs before the first request (the bound takes about a second on HPO's
        12,633 diseases): for a reader that holds the whole graph."""
        ix, derived = self._index([], [])
        self._bound(ix, derived)

    def _bound(self, ix: TermIndex, derived: _Derived) -> _Bound | None:
        """The bound over the whole graph, built once per data version; None for a small graph or a
        partial index (a remote store's: it holds only the conditions the findings touch)."""
        if len(ix.conditions) < self.bound_min_conditions or len(ix.conditions) < ix.condition_count:
            return None
        if derived.bound is None:
            with self._lock:
                if derived.bound is None:
                    weights = {c.iri: self._weights(ix, derived, c) for c in ix.conditions.values()}
                    missing = {c.iri: self._missing(ix, derived, c) for c in ix.conditions.values()}
                    derived.bound = _Bound(ix, weights, missing)
        return derived.bound

    # ------------------------------------------------------------------ urgency
    def _urgency(
        self, ix: TermIndex, present: list[str], best: _Scored | None, risks: Sequence[str] = ()
    ) -> tuple[str, list[FiredRule], list[str]]:
        levels_by_rank = ix.urgency_by_rank()
        lowest = levels_by_rank[0].iri
        reasons: list[FiredRule] = []
        warnings = [p for p in present if ix.findings[p].is_warning]
        for p in warnings:
            f = ix.findings[p]
            reasons.append(
                FiredRule(p, f"warning sign: {f.label}", f.warrants or lowest, (p,), ix.source_refs(f.warrant_sources))
            )
        for rule in ix.rules:
            if rule.kind is RuleKind.FINDINGS and rule.urgency:
                matched = [t for t in rule.triggers if any(t in self._kinds(ix, p) for p in present)]
                # a risk factor counts only beside a trigger finding (`lp:triggeredBy`)
                risky = [t for t in rule.triggers if t in risks] if matched else []
                if len(set(matched)) + len(set(risky)) >= rule.minimum:
                    reporters = tuple(p for p in present if self._kinds(ix, p) & set(matched))
                    reasons.append(
                        FiredRule(
                            rule.iri, rule.label, rule.urgency, reporters, ix.source_refs(rule.sources), tuple(risky)
                        )
                    )
            elif rule.kind is RuleKind.SUSPECTED_CONDITION and best is not None:
                condition = best.condition
                if len(best.supporting) >= rule.minimum and condition.urgency in ix.urgency_levels:
                    reasons.append(
                        FiredRule(
                            rule.iri,
                            f"{rule.label}: {condition.label}",
                            condition.urgency,
                            best.supporting,
                            ix.source_refs(rule.sources),
                        )
                    )
        rank = {u.iri: u.rank for u in levels_by_rank}
        urgency = max((r.urgency for r in reasons), key=lambda u: rank[u], default=lowest)
        return urgency, reasons, warnings

    def assess(
        self, present: Sequence[str], absent: Sequence[str] = (), limit: int = 10, risk_factors: Sequence[str] = ()
    ) -> Assessment:
        """Candidates, the urgency of the whole presentation, the warning signs and advice, for finding
        IDs and the risk factors reported (IDs)."""
        r = self._ranked(present, absent, risk_factors, limit)
        ix, derived, reach, present_iris, absent_iris, risks, ranked = (
            r.ix, r.derived, r.reach, r.present, r.absent, r.risks, r.ranked
        )  # fmt: skip
        urgency, reasons, warnings = self._urgency(ix, present_iris, ranked[0] if ranked else None, risks)
        candidates = tuple(
            self._candidate(ix, derived, s, rank, reach, present_iris, absent_iris)
            for rank, s in enumerate(ranked[: max(limit, 0)], start=1)
        )
        return Assessment(
            candidates,
            urgency,
            tuple(warnings),
            self._advice(ix, urgency, bool(ranked), warnings, present_iris),
            tuple(reasons),
            tuple(present_iris),
            tuple(absent_iris),
            risk_factors=tuple(risks),
        )

    def _advice(self, ix: TermIndex, urgency: str, ranked: bool, warnings: list[str], present: list[str]) -> str:
        level = ix.urgency_levels[urgency]
        if not present:
            return (
                "No findings were reported, so no condition can be suggested. Describe the pain "
                "(where, what it feels like, what brings it on and what relieves it)."
            )
        parts = []
        if warnings:
            parts.append("Warning signs reported: " + "; ".join(ix.findings[w].label for w in warnings) + ".")
        parts.append(level.advice)
        if not ranked:
            parts.append(
                "None of the conditions in this knowledge graph fits the reported findings; "
                "a clinician should assess them."
            )
        parts.append("This is decision support from a knowledge graph, not a diagnosis.")
        return " ".join(parts)


def _descending(values: Floats, rows: Ints, first: int) -> Iterator[int]:
    """`rows` by descending `values`: the `first` largest found by partial selection, the rest sorted
    only if the caller goes on past them (ranking usually stops within the first)."""
    if len(rows) > first:
        split = np.argpartition(-values[rows], first)
        head, rest = rows[split[:first]], rows[split[first:]]
    else:
        head, rest = rows, rows[:0]
    yield from (int(r) for r in head[np.argsort(-values[head], kind="stable")])
    yield from (int(r) for r in rest[np.argsort(-values[rest], kind="stable")])


def _order(scored: _Scored) -> tuple[float, int, str, str]:
    """How candidates are ordered: score, then the number of supporting findings, label, IRI."""
    return (-scored.score, -len(scored.supporting), scored.condition.label, scored.condition.iri)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
