"""`legpain assess` and `legpain search`: the use case from the command line, through
`kg.assessment.service.LegPainService` like GraphQL.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence

from kg.assessment.patient import Patient, PatientInput, Sex
from kg.assessment.scoring import Assessment
from kg.assessment.service import AssessmentRequest, LegPainService
from kg.assessment.text import Certainty, Mention
from kg.cli.common import AddCommand, open_service
from kg.core.namespaces import to_curie
from kg.core.records import Condition, Finding, RiskFactor
from kg.knowledge.protocols import TermReader


def cmd_assess(args: argparse.Namespace) -> int:
    service = open_service()
    phrases = [item for item in args.findings if not is_sentence(item)]
    text = "\n".join(item.strip().rstrip(".") + "." for item in args.findings if is_sentence(item))
    patient = PatientInput(args.age, Sex(args.sex) if args.sex else None, args.risk_factor or ())
    assessment = service.assess(
        AssessmentRequest(
            phrases=phrases, absent_phrases=args.absent or (), text=text or None, limit=args.limit, patient=patient
        )
    )
    if args.json:
        print(json.dumps(assessment_json(service, assessment), indent=2, ensure_ascii=False))
    else:
        print_assessment(service, assessment)
    return 0


def _context(service: LegPainService, assessment: Assessment) -> tuple[Patient, Mapping[str, RiskFactor], _Names]:
    context = assessment.patient or Patient()
    risks = service.knowledge.risk_factors([*context.risk_factors, *context.absent])
    ix = _Names(
        service.knowledge, [*assessment.present, *assessment.absent], [c.condition for c in assessment.candidates]
    )
    return context, risks, ix


def assessment_json(service: LegPainService, assessment: Assessment) -> dict[str, object]:
    """An assessment as `legpain assess --json` prints it."""
    context, risks, ix = _context(service, assessment)
    level = ix.urgency_levels[assessment.urgency]
    return {
        "present": [{"id": to_curie(p), "label": ix.findings[p].label} for p in assessment.present],
        "absent": [{"id": to_curie(a), "label": ix.findings[a].label} for a in assessment.absent],
        "unmatched": list(assessment.unrecognized),
        "understood": [_mention_json(m) for m in assessment.understood],
        "urgency": {"id": to_curie(level.iri), "label": level.label, "rank": level.rank},
        "warningSigns": [to_curie(w) for w in assessment.warning_signs],
        "patient": _patient_json(context, risks),
        "advice": assessment.advice,
        "candidates": [
            {
                "rank": c.rank,
                "id": to_curie(c.condition),
                "label": ix.conditions[c.condition].label,
                "score": c.score,
                "supporting": [to_curie(s) for s in c.supporting],
                "missing": [to_curie(s) for s in c.missing],
                "conflicting": [to_curie(s) for s in c.conflicting],
                "explanation": c.explanation,
                "riskFactors": [to_curie(r) for r in c.risk_factors],
                "sources": [{"title": s.title, "quote": s.quote} for s in c.sources],
            }
            for c in assessment.candidates
        ],
        "reasons": [
            {"rule": to_curie(r.rule), "label": r.label, "urgency": ix.urgency_levels[r.urgency].label}
            for r in assessment.reasons
        ],
    }


def print_assessment(service: LegPainService, assessment: Assessment) -> None:
    """An assessment as `legpain assess` prints it."""
    context, risks, ix = _context(service, assessment)
    level = ix.urgency_levels[assessment.urgency]
    for m in assessment.understood:
        print(f"Read: {m.text!r} -> {_status(m)}")
    print("Understood as: " + ("; ".join(ix.findings[p].label for p in assessment.present) or "(nothing)"))
    if assessment.absent:
        print("Reported absent: " + "; ".join(ix.findings[a].label for a in assessment.absent))
    for item in list(assessment.unrecognized):
        print(f"Not recognised: {item!r}")
    said = [f"age {context.age} (from the {context.age_from})"] if context.age is not None else []
    said += [risks[r].label for r in context.risk_factors]
    if said:
        print("Patient: " + "; ".join(said))
    print(f"\nUrgency: {level.label} (rank {level.rank} of 4)")
    for reason in assessment.reasons:
        print(f"  because: {reason.label} -> {ix.urgency_levels[reason.urgency].label}")
    print(f"Advice: {assessment.advice}\n")
    if not assessment.candidates:
        print("No candidate conditions.")
    for c in assessment.candidates:
        print(f"{c.rank}. {ix.conditions[c.condition].label}  (score {c.score:.2f})")
        print(f"   {c.explanation}")
        for source in c.sources[:2]:
            print(f"   \u201c{source.quote}\u201d \u2014 {source.title}")


def _patient_json(patient: Patient, risks: Mapping[str, RiskFactor]) -> dict[str, object]:
    return {
        "age": patient.age,
        "sex": patient.sex.value if patient.sex else None,
        "riskFactors": [{"id": to_curie(r), "label": risks[r].label} for r in patient.risk_factors],
        "absentRiskFactors": [{"id": to_curie(r), "label": risks[r].label} for r in patient.absent],
    }


def is_sentence(item: str) -> bool:
    """Whether a command-line item is free text (read by `kg.assessment.text`) rather than one phrase or
    ID (its first search hit): more than `PHRASE_WORDS` words, or a sentence's punctuation."""
    return len(item.split()) > PHRASE_WORDS or any(mark in item for mark in ".;!?")


