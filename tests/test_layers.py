"""The layers of the code import one way only: each package may import the ones below it, never one
above (the order is the README's "Layout"). A new import that points up fails here with the file and
line, before it tangles the structure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Bottom to top. Packages on one line are side by side: neither imports the other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kg.core",),
    ("kg.sparql",),
    ("kg.stores",),
    ("kg.loading",),
    ("kg.reasoning",),
    ("kg.knowledge",),
    ("kg.assessment", "kg.authoring"),
    ("kg.cli",),
    ("api",),
)


def _layer(module: str) -> tuple[int, str] | None:
    for level, packages in enumerate(LAYERS):
        for package in packages:
            if module == package or module.startswith(package + "."):
                return level, package
    return None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _modules() -> list[Path]:
    return sorted(p for folder in ("kg", "api") for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_point_down(path: Path) -> None:
    """Every `kg`/`api` import of a module names its own layer or one below."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    own = _layer(module)
    if own is None:  # kg/__init__.py: imports nothing
        return
    upward = []
    for line, imported in _imports(path):
        target = _layer(imported)
        if target is None:
            continue
        if target[0] > own[0] or (target[0] == own[0] and target[1] != own[1]):
            upward.append(f"line {line}: {imported} ({target[1]} is not below {own[1]})")
    assert not upward, "imports that point up: " + "; ".join(upward)


def test_every_package_has_a_layer() -> None:
    """A new package of `kg` must be placed in `LAYERS` (and in the README's layout)."""
    packages = {p.parent.relative_to(ROOT).as_posix().replace("/", ".") for p in (ROOT / "kg").glob("*/__init__.py")}
    placed = {package for layer in LAYERS for package in layer}
    assert packages <= placed, f"packages without a layer: {sorted(packages - placed)}"


def test_the_readme_tree_names_every_package_and_only_those() -> None:
    """The README's layout tree lists each folder of `kg` and `api` that exists, and nothing else."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What each part does", 1)[1].split("```", 2)[1]
    listed = {line.split()[0].rstrip("/") for line in section.splitlines() if line.strip() and line[0] != " "}
    listed |= {
        "api/" + line.split()[0].rstrip("/")
        for line in section.splitlines()
        if line.startswith("  ") and not line.startswith("    ") and line.split()[0].endswith("/")
    }
    wanted = {
        d.relative_to(ROOT).as_posix()
        for top in ("kg", "api")
        for d in (ROOT / top).iterdir()
        if d.is_dir() and not d.name.startswith(("_", "."))
    }
    in_tree = {name for name in listed if name.startswith(("kg/", "api/")) and name.count("/") == 1}
    assert wanted == in_tree, f"missing from the README: {sorted(wanted - in_tree)}; gone: {sorted(in_tree - wanted)}"
