"""Smoke tests of the `legpain` command line, run in-process through `kg.cli.main.main`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from rdflib import Graph

from kg.cli.main import build_parser, main


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGPAIN_CACHE_DIR", str(tmp_path / "cache"))


def test_assess_ranks_pad_first_and_quotes_the_article(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "calf cramps when walking", "relieved by rest"]) == 0
    out = capsys.readouterr().out
    assert "1. peripheral artery disease" in out
    assert "\u201cThis discomfort is quickly relieved within a few minutes" in out
    assert "Urgency: routine medical evaluation" in out


def test_assess_json_with_ids_and_absent(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["assess", "lp:CalfPainOnWalking", "lp:ReliefWithinMinutesOfRest", "--absent", "leg swelling", "--json"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["candidates"][0]["id"] == "lp:PeripheralArteryDisease"
    assert data["absent"][0]["id"] == "lp:UnilateralLegSwelling"
    assert data["urgency"]["rank"] == 2
    assert data["candidates"][0]["sources"][0]["quote"]


def test_assess_reports_unrecognised_phrases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "purple elephant"]) == 0
    out = capsys.readouterr().out
    assert "Not recognised: 'purple elephant'" in out
    assert "No candidate conditions." in out


def test_search(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "pins and needles", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["id"] == "lp:PinsAndNeedles"
    assert main(["search", "purple elephant"]) == 1


def test_query_named_with_param_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "list-condition-causes", "--param", "condition=lp:Sciatica", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["cause"] for r in rows} == {
        "https://w3id.org/legpain/HerniatedDisc",
        "https://w3id.org/legpain/SpinalStenosis",
    }
    assert main(["query", "--list"]) == 0
    assert "list-conditions" in capsys.readouterr().out


def test_query_from_a_file_and_unknown_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?c a lp:Condition }", encoding="utf-8")
    assert main(["query", str(rq), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "18"
    assert main(["query", "no-such-query"]) == 2
    assert "no query named 'no-such-query'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt"), ("json-ld", "json-ld"), ("xml", "xml")]
)
def test_export_formats_parse_back(fmt: str, rdflib_format: str, tmp_path: Path) -> None:
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--format", fmt, "--graph", "inferred", "-o", str(out)]) == 0
    assert len(Graph().parse(out, format=rdflib_format)) > 500


def test_reason_check_and_format_check_pass_on_the_shipped_ontology() -> None:
    assert main(["reason", "--check"]) == 0
    assert main(["format", "--check"]) == 0


@pytest.mark.slow
def test_validate_passes_with_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", "--reasoner", "owlrl"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["summary"]["error"] == 0


def test_every_command_has_help_with_examples() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        assert "examples:" in command.format_help(), name


def test_bad_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LEGPAIN_MAX_LIMIT", "lots")
    assert main(["search", "calf"]) == 2
    assert "LEGPAIN_MAX_LIMIT='lots' is not a valid int" in capsys.readouterr().err


def test_query_file_cannot_reach_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A user's query file is run closed: SERVICE is refused and FROM never reads a file."""
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:s> <urn:p> <urn:leaked> .\n", encoding="utf-8")
    service = tmp_path / "service.rq"
    service.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", encoding="utf-8")
    assert main(["query", str(service)]) == 1
    assert "SERVICE (federated query) is disabled" in capsys.readouterr().err
    from_file = tmp_path / "from.rq"
    from_file.write_text(f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s <urn:p> ?o }}", encoding="utf-8")
    assert main(["query", str(from_file), "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert "urn:leaked" not in captured.out
    assert f"Unknown graph <{secret.as_uri()}> in FROM" in captured.err


# ------------------------------------------------------------------- legpain query on a file
@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("LOAD <http://127.0.0.1:9/data.ttl>", "SPARQL Update (LOAD) is not accepted"),
        ("PREFIX lp: <https://w3id.org/legpain/>\nINSERT DATA { lp:a lp:b lp:c }", "SPARQL Update (INSERT DATA)"),
        ("DROP ALL", "SPARQL Update (DROP)"),
        ("SELECT * WHERE { ?s ?p }", "Malformed query: error at line 1, column"),
        ("SELECT * WHERE {\n  ?s ?p ?o\n", "Malformed query: error at line 3"),
        (
            r"SELECT ?x WHERE { OPTIONAL { ?s ?p <http://e/\u0041'> } SERVICE <http://127.0.0.1:9999/x> { ?x ?y ?z } }",
            "SERVICE (federated query) is disabled",
        ),
        ("SELECT * WHERE " + "{" * 500 + "}" * 500, "nested too deeply"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(undeclared:x) }", "the query failed"),
    ],
)
def test_query_file_errors_are_one_clear_line(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (in_tmp / "q.rq").write_text(text, encoding="utf-8")
    assert main(["query", "q.rq"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert captured.out == ""
    assert err.startswith("legpain query: error: ") and message in err, err
    assert "\n" not in err and "Traceback" not in err
    assert str(in_tmp) not in err and "/kg/" not in err and ".py" not in err


def test_query_usage_errors_exit_2(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "missing.rq"]) == 2
    assert "no such query file: missing.rq" in capsys.readouterr().err
    (in_tmp / "latin1.rq").write_bytes("SELECT * { ?s ?p 'caf\xe9' }".encode("latin-1"))
    assert main(["query", "latin1.rq"]) == 2
    assert "latin1.rq is not UTF-8 text" in capsys.readouterr().err
    (in_tmp / "ok.rq").write_text("ASK { }", encoding="utf-8")
    for bad in ("0", "-1", "nan", "inf"):
        assert main(["query", "ok.rq", "--timeout", bad]) == 2
        assert "time limit must be a number of seconds above 0" in capsys.readouterr().err
    assert main(["query"]) == 2


#: A cross join of the whole graph with itself, three times: runs for hours on rdflib's engine.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.slow
def test_a_runaway_query_is_stopped_at_the_timeout(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import multiprocessing

    (in_tmp / "slow.rq").write_text(RUNAWAY, encoding="utf-8")
    started = time.monotonic()
    assert main(["query", "slow.rq", "--timeout", "1"]) == 1
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert "did not finish within 1 s and was stopped" in err and "--timeout" in err
    running = [p for p in multiprocessing.active_children() if p.name == "legpain-query"]
    assert not running, "the query's process is still running"


@pytest.mark.slow
def test_the_timeout_defaults_to_the_endpoints_setting(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEGPAIN_SPARQL_TIMEOUT_S", "0.5")
    (in_tmp / "slow.rq").write_text(RUNAWAY, encoding="utf-8")
    assert main(["query", "slow.rq"]) == 1
    assert "did not finish within 0.5 s" in capsys.readouterr().err
    assert main(["query", "count-conditions", "--timeout", "60"]) == 0  # the option wins over the setting


def test_from_never_reads_a_file_even_with_rdflib_loading_switched_on(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The library refuses a FROM graph the dataset lacks before rdflib's engine sees it, which is the
    one case rdflib dereferences: the process-wide switch is a second line, not the first."""
    import rdflib.plugins.sparql

    from kg.sparql.library import QueryLibrary

    secret = in_tmp / "secret.ttl"
    secret.write_text("<urn:s> <urn:p> <urn:leaked> .\n", encoding="utf-8")
    real_init = QueryLibrary.__init__

    def init_then_switch_on(self: QueryLibrary, directory: Path) -> None:
        real_init(self, directory)
        monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)

    monkeypatch.setattr(QueryLibrary, "__init__", init_then_switch_on)
    (in_tmp / "named.rq").write_text(f"SELECT * FROM NAMED <{secret.as_uri()}> {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert main(["query", "named.rq", "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert "urn:leaked" not in captured.out and "Unknown graph" in captured.err and "in FROM NAMED" in captured.err


def test_from_a_graph_of_the_dataset_answers(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "from.rq").write_text("SELECT (COUNT(*) AS ?n) FROM lp:graph\\/inferred WHERE { ?s ?p ?o }")
    assert main(["query", "from.rq", "--format", "csv"]) == 0
    assert int(capsys.readouterr().out.splitlines()[1]) > 100


def test_query_file_escapes_and_params(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "label.rq").write_text(
        "SELECT ?label WHERE { ?c rdfs:label ?label FILTER(STRSTARTS(?label, 'p\\u0065ripheral')) }"
    )
    assert main(["query", "label.rq", "--format", "json"]) == 0
    labels = {row["label"] for row in json.loads(capsys.readouterr().out)}
    assert "peripheral artery disease" in labels
    (in_tmp / "causes.rq").write_text("SELECT ?cause WHERE { ?condition lp:hasCause ?cause }")
    assert main(["query", "causes.rq", "--param", "condition=lp:Sciatica", "--format", "csv"]) == 0
    assert sorted(capsys.readouterr().out.split()[1:]) == [
        "https://w3id.org/legpain/HerniatedDisc",
        "https://w3id.org/legpain/SpinalStenosis",
    ]


def test_query_list_gives_each_querys_first_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    summaries = {line.split()[0]: line.split(None, 1)[1].rsplit("  [parameters:", 1)[0] for line in lines}
    assert summaries["checks/condition-incomplete"] == (
        "Check: every condition has at least one typical finding, an urgency and a body system (asserted or "
        "inferred from what it affects)."
    )
    assert summaries["rules/site-subsumption"] == (
        "Rule: pain felt at a site is a kind of pain felt at any site that contains it."
    )
    assert summaries["index/list-urgency-levels"].endswith("(1 self-care ... 4 emergency), with their advice text.")
    for name, summary in summaries.items():
        assert summary[0].isupper() and summary.endswith("."), (name, summary)


def test_query_help_documents_the_exit_codes_and_the_timeout() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    text = sub.choices["query"].format_help()  # type: ignore[index]
    assert "exit codes:" in text and "--timeout SECONDS" in text and "LEGPAIN_SPARQL_TIMEOUT_S" in text
    for code in ("0 ", "1 ", "2 ", "3 "):
        assert f"\n  {code}" in text


def test_version_is_the_distribution_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    from kg.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"legpain {version('legpain-kg')}"


def test_every_option_of_every_command_has_help() -> None:
    import argparse

    from kg.cli.main import build_parser

    missing = []

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}")
            elif not action.help and not isinstance(action, argparse._HelpAction):
                missing.append(f"{prefix} {action.option_strings or action.dest}")

    walk(build_parser(), "legpain")
    assert missing == []


def test_assess_reads_a_sentence_with_its_negation(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's example: what was understood (the absent swelling too), what was not, and PAD first."""
    sentence = (
        "My left calf starts cramping about 400 yards into my walk and eases off after a short rest; "
        "the leg isn't swollen"
    )
    assert main(["assess", sentence]) == 0
    out = capsys.readouterr().out
    assert "Reported absent: swelling of one leg" in out
    assert "-> finding lp:ReliefWithinMinutesOfRest (present)" in out  # "a short rest" is minutes of rest
    assert "Read: 'left calf starts cramping" in out  # the side is part of the calf's reading
    assert "Not recognised:" not in out  # every word of it is understood
    assert out.split("\n1. ", 1)[1].startswith("peripheral artery disease")
    assert main(["assess", sentence + ", and my budgie sings opera"]) == 0
    assert "Not recognised: 'and my budgie sings opera'" in capsys.readouterr().out


def test_parse_lists_mentions_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "no numbness or swelling; my calf cramps when I walk", "--json"]) == 0
    read = json.loads(capsys.readouterr().out)
    polarity = {m["id"]: m["present"] for m in read["mentions"]}
    assert polarity["lp:Numbness"] is False and polarity["lp:CalfCrampingOnWalking"] is True
    assert main(["parse", "the sky is green"]) == 0
    assert "Not recognised: 'the sky is green'" in capsys.readouterr().out


def test_interview_asks_until_it_may_stop_and_prints_the_assessment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    # no to every checklist and question; the input ends if the interview asks more
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n" * 12))
    assert main(["interview", "calf cramps after two blocks and it eases when I stop", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["questions"] >= 1 and data["shouldStop"]
    assert data["assessment"]["candidates"][0]["id"] == "lp:PeripheralArteryDisease"
    assert {a["answer"] for a in data["answers"]} == {"no"}
    assert "Do any of these apply to you?" in captured.err


def test_interview_checklist_yes_asks_item_by_item(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    # the first checklist (signs of a clot in the lungs): yes, then yes to the first item, no to the rest
    monkeypatch.setattr("sys.stdin", io.StringIO("y\ny\nn\nn\nn\nq\n"))
    assert main(["interview", "my right calf is swollen"]) == 0
    out = capsys.readouterr().out
    assert "stopped: the answers ended" in out
    assert "Urgency: emergency" in out
    assert "shortness of breath" in out
