"""The served schema: equal to the committed SDL, a superset of the contract, documented from the ontology."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLObjectType, GraphQLSchema, build_schema, get_named_type
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS
from starlette.testclient import TestClient

from api.graphql import schema as api_schema
from api.graphql.types import ONTOLOGY_TERMS
from kg.assessment.service import LegPainService
from kg.core.namespaces import from_curie
from kg.core.settings import PROJECT_ROOT

CONTRACT = PROJECT_ROOT.parent / "shared" / "contract" / "schema.graphql"
ADDITIONS = CONTRACT.with_name("schema-additions.graphql")

#: What the additions define that is not built yet (the patient-context and interview issue): left out
#: of the check until it is.
PENDING_TYPES = {"Interview", "Question", "QuestionKind", "PatientInput", "Sex"}
PENDING_FIELDS = {"Query.interview", "Query.assess(patient)"}


def _contract_sdl() -> str:
    """The contract with its additions: the additions appended (they are written for that), and the one
    change they describe in a comment applied: `assess`'s ID lists become optional and it gains `text`
    (and `patient`). Types and fields not built yet are left out (`PENDING_TYPES`, `PENDING_FIELDS`)."""
    from graphql import parse, print_ast
    from graphql.language import DocumentNode, ObjectTypeExtensionNode

    base = CONTRACT.read_text(encoding="utf-8")
    additions = ADDITIONS.read_text(encoding="utf-8")
    changed = next(
        line.strip("# ").rstrip() for line in additions.splitlines() if line.lstrip("# ").startswith("assess(")
    )
    changed = re.sub(r",\s*patient: PatientInput", "", changed)
    base = re.sub(r"^\s*assess\(.*$", "  " + changed, base, count=1, flags=re.MULTILINE)
    kept = []
    for node in parse(additions).definitions:
        name = getattr(node, "name", None)
        if name is not None and name.value in PENDING_TYPES:
            continue
        if isinstance(node, ObjectTypeExtensionNode):
            fields = tuple(f for f in node.fields or () if f"{node.name.value}.{f.name.value}" not in PENDING_FIELDS)
            node = ObjectTypeExtensionNode(
                name=node.name, directives=node.directives, interfaces=node.interfaces, fields=fields
            )
        kept.append(node)
    return base + "\n" + print_ast(DocumentNode(definitions=tuple(kept)))


@pytest.fixture(scope="module")
def served() -> GraphQLSchema:
    return api_schema.build_schema()._schema


@pytest.fixture(scope="module")
def contract() -> GraphQLSchema:
    if not CONTRACT.exists() or not ADDITIONS.exists():
        pytest.skip(f"{CONTRACT} not found (shared/ sits beside the checkout in CI)")
    return build_schema(_contract_sdl())


def test_committed_sdl_is_the_served_schema() -> None:
    committed = api_schema.SDL_PATH.read_text(encoding="utf-8")
    assert committed == api_schema.sdl(), "run `python -m api.graphql.schema --write`"
    assert committed.startswith("# Generated") and "python -m api.graphql.schema --write" in committed.splitlines()[0]


def test_sdl_check_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api_schema.main(["--check"]) == 0
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { x: Int }\n", encoding="utf-8")
    monkeypatch.setattr(api_schema, "SDL_PATH", stale)
    assert api_schema.main(["--check"]) == 1
    assert api_schema.main(["--write"]) == 0 and api_schema.main(["--check"]) == 0


def test_app_serves_the_same_schema(client: TestClient) -> None:
    from graphql import build_client_schema, get_introspection_query, print_schema

    data = client.post("/graphql", json={"query": get_introspection_query(descriptions=True)}).json()["data"]
    assert print_schema(build_client_schema(data)) == print_schema(api_schema.build_schema()._schema)


def test_the_contract_read_has_the_additions_built_so_far(contract: GraphQLSchema) -> None:
    """The additions are read (not skipped): free text is part of the contract checked below."""
    query = contract.type_map["Query"]
    assert isinstance(query, GraphQLObjectType)
    assert "parse" in query.fields and "text" in query.fields["assess"].args
    assert "interview" not in query.fields and "patient" not in query.fields["assess"].args  # PENDING_FIELDS
    assert {"TextInterpretation", "Mention", "Certainty", "RiskFactor"} <= set(contract.type_map)


def test_schema_contains_the_contract(served: GraphQLSchema, contract: GraphQLSchema) -> None:
    """Every type, field and argument of the contract and of its additions built so far, with the same
    type and default."""
    missing: list[str] = []
    for name, ctype in contract.type_map.items():
        if name.startswith("__") or not isinstance(ctype, GraphQLObjectType):
            continue
        stype = served.type_map.get(name)
        if not isinstance(stype, GraphQLObjectType):
            missing.append(f"type {name}")
            continue
        for fname, cfield in ctype.fields.items():
            sfield = stype.fields.get(fname)
            if sfield is None or str(sfield.type) != str(cfield.type):
                missing.append(f"{name}.{fname}: {cfield.type} (served: {sfield and sfield.type})")
                continue
            for aname, carg in cfield.args.items():
                sarg = sfield.args.get(aname)
                if sarg is None or str(sarg.type) != str(carg.type):
                    missing.append(f"{name}.{fname}({aname}: {carg.type}) (served: {sarg and sarg.type})")
                elif carg.default_value != sarg.default_value and "Undefined" not in repr(carg.default_value):
                    missing.append(
                        f"{name}.{fname}({aname}) default {carg.default_value!r} (served: {sarg.default_value!r})"
                    )
            extra_required = [
                a
                for a, arg in sfield.args.items()
                if a not in cfield.args and str(arg.type).endswith("!") and "Undefined" in repr(arg.default_value)
            ]
            if extra_required:
                missing.append(f"{name}.{fname}: added required arguments {extra_required}")
    assert missing == []


def test_every_type_and_field_is_documented_or_self_explanatory(served: GraphQLSchema) -> None:
    self_explanatory = {
        "id",
        "iri",
        "label",
        "synonyms",
        "definition",
        "mappings",
        "sources",
        "category",
        "candidates",
        "advice",
        "symptom",
        "bodySystem",
        "condition",
        "symptoms",
    }
    undocumented = []
    for name, type_ in served.type_map.items():
        if name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        if not type_.description:
            undocumented.append(name)
        for fname, field in type_.fields.items():
            if not field.description and fname not in self_explanatory:
                undocumented.append(f"{name}.{fname}")
    assert undocumented == []


def test_descriptions_are_the_ontology_definitions(served: GraphQLSchema, service: LegPainService) -> None:
    graph = service.graph.dataset
    for target, term in ONTOLOGY_TERMS.items():
        definitions = [
            str(o) for o in graph.objects(URIRef(from_curie(term)), SKOS.definition) if isinstance(o, Literal)
        ]
        assert definitions, f"{term} has no skos:definition"
        type_name, _, field_name = target.partition(".")
        gtype = served.type_map[type_name]
        assert isinstance(gtype, GraphQLObjectType)
        description = gtype.fields[field_name].description if field_name else gtype.description
        assert description and description.startswith(definitions[0]), (target, term)


def test_ids_are_ids(served: GraphQLSchema) -> None:
    for name in ("BodySystem", "UrgencyLevel", "Condition", "Symptom", "Source"):
        gtype = served.type_map[name]
        assert isinstance(gtype, GraphQLObjectType)
        assert str(gtype.fields["id"].type) == "ID!"
        assert get_named_type(gtype.fields["id"].type).name == "ID"
