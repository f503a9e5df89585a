"""URIs of the forms plugins use, drawn from installed packages without the resolver's help.

Everything here reads files with ``ast`` in the simplest way (no control flow, no semantics), so
the corpus does not inherit the resolver's mistakes. Each URI carries the class it was made as;
whether it really imports is decided later by ``truth.py`` (a real import), never here.

Classes:
- ``module``: a module path; ``module-imported``/``module-unimported`` when its parent package's
  ``__init__`` does or does not import it (so ``parent.sub`` is or is not an attribute first).
- ``name``: a name a module's top level binds; ``reexport``: a name a package's ``__init__``
  takes from one of its submodules; ``all-only``: a name listed in ``__all__`` but not bound by
  a plain statement (lazy names, ``__getattr__``); ``type-checking``: a name bound only inside
  ``if TYPE_CHECKING:``.
- mutations of real names: ``typo`` (two letters swapped), ``case`` (wrong case), ``dropped``
  (a letter removed), ``added`` (a letter doubled), ``sibling`` (a name of a sibling module put
  on this one), ``module-typo`` (a misspelt module segment).
"""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Top-level import names of the corpus's packages (bench/corpus/requirements.txt).
PACKAGES = (
    "django",
    "flask",
    "fastapi",
    "starlette",
    "celery",
    "kombu",
    "sqlalchemy",
    "pydantic",
    "pydantic_core",
    "attr",
    "attrs",
    "marshmallow",
    "click",
    "typer",
    "rich",
    "requests",
    "httpx",
    "jinja2",
    "markupsafe",
    "numpy",
)
_SKIPPED = frozenset({"tests", "test", "testing", "__pycache__", "__main__", "conftest", "setup"})
_EXTENSIONS = (".so", ".pyd")


@dataclass(frozen=True)
class CorpusUri:
    uri: str
    kind: str  # the class it was made as (see the module docstring)
    package: str  # top-level package


@dataclass
class _Module:
    name: str
    file: Path | None  # source file (None: compiled only)
    is_package: bool
    tree: ast.Module | None


def _modules(site: Path, top: str) -> list[_Module]:
    root = site / top
    if (site / f"{top}.py").is_file():
        return [_Module(top, site / f"{top}.py", False, _parse(site / f"{top}.py"))]
    if not root.is_dir():
        return []
    found: list[_Module] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(site)
        if any(part in _SKIPPED or not part.isidentifier() for part in relative.parts[:-1]):
            continue
        name = path.name
        if name.endswith(".py"):
            stem: str | None = name[:-3]
        else:
            stem = name.split(".")[0] if name.endswith(_EXTENSIONS) else None
        if stem is None or stem in _SKIPPED or not stem.isidentifier():
            continue
        if not name.endswith(".py") and (path.parent / f"{stem}.py").exists():
            continue  # a compiled twin of a source module: one entry
        is_package = stem == "__init__"
        parts = [*relative.parts[:-1], *([] if is_package else [stem])]
        source = path if name.endswith(".py") else None
        found.append(
            _Module(".".join(parts), source, is_package, _parse(source) if source else None)
        )
    return found


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError, RecursionError):
        return None


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _bound(statements: list[ast.stmt], typing_only: bool, out: dict[str, bool]) -> None:
    """name -> True when bound only under ``TYPE_CHECKING`` (as far as this simple scan sees)."""
    for node in statements:
        names: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id] if node.value is not None else []
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [
                alias.asname or alias.name.split(".")[0]
                for alias in node.names
                if alias.name != "*"
            ]
        elif isinstance(node, ast.If):
            inner = typing_only or _is_type_checking(node.test)
            _bound(node.body, inner, out)
            _bound(node.orelse, typing_only, out)
        elif isinstance(node, ast.Try):
            _bound(node.body, typing_only, out)
            for handler in node.handlers:
                _bound(handler.body, typing_only, out)
            _bound(node.orelse, typing_only, out)
        for name in names:
            out[name] = out.get(name, True) and typing_only


