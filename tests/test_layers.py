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
    # the CLI's `serve` command starts the HTTP layer by name, through uvicorn: the one sanctioned link
    upward = [u for u in upward if not (module == "kg.cli.serve" and " api." in u)]
    assert not upward, "imports that point up: " + "; ".join(upward)


def test_every_package_has_a_layer() -> None:
    """A new package of `kg` must be placed in `LAYERS` (and in the README's layout)."""
    packages = {p.parent.relative_to(ROOT).as_posix().replace("/", ".") for p in (ROOT / "kg").glob("*/__init__.py")}
    placed = {package for layer in LAYERS for package in layer}
    assert packages <= placed, f"packages without a layer: {sorted(packages - placed)}"
