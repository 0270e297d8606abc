"""Limits on what one GraphQL request may ask, each refused with a clear error and `extensions.code`.

| limit (Settings field)            | checked                                   | code                  |
|-----------------------------------|-------------------------------------------|-----------------------|
| `max_query_tokens`                | while parsing (graphql-core `max_tokens`) | `TOO_MANY_TOKENS`     |
| `max_query_depth`                 | before validation                         | `QUERY_TOO_DEEP`      |
| `max_aliases`                     | before validation                         | `TOO_MANY_ALIASES`    |
| `max_fields`                      | before validation                         | `TOO_MANY_FIELDS`     |
| estimated result size (`max_cost`)| before validation                         | `QUERY_TOO_COMPLEX`   |
| `max_list_input`                  | field extension, on the coerced arguments | `INPUT_LIST_TOO_LONG` |
| `max_limit`                       | field extension, on the coerced arguments | `LIMIT_TOO_LARGE`     |

The shape limits are checked on the parsed document before graphql-core validates it, and a
document over any of them is not validated at all: validation is not linear in the document (the
rule that checks that fields with one response name can merge compares them pairwise, so 380 copies
of one field took 0.7 s of CPU), and what a document asks (`max_fields`, counted with fragments
expanded) is what bounds both validation and execution. Both results are cached per distinct query
text (strawberry's `ValidationCache` for validation, a bounded LRU here for the shape), so they cost
nothing on repeated queries. Argument checks run on coerced values, so they see
literals and variables alike. Introspection fields (`__schema`, `__type`) are not counted towards
depth or size: GraphiQL's own introspection query is deeper than any sensible data query, and its
size is bounded by the schema.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from threading import Lock
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
    get_named_type,
    parse,
)
from graphql.error import GraphQLSyntaxError
from strawberry.extensions import FieldExtension, SchemaExtension, ValidationCache
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from kg.core.settings import Settings

#: Each list field is assumed to return this many items when estimating a query's result size.
LIST_FACTOR = 10
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
    #: field selections, fragments expanded where they are spread (what validation and execution walk)
    fields: int = 0


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
        depth = aliases = cost = count = 0
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
                count += 1 + child.fields
            elif isinstance(node, InlineFragmentNode | FragmentSpreadNode):
                if isinstance(node, InlineFragmentNode):
                    condition = node.type_condition
                    target = self.schema.get_type(condition.name.value) if condition else parent
                    child = self.selection(node.selection_set, target)
                else:
                    child = self.fragment(node.name.value)
                depth, aliases, cost = max(depth, child.depth), aliases + child.aliases, cost + child.cost
                count += child.fields
        return QueryShape(depth, aliases, min(cost, _COST_CAP), min(count, _COST_CAP))


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


@dataclass(frozen=True)
class ShapeLimits:
    """The most a document's operations may ask (see the module docstring)."""

    max_depth: int
    max_aliases: int
    max_fields: int
    max_cost: int
    max_tokens: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ShapeLimits:
        return cls(
            settings.max_query_depth,
            settings.max_aliases,
            settings.max_fields,
            settings.max_cost,
            settings.max_query_tokens,
        )


def shape_errors(shapes: Mapping[str, QueryShape], limits: ShapeLimits) -> list[GraphQLError]:
    """One error per limit an operation exceeds; empty when every operation is within all."""
    errors: list[GraphQLError] = []
    for name, shape in shapes.items():
        label = f"operation {name!r}" if name else "the query"
        if shape.depth > limits.max_depth:
            errors.append(
                limit_error(
                    "QUERY_TOO_DEEP",
                    f"{label} is nested {shape.depth} levels deep; at most {limits.max_depth} are allowed",
                    limits.max_depth,
                    shape.depth,
                )
            )
        if shape.aliases > limits.max_aliases:
            errors.append(
                limit_error(
                    "TOO_MANY_ALIASES",
                    f"{label} uses {shape.aliases} aliases; at most {limits.max_aliases} are allowed",
                    limits.max_aliases,
                    shape.aliases,
                )
            )
        if shape.fields > limits.max_fields:
            errors.append(
                limit_error(
                    "TOO_MANY_FIELDS",
                    f"{label} selects {shape.fields} fields (fragments "
                    f"counted where they are spread); at most {limits.max_fields} are allowed",
                    limits.max_fields,
                    shape.fields,
                )
            )
        if shape.cost > limits.max_cost:
            errors.append(
                limit_error(
                    "QUERY_TOO_COMPLEX",
                    f"{label} could resolve about {shape.cost} fields; at "
                    f"most {limits.max_cost} are allowed: select fewer nested lists or use "
                    "`limit`",
                    limits.max_cost,
                    shape.cost,
                )
            )
    return errors


