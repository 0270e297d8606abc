"""Limits on what one GraphQL request may ask, each refused with a clear error and `extensions.code`.

| limit (Settings field)            | checked                                   | code                  |
|-----------------------------------|-------------------------------------------|-----------------------|
| `max_query_tokens`                | while parsing (graphql-core `max_tokens`) | `TOO_MANY_TOKENS`     |
| `max_query_depth`                 | validation rule                           | `QUERY_TOO_DEEP`      |
| `max_aliases`                     | validation rule                           | `TOO_MANY_ALIASES`    |
| estimated result size (`max_cost`)| validation rule                           | `QUERY_TOO_COMPLEX`   |
| `max_list_input`                  | field extension, on the coerced arguments | `INPUT_LIST_TOO_LONG` |
| `max_limit`                       | field extension, on the coerced arguments | `LIMIT_TOO_LARGE`     |

The validation rules run once per distinct document: strawberry's `ValidationCache` caches their
result, so they cost nothing on repeated queries. Argument checks run on coerced values, so they see
literals and variables alike. Introspection fields (`__schema`, `__type`) are not counted towards
depth or size: GraphiQL's own introspection query is deeper than any sensible data query, and its
size is bounded by the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
)
from graphql.error import GraphQLSyntaxError
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from kg.settings import Settings

#: Each list field is assumed to return this many items when estimating a query's result size.
LIST_FACTOR = 10
#: The largest estimated number of resolved fields a query may ask for (see `QueryShape.cost`).
DEFAULT_MAX_COST = 100_000
_COST_CAP = 10**12


def limit_error(code: str, message: str, limit: int, actual: int | None = None) -> GraphQLError:
    """A GraphQL error for an exceeded limit: `extensions` carry the code, the limit and what was asked."""
    extensions: dict[str, Any] = {"code": code, "limit": limit}
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(message, extensions=extensions)


# ------------------------------------------------------------------------------- document shape


@dataclass(frozen=True)
class QueryShape:
    """What a selection asks: nesting depth, aliases, and the estimated number of fields resolved
    (each list field counted `LIST_FACTOR` times) - the last one catches wide fan-out, such as
    `conditions { symptoms { conditions { symptoms ... } } }`, that stays within the depth limit."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


def _unwrap(type_: Any) -> tuple[GraphQLNamedType, bool]:
    """The named type of a field and whether it returns a list."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return get_named_type(type_), isinstance(type_, GraphQLList)


class _Measurer:
    """Measures operations of one document; fragments are measured once (a fragment that spreads
    another twice, nested, would otherwise take exponential time)."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.memo: dict[str, QueryShape] = {}

    def fragment(self, name: str) -> QueryShape:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        self.memo[name] = QueryShape()  # a cycle (reported by the standard rules) counts as empty
        if definition is not None:
            parent = self.schema.get_type(definition.type_condition.name.value)
            self.memo[name] = self.selection(definition.selection_set, parent)
        return self.memo[name]

    def selection(self, selection_set: SelectionSetNode | None, parent: Any) -> QueryShape:
        depth = aliases = cost = 0
        if selection_set is None:
            return QueryShape()
        fields = getattr(parent, "fields", None) or {}
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                aliases += 1 if node.alias else 0
                name = node.name.value
                if name.startswith("__"):
                    continue
                definition = fields.get(name)
                child = QueryShape()
                many = False
                if definition is not None:
                    named, many = _unwrap(definition.type)
                    child = self.selection(node.selection_set, named)
                depth = max(depth, 1 + child.depth)
                aliases += child.aliases
                cost += 1 + (LIST_FACTOR if many else 1) * child.cost
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                child = self.selection(node.selection_set, target)
                depth, aliases, cost = max(depth, child.depth), aliases + child.aliases, cost + child.cost
            elif isinstance(node, FragmentSpreadNode):
                child = self.fragment(node.name.value)
                depth, aliases, cost = max(depth, child.depth), aliases + child.aliases, cost + child.cost
        return QueryShape(depth, aliases, min(cost, _COST_CAP))


