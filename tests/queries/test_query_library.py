"""The named queries of `queries/`: every file documented, parsed and run on the shipped graph.

User-library queries are checked for concrete rows (a wrong join or a typo in an IRI returns no row
or the wrong one, not an error), quality checks of level `error` for no violation, rules for their
triples, and the `legpain query NAME --param ...` command line for its output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

from kg.assessment.service import LegPainService
from kg.cli.main import main
from kg.core.namespaces import from_curie, to_curie
from kg.core.settings import PROJECT_ROOT

QUERIES = PROJECT_ROOT / "queries"
FILES = sorted(QUERIES.rglob("*.rq"))
#: parameters some queries require, and values that exist in the shipped graph
REQUIRED: dict[str, dict[str, str]] = {
    "library/list-conditions-with-finding": {"finding": "lp:CalfPain"},
    "library/list-candidate-conditions": {"findings": "lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest"},
}


def _name(path: Path) -> str:
    return path.relative_to(QUERIES).with_suffix("").as_posix()


def _rows(service: LegPainService, name: str, **params: Any) -> list[tuple[str | None, ...]]:
    """Rows as CURIEs and plain strings (None for unbound), in the query's order."""
    kg = service.graph
    return [
        tuple(None if t is None else to_curie(str(t)) for t in row)  # type: ignore[union-attr]
        for row in kg.queries.run(name, kg.dataset, params)
    ]