def _all_names(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            return [
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return []


def _imported_submodules(module: _Module) -> set[str]:
    """Submodules of ``module`` (a package) its ``__init__`` imports, by their last name."""
    found: set[str] = set()
    if module.tree is None:
        return found
    prefix = module.name + "."
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                base = module.name + (f".{node.module}" if node.module else "")
            elif node.level == 0 and node.module:
                base = node.module
            else:
                continue
            if base == module.name:
                found.update(alias.name for alias in node.names)
            elif base.startswith(prefix):
                found.add(base[len(prefix) :].split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(prefix):
                    found.add(alias.name[len(prefix) :].split(".")[0])
    return found


def _reexports(module: _Module) -> set[str]:
    """Names a package's ``__init__`` takes from its own submodules."""
    if module.tree is None or not module.is_package:
        return set()
    names: set[str] = set()
    for node in module.tree.body:
        if isinstance(node, ast.ImportFrom) and (
            node.level == 1 or (node.module or "").startswith(module.name + ".")
        ):
            names.update(alias.asname or alias.name for alias in node.names if alias.name != "*")
    return names


# --- mutations ------------------------------------------------------------------------------


def swapped(name: str, rng: random.Random) -> str | None:
    spots = [
        i for i in range(len(name) - 1) if name[i] != name[i + 1] and name[i : i + 2].isalpha()
    ]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def recased(name: str, rng: random.Random) -> str | None:
    options = {name.lower(), name.upper(), name.capitalize(), name.swapcase()} - {name}
    options = {o for o in options if o.isidentifier()}
    return rng.choice(sorted(options)) if options else None


def dropped(name: str, rng: random.Random) -> str | None:
    if len(name) < 4:
        return None
    i = rng.randrange(1, len(name))
    candidate = name[:i] + name[i + 1 :]
    return candidate if candidate.isidentifier() else None


def added(name: str, rng: random.Random) -> str | None:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if not letters:
        return None
    i = rng.choice(letters)
    return name[: i + 1] + name[i] + name[i + 1 :]


_MUTATIONS = (("typo", swapped), ("case", recased), ("dropped", dropped), ("added", added))


# --- the corpus -----------------------------------------------------------------------------


def package_uris(
    site: Path, top: str, rng: random.Random, *, modules_per_package: int, names_per_module: int
) -> Iterator[CorpusUri]:
    modules = _modules(site, top)
    if not modules:
        return
    by_name = {module.name: module for module in modules}
    chosen = (
        modules
        if len(modules) <= modules_per_package
        else rng.sample(modules, k=modules_per_package)
    )
    if modules[0].name == top and modules[0] not in chosen:
        chosen.insert(0, modules[0])  # the package itself always
    yield CorpusUri(top, "module", top)
    for _mutation, mutate in _MUTATIONS[:2]:
        wrong = mutate(top, rng)
        if wrong:
            yield CorpusUri(wrong, "module-typo", top)
    siblings: dict[str, list[str]] = {}
    for module in modules:
        if module.tree is not None:
            parent = module.name.rpartition(".")[0]
            siblings.setdefault(parent, []).append(module.name)
    for module in chosen:
        parent_name, _, last = module.name.rpartition(".")
        if parent_name:
            parent_module = by_name.get(parent_name)
            imported = parent_module is not None and last in _imported_submodules(parent_module)
            kind = "module-imported" if imported else "module-unimported"
            yield CorpusUri(module.name, kind, top)
            wrong = swapped(last, rng) or added(last, rng)
            if wrong:
                yield CorpusUri(f"{parent_name}.{wrong}", "module-typo", top)
        if module.tree is None:
            continue
        bound: dict[str, bool] = {}
        _bound(module.tree.body, False, bound)
        names = [n for n, only_typing in bound.items() if not only_typing]
        typing_names = [n for n, only_typing in bound.items() if only_typing]
        reexports = _reexports(module)
        lazy = [n for n in _all_names(module.tree) if n not in bound]
        public = [n for n in names if not n.startswith("_")] or names
        picked = public if len(public) <= names_per_module else rng.sample(public, names_per_module)
        for name in picked:
            yield CorpusUri(
                f"{module.name}.{name}", "reexport" if name in reexports else "name", top
            )
        for name in lazy[:names_per_module]:
            yield CorpusUri(f"{module.name}.{name}", "all-only", top)
        for name in typing_names[:3]:
            yield CorpusUri(f"{module.name}.{name}", "type-checking", top)
        for name in (picked + lazy[:2])[:4]:
            mutation, mutate = rng.choice(_MUTATIONS)
            wrong = mutate(name, rng)
            if wrong and wrong not in bound:
                yield CorpusUri(f"{module.name}.{wrong}", mutation, top)
        others = [s for s in siblings.get(parent_name, []) if s != module.name]
        if others:
            other = by_name[rng.choice(others)]
            if other.tree is not None:
                theirs: dict[str, bool] = {}
                _bound(other.tree.body, False, theirs)
                foreign = [n for n in theirs if n not in bound and not n.startswith("_")]
                if foreign:
                    yield CorpusUri(f"{module.name}.{rng.choice(foreign)}", "sibling", top)


def corpus(
    site: Path,
    *,
    seed: int = 14,
    modules_per_package: int = 45,
    names_per_module: int = 6,
    packages: tuple[str, ...] = PACKAGES,
) -> list[CorpusUri]:
    """The corpus for the packages installed in ``site`` (deterministic for a seed)."""
    found: dict[str, CorpusUri] = {}
    for top in packages:
        rng = random.Random(f"{seed}:{top}")
        for item in package_uris(
            site,
            top,
            rng,
            modules_per_package=modules_per_package,
            names_per_module=names_per_module,
        ):
            if all(part.isidentifier() for part in item.uri.split(".")):
                found.setdefault(item.uri, item)
    return list(found.values())