#: The most words a command-line item has to be read as one phrase.
PHRASE_WORDS = 4


def _status(m: Mention) -> str:
    how = {Certainty.AFFIRMED: "present", Certainty.NEGATED: "absent", Certainty.POSSIBLE: "possible"}[m.certainty]
    notes = [how] + (["in the past"] if m.historical else []) + (["not about the patient"] if m.not_the_patient else [])
    return f"{m.kind.value} {to_curie(m.iri)} ({', '.join(notes)})"


def _mention_json(m: Mention) -> dict[str, object]:
    return {
        "id": to_curie(m.iri),
        "kind": m.kind.value,
        "present": m.present,
        "certainty": m.certainty.value,
        "historical": m.historical,
        "notThePatient": m.not_the_patient,
        "counts": m.counts,
        "text": m.text,
        "start": m.start,
        "end": m.end,
    }


def cmd_parse(args: argparse.Namespace) -> int:
    """`legpain parse TEXT`: what a text states, mention by mention, and what it did not understand."""
    service = open_service()
    read = service.parse(args.text)
    if args.json:
        print(
            json.dumps(
                {"mentions": [_mention_json(m) for m in read.mentions], "unrecognized": list(read.unrecognized)},
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    labels = {
        **{i: f.label for i, f in service.knowledge.findings(m.iri for m in read.mentions).items()},
        **{i: c.label for i, c in service.knowledge.conditions(m.iri for m in read.mentions).items()},
    }
    for m in read.mentions:
        print(f"{m.start:4}-{m.end:<4} {m.text!r} -> {labels.get(m.iri, m.iri)}: {_status(m)}")
    for part in read.unrecognized:
        print(f"Not recognised: {part!r}")
    if not read.mentions and not read.unrecognized:
        print("Nothing to read.")
    return 0


class _Names:
    """The findings, conditions and urgency levels an answer names, read once from the service."""

    def __init__(self, knowledge: TermReader, findings: Sequence[str], conditions: Sequence[str]) -> None:
        self.findings = knowledge.findings(findings)
        self.conditions = knowledge.conditions(conditions)
        self.urgency_levels = knowledge.urgency_levels()


def cmd_search(args: argparse.Namespace) -> int:
    from kg.core.namespaces import to_curie

    service = open_service()
    if args.conditions:
        hits = service.search_conditions(args.phrase, args.limit)
        terms: Mapping[str, Condition | Finding] = service.knowledge.conditions([h.iri for h in hits])
    else:
        hits = service.search_findings(args.phrase, args.limit)
        terms = service.knowledge.findings([h.iri for h in hits])
    if args.json:
        print(
            json.dumps(
                [
                    {"id": to_curie(h.iri), "label": terms[h.iri].label, "score": h.score, "matched": h.matched}
                    for h in hits
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    if not hits:
        print(f"No match for {args.phrase!r}.")
        return 1
    for h in hits:
        print(f"{h.score:5.2f}  {to_curie(h.iri):40} {terms[h.iri].label}   [matched: {h.matched}]")
    return 0


EXAMPLES = {
    "assess": """examples:
  legpain assess "cramping calves on walks" "relieved by rest"
  legpain assess lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest --absent "leg swelling"
  legpain assess "pins and needles" "burning feet" --json
  legpain assess "My left calf cramps about 400 yards into my walk; the leg isn't swollen"

An item of more than four words, or with a sentence's punctuation, is read as free text: each finding
it states counts with its own polarity ("the leg isn't swollen" is an absent finding); a shorter item
is a phrase (its best match) or a finding ID.""",
    "parse": """examples:
  legpain parse "no numbness or swelling; calf cramps on my walks"
  legpain parse "my mother had a clot, and my calf might be swollen" --json""",
    "search": """examples:
  legpain search "pins and needles"
  legpain search "shin splints" --limit 3 --json
  legpain search "pulled muscle" --conditions""",
}


def register(add: AddCommand) -> None:
    """Add this group's commands to the `legpain` parser."""
    p = add(
        "assess",
        EXAMPLES["assess"],
        "Rank candidate conditions and the urgency for reported findings (phrases or IDs).",
    )
    p.add_argument("findings", nargs="+", help="what the person says (sentences or lay phrases) or finding IDs")
    p.add_argument("--absent", nargs="+", metavar="FINDING", help="findings reported absent")
    p.add_argument("--limit", type=int, default=5, help="how many candidates to show (default 5)")
    p.add_argument("--age", type=int, help="the person's age in years (gives the graph's age risk factors)")
    p.add_argument("--sex", choices=[s.value for s in Sex], help="the person's sex (changes no score)")
    p.add_argument(
        "--risk-factor", nargs="+", metavar="ID", help="risk factor IDs the person has (e.g. lp:Smoking lp:Diabetes)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_assess)

    p = add("parse", EXAMPLES["parse"], "Show the findings and conditions a free text states, each with its polarity.")
    p.add_argument("text", help="what the person wrote, in their own words")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_parse)

    p = add("search", EXAMPLES["search"], "Find findings (or conditions) matching a lay phrase.")
    p.add_argument("phrase", help='what the person says, e.g. "pins and needles"')
    p.add_argument("--limit", type=int, default=10, help="how many matches to show (default 10)")
    p.add_argument("--conditions", action="store_true", help="search conditions instead of findings")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_search)
