"""Assembles the GraphQL schema from `api.graphql.types` and `api.graphql.resolvers`; nothing else lives here.

`python -m api.graphql.schema --write` regenerates the committed SDL, `api/graphql/schema.graphql`;
`python -m api.graphql.schema --check` exits 1 when it is out of date (a test does the same).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from api.graphql import resolvers as r
from api.graphql import types as t
from api.graphql.limits import InputLimits

T = TypeVar("T")

SDL_PATH = Path(__file__).with_name("schema.graphql")
SDL_HEADER = (
    "# Generated from api/graphql/types.py and api/graphql/schema.py by "
    "`python -m api.graphql.schema --write`; do not edit.\n"
    "# A test keeps this file equal to the served schema.\n\n"
)


def _field(resolver: Callable[..., T], description: str | None = None, *, limits: bool = False) -> T:
    """A field resolved by `resolver`; typed, as `strawberry.field` is, as what the resolver returns."""
    return strawberry.field(resolver=resolver, description=description, extensions=[InputLimits()] if limits else [])


@strawberry.type(description="Lookups and reasoning over the leg-pain-while-walking knowledge graph.")
class Query:
    body_systems: list[t.BodySystem] = _field(r.body_systems, "The body systems, by label.")
    body_system: t.BodySystem | None = _field(r.body_system, "A body system by ID; null when unknown.")
    urgency_levels: list[t.UrgencyLevel] = _field(r.urgency_levels, "All four urgency levels, ordered by rank.")
    urgency_level: t.UrgencyLevel | None = _field(r.urgency_level, "An urgency level by ID; null when unknown.")
    conditions: list[t.Condition] = _field(
        r.conditions,
        (
            "Conditions by label (or best match first with `search`). The filters combine: `symptom` uses the "
            "ontology's subsumption, so a specific finding also selects conditions described with a more "
            "general one. An unknown filter ID is an error (BAD_USER_INPUT)."
        ),
        limits=True,
    )
    condition: t.Condition | None = _field(r.condition, "A condition by ID; null when unknown.")
    symptoms: list[t.Symptom] = _field(
        r.symptoms, "Ranked lookup by label, synonym or lay phrase; best match first.", limits=True
    )
    symptom_matches: list[t.SymptomMatch] = _field(
        r.symptom_matches,
        ("The same lookup as `symptoms`, with each match's score and the label or synonym that matched."),
        limits=True,
    )
    symptom: t.Symptom | None = _field(r.symptom, "A finding by ID; null when unknown.")
    candidate_conditions: list[t.Candidate] = _field(
        r.candidate_conditions,
        (
            "Candidate conditions for the reported findings, best first. Unknown IDs are an error "
            "(BAD_USER_INPUT) that lists them in `extensions.unknown`."
        ),
        limits=True,
    )
    risk_factors: list[t.RiskFactor] = _field(
        r.risk_factors, "Every risk factor and history finding, by label, with the conditions it makes more likely."
    )
    risk_factor: t.RiskFactor | None = _field(r.risk_factor, "A risk factor by ID; null when unknown.")
    parse: t.TextInterpretation = _field(
        r.parse,
        "The findings, conditions and risk factors a free text mentions, each with its polarity and place.",
        limits=True,
    )
    interview: t.Interview = _field(
        r.interview,
        (
            "Stateless interview: the next question to ask (warning signs first), whether to stop, and the "
            "assessment so far. The client re-sends everything it knows each time, including what the person "
            "could not answer (`unknownSymptoms`, `patient.unknownRiskFactors`), which is never asked again."
        ),
        limits=True,
    )
    assess: t.Assessment = _field(
        r.assess,
        (
            "Candidates plus the urgency of the whole presentation and the warning signs found, from finding IDs, "
            "free text or both (their evidence is merged). Unknown IDs are an error (BAD_USER_INPUT) that lists "
            "them in `extensions.unknown`."
        ),
        limits=True,
    )


class LegPainSchema(strawberry.Schema):
    """The schema; it leaves error logging to the HTTP view, which knows which errors are expected
    (bad input) and which are bugs (logged with their traceback)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None


def build_schema(extensions: Iterable[type[SchemaExtension] | Callable[[], SchemaExtension]] = ()) -> LegPainSchema:
    """The schema with these (per-request) extensions; the SDL does not depend on them."""
    return LegPainSchema(query=Query, extensions=list(extensions))


def sdl(schema: strawberry.Schema | None = None) -> str:
    """The committed file's content: the header and the printed schema."""
    return SDL_HEADER + str(schema or build_schema()).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.graphql.schema", description="Print, write or check the SDL.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"write {SDL_PATH.name}")
    group.add_argument("--check", action="store_true", help=f"exit 1 if {SDL_PATH.name} is out of date")
    args = parser.parse_args(argv)
    text = sdl()
    if args.write:
        SDL_PATH.write_text(text, encoding="utf-8")
    elif args.check:
        current = SDL_PATH.read_text(encoding="utf-8") if SDL_PATH.exists() else ""
        if current != text:
            print(f"{SDL_PATH} is out of date: run `python -m api.graphql.schema --write`", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
