"""A Graphviz diagram of the ontology, generated from the graph (never drawn by hand).

Left: the class hierarchy (asserted and inferred `rdfs:subClassOf` between the ontology's classes).
Right: body systems, the conditions the reasoner classified under them, causes (`lp:hasCause`) and
condition subtypes (`lp:isKindOf`), each condition with its urgency level's colour.
"""

from __future__ import annotations

import shutil
import subprocess

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.core.namespaces import BASE
from kg.knowledge.graph import LoadedGraph

URGENCY_COLOURS = {1: "#d9f0d3", 2: "#fff2b3", 3: "#fdd0a2", 4: "#f4a3a3"}


def _id(iri: str) -> str:
    return '"' + iri.removeprefix(BASE) + '"'


def _label(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def to_dot(kg: LoadedGraph) -> str:
    """The diagram in the DOT language."""
    ix = kg.index
    data = kg.dataset
    lines = [
        "digraph legpain {",
        '  rankdir=LR; fontname="Helvetica"; node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
        '  subgraph cluster_classes { label="classes (rdfs:subClassOf)"; style=rounded; color="#888888";',
        '    node [shape=box, style="rounded,filled", fillcolor="#e8eef7"];',
    ]
    classes = {str(c) for c in data.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(BASE)}
    for cls in sorted(classes):
        label = data.value(URIRef(cls), RDFS.label)
        lines.append(f"    {_id(cls)} [label={_label(str(label or cls.removeprefix(BASE)))}];")
    parents = {
        cls: {str(p) for p in data.objects(URIRef(cls), RDFS.subClassOf) if str(p) in classes} - {cls}
        for cls in classes
    }
    for cls in sorted(classes):
        # draw only direct parents (transitive reduction), not every inferred ancestor
        for parent in sorted(parents[cls]):
            if not any(parent in parents[other] for other in parents[cls] if other != parent):
                lines.append(f"    {_id(cls)} -> {_id(parent)} [arrowhead=empty];")
    lines.append("  }")
    lines.append(
        '  subgraph cluster_kb { label="body systems and conditions (systems inferred from what each '
        'condition affects; colour = urgency)"; style=rounded; color="#888888";'
    )
    for system in ix.body_systems.values():
        lines.append(
            f'    {_id(system.iri)} [label={_label(system.label)}, shape=ellipse, style=filled, fillcolor="#cfe2f3"];'
        )
    for condition in sorted(ix.conditions.values(), key=lambda c: c.label):
        rank = ix.urgency_levels[condition.urgency].rank if condition.urgency in ix.urgency_levels else 1
        lines.append(
            f"    {_id(condition.iri)} [label={_label(condition.label)}, shape=box, style=filled, "
            f'fillcolor="{URGENCY_COLOURS[rank]}"];'
        )
        for system_iri, inferred in condition.body_systems:
            style = "dashed" if inferred else "solid"
            lines.append(f'    {_id(condition.iri)} -> {_id(system_iri)} [style={style}, color="#5b7fa6"];')
        for cause in condition.causes:
            lines.append(f'    {_id(condition.iri)} -> {_id(cause)} [label="has cause", color="#a64d4d"];')
    for condition in ix.conditions.values():
        for general in data.objects(URIRef(condition.iri), URIRef(BASE + "isKindOf")):
            if str(general) in ix.conditions:
                lines.append(
                    f'    {_id(condition.iri)} -> {_id(str(general))} [label="is kind of", '
                    'arrowhead=empty, color="#777777"];'
                )
    lines += ["  }", "}"]
    # each edge once (a condition can reach the same node twice), every other line as it is
    seen: set[str] = set()
    unique: list[str] = []
    for line in lines:
        if "->" in line:
            if line in seen:
                continue
            seen.add(line)
        unique.append(line)
    return "\n".join(unique) + "\n"


def render(dot_source: str, fmt: str) -> bytes:
    """Render DOT with Graphviz's `dot` (svg or png); a clear error when Graphviz is not installed."""
    dot = shutil.which("dot")
    if not dot:
        raise RuntimeError(
            "Graphviz `dot` is not installed (e.g. `apt-get install graphviz`); use --format dot to get the DOT source"
        )
    done = subprocess.run([dot, f"-T{fmt}"], input=dot_source.encode(), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
