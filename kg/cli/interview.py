"""`legpain interview`: the interview in a terminal, through `LegPainService.interview` like GraphQL.

A sentence in (the arguments, or typed at the first prompt); then each question, answered y (yes),
n (no) or ? (don't know). A checklist ("Do any of these apply to you?") is answered for all its items
at once with n or ?, and item by item after y. The interview ends when it says it may stop, when
there is nothing worth asking, after `--max-questions`, or at the end of the input (q quits too);
the assessment of everything answered is printed then.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.assessment.interview import Interview, Question
from kg.assessment.patient import PatientInput, Sex
from kg.assessment.service import AssessmentRequest, LegPainService
from kg.cli.assessment import assessment_json, print_assessment
from kg.cli.common import AddCommand, CliError, open_service
from kg.core.namespaces import to_curie

#: What a person may type for each answer.
YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})
DONT_KNOW = frozenset({"?", "d", "dk", "don't know", "dont know", "not sure", "unsure"})
QUIT = frozenset({"q", "quit", "stop"})


class _AnswersEndedError(Exception):
    """The person quit, or the input ended."""


@dataclass
class _Answers:
    """What the person has answered so far: what the next call re-sends (the interview is stateless)."""

    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    absent_risks: list[str] = field(default_factory=list)
    unknown_risks: list[str] = field(default_factory=list)
    transcript: list[dict[str, object]] = field(default_factory=list)
    #: the person quit, or the input ended, before the interview could stop
    ended: bool = False

    def record(self, item: str, is_risk: bool, answer: bool | None) -> None:
        lists = (
            (self.risks, self.absent_risks, self.unknown_risks)
            if is_risk
            else (self.present, self.absent, self.unknown)
        )
        lists[0 if answer else 1 if answer is False else 2].append(item)
        self.transcript.append(
            {"id": to_curie(item), "answer": "yes" if answer else "no" if answer is False else "don't know"}
        )


def _ask(prompt: str, read: Callable[[str], str]) -> bool | None:
    """One answer: True, False or None (don't know); asks again after anything else."""
    for _ in range(5):
        try:
            said = read(f"{prompt} [y/n/?] ").strip().casefold()
        except EOFError:
            raise _AnswersEndedError from None
        if said in QUIT:
            raise _AnswersEndedError
        if said in YES:
            return True
        if said in NO:
            return False
        if said in DONT_KNOW:
            return None
        print("Please answer y (yes), n (no) or ? (don't know); q ends the interview.")
    raise _AnswersEndedError


def _put(question: Question, answers: _Answers, texts: dict[str, str], read: Callable[[str], str]) -> None:
    """Ask one question (a checklist item by item after a yes) and record its answers."""
    items = [(iri, False) for iri in question.asks] + [(iri, True) for iri in question.risk_factors]
    if len(items) == 1:
        answers.record(items[0][0], items[0][1], _ask(question.text, read))
        return
    print("Do any of these apply to you?")
    for iri, _ in items:
        print(f"  - {texts[iri]}")
    overall = _ask("Any of these?", read)
    for iri, is_risk in items:
        answers.record(iri, is_risk, _ask(f"  {texts[iri]}", read) if overall else overall)


def run_interview(
    service: LegPainService,
    text: str | None,
    patient: PatientInput,
    read: Callable[[str], str] = input,
    max_questions: int = 10,
) -> tuple[Interview, _Answers, int]:
    """Interview until it may stop, nothing is worth asking, `max_questions`, or the answers end:
    the last interview, the answers and how many questions were asked."""
    answers = _Answers()
    asked = 0
    while True:
        given = PatientInput(
            patient.age,
            patient.sex,
            [*patient.risk_factors, *answers.risks],
            answers.absent_risks,
            answers.unknown_risks,
        )
        request = AssessmentRequest(answers.present, answers.absent, text=text, patient=given)
        interview = service.interview(request, answers.unknown)
        question = interview.question
        if interview.should_stop or question is None or asked >= max_questions:
            return interview, answers, asked
        texts = {
            **{i: f.question or f.label for i, f in service.knowledge.findings(question.asks).items()},
            **{i: r.question or r.label for i, r in service.knowledge.risk_factors(question.risk_factors).items()},
        }
        print(f"\n({question.kind.value}) {question.rationale}")
        try:
            _put(question, answers, texts, read)
        except _AnswersEndedError:
            answers.ended = True
            max_questions = asked  # one more call: the assessment of what was answered before the end
        asked += 1


def cmd_interview(args: argparse.Namespace) -> int:
    service = open_service()
    text = " ".join(args.text).strip()
    if not text:
        try:
            text = input("Describe the pain in your own words: ").strip()
        except EOFError:
            text = ""
    if not text:
        raise CliError("nothing to start from: describe the pain (as arguments or at the prompt)")
    patient = PatientInput(args.age, Sex(args.sex) if args.sex else None, args.risk_factor or ())
    if args.json:
        # the questions go to stderr, so that stdout holds the JSON alone
        with contextlib.redirect_stdout(sys.stderr):
            interview, answers, asked = run_interview(service, text, patient, max_questions=args.max_questions)
    else:
        interview, answers, asked = run_interview(service, text, patient, max_questions=args.max_questions)
    if args.json:
        out = {
            "questions": asked,
            "answers": answers.transcript,
            "shouldStop": interview.should_stop,
            "stopReason": "answers-ended" if answers.ended else interview.stop_reason.value,
            "assessment": assessment_json(service, interview.assessment),
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    why = "the answers ended" if answers.ended else interview.stop_reason.value
    print(f"\n{asked} question{'s' if asked != 1 else ''} asked; stopped: {why}.\n")
    print_assessment(service, interview.assessment)
    return 0


EXAMPLES = """examples:
  legpain interview "my right calf is swollen and sore"
  legpain interview --age 67 --risk-factor lp:Smoking "calf cramps after two blocks, better when I stop"
  printf 'n\\nn\\n?\\n' | legpain interview "my heel hurts" --json

Answer y (yes), n (no) or ? (don't know); q ends the interview and prints the assessment so far."""


def register(add: AddCommand) -> None:
    """Add `interview` to the `legpain` parser."""
    p = add("interview", EXAMPLES, "Ask the next best question until the assessment is clear (warning signs first).")
    p.add_argument("text", nargs="*", help="what the person says, in their own words (asked for when left out)")
    p.add_argument("--age", type=int, help="the person's age in years")
    p.add_argument(
        "--sex", choices=[s.value for s in Sex], help="the person's sex (keeps questions that cannot apply away)"
    )
    p.add_argument("--risk-factor", nargs="+", metavar="ID", help="risk factor IDs the person has")
    p.add_argument("--max-questions", type=int, default=10, help="ask at most this many questions (default 10)")
    p.add_argument("--json", action="store_true", help="print the answers and the assessment as JSON at the end")
    p.set_defaults(func=cmd_interview)
