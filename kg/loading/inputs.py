"""Finding and parsing the ontology's input files into an rdflib Dataset with named graphs.

Layout (see `ontology/README.md`): `ontology/*.ttl` are the terminology (graph `lp:graph/ontology`),
`ontology/kb/*.ttl` the knowledge-base facts (`lp:graph/knowledge-base`), `ontology/mappings/*.sssom.tsv`
the mappings (`lp:graph/mappings`), and each extension module its own graph
`lp:graph/extension/<file stem>`. The default graph of the dataset is the union of all of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kg.core.namespaces import (
    EXTENSION_GRAPH_BASE,
    KNOWLEDGE_BASE_GRAPH,
    MAPPINGS_GRAPH,
    ONTOLOGY_GRAPH,
    bind_prefixes,
)
from kg.core.settings import Settings
from kg.loading.sssom import MappingFileError, mappings_to_graph, read_sssom

#: Bump when the reasoning pipeline changes in a way that changes its output for the same inputs.
REASONING_VERSION = "1"


class OntologyLoadError(ValueError):
    """An input file that cannot be parsed; the message names the file and line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class InputKind(StrEnum):
    """What an input file holds, which decides its named graph and how it is parsed."""

    ONTOLOGY = "ontology"
    KNOWLEDGE_BASE = "knowledge-base"
    #: SSSOM tables (`*.sssom.tsv`), read into SKOS mapping triples
    MAPPINGS = "mappings"
    #: a module from `LEGPAIN_EXTENSION_DIRS` (or `ontology/extensions/`), each in a graph of its own
    EXTENSION = "extension"


@dataclass(frozen=True)
class InputFile:
    """One input file and the named graph it is loaded into."""

    path: Path
    graph: URIRef
    kind: InputKind


def discover_inputs(settings: Settings) -> list[InputFile]:
    """All input files, in a stable order: ontology, knowledge base, mappings, extensions."""
    root = settings.ontology_dir
    inputs = [InputFile(p, ONTOLOGY_GRAPH, InputKind.ONTOLOGY) for p in sorted(root.glob("*.ttl"))]
    inputs += [
        InputFile(p, KNOWLEDGE_BASE_GRAPH, InputKind.KNOWLEDGE_BASE) for p in sorted((root / "kb").glob("*.ttl"))
    ]
    inputs += [
        InputFile(p, MAPPINGS_GRAPH, InputKind.MAPPINGS) for p in sorted((root / "mappings").glob("*.sssom.tsv"))
    ]
    if not inputs:
        raise OntologyLoadError(root, "no ontology files (*.ttl) found; check LEGPAIN_ONTOLOGY_DIR")
    for directory in (root / "extensions", *settings.extension_dirs):
        if directory != root / "extensions" and not Path(directory).is_dir():
            raise OntologyLoadError(Path(directory), "extension directory not found")
        for path in sorted(Path(directory).glob("*.ttl")):
            inputs.append(InputFile(path, URIRef(EXTENSION_GRAPH_BASE + path.stem), InputKind.EXTENSION))
    return inputs


def parse_file(item: InputFile) -> Graph:
    """Parse one input file into a fresh graph, turning parser errors into `OntologyLoadError`."""
    graph = Graph()
    bind_prefixes(graph)
    try:
        if item.kind is InputKind.MAPPINGS:
            return mappings_to_graph(read_sssom(item.path), graph)
        graph.parse(item.path, format="turtle")
    except BadSyntax as exc:
        raise OntologyLoadError(item.path, f"Turtle syntax error: {exc.message}", exc.lines + 1) from exc
    except MappingFileError as exc:
        raise OntologyLoadError(item.path, str(exc)) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise OntologyLoadError(item.path, f"cannot be read: {exc}") from exc
    return graph


def load_asserted(inputs: list[InputFile]) -> Dataset:
    """Parse every input into its named graph of a new union-default Dataset."""
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    for item in inputs:
        target = dataset.graph(item.graph)
        for triple in parse_file(item):
            target.add(triple)
    return dataset


def input_hash(inputs: list[InputFile], ontology_dir: Path) -> str:
    """A hash of every input file's name and bytes plus the reasoning version: the closure cache key.

    A shipped file is named by its place in the ontology folder (`ontology/kb/urgency.ttl`), whatever
    that folder is called where it is installed, so a checkout and an installed wheel compute the
    same hash and the committed closure fits both; an extension module elsewhere by its file name."""
    digest = hashlib.sha256(REASONING_VERSION.encode())
    root = ontology_dir.resolve()
    for item in inputs:
        try:
            name = "ontology/" + item.path.resolve().relative_to(root).as_posix()
        except ValueError:
            name = item.path.name
        digest.update(name.encode() + b"\0" + item.path.read_bytes() + b"\0")
    return digest.hexdigest()


def merged_graph(dataset: Dataset, keep: Callable[[Node], bool] | None = None) -> Graph:
    """The triples of a dataset's named graphs (those whose name `keep` accepts, or all) in one plain
    graph with the project's prefixes: what the reasoners take as input and what an export writes."""
    graph = Graph()
    bind_prefixes(graph)
    if keep is None:
        for triple in dataset.triples((None, None, None)):
            graph.add(triple)
        return graph
    for named in dataset.graphs():
        if keep(named.identifier):
            for triple in named:
                graph.add(triple)
    return graph


def canonical_turtle(graph: Graph) -> str:
    """The canonical Turtle form of a graph: rdflib's `longturtle` of its canonical blank-node labelling.

    Deterministic for the same triples, so ontology files diff cleanly and a test can insist on it.
    """
    canonical = Graph()
    bind_prefixes(canonical)
    for triple in to_canonical_graph(graph):
        canonical.add(triple)
    return canonical.serialize(format="longturtle")


def is_canonical(path: Path, graph: Graph | None = None) -> bool:
    """Whether a Turtle file is in canonical form (pass its parsed graph to save parsing it again)."""
    if graph is None:
        graph = Graph().parse(path, format="turtle")
    return path.read_text(encoding="utf-8") == canonical_turtle(graph)


def format_turtle_file(path: Path) -> bool:
    """Rewrite a Turtle file in canonical form; returns whether it changed."""
    graph = Graph()
    graph.parse(path, format="turtle")
    text = canonical_turtle(graph)
    if path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
