"""Request limits: depth, tokens, aliases, estimated size, list inputs and `limit` caps, from Settings."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse
from starlette.testclient import TestClient

from api.app import create_app
from api.graphql.limits import LIST_FACTOR, measure
from api.graphql.schema import build_schema
from kg.assessment.service import LegPainService
from kg.core.settings import Settings


@pytest.fixture(scope="module")
def small(app_settings: Settings) -> Settings:
    return app_settings.with_changes(
        max_query_depth=4, max_query_tokens=120, max_aliases=3, max_list_input=3, max_limit=5
    )


@pytest.fixture(scope="module")
def limited(small: Settings, service: LegPainService) -> TestClient:
    """An app with small limits serving the session's loaded graph (no second load)."""
    app = create_app(small)
    app.state.legpain.service = service
    return TestClient(app)


def error(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None and len(body["errors"]) == 1, body
    return body["errors"][0]


def ok(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in body, body
    return body["data"]


def test_depth_limit(limited: TestClient) -> None:
    ok(limited, '{ condition(id: "lp:Sciatica") { causes { causes { id } } } }')  # depth 4
    e = error(limited, '{ condition(id: "lp:Sciatica") { causes { causes { causes { id } } } } }')
    assert e["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 4, "actual": 5}
    assert "5 levels" in e["message"] and "at most 4" in e["message"]


def test_depth_counts_through_fragments(limited: TestClient) -> None:
    query = """{ condition(id: "lp:Sciatica") { ...A } }
               fragment A on Condition { causes { ... on Condition { causes { ...B } } } }
               fragment B on Condition { causes { id } }"""
    assert error(limited, query)["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_token_limit(limited: TestClient) -> None:
    ok(limited, "{ urgencyLevels { rank } }")
    e = error(limited, "{ " + " ".join(f"a{i}: __typename" for i in range(3)) + " " + "__typename " * 120 + "}")
    assert e["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": 120}
    assert "120 tokens" in e["message"]


def test_alias_limit(limited: TestClient) -> None:
    ok(limited, "{ a: urgencyLevels { rank } b: urgencyLevels { rank } c: bodySystems { id } }")
    e = error(
        limited,
        "{ a: urgencyLevels { r: rank } b: urgencyLevels { rank } c: bodySystems { id } d: bodySystems { id } }",
    )
    assert e["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 3, "actual": 5}


def test_aliases_in_fragments_count_each_time_they_are_spread(limited: TestClient) -> None:
    query = "{ ...F ...F } fragment F on Query { a: __typename b: __typename }"
    assert error(limited, query)["extensions"]["code"] == "TOO_MANY_ALIASES"


def test_list_input_limit_for_literals_and_variables(limited: TestClient) -> None:
    ok(limited, '{ assess(symptoms: ["lp:CalfPain", "lp:Fever", "lp:Chills"]) { advice } }')
    e = error(limited, '{ assess(symptoms: ["lp:CalfPain", "lp:Fever", "lp:Chills", "lp:Numbness"]) { advice } }')
    assert e["extensions"] == {"code": "INPUT_LIST_TOO_LONG", "limit": 3, "actual": 4}
    assert "`symptoms` has 4 items" in e["message"]
    e = error(
        limited,
        "query($a: [ID!]) { candidateConditions(symptoms: [], absentSymptoms: $a) { rank } }",
        {"a": ["lp:CalfPain"] * 9},
    )
    assert e["extensions"]["code"] == "INPUT_LIST_TOO_LONG" and "`absentSymptoms`" in e["message"]


@pytest.mark.parametrize(
    "field",
    [
        'symptoms(search: "pain", limit: $n) { id }',
        "conditions(limit: $n) { id }",
        'candidateConditions(symptoms: ["lp:CalfPain"], limit: $n) { rank }',
        'assess(symptoms: ["lp:CalfPain"], limit: $n) { advice }',
    ],
)
def test_limit_caps(limited: TestClient, field: str) -> None:
    query = f"query($n: Int) {{ {field} }}"
    ok(limited, query, {"n": 5})
    e = error(limited, query, {"n": 6})
    assert e["extensions"] == {"code": "LIMIT_TOO_LARGE", "limit": 5, "actual": 6}
    e = error(limited, query, {"n": -1})
    assert e["extensions"] == {"code": "BAD_USER_INPUT"} and "negative" in e["message"]


def test_negative_offset_is_bad_input(limited: TestClient) -> None:
    e = error(limited, "{ conditions(offset: -2) { id } }")
    assert e["extensions"]["code"] == "BAD_USER_INPUT" and "`offset`" in e["message"]


def test_wide_fan_out_is_refused_even_within_the_depth_limit(client: TestClient) -> None:
    """Nested lists multiply: this asks for millions of objects in 8 levels, under the default depth 10."""
    query = "{ conditions { symptoms { conditions { symptoms { conditions { symptoms { conditions { id } } } } } } } }"
    e = error(client, query)
    assert e["extensions"]["code"] == "QUERY_TOO_COMPLEX" and e["extensions"]["actual"] > e["extensions"]["limit"]


def test_size_estimate_counts_lists_only() -> None:
    schema = build_schema()._schema
    [shape] = measure(schema, parse('{ condition(id: "x") { urgency { rank } causes { id label } } }')).values()
    # condition(1) + urgency(1 + rank 1) + causes(1 + LIST_FACTOR * 2)
    assert shape.cost == 1 + (1 + 1) + (1 + LIST_FACTOR * 2) + 0 and shape.depth == 3 and shape.aliases == 0


def test_fragment_bombs_are_measured_in_linear_time() -> None:
    parts = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60)]
    document = parse("{ ...F0 } " + " ".join(parts) + " fragment F60 on Query { urgencyLevels { rank } }")
    [shape] = measure(build_schema()._schema, document).values()
    assert shape.cost >= 2**60 or shape.cost == 10**12


def test_introspection_passes_default_limits(client: TestClient) -> None:
    data = ok(client, get_introspection_query(descriptions=True))
    assert any(t["name"] == "Condition" for t in data["__schema"]["types"])


def test_a_repeated_query_is_answered_from_the_caches(client: TestClient) -> None:
    """The second run must not parse or validate again: strawberry's caches hit. (Another unused
    variable makes it a new request, which the whole-response cache has not seen.)"""
    from strawberry.extensions.parser_cache import _get_parse_cache
    from strawberry.extensions.validation_cache import _get_validate_cache

    from api.graphql.view import CACHE_SIZE

    query = '{ condition(id: "lp:PlantarFasciitis") { label urgency { rank } } }'
    ok(client, query)
    parse_hits = _get_parse_cache(CACHE_SIZE).cache_info().hits
    validate_hits = _get_validate_cache(CACHE_SIZE).cache_info().hits
    ok(client, query, {"unused": 1})
    assert _get_parse_cache(CACHE_SIZE).cache_info().hits == parse_hits + 1
    assert _get_validate_cache(CACHE_SIZE).cache_info().hits == validate_hits + 1


def test_schema_defaults_are_lowered_to_a_smaller_cap(limited: TestClient) -> None:
    """`symptoms` defaults to 20 and `conditions` to all; a server capped at 5 answers 5, not an error."""
    data = ok(limited, '{ symptoms(search: "pain") { id } conditions { id } }')
    assert len(data["symptoms"]) == 5 and len(data["conditions"]) == 5


def test_null_limits_take_the_capped_default(limited: TestClient) -> None:
    data = ok(
        limited,
        '{ symptoms(search: "pain", limit: null) { id } '
        'assess(symptoms: ["lp:LegPain", "lp:Numbness"], limit: null) { candidates { rank } } }',
    )
    assert len(data["symptoms"]) == 5 and len(data["assess"]["candidates"]) == 5


def test_field_limit_refuses_many_copies_of_one_field_before_validating(client: TestClient) -> None:
    """380 copies of `conditions { id }` are within the token, depth, alias and size limits, but
    validating them is quadratic (0.7 s of CPU): the field limit refuses them before validation, and
    a query at the limit is still answered."""
    import time

    many = "{ " + " ".join("conditions { id }" for _ in range(380)) + " }"
    response = client.post("/graphql", json={"query": many})
    assert response.status_code == 200
    [e] = response.json()["errors"]
    assert e["extensions"] == {"code": "TOO_MANY_FIELDS", "limit": 100, "actual": 760}
    started = time.process_time()
    for i in range(5):  # a new text each time: no cache can answer
        client.post("/graphql", json={"query": many.replace("conditions { id }", f"c{i}: conditions {{ id }}", 1)})
    assert time.process_time() - started < 1.0  # was about 5 s of CPU without the limit
    at_limit = "{ " + " ".join("conditions { id }" for _ in range(50)) + " }"
    assert len(ok(client, at_limit)["conditions"]) > 10


def test_field_limit_counts_fragments_where_spread(app_settings: Settings, service: LegPainService) -> None:
    query = """{ a: conditions { ...F } b: conditions { ...F } }
               fragment F on Condition { id label urgency { id rank } causes { id } }"""
    fields = 2 * (1 + 7)  # conditions + id, label, urgency { id rank }, causes { id }
    for limit, refused in ((fields, False), (fields - 1, True)):
        app = create_app(app_settings.with_changes(max_fields=limit))
        app.state.legpain.service = service
        body = TestClient(app).post("/graphql", json={"query": query}).json()
        assert ("errors" in body) is refused, body
        if refused:
            assert body["errors"][0]["extensions"] == {"code": "TOO_MANY_FIELDS", "limit": limit, "actual": fields}


@pytest.mark.parametrize("where", ["body", "variables", "get"])
def test_deeply_nested_json_is_a_bad_request(client: TestClient, where: str) -> None:
    levels = 5_000 if where == "get" else 40_000  # a URL holds less
    deep = "[" * levels + "]" * levels
    if where == "body":
        response = client.post("/graphql", content=deep, headers={"content-type": "application/json"})
    elif where == "variables":
        raw = '{"query": "{ urgencyLevels { id } }", "variables": {"x": ' + deep + "}}"
        response = client.post("/graphql", content=raw, headers={"content-type": "application/json"})
    else:
        response = client.get("/graphql", params={"query": "{ urgencyLevels { id } }", "variables": deep})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