# ------------------------------------------------------------------------------ every file
@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_query_is_documented(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# "), "a header comment comes first"
    header = [line for line in lines if line.startswith("#")]
    assert any(line.startswith("# Parameters:") for line in header)
    assert any(line.startswith("# Columns:") for line in header)
    body = [line for line in lines if line.strip() and not line.startswith("#")]
    assert body[0].startswith("PREFIX"), "the PREFIX block comes before the query"
    assert len(re.findall(r"^(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", text, re.MULTILINE)) == 1, "one query per file"


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_query_parses_and_runs(service: LegPainService, path: Path) -> None:
    kg = service.graph
    name = _name(path)
    named = kg.queries.get(name)
    result = kg.queries.run(name, kg.dataset, REQUIRED.get(name, {}))
    if named.kind == "SELECT":
        # the documented columns are the projected ones, in order
        assert tuple(str(v) for v in result.vars or []) == named.columns
        rows = list(result)
        if name.startswith("checks/"):
            level = re.search(r"^# Level: (\w+)", named.text, re.MULTILINE)
            assert level and level.group(1) in ("error", "warning", "info")
            assert named.columns == ("entity", "property", "value")
            if level.group(1) == "error":
                assert rows == [], f"{name} finds violations in the shipped graph"
        elif name in ("store/data-version", "store/graph-sizes", "store/condition-count", "store/typical-counts"):
            # the load marker and the counts recorded with it exist only in a store that `legpain load`
            # filled (tests/store check them)
            assert rows == [], "a graph read from the files carries no load marker"
        else:
            assert rows, f"{name} returns no row on the shipped graph"
    else:
        assert len(result) > 0  # type: ignore[arg-type]


def test_every_required_parameter_is_documented(service: LegPainService) -> None:
    for name, params in REQUIRED.items():
        named = service.graph.queries.get(name)
        assert set(params) <= set(named.parameters)
        assert "(required)" in named.text


# ------------------------------------------------------------------ concrete rows per query
EXPECTED: list[tuple[str, dict[str, str], tuple[str, ...], list[tuple[str | None, ...]]]] = [
    # (query, parameters, columns compared, rows that must be there)
    (
        "list-conditions-by-body-system",
        {"system": "lp:VascularSystem"},
        ("condition",),
        [("lp:PeripheralArteryDisease",), ("lp:DeepVeinThrombosis",), ("lp:CriticalLimbIschemia",)],
    ),
    (
        "list-conditions-by-body-system",
        {"system": "lp:NervousSystem"},
        ("condition",),
        [("lp:PeripheralNeuropathy",), ("lp:Sciatica",)],
    ),
    (
        "list-conditions-by-body-system",
        {},
        ("system", "condition"),
        [("lp:MusculoskeletalSystem", "lp:PlantarFasciitis"), ("lp:VascularSystem", "lp:PeripheralArteryDisease")],
    ),
    (
        "list-condition-findings",
        {"condition": "lp:PeripheralArteryDisease"},
        ("finding", "relation", "source"),
        [
            ("lp:CalfCrampingOnWalking", "discriminating", "lp:PassagePadQuality"),
            ("lp:PainNotRelievedByRest", "against", "lp:PassagePadHallmark"),
        ],
    ),
    (
        "list-conditions-with-finding",
        {"finding": "lp:CalfPain"},
        ("condition", "relation", "via", "match", "inherited"),
        [
            ("lp:PeripheralArteryDisease", "typical", "lp:CalfPain", "exact", "false"),
            ("lp:DeepVeinThrombosis", "typical", "lp:CalfPain", "exact", "false"),
            ("lp:PeripheralArteryDisease", "discriminating", "lp:CalfCrampingOnWalking", "narrower", "false"),
            ("lp:CriticalLimbIschemia", "typical", "lp:CalfPain", "exact", "true"),
        ],
    ),
    (
        "list-conditions-with-finding",
        {"finding": "lp:FootPain"},
        ("condition", "via", "match"),
        [("lp:PeripheralNeuropathy", "lp:BurningFeet", "narrower"), ("lp:PlantarFasciitis", "lp:HeelPain", "narrower")],
    ),
    (
        "list-conditions-with-finding",
        {"finding": "lp:CalfCrampingOnWalking"},
        ("condition", "via", "match"),
        [
            ("lp:PeripheralArteryDisease", "lp:CalfCrampingOnWalking", "exact"),
            ("lp:DeepVeinThrombosis", "lp:CalfPain", "broader"),
        ],
    ),
    (
        "list-warning-signs",
        {},
        ("finding", "urgency", "rank"),
        [
            ("lp:PainAtRest", "lp:Emergency", "4"),
            ("lp:SuddenSeverePainPreventingWeightBearing", "lp:Emergency", "4"),
            ("lp:Fever", "lp:PromptAssessment", "3"),
            ("lp:UnilateralLegSwelling", "lp:PromptAssessment", "3"),
        ],
    ),
    (
        "list-mappings",
        {"term": "lp:PeripheralArteryDisease"},
        ("relation", "code", "scheme"),
        [("skos:closeMatch", "ICD10CM:I73.9", "ICD-10-CM"), ("skos:closeMatch", "HP:0004950", "HPO")],
    ),
    (
        "list-fact-sources",
        {
            "subject": "lp:PeripheralArteryDisease",
            "property": "lp:hasDiscriminatingFinding",
            "object": "lp:CalfCrampingOnWalking",
        },
        ("passage", "work", "title"),
        [("lp:PassagePadQuality", "lp:LegPainWhileWalkingArticle", "Leg Pain While Walking")],
    ),
    (
        "list-fact-sources",
        {"object": "lp:HerniatedDisc"},
        ("subject", "property", "passage"),
        [("lp:Sciatica", "lp:hasCause", "lp:PassageSciaticaCause")],
    ),
    (
        "list-asserted-and-inferred-facts",
        {"subject": "lp:PeripheralArteryDisease"},
        ("property", "object", "graph", "inferred"),
        [
            ("rdf:type", "lp:VascularCondition", "lp:graph/inferred", "true"),
            ("rdf:type", "lp:Condition", "lp:graph/ontology", "false"),
            ("lp:hasCause", "lp:Atherosclerosis", "lp:graph/knowledge-base", "false"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "params", "columns", "expected"),
    EXPECTED,
    ids=[f"{e[0]}-{'-'.join(e[1].values()) or 'all'}" for e in EXPECTED],
)
def test_library_query_rows(
    service: LegPainService,
    name: str,
    params: dict[str, str],
    columns: tuple[str, ...],
    expected: list[tuple[str | None, ...]],
) -> None:
    named = service.graph.queries.get(name)
    index = [named.columns.index(c) for c in columns]
    got = {tuple(row[i] for i in index) for row in _rows(service, name, **params)}
    missing = [row for row in expected if row not in got]
    assert not missing, f"{name}{params}: missing {missing}; got {sorted(got, key=str)[:20]}"


def test_optional_parameters_restrict(service: LegPainService) -> None:
    nervous = _rows(service, "list-conditions-by-body-system", system="lp:NervousSystem")
    assert {row[0] for row in nervous} == {"lp:NervousSystem"}
    facts = _rows(service, "list-asserted-and-inferred-facts", subject="lp:Sciatica", property="rdfs:label")
    assert facts == [("lp:Sciatica", "rdfs:label", "sciatica", "lp:graph/ontology", "false")]


def test_fact_sources_quote_the_passage(service: LegPainService) -> None:
    rows = _rows(
        service,
        "list-fact-sources",
        subject="lp:PeripheralArteryDisease",
        property="lp:hasDiscriminatingFinding",
        object="lp:ReliefWithinMinutesOfRest",
    )
    quote = rows[0][4]
    assert quote is not None and "relieved within a few minutes" in quote


# ---------------------------------------------------------------------- candidate ranking
@pytest.mark.parametrize(
    "findings",
    [
        "lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest",
        "lp:CalfCrampingOnWalking, lp:ReliefWithinMinutesOfRest",
        "  lp:CalfCrampingOnWalking\n\tlp:ReliefWithinMinutesOfRest  ",
        "https://w3id.org/legpain/CalfCrampingOnWalking https://w3id.org/legpain/ReliefWithinMinutesOfRest",
    ],
)
def test_candidates_rank_pad_first_whatever_the_separators(service: LegPainService, findings: str) -> None:
    rows = _rows(service, "list-candidate-conditions", findings=findings)
    assert rows[0][0] == "lp:PeripheralArteryDisease"
    assert rows[0][3] == "2" and rows[0][4] == "0"  # both findings support it, none argues against
    scores = [float(row[2] or 0) for row in rows]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_one_finding_bound_as_an_iri_works_too(service: LegPainService) -> None:
    kg = service.graph
    single = URIRef(from_curie("lp:FirstStepsHeelPain"))  # what the CLI binds for one CURIE
    rows = list(kg.queries.run("list-candidate-conditions", kg.dataset, {"findings": single}))
    assert to_curie(str(rows[0][0])) == "lp:PlantarFasciitis"  # type: ignore[index]


def test_a_finding_against_lowers_the_score(service: LegPainService) -> None:
    alone = dict(
        (r[0], float(r[2] or 0))
        for r in _rows(service, "list-candidate-conditions", findings="lp:CalfCrampingOnWalking")
    )
    both = {
        r[0]: (float(r[2] or 0), r[4])
        for r in _rows(
            service, "list-candidate-conditions", findings="lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest"
        )
    }
    # relief within minutes of rest argues against critical limb ischemia
    assert both["lp:CriticalLimbIschemia"][1] == "1"
    assert both["lp:CriticalLimbIschemia"][0] < alone["lp:CriticalLimbIschemia"]


@pytest.mark.parametrize(
    "findings",
    [
        ["lp:CalfCrampingOnWalking", "lp:ReliefWithinMinutesOfRest"],
        ["lp:PainAtRest", "lp:PainNotRelievedByRest"],
        ["lp:FirstStepsHeelPain"],
        ["lp:PinsAndNeedles", "lp:BurningFeet"],
        ["lp:Fever", "lp:LegRedness"],
        ["lp:RadiatingPainDownBackOfLeg", "lp:LowerBackPain"],
        ["lp:ShinSplintPain", "lp:PainEasesOnWarmUp"],
        ["lp:KneePain", "lp:ShorterSlowerStride"],
        ["lp:PainOnPushOff", "lp:PosteriorHeelPain"],
    ],
)
def test_top_candidate_agrees_with_the_engine(service: LegPainService, findings: list[str]) -> None:
    rows = _rows(service, "list-candidate-conditions", findings=" ".join(findings))
    engine = service.scorer.candidates(findings, limit=1)
    assert rows[0][0] == to_curie(engine[0].condition)


def test_no_known_finding_gives_no_candidate(service: LegPainService) -> None:
    kg = service.graph
    assert list(kg.queries.run("list-candidate-conditions", kg.dataset, {"findings": Literal("lp:NoSuchThing")})) == []


# ------------------------------------------------------------------------------ command line
@pytest.fixture()
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGPAIN_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.usefixtures("_private_cache")
def test_cli_runs_library_queries_with_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["query", "list-conditions-by-body-system", "--param", "system=lp:VascularSystem", "--format", "json"])
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    conditions = {to_curie(r["condition"]) for r in rows}
    assert {"lp:PeripheralArteryDisease", "lp:DeepVeinThrombosis"} <= conditions
    assert (
        main(
            [
                "query",
                "list-candidate-conditions",
                "--param",
                "findings=lp:CalfCrampingOnWalking lp:ReliefWithinMinutesOfRest",
            ]
        )
        == 0
    )
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["condition", "label", "score", "supporting", "conflicting"]
    assert table[1].startswith("lp:PeripheralArteryDisease")


@pytest.mark.usefixtures("_private_cache")
def test_cli_lists_the_library_with_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--list"]) == 0
    listing = capsys.readouterr().out
    for name in (
        "list-conditions-by-body-system",
        "list-conditions-with-finding",
        "list-candidate-conditions",
        "list-fact-sources",
        "list-asserted-and-inferred-facts",
    ):
        assert name in listing
    assert re.search(r"list-candidate-conditions .*\[parameters: findings\]", listing)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_a_query_without_its_order_gives_the_same_rows(service: LegPainService, path: Path) -> None:
    """`unordered` (what a remote reader asks) leaves out only the final sort: every query gives the
    same rows, as a multiset, on the shipped graph; a sort a LIMIT depends on is kept."""
    import dataclasses
    from collections import Counter

    from kg.sparql.library import unordered

    queries = service.graph.queries
    named = queries.get(_name(path))
    if named.kind != "SELECT" or named.checked.has_dataset_clause:
        pytest.skip("a SELECT without FROM clauses")
    text = unordered(named.text)
    if re.search(r"\bLIMIT\b", named.text):
        assert text == named.text
    bindings = REQUIRED.get(named.name, {})
    ordered = queries.execute(named, service.graph.dataset, bindings)
    plain = queries.execute(dataclasses.replace(named, text=text), service.graph.dataset, bindings)
    assert Counter(map(tuple, ordered)) == Counter(map(tuple, plain))


def test_rows_sorted_by_the_reader_come_in_the_queries_order(service: LegPainService) -> None:
    """`sort_rows` with `final_order` puts unsorted rows in the order the query's ORDER BY gives
    (unbound first, numbers by value, DESC reversed), for the forms the query folder uses."""
    from kg.sparql.library import final_order, sort_rows

    assert final_order("SELECT * WHERE { ?a ?b ?c }\nORDER BY DESC(?rank) ?label ?finding\n") == (
        ("rank", True),
        ("label", False),
        ("finding", False),
    )
    assert final_order("SELECT * WHERE { ?a ?b ?c } ORDER BY ?a LIMIT 1") is None
    assert final_order("SELECT * WHERE { ?a ?b ?c } ORDER BY STR(?a)") is None
    rows = [{"rank": 2, "label": "b"}, {"rank": 10, "label": "a"}, {"rank": 2, "label": "a"}, {"label": "z"}]
    assert sort_rows(rows, (("rank", True), ("label", False))) == [
        {"rank": 10, "label": "a"},
        {"rank": 2, "label": "a"},
        {"rank": 2, "label": "b"},
        {"label": "z"},
    ]
    assert sort_rows(rows, (("rank", False),))[0] == {"label": "z"}
    # and on the shipped graph, a query's rows sorted here are the rows the engine sorts
    queries = service.graph.queries
    named = queries.get("index/list-condition-links")
    expected = [{k: str(v) for k, v in row.asdict().items()} for row in queries.run(named.name, service.graph.dataset)]
    keys = final_order(named.text)
    assert keys is not None

    def by_keys(rows: list[dict[str, str]]) -> list[tuple[str | None, ...]]:
        return [tuple(row.get(name) for name, _ in keys) for row in rows]

    resorted = sort_rows(list(reversed(expected)), keys)
    assert by_keys(resorted) == by_keys(expected)  # rows with equal keys may come in either order
    assert sorted(map(sorted, map(dict.items, resorted))) == sorted(map(sorted, map(dict.items, expected)))
