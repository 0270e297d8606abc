#!/usr/bin/env python3
"""Vendor GraphiQL's prebuilt browser files into `api/static/graphiql/` (run by hand, at development time).

Why a script: the served GraphiQL page must load nothing from outside the server (offline machines,
a Content-Security-Policy of `'self'`), so its files ship inside the package. This fetches the exact
versions below from the npm registry with `npm install` into a throwaway directory (npm checks each
tarball against the registry's integrity hash), copies the UMD bundles unchanged, collects the
licence of every package bundled into them (read from `graphiql.min.js.map`, which lists the
bundled sources), and writes `SHA256SUMS` and `README.md`. Nothing here runs at install or run time.

Usage: `python3 tools/graphiql/vendor.py` (needs node and npm); then review `git diff api/static/graphiql`.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "api" / "static" / "graphiql"

#: graphiql 4.1.2 is the newest release that still ships a UMD bundle (5.x is ESM-only and needs a bundler
#: and Monaco's web workers); React 19 dropped its UMD builds, so React stays on 18.3.1. graphql-js is
#: bundled inside graphiql.min.js (16.11.0 is the version it was built with); installing the same
#: version here is only for its licence file.
PACKAGES = {
    "graphiql": "4.1.2",
    "@graphiql/plugin-explorer": "4.0.6",
    "react": "18.3.1",
    "react-dom": "18.3.1",
    "graphql": "16.11.0",
}

#: (package, file inside it, name in api/static/graphiql/), copied byte for byte.
FILES = [
    ("graphiql", "graphiql.min.js", "graphiql.min.js"),
    ("graphiql", "graphiql.min.css", "graphiql.min.css"),
    ("@graphiql/plugin-explorer", "dist/index.umd.js", "plugin-explorer.umd.js"),
    ("@graphiql/plugin-explorer", "dist/style.css", "plugin-explorer.css"),
    ("react", "umd/react.production.min.js", "react.production.min.js"),
    ("react-dom", "umd/react-dom.production.min.js", "react-dom.production.min.js"),
]

#: The licences kept as their own files: the packages named on the page, and graphql-js.
LICENSES = {
    "graphiql": "LICENSE-graphiql",
    "react": "LICENSE-react",
    "react-dom": "LICENSE-react-dom",
    "graphql": "LICENSE-graphql",
}

#: Packages of the graphiql monorepo (github.com/graphql/graphiql) bundled into graphiql.min.js or shipped as
#: the explorer plugin; some ship no licence file of their own. All are MIT under LICENSE-graphiql.
MONOREPO = ("graphiql", "@graphiql/", "codemirror-graphql", "graphql-language-service")

#: graphiql-explorer (OneGraph) is bundled into plugin-explorer.umd.js; it has no source map to read it from.
EXTRA_BUNDLED = ["graphiql-explorer"]

_LICENSE_FILE = re.compile(r"^(licen[cs]e|copying|notice)(\.|-|$)", re.IGNORECASE)


def npm(*args: str, cwd: Path) -> str:
    return subprocess.run(["npm", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def package_dir(modules: Path, name: str) -> Path | None:
    """The installed copy of `name`: the top-level one, else the first nested one (None when absent)."""
    top = modules / name
    if (top / "package.json").exists():
        return top
    nested = sorted(modules.glob(f"**/node_modules/{name}/package.json"), key=lambda p: len(p.parts))
    return nested[0].parent if nested else None


def bundled_packages(source_map: Path) -> list[str]:
    """The npm packages whose sources the bundle was built from (its source map's `sources`)."""
    names: set[str] = set()
    for source in json.loads(source_map.read_text(encoding="utf-8"))["sources"]:
        found = re.findall(r"node_modules/((?:@[^/]+/)?[^/]+)", source)
        if found:
            names.add(found[-1])
    return sorted(names)


def third_party(modules: Path, names: list[str]) -> tuple[str, Counter[str]]:
    """One text with the licence of every bundled package (version, declared licence, licence files), and
    how many packages declare each licence."""
    declared: Counter[str] = Counter()
    parts = [
        "Licences of the npm packages bundled into graphiql.min.js (read from its source map) and",
        "plugin-explorer.umd.js. Versions are those npm resolved for graphiql's own dependency ranges",
        "when this was generated; the bundle was built by the GraphiQL maintainers from the same ranges.",
        "Packages of the graphiql monorepo (graphiql, @graphiql/*, codemirror-graphql,",
        "graphql-language-service) are MIT under LICENSE-graphiql. A package that today's resolution no",
        "longer pulls in (the bundle was built with older ranges) was installed at its latest version",
        "for its licence text only.",
        "",
    ]
    for name in names:
        if name.startswith(MONOREPO):
            continue
        where = package_dir(modules, name)
        if where is None:
            raise SystemExit(f"{name} is bundled but not installed")
        meta = json.loads((where / "package.json").read_text(encoding="utf-8"))
        declared[str(meta.get("license"))] += 1
        files = sorted(p for p in where.iterdir() if p.is_file() and _LICENSE_FILE.match(p.name))
        parts += ["=" * 100, f"{name}@{meta['version']}  ({meta.get('license', 'no licence declared')})", "=" * 100]
        if not files:
            parts.append(f"(the package ships no licence file; package.json declares {meta.get('license')!r})")
        for file in files:
            parts += [f"--- {file.name}", file.read_text(encoding="utf-8", errors="replace").rstrip()]
        parts.append("")
    return "\n".join(parts) + "\n", declared


def readme(lock: dict, sizes: dict[str, int], declared: Counter[str]) -> str:
    installed = lock["packages"]
    rows = "\n".join(
        f"| `{name}` | {installed['node_modules/' + name]['version']} | "
        f"`{installed['node_modules/' + name]['integrity']}` |"
        for name in PACKAGES
    )
    files = "\n".join(f"| `{name}` | {size:,} |" for name, size in sizes.items())
    licences = ", ".join(f"{count} {name}" for name, count in declared.most_common())
    versions = " ".join(f"{n}@{v}" for n, v in PACKAGES.items())
    return f"""# Vendored GraphiQL

The browser files of the GraphiQL page served at `GET /graphql` (see `api/graphql/graphiql.py`), so that the
page loads nothing from outside the server: it works offline and under a `'self'`-only
Content-Security-Policy. Generated by `tools/graphiql/vendor.py`; do not edit by hand.

## Packages (from the npm registry)

| package | version | integrity (npm) |
| --- | --- | --- |
{rows}

The `.js`/`.css` files are copied unchanged from the packages' tarballs (`SHA256SUMS` lists them):
graphiql's `graphiql.min.js`/`graphiql.min.css` (a UMD bundle that includes graphql-js, CodeMirror 5,
@graphiql/react and the rest, but not React), the explorer plugin's `dist/index.umd.js`/`dist/style.css`,
and React's `umd/*.production.min.js`.

| file | bytes |
| --- | ---: |
{files}

## Why these versions

- **graphiql 4.1.2** is the newest release that ships a prebuilt UMD bundle. GraphiQL 5.x is ESM-only: it
  is built on Monaco with web workers and expects a bundler (Vite, webpack) or an ESM CDN (esm.sh) to
  resolve its imports, which would mean a JavaScript build step in this Python project. The 4.x UMD
  build is marked deprecated upstream but is complete and needs only React and ReactDOM as globals.
- **React 18.3.1**: React 19 no longer ships UMD builds; graphiql 4.x supports React 18 and 19.
- **@graphiql/plugin-explorer 4.0.6**: the query-builder sidebar (the page strawberry ships had it too);
  its UMD build uses the React and graphql-js that graphiql's bundle exposes.

## Licences

graphiql, React, ReactDOM and graphql-js are MIT; their licences are `LICENSE-graphiql` (which also covers
@graphiql/plugin-explorer and the other graphiql-monorepo packages, which ship none of their own),
`LICENSE-react`, `LICENSE-react-dom` and `LICENSE-graphql` (graphql-js is bundled in graphiql.min.js).
`LICENSE-graphiql-explorer` is that of OneGraph's graphiql-explorer, bundled in plugin-explorer.umd.js.
`THIRD-PARTY-LICENSES.txt` holds the licence of every other package bundled into graphiql.min.js (listed
by its source map), as their package.json files declare them: {licences}. Each asks only that its text
travel with the code, as it does here.

## Reproduce

```sh
python3 tools/graphiql/vendor.py
```

which does, in a throwaway directory:

```sh
echo '{{"private":true}}' > package.json
npm install --ignore-scripts --no-audit --no-fund --legacy-peer-deps --save-exact {versions}
```

and copies the files above from `node_modules/` into this directory, with the licences and `SHA256SUMS`.
"""


def main() -> int:
    if shutil.which("npm") is None:
        print("npm is needed (apt-get install npm)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="graphiql-vendor-") as scratch:
        work = Path(scratch)
        (work / "package.json").write_text('{"private":true}\n', encoding="utf-8")
        npm(
            "install",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--legacy-peer-deps",
            "--save-exact",
            *(f"{name}@{version}" for name, version in PACKAGES.items()),
            cwd=work,
        )
        modules = work / "node_modules"
        lock = json.loads((work / "package-lock.json").read_text(encoding="utf-8"))
        for name, version in PACKAGES.items():
            got = lock["packages"][f"node_modules/{name}"]["version"]
            if got != version:
                raise SystemExit(f"npm installed {name}@{got}, not {version}")

        if TARGET.exists():
            shutil.rmtree(TARGET)
        TARGET.mkdir(parents=True)
        sizes: dict[str, int] = {}
        for package, source, name in FILES:
            shutil.copyfile(modules / package / source, TARGET / name)
            sizes[name] = (TARGET / name).stat().st_size
        for package, name in LICENSES.items():
            shutil.copyfile(modules / package / "LICENSE", TARGET / name)
        explorer = package_dir(modules, "graphiql-explorer")
        assert explorer is not None
        shutil.copyfile(explorer / "LICENSE", TARGET / "LICENSE-graphiql-explorer")

        names = bundled_packages(modules / "graphiql" / "graphiql.min.js.map") + EXTRA_BUNDLED
        names = [n for n in names if n not in LICENSES]  # those have their own file
        missing = [n for n in names if not n.startswith(MONOREPO) and package_dir(modules, n) is None]
        if missing:  # bundled from older dependency ranges: fetched for their licence text only
            npm(
                "install",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--legacy-peer-deps",
                "--no-save",
                *missing,
                cwd=work,
            )
        text, declared = third_party(modules, names)
        (TARGET / "THIRD-PARTY-LICENSES.txt").write_text(text, encoding="utf-8")

        sums = "".join(f"{hashlib.sha256((TARGET / name).read_bytes()).hexdigest()}  {name}\n" for name in sizes)
        (TARGET / "SHA256SUMS").write_text(sums, encoding="utf-8")
        (TARGET / "README.md").write_text(readme(lock, sizes, declared), encoding="utf-8")
    total = sum(p.stat().st_size for p in TARGET.iterdir())
    print(f"vendored into {TARGET.relative_to(ROOT)}: {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