class ShapeCache:
    """The measured shape of each query text, the `maxsize` most recent kept (thread-safe: requests
    over a remote store execute on worker threads). Read by `QueryLimits` to refuse a document and by
    the GraphQL view to decide whether to execute it off the event loop."""

    def __init__(self, limits: ShapeLimits, maxsize: int = 512) -> None:
        self.limits = limits
        self.maxsize = maxsize
        self._entries: OrderedDict[str, dict[str, QueryShape]] = OrderedDict()
        self._lock = Lock()

    def shapes(self, schema: GraphQLSchema, text: str, document: Any | None = None) -> dict[str, QueryShape] | None:
        """The shapes of the text's operations; None when it does not parse (the caller reports that)."""
        with self._lock:
            if text in self._entries:
                self._entries.move_to_end(text)
                return self._entries[text]
        if document is None:
            try:
                document = parse(text, max_tokens=self.limits.max_tokens)
            except GraphQLError:
                return None
        found = measure(schema, document)
        with self._lock:
            self._entries[text] = found
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return found

    def errors(self, schema: GraphQLSchema, text: str | None, document: Any) -> list[GraphQLError]:
        shapes = measure(schema, document) if text is None else self.shapes(schema, text, document)
        return shape_errors(shapes or {}, self.limits)


# ----------------------------------------------------------------------------------- extensions


class QueryLimits(SchemaExtension):
    """Sets graphql-core's token limit for parsing, and refuses a document over the shape limits
    before it is validated (so `LimitedValidationCache` must come after it in the extension list)."""

    def __init__(self, shapes: ShapeCache) -> None:
        self.shapes = shapes

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.shapes.limits.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            errors = self.shapes.errors(context.schema._schema, context.query, context.graphql_document)
            if errors:
                context.pre_execution_errors = errors
        yield


class LimitedValidationCache(ValidationCache):
    """Strawberry's validation cache, leaving a document that `QueryLimits` refused unvalidated."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()


def query_limits(shapes: ShapeCache) -> Callable[[], QueryLimits]:
    """A factory for `QueryLimits` (strawberry builds one extension per request), all sharing one
    shape cache."""
    return lambda: QueryLimits(shapes)


def token_limit_error(error: GraphQLError, max_tokens: int) -> GraphQLError | None:
    """graphql-core reports the token limit as a syntax error; give it its own code."""
    if isinstance(error, GraphQLSyntaxError) and "tokens. Parsing aborted" in error.message:
        return GraphQLError(
            f"the query has more than {max_tokens} tokens; at most {max_tokens} are allowed",
            extensions={"code": "TOO_MANY_TOKENS", "limit": max_tokens},
        )
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
            raise limit_error(
                "INPUT_LIST_TOO_LONG",
                f"`{name}` has {len(value)} items; at most {settings.max_list_input} are allowed",
                settings.max_list_input,
                len(value),
            )
        if key in ("limit", "offset") and isinstance(value, int):
            if value < 0:
                raise GraphQLError(
                    f"`{name}` must not be negative (got {value})", extensions={"code": "BAD_USER_INPUT"}
                )
            if key == "limit" and value > settings.max_limit:
                raise limit_error(
                    "LIMIT_TOO_LARGE",
                    f"`limit` is {value}; at most {settings.max_limit} are allowed: page with `offset`",
                    settings.max_limit,
                    value,
                )
