"""How DESIGN.md's evaluation client runs a vignette: first search hit per phrase, then `assess`.

Shared by the in-process, live-server and store-contract tests, which differ only in how they execute
a GraphQL query (`Execute`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Execute = Callable[[str, dict[str, Any]], dict[str, Any]]

SEARCH = "query Search($phrase: String!) { symptoms(search: $phrase, limit: 1) { id label } }"
ASSESS = """query Assess($present: [ID!]!, $absent: [ID!]) {
  assess(symptoms: $present, absentSymptoms: $absent) {
    urgency { rank }
    candidates { rank condition { id label } }
  }
}"""


def evaluate(vignette: dict[str, Any], execute: Execute) -> str | None:
    """Run one vignette; None when it passes, else what went wrong."""

    def first_hit(phrase: str) -> str | None:
        hits = execute(SEARCH, {"phrase": phrase})["symptoms"]
        return hits[0]["id"] if hits else None

    present = [first_hit(p) for p in vignette["present"]]
    absent = [first_hit(p) for p in vignette.get("absent", [])]
    if None in present or None in absent:
        return f"{vignette['id']}: a phrase found no symptom ({present}, {absent})"
    result = execute(ASSESS, {"present": present, "absent": absent})["assess"]
    labels = [c["condition"]["label"] for c in result["candidates"]]
    rank = result["urgency"]["rank"]
    expect = vignette["expect"]
    problems = []
    if not expect["urgency_min"] <= rank <= expect["urgency_max"]:
        problems.append(f"urgency {rank} not in {expect['urgency_min']}..{expect['urgency_max']}")
    if "top1" in expect and not (labels and re.search(expect["top1"], labels[0], re.I)):
        problems.append(f"top1 {labels[:1]} !~ {expect['top1']}")
    if "top3" in expect and not any(re.search(expect["top3"], label, re.I) for label in labels[:3]):
        problems.append(f"top3 {labels[:3]} !~ {expect['top3']}")
    if "not_top1" in expect and labels and re.search(expect["not_top1"], labels[0], re.I):
        problems.append(f"top1 {labels[0]} ~ {expect['not_top1']}")
    return f"{vignette['id']}: {'; '.join(problems)}" if problems else None
