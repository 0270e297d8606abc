"""The interview: the next question worth asking, whether to stop, and the assessment so far.

Stateless, as Infermedica's `/diagnosis` is: the caller re-sends everything it knows each time (the
findings present, absent and not known, the text, the patient context with its risk factors present,
absent and not known), and `Interviewer.next` answers with one `Question`, `should_stop`, and the
assessment of what is known. Nothing is asked twice: a finding is answered when it was reported
present, absent or not known, when it is more general than a present finding (the person who has
calf cramping on walking has calf pain on walking), or when it is a kind of an absent finding.

What is asked, in this order:

1. **Warning signs** relevant to the presentation, until each has been answered: those typical of the
   leading candidates (`RELEVANT_CANDIDATES`) and of their more specific kinds, the warning signs of
   their complications (`lp:hasComplicationSign`: the signs of a pulmonary embolism for deep vein
   thrombosis), the other triggers of an urgency rule one of whose trigger findings is reported, and
   the screen: the warning signs the article's "Warning Signs Requiring Medical Attention" gives for
   anyone whose leg hurts on walking (every warning sign of the graph but a complication's, which is
   asked only beside its condition). A sign that is a more specific kind of a present one warranting
   as much is not asked: it could not raise the urgency. They are asked as
   checklists, one per thing they point to ("any of these?": each item answered yes, no or don't
   know), the way triage protocols screen for red flags, so that screening costs one question per
   concern, not one per sign. The most urgent checklist comes first.
2. **Risk factors that decide an urgency rule**: when a rule counts risk factors beside a reported
   trigger finding (the Wells rule: one-sided leg swelling and active cancer, a plaster cast, recent
   surgery or a previous clot), those risk factors, as one checklist, unless the presentation already
   has the rule's urgency.
3. **The question expected to change the ranking most**: of the unanswered typical and against
   findings of the candidates (`CONSIDERED_CANDIDATES`) and their risk factors, the one with the
   largest expected information gain over the candidates' normalised scores. For a question `q`,
   `gain(q) = H(p) - P(yes) H(p | yes) - P(no) H(p | no)`, where `p` is the candidates' scores
   divided by their sum, `H` is its entropy (nats), `p | yes` and `p | no` are the scores the engine
   gives with the answer added (the engine rescored, not a model of it), and
   `P(yes) = sum_c p(c) P(yes | c)` with `P(yes | c)` the answer model's `YES_IF_TYPICAL` when `q`
   is typical of `c` (`YES_IF_RISK_FACTOR` for a risk factor of `c`) and `YES_OTHERWISE` when not.
   Information gain is the measure because it rewards a question by how much either answer is
   expected to settle between the candidates still in play, weighted by how likely each answer is;
   a question whose likely answer changes nothing scores near zero (Phenomizer asks for "features
   that would best differentiate" the same way).

When to stop (`should_stop`): never while a relevant warning sign is unanswered; then when the top
candidate is clear (its score at least `CLEAR_RATIO` times the second's), when no unanswered question
could change the top 3 (neither answer changes which conditions are the top 3, or the first), or when
no question is expected to gain at least `MIN_GAIN`. The question after a stop is still returned when
one is left with a gain of at least `MIN_GAIN` (a client may go on), and is null when nothing is
worth asking.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kg.assessment.patient import Patient, Sex
from kg.assessment.scoring import Assessment, Scorer
from kg.core.records import Condition, Finding, LinkRelation, RiskFactor, RuleKind
from kg.knowledge.protocols import TermBrowser

#: Candidates whose warning signs (and complications' warning signs) are relevant.
RELEVANT_CANDIDATES = 3
#: Candidates whose findings and risk factors may be asked to tell them apart.
CONSIDERED_CANDIDATES = 5
#: The candidates whose normalised scores the information gain is computed over.
RANKED = 10
#: At most this many questions are rescored per call (the most promising by a cheap prior first).
MAX_RESCORED = 16
#: The answer model: the chance a person with condition c answers yes to a finding typical of c, to a
#: risk factor of c, and to anything else. Assumptions of the interview, not medical facts: they only
#: order questions, and the engine's own scores decide what an answer changes.
YES_IF_TYPICAL = 0.8
YES_IF_RISK_FACTOR = 0.4
YES_OTHERWISE = 0.1
#: The top candidate is clear when its score is at least this many times the second's.
CLEAR_RATIO = 2.0
#: A question expected to gain less than this (nats) is not worth asking.
MIN_GAIN = 0.02


class QuestionKind(StrEnum):
    """Why a question is asked (the contract's `QuestionKind`)."""

    WARNING_SIGN = "warning-sign"
    DISCRIMINATING = "discriminating"
    RISK_FACTOR = "risk-factor"


class StopReason(StrEnum):
    """Why an interview may stop (or `CONTINUE`)."""

    CONTINUE = "continue"
    NOTHING_REPORTED = "nothing-reported"
    CLEAR = "top-candidate-clear"
    SETTLED = "top-3-settled"
    NO_GAIN = "nothing-worth-asking"


@dataclass(frozen=True)
class Question:
    """One question: a finding or risk factor, or a checklist of them (`asks` and `risk_factors`, IRIs),
    each item answered yes, no or don't know."""

    id: str
    text: str
    kind: QuestionKind
    rationale: str
    asks: tuple[str, ...] = ()
    risk_factors: tuple[str, ...] = ()
    #: the expected information gain (nats) of a discriminating or risk factor question
    gain: float | None = None

    @property
    def items(self) -> tuple[str, ...]:
        """Every finding and risk factor asked."""
        return (*self.asks, *self.risk_factors)


@dataclass(frozen=True)
class Interview:
    """The next question (None when nothing is worth asking), the assessment of what is known, and
    why the interview may stop."""

    question: Question | None
    assessment: Assessment
    stop_reason: StopReason = StopReason.CONTINUE

    @property
    def should_stop(self) -> bool:
        return self.stop_reason is not StopReason.CONTINUE


@dataclass(frozen=True)
class Known:
    """What has been answered about the person, as IRIs."""

    present: frozenset[str]
    absent: frozenset[str]
    unknown: frozenset[str]
    #: every finding the present ones are (a present finding and each more general kind of it)
    implied: frozenset[str]
    patient: Patient

    def answered(self, finding: Finding) -> bool:
        """Whether a finding needs no question: reported, implied by a present finding, or a kind of an
        absent one."""
        iri = finding.iri
        return (
            iri in self.present
            or iri in self.absent
            or iri in self.unknown
            or iri in self.implied
            or not finding.kinds.isdisjoint(self.absent)
        )

    def asked_risk_factor(self, risk_factor: RiskFactor) -> bool:
        """Whether a risk factor needs no question: known (present, absent, not known), given by the
        age, or one that cannot apply (a sex-specific one for the other sex)."""
        sex = self.patient.sex
        return (
            risk_factor.iri in self.patient.known
            or risk_factor.is_age
            or (risk_factor.sex is not None and sex is not None and Sex(risk_factor.sex) is not sex)
        )


@dataclass(frozen=True)
class _Checklist:
    """Warning signs (or rule risk factors) to screen for, and why."""

    #: the condition or rule it is about (an IRI), or "" for the screen asked of everyone
    anchor: str
    #: what it asks about that: the question's ID is `anchor#purpose` (or `purpose` alone)
    purpose: str
    findings: tuple[str, ...]
    risk_factors: tuple[str, ...]
    rationale: str
    urgency_rank: int


def _entropy(scores: Sequence[float]) -> float:
    total = sum(scores)
    if total <= 0:
        return 0.0
    return -sum((s / total) * math.log(s / total) for s in scores if s > 0)


class Interviewer:
    """Chooses the next question for a presentation, over the graph's records and the engine's scorer
    (see the module docstring). What it derives from the whole graph (the screen of warning signs) is
    kept per data version."""

    def __init__(self, knowledge: TermBrowser, scorer: Scorer) -> None:
        self.knowledge = knowledge
        self.scorer = scorer
        self._lock = threading.Lock()
        self._screened_signs: tuple[str, tuple[str, ...]] = ("", ())

    # ------------------------------------------------------------------ entry point
    def next(self, assessment: Assessment, patient: Patient, unknown: Iterable[str] = ()) -> Interview:
        """The next question for what `assessment` was made of (its present and absent findings and
        risk factors), the patient context, and the findings the person could not answer (IRIs)."""
        present = list(assessment.present)
        if not present:
            return Interview(None, assessment, StopReason.NOTHING_REPORTED)
        records = self.knowledge.findings([*present, *assessment.absent])
        implied = frozenset(iri for p in present if p in records for iri in (records[p].kinds | {p}))
        known = Known(frozenset(present), frozenset(assessment.absent), frozenset(unknown), implied, patient)
        ranked = self.scorer.ranking(present, assessment.absent, assessment.risk_factors, RANKED)
        conditions = self.knowledge.conditions([iri for iri, _ in ranked])
        leading = [conditions[iri] for iri, _ in ranked if iri in conditions]
        checklist = self._warning_checklist(known, leading[:RELEVANT_CANDIDATES])
        if checklist is not None:
            return Interview(self._question(checklist, QuestionKind.WARNING_SIGN), assessment)
        rule_risks = self._rule_risk_factors(known, assessment.urgency)
        if rule_risks is not None:
            return Interview(self._question(rule_risks, QuestionKind.RISK_FACTOR), assessment)
        return self._discriminate(assessment, known, ranked, leading[:CONSIDERED_CANDIDATES])

    # ------------------------------------------------------------------ warning signs
    def _screen(self) -> tuple[str, ...]:
        """The warning signs asked of anyone whose leg hurts on walking: every warning sign of the graph
        with a question, except the signs of a complication, which are asked only beside their
        condition (the article's warning-sign section is written for everyone with the complaint)."""
        version = self.knowledge.data_version()
        if self._screened_signs[0] != version:
            with self._lock:
                # the most urgent first (each level's signs by label)
                levels = sorted(self.knowledge.urgency_levels().values(), key=lambda u: -u.rank)
                every = [iri for level in levels for iri in self.knowledge.warning_signs(level.iri)]
                complications = set(self.knowledge.complication_signs())
                records = self.knowledge.findings(every)
                screen = tuple(
                    iri
                    for iri in dict.fromkeys(every)
                    if iri in records and records[iri].question and iri not in complications
                )
                self._screened_signs = (version, screen)
        return self._screened_signs[1]

    def _warning_checklist(self, known: Known, leading: Sequence[Condition]) -> _Checklist | None:
        """The most urgent checklist of unanswered relevant warning signs, or None when all are answered:
        per leading candidate (with its more specific kinds: critical limb ischemia beside peripheral
        artery disease) its warning signs and its complications' warning signs, then the other triggers
        of a rule one of whose trigger findings is reported, then the screen for everyone."""
        levels = self.knowledge.urgency_levels()
        rank = {u.iri: u.rank for u in levels.values()}
        lists: list[tuple[str, str, list[str], str]] = []
        for position, condition in enumerate(leading, start=1):
            family = [condition, *self.knowledge.conditions(self.knowledge.narrower_conditions(condition.iri)).values()]
            kinds = " or a more specific kind of it" if len(family) > 1 else ""
            lists.append(
                (
                    condition.iri,
                    "warning-signs",
                    [link.finding for member in family for link in member.typical],
                    f"Warning signs of {condition.label}{kinds} (candidate {position})",
                )
            )
            lists.append(
                (
                    condition.iri,
                    "complications",
                    [link.target for member in family for link in member.complication_signs],
                    f"Warning signs of a complication of {condition.label} (candidate {position})",
                )
            )
        for rule in self.knowledge.rules():
            if rule.kind is RuleKind.FINDINGS and set(rule.triggers) & known.implied:
                lists.append(
                    (
                        rule.iri,
                        "triggers",
                        list(rule.triggers),
                        f"With {self._said(known, rule.triggers)} reported, these would make "
                        f"\u201c{rule.label}\u201d apply",
                    )
                )
        lists.append(
            (
                "",
                "warning-sign-screen",
                list(self._screen()),
                "The article's warning signs for anyone whose leg hurts on walking",
            )
        )
        every = self.knowledge.findings({iri for _, _, items, _ in lists for iri in items})
        present = self.knowledge.findings(known.present)
        taken: set[str] = set()
        checklists: list[_Checklist] = []
        for anchor, purpose, items, why in lists:
            wanted = [
                iri
                for iri in dict.fromkeys(items)
                if iri in every
                and every[iri].is_warning
                and every[iri].question
                and iri not in taken
                and not self._screened(known, every[iri], present, rank)
            ]
            if not wanted:
                continue
            taken.update(wanted)
            level = max(rank.get(every[iri].warrants or "", 0) for iri in wanted)
            label = next(u.label for u in levels.values() if u.rank == level)
            checklists.append(
                _Checklist(
                    anchor,
                    purpose,
                    tuple(wanted),
                    (),
                    f"{why}: they warrant up to \u201c{label}\u201d, so they are asked before anything else.",
                    level,
                )
            )
        if not checklists:
            return None
        return max(checklists, key=lambda c: c.urgency_rank)  # the first of the most urgent

    @staticmethod
    def _screened(known: Known, sign: Finding, present: Mapping[str, Finding], rank: Mapping[str, int]) -> bool:
        """Whether a warning sign needs no screening: answered, or a more specific kind of a present
        warning sign that warrants at least as much (nothing its answer could add to the urgency)."""
        if known.answered(sign):
            return True
        own = rank.get(sign.warrants or "", 0)
        return any(
            p in sign.kinds and record.is_warning and rank.get(record.warrants or "", 0) >= own
            for p, record in present.items()
        )

    def _said(self, known: Known, triggers: Sequence[str]) -> str:
        found = self.knowledge.findings([t for t in triggers if t in known.implied])
        return " and ".join(f.label for f in found.values())

    def _rule_risk_factors(self, known: Known, urgency: str) -> _Checklist | None:
        """The unanswered risk factors of a rule one of whose trigger findings is reported, unless the
        presentation already has the urgency the rule would give (then they could not raise it)."""
        rank = {u.iri: u.rank for u in self.knowledge.urgency_levels().values()}
        for rule in self.knowledge.rules():
            if rule.kind is not RuleKind.FINDINGS or not set(rule.triggers) & known.implied:
                continue
            if rank.get(rule.urgency or "", 0) <= rank.get(urgency, 0):
                continue
            risks = self.knowledge.risk_factors(rule.triggers)
            wanted = tuple(iri for iri, r in risks.items() if r.question and not known.asked_risk_factor(r))
            if wanted:
                return _Checklist(
                    rule.iri,
                    "risk-factors",
                    (),
                    wanted,
                    f"With {self._said(known, rule.triggers)} reported, any of these would make "
                    f"\u201c{rule.label}\u201d apply and raise the urgency.",
                    0,
                )
        return None

    def _question(self, checklist: _Checklist, kind: QuestionKind) -> Question:
        """A checklist as a question; its text is the items' own questions (`lp:question`)."""
        texts = [
            *(f.question or f.label for f in self.knowledge.findings(checklist.findings).values()),
            *(r.question or r.label for r in self.knowledge.risk_factors(checklist.risk_factors).values()),
        ]
        items = (*checklist.findings, *checklist.risk_factors)
        single = len(items) == 1
        return Question(
            items[0]
            if single
            else f"{checklist.anchor}#{checklist.purpose}"
            if checklist.anchor
            else checklist.purpose,
            texts[0] if single else "Do any of these apply to you? " + " ".join(texts),
            kind,
            checklist.rationale,
            checklist.findings,
            checklist.risk_factors,
        )

    # ------------------------------------------------------------------ telling candidates apart
    def _discriminate(
        self, assessment: Assessment, known: Known, ranked: Sequence[tuple[str, float]], leading: Sequence[Condition]
    ) -> Interview:
        scores = dict(ranked)
        if not leading:
            return Interview(None, assessment, StopReason.NO_GAIN)
        top = [iri for iri, _ in ranked]
        # a candidate's own kinds are one family with it (critical limb ischemia inherits the findings
        # of peripheral artery disease): the top is clear against the best candidate outside it, once
        # the warning signs that tell the family apart have been asked
        first = leading[0]
        rivals = [
            iri
            for iri, condition in ((c.iri, c) for c in leading[1:])
            if iri not in first.kinds and first.iri not in condition.kinds
        ] + [iri for iri in top[len(leading) :]]
        clear = not rivals or scores[top[0]] >= CLEAR_RATIO * scores[rivals[0]]
        options = self._options(known, leading, scores)
        best: tuple[float, str, bool] | None = None
        changes = False
        present, absent = list(assessment.present), list(assessment.absent)
        risks = list(assessment.risk_factors)
        current = [scores[c] for c in top]
        h = _entropy(current)
        total = sum(current)
        for iri, is_risk, yes_given in options[:MAX_RESCORED]:
            p_yes = sum((scores[c] / total) * (yes_given.get(c, YES_OTHERWISE)) for c in top)
            if is_risk:
                # a risk factor said absent changes no score
                yes, no = self.scorer.ranking(present, absent, [*risks, iri]), list(zip(top, current, strict=True))
            else:
                yes = self.scorer.ranking([*present, iri], absent, risks)
                no = self.scorer.ranking(present, [*absent, iri], risks)
            gain = h - p_yes * _entropy([s for _, s in yes]) - (1 - p_yes) * _entropy([s for _, s in no])
            changes = changes or any(self._changes_top(top, [c for c, _ in answer]) for answer in (yes, no))
            if best is None or gain > best[0]:
                best = (gain, iri, is_risk)
        reason = StopReason.CONTINUE
        if clear:
            reason = StopReason.CLEAR
        elif not changes:
            reason = StopReason.SETTLED
        elif best is None or best[0] < MIN_GAIN:
            reason = StopReason.NO_GAIN
        question = self._single(best[1], best[2], best[0], leading) if best and best[0] >= MIN_GAIN else None
        return Interview(question, assessment, reason)

    @staticmethod
    def _changes_top(before: Sequence[str], after: Sequence[str]) -> bool:
        """Whether an answer changes the first candidate or which conditions are the top 3."""
        return (before[:1] != list(after[:1])) or set(before[:3]) != set(after[:3])

    def _options(
        self, known: Known, leading: Sequence[Condition], scores: Mapping[str, float]
    ) -> list[tuple[str, bool, dict[str, float]]]:
        """The unanswered findings and risk factors of the leading candidates: (IRI, is a risk factor,
        P(yes | condition) for the conditions it is typical of or a risk factor of), most promising
        first (by the candidates' share of the score it concerns)."""
        finding_of: dict[str, dict[str, float]] = {}
        risk_of: dict[str, dict[str, float]] = {}
        for condition in leading:
            for link in condition.links:
                chance = YES_OTHERWISE / 2 if link.relation is LinkRelation.AGAINST else YES_IF_TYPICAL
                finding_of.setdefault(link.finding, {})[condition.iri] = chance
            for risk in condition.risk_factors:
                risk_of.setdefault(risk.target, {})[condition.iri] = YES_IF_RISK_FACTOR
        findings = self.knowledge.findings(finding_of)
        # a finding more general than a leading candidate's typical one is answered yes by it too
        for iri, record in findings.items():
            for kind in record.kinds & finding_of.keys():
                for owner, chance in finding_of[iri].items():
                    if chance == YES_IF_TYPICAL:
                        finding_of[kind].setdefault(owner, chance)
        risk_records = self.knowledge.risk_factors(risk_of)
        options: list[tuple[str, bool, dict[str, float]]] = [
            (iri, False, given)
            for iri, given in finding_of.items()
            if iri in findings and findings[iri].question and not known.answered(findings[iri])
        ]
        options += [
            (iri, True, given)
            for iri, given in risk_of.items()
            if iri in risk_records and risk_records[iri].question and not known.asked_risk_factor(risk_records[iri])
        ]
        total = sum(scores.values()) or 1.0

        def distance_from_half(option: tuple[str, bool, dict[str, float]]) -> float:
            # a question splits the candidates best when about half the score says yes
            return abs(0.5 - sum(scores.get(c, 0.0) for c in option[2]) / total)

        return sorted(options, key=lambda o: (distance_from_half(o), o[0]))

    def _single(self, iri: str, is_risk: bool, gain: float, leading: Sequence[Condition]) -> Question:
        """The question for one finding or risk factor, with why it is asked."""
        if is_risk:
            risk = self.knowledge.risk_factors([iri])[iri]
            of = [c.label for c in leading if any(link.target == iri for link in c.risk_factors)]
            text, kind, told = (
                risk.question or risk.label,
                QuestionKind.RISK_FACTOR,
                f"a risk factor of {' and '.join(of)}",
            )
        else:
            finding = self.knowledge.findings([iri])[iri]
            typical = [c.label for c in leading if any(link.finding == iri for link in c.typical)]
            against = [c.label for c in leading if any(link.finding == iri for link in c.against)]
            text, kind = finding.question or finding.label, QuestionKind.DISCRIMINATING
            told = (
                f"typical of {' and '.join(typical)}"
                if typical
                else f"against {' and '.join(against)}"
                if against
                else "more general than a typical finding of a candidate"
            )
        return Question(
            iri,
            text,
            kind,
            f"It is {told}; its answer is expected to change the ranking most (expected information gain "
            f"{gain:.2f} nats over the candidates' normalised scores).",
            asks=() if is_risk else (iri,),
            risk_factors=(iri,) if is_risk else (),
            gain=gain,
        )
