"""Cold and warm ``Resolver.resolve`` cost per URI, on a generated project and on real packages.

Run: ``.venv/bin/python bench/resolve_bench.py [--python PATH] [--packages a,b,c]``.

Phases, each timed per URI (µs):
- cold: a fresh resolver, every URI resolved once (parsing and listing included);
- warm: the same URIs again (memoised answers);
- revalidated: after ``refresh()`` (every cached file/dir is re-checked with a stat).
The interpreter probe (one subprocess, cached afterwards) is reported separately.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spoc_lsp.index.interpreter import query_interpreter  # noqa: E402
from spoc_lsp.index.resolver import Resolver  # noqa: E402
from spoc_lsp.index.search_path import SearchPath  # noqa: E402


def generate_project(
    root: Path, packages: int = 60, modules: int = 6, functions: int = 15
) -> list[str]:
    """Write a project of ``packages`` packages and return URIs into it (some misspelt)."""
    uris: list[str] = []
    for p in range(packages):
        package = root / "apps" / f"pkg{p}"
        package.mkdir(parents=True)
        init_lines = ['"""Package."""']
        for m in range(modules):
            body = ["import json", "from typing import Any", ""]
            for f in range(functions):
                body.append(f"def func{f}(request: Any, *, flag: bool = False) -> str:")
                body.append(f'    """Function {f}."""')
                body.append("    return json.dumps(request)")
                uris.append(f"pkg{p}.mod{m}.func{f}")
            body.append(f"class Handler{m}:\n    pass")
            (package / f"mod{m}.py").write_text("\n".join(body) + "\n")
            init_lines.append(f"from .mod{m} import Handler{m}")
            uris += [f"pkg{p}.Handler{m}", f"pkg{p}.mod{m}.Handlr{m}", f"pkg{p}.mdo{m}.func0"]
        (package / "__init__.py").write_text("\n".join(init_lines) + "\n")
    return uris


def package_uris(site_dir: Path, top: str, limit: int = 400) -> list[str]:
    """URIs of a real package: modules and their top-level defs/classes, found by walking."""
    uris: list[str] = []
    base = site_dir / top
    files = sorted(base.rglob("*.py")) if base.is_dir() else [site_dir / f"{top}.py"]
    for file in files:
        if "__pycache__" in file.parts or not file.is_file():
            continue
        relative = file.relative_to(site_dir).with_suffix("")
        parts = [p for p in relative.parts if p != "__init__"]
        if not all(part.isidentifier() for part in parts):
            continue
        module = ".".join(parts)
        uris.append(module)
        try:
            tree = ast.parse(file.read_bytes())
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                uris.append(f"{module}.{node.name}")
        if len(uris) >= limit:
            break
    return uris[:limit]


def timed(uris: Sequence[str], action: Callable[[str], object]) -> list[float]:
    samples: list[float] = []
    for uri in uris:
        start = time.perf_counter()
        action(uri)
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def describe(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if ordered else 0.0
    return (
        f"  {label:<12} n={len(samples):<6} mean={statistics.fmean(samples):>10.1f} µs  "
        f"median={statistics.median(samples):>9.1f} µs  p95={p95:>10.1f} µs"
    )


def bench(label: str, resolver_factory: Callable[[], Resolver], uris: list[str]) -> None:
    resolver = resolver_factory()
    print(f"{label}: {len(uris)} URIs")
    print(describe("cold", timed(uris, resolver.resolve)))
    print(describe("warm", timed(uris, resolver.resolve)))
    resolver.refresh()
    print(describe("revalidated", timed(uris, resolver.resolve)))
    statuses: dict[str, int] = {}
    for uri in uris:
        status = resolver.resolve(uri).status.value
        statuses[status] = statuses.get(status, 0) + 1
    print(f"  answers: {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--packages", default="pygls,lsprotocol,cattrs,attrs,pygments,hypothesis")
    args = parser.parse_args()
    python = Path(args.python)

    start = time.perf_counter()
    info = query_interpreter(python, cwd=ROOT)
    first = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    query_interpreter(python, cwd=ROOT)
    again = (time.perf_counter() - start) * 1e3
    print(
        f"interpreter {info.version_string.split()[0]}: probe {first:.1f} ms, cached {again:.2f} ms"
    )

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        uris = generate_project(root)
        bench("generated project", lambda: Resolver(SearchPath.build(root, info)), uris)

        site = next((d for d in info.site_packages if d.name == "site-packages"), None)
        if site is not None:
            real: list[str] = []
            for top in args.packages.split(","):
                real += package_uris(site, top.strip())
            bench("real packages", lambda: Resolver(SearchPath.build(root, info)), real)


if __name__ == "__main__":
    main()
