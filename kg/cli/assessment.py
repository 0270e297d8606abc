"""`legpain assess` and `legpain search`: the use case from the command line, through
`kg.assessment.service.LegPainService` like GraphQL.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence

from kg.assessment.service import AssessmentRequest
from kg.cli.common import AddCommand, open_service
from kg.core.records import Condition, Finding
from kg.knowledge.protocols import TermReader


def cmd_assess(args: argparse.Namespace) -> int:
    from kg.core.namespaces import to_curie

    service = open_service()
    assessment = service.assess(
        AssessmentRequest(phrases=args.findings, absent_phrases=args.absent or (), limit=args.limit)
    )
    ix = _Names(
        service.knowledge, [*assessment.present, *assessment.absent], [c.condition for c in assessment.candidates]
    )
    level = ix.urgency_levels[assessment.urgency]
    if args.json:
        print(
            json.dumps(
                {
                    "present": [{"id": to_curie(p), "label": ix.findings[p].label} for p in assessment.present],
                    "absent": [{"id": to_curie(a), "label": ix.findings[a].label} for a in assessment.absent],
                    "unmatched": list(assessment.unrecognized),
                    "urgency": {"id": to_curie(level.iri), "label": level.label, "rank": level.rank},
                    "warningSigns": [to_curie(w) for w in assessment.warning_signs],
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
                            "sources": [{"title": s.title, "quote": s.quote} for s in c.sources],
                        }
                        for c in assessment.candidates
                    ],
                    "reasons": [
                        {"rule": to_curie(r.rule), "label": r.label, "urgency": ix.urgency_levels[r.urgency].label}
                        for r in assessment.reasons
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    print("Understood as: " + ("; ".join(ix.findings[p].label for p in assessment.present) or "(nothing)"))
    if assessment.absent:
        print("Reported absent: " + "; ".join(ix.findings[a].label for a in assessment.absent))
    for item in list(assessment.unrecognized):
        print(f"Not recognised: {item!r}")
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
  legpain assess "pins and needles" "burning feet" --json""",
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
    p.add_argument("findings", nargs="+", help="lay phrases or finding IDs such as lp:CalfPain")
    p.add_argument("--absent", nargs="+", metavar="FINDING", help="findings reported absent")
    p.add_argument("--limit", type=int, default=5, help="how many candidates to show (default 5)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_assess)

    p = add("search", EXAMPLES["search"], "Find findings (or conditions) matching a lay phrase.")
    p.add_argument("phrase", help='what the person says, e.g. "pins and needles"')
    p.add_argument("--limit", type=int, default=10, help="how many matches to show (default 10)")
    p.add_argument("--conditions", action="store_true", help="search conditions instead of findings")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_search)
