"""Smoke tests of the `legpain` command line, run in-process through `kg.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from kg.cli import build_parser, main


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
    assert main(["assess", "lp:CalfPainOnWalking", "lp:ReliefWithinMinutesOfRest",
                 "--absent", "leg swelling", "--json"]) == 0
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
    assert {r["cause"] for r in rows} == {"https://w3id.org/legpain/HerniatedDisc",
                                          "https://w3id.org/legpain/SpinalStenosis"}
    assert main(["query", "--list"]) == 0
    assert "list-conditions" in capsys.readouterr().out


def test_query_from_a_file_and_unknown_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?c a lp:Condition }", encoding="utf-8")
    assert main(["query", str(rq), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "18"
    assert main(["query", "no-such-query"]) == 2
    assert "no query named 'no-such-query'" in capsys.readouterr().err


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt"), ("json-ld", "json-ld"),
                                                     ("xml", "xml")])
def test_export_formats_parse_back(fmt: str, rdflib_format: str, tmp_path: Path) -> None:
    out = tmp_path / f"export.{fmt}"
    assert main(["export", "--format", fmt, "--graph", "inferred", "-o", str(out)]) == 0
    assert len(Graph().parse(out, format=rdflib_format)) > 500


def test_reason_check_and_format_check_pass_on_the_shipped_ontology() -> None:
    assert main(["reason", "--check"]) == 0
    assert main(["format", "--check"]) == 0


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
    assert main(["query", str(service)]) == 2
    assert "SERVICE is not allowed" in capsys.readouterr().err
    from_file = tmp_path / "from.rq"
    from_file.write_text(f"SELECT ?o FROM <{secret.as_uri()}> WHERE {{ ?s <urn:p> ?o }}", encoding="utf-8")
    assert main(["query", str(from_file), "--format", "csv"]) == 0
    assert "urn:leaked" not in capsys.readouterr().out