def measure(schema: GraphQLSchema, document: Any) -> dict[str, QueryShape]:
    """The shape of each operation of a parsed document, by operation name (`""` when anonymous)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    measurer = _Measurer(schema, fragments)
    shapes: dict[str, QueryShape] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            name = definition.name.value if definition.name else ""
            shapes[name] = measurer.selection(definition.selection_set, root)
    return shapes


def shape_rule(max_depth: int, max_aliases: int, max_cost: int) -> type[ValidationRule]:
    """A validation rule refusing operations deeper, with more aliases, or larger than allowed.

    Built once per app, so strawberry's `ValidationCache` (keyed by the rule classes) keeps hitting.
    """

    class QueryShapeRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for name, shape in measure(context.schema, context.document).items():
                label = f"operation {name!r}" if name else "the query"
                if shape.depth > max_depth:
                    context.report_error(limit_error(
                        "QUERY_TOO_DEEP", f"{label} is nested {shape.depth} levels deep; at most "
                        f"{max_depth} are allowed", max_depth, shape.depth))
                if shape.aliases > max_aliases:
                    context.report_error(limit_error(
                        "TOO_MANY_ALIASES", f"{label} uses {shape.aliases} aliases; at most "
                        f"{max_aliases} are allowed", max_aliases, shape.aliases))
                if shape.cost > max_cost:
                    context.report_error(limit_error(
                        "QUERY_TOO_COMPLEX", f"{label} could resolve about {shape.cost} fields; at most "
                        f"{max_cost} are allowed: select fewer nested lists or use `limit`",
                        max_cost, shape.cost))

    return QueryShapeRule


# ----------------------------------------------------------------------------------- extensions


class QueryLimits(SchemaExtension):
    """Sets graphql-core's token limit for parsing and adds the shape rule to validation."""

    def __init__(self, max_tokens: int, rules: tuple[type[ValidationRule], ...]) -> None:
        self.max_tokens = max_tokens
        self.rules = rules

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = context.validation_rules + self.rules
        yield


def query_limits(settings: Settings, max_cost: int = DEFAULT_MAX_COST) -> Callable[[], QueryLimits]:
    """A factory for `QueryLimits` (strawberry builds one extension per request); the rule classes
    are created here, once."""
    rules = (shape_rule(settings.max_query_depth, settings.max_aliases, max_cost),)
    return lambda: QueryLimits(settings.max_query_tokens, rules)


def token_limit_error(error: GraphQLError, max_tokens: int) -> GraphQLError | None:
    """graphql-core reports the token limit as a syntax error; give it its own code."""
    if isinstance(error, GraphQLSyntaxError) and "tokens. Parsing aborted" in error.message:
        return GraphQLError(f"the query has more than {max_tokens} tokens; at most {max_tokens} are allowed",
                            extensions={"code": "TOO_MANY_TOKENS", "limit": max_tokens})
    return None


class InputLimits(FieldExtension):
    """Checks a field's list arguments and `limit`/`offset` against the settings before resolving.

    Reads `info.context.settings`, so one instance serves every app.
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.default_limit: int | None = None

    def apply(self, field: StrawberryField) -> None:
        self.names = {a.python_name: a.graphql_name or to_camel_case(a.python_name) for a in field.arguments}
        defaults = [a.default for a in field.arguments if a.python_name == "limit" and isinstance(a.default, int)]
        self.default_limit = defaults[0] if defaults else None

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        settings: Settings = info.context.settings
        if kwargs.get("limit") == self.default_limit and self.default_limit is not None:
            # the schema's default is not the client's choice: a server with a smaller cap lowers it
            kwargs["limit"] = min(self.default_limit, settings.max_limit)
        check_arguments(kwargs, settings, self.names)
        return next_(source, info, **kwargs)


def check_arguments(kwargs: Mapping[str, Any], settings: Settings, names: Mapping[str, str]) -> None:
    """Raise a GraphQL error for an over-long list argument, a too large `limit`, or a negative one."""
    for key, value in kwargs.items():
        name = names.get(key, key)
        if isinstance(value, list | tuple) and len(value) > settings.max_list_input:
            raise limit_error("INPUT_LIST_TOO_LONG", f"`{name}` has {len(value)} items; at most "
                              f"{settings.max_list_input} are allowed", settings.max_list_input, len(value))
        if key in ("limit", "offset") and isinstance(value, int):
            if value < 0:
                raise GraphQLError(f"`{name}` must not be negative (got {value})",
                                   extensions={"code": "BAD_USER_INPUT"})
            if key == "limit" and value > settings.max_limit:
                raise limit_error("LIMIT_TOO_LARGE", f"`limit` is {value}; at most {settings.max_limit} "
                                  "are allowed: page with `offset`", settings.max_limit, value)


__all__ = ["InputLimits", "QueryLimits", "QueryShape", "check_arguments", "measure", "query_limits",
           "shape_rule", "token_limit_error", "limit_error"]
