"""The Python side of renaming a plugin symbol: the ``from ... import`` statements and
``__all__`` entries of project modules that re-export it, rewritten as a Python language
server's rename would, or the reason they cannot be rewritten safely.

Starting at the defining module, every project module importing the name from a module that
binds it is followed: ``from .m import Auth`` (or ``Auth as Auth``) gets the new name and
binds it in turn, so its own importers and ``__all__`` are followed too; ``from .m import Auth
as Gate`` gets the new name before ``as`` and keeps binding ``Gate``; ``from .m import *``
carries the new name when ``m`` lists it in ``__all__`` (rewritten here). A module that uses
the name in other code, or that gets it from ``import *`` of a module without ``__all__``,
stops the rename: that code is the Python language server's to change.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spoc_lsp.analysis.analyze import ProjectAnalysis, relative
from spoc_lsp.analysis.model import Resolving
from spoc_lsp.analysis.name_uses import name_uses
from spoc_lsp.analysis.project import read_text
from spoc_lsp.analysis.references import parse_module, top_level
from spoc_lsp.index.project_files import FromImport, RealPaths, from_imports, module_name
from spoc_lsp.syntax.model import Span

PYTHON_LS = "rename it with your Python language server first"


class RenameError(Exception):
    """A rename the server refuses; the message says why and what to do instead."""


@dataclass(frozen=True)
class Binder:
    """A module that binds the renamed name: the defining module, or one importing it by
    name; after the rename it binds the new name instead."""

    path: Path
    module: str | None
    text: str
    tree: ast.Module


@dataclass
class ImportPlan:
    """What renaming a symbol rewrites in Python code besides its definition."""

    spans: list[tuple[Path, Span]]  # name tokens and ``__all__`` entries to overwrite
    binders: list[Binder]  # the defining module first
    aliased: set[str] = field(default_factory=set)  # real paths importing it ``as`` another name
    opaque: dict[str, str] = field(default_factory=dict)  # real path -> how ``*`` hides it
    paths: RealPaths = field(default_factory=RealPaths)

    def binds(self, path: Path | None) -> bool:
        """``path`` is a module that binds the renamed name (and will bind the new one)."""
        return path is not None and any(self.paths.same(path, b.path) for b in self.binders)

    def aliases(self, path: Path | None) -> bool:
        return path is not None and self.paths.real(path) in self.aliased

    def hidden(self, path: Path | None) -> str | None:
        """Why URIs through ``path`` cannot follow the rename (a ``*`` import), if they cannot;
        a module that also imports the name by name binds it, whatever ``*`` brings."""
        if path is None or self.binds(path):
            return None
        return self.opaque.get(self.paths.real(path))


def plan_imports(
    analysis: ProjectAnalysis,
    resolver: Resolving,
    path: Path,
    tree: ast.Module,
    text: str,
    name: str,
    overlays: Mapping[Path, str],
) -> ImportPlan:
    """The import tokens and ``__all__`` entries to rewrite when ``name``, defined at the top
    level of ``path`` (parsed as ``tree`` from ``text``), is renamed; :class:`RenameError`
    where one cannot be rewritten."""
    search_path = resolver.search_path
    defining = Binder(path, module_name(search_path, path, is_dir=False), text, tree)
    plan = ImportPlan(spans=[], binders=[defining])
    _add_exports(analysis, plan, defining, name)
    if defining.module is None:
        return plan
    imports = [
        found
        for found in from_imports(search_path, name, overlays)
        if not plan.paths.same(found.file, defining.path)
    ]
    # Modules to follow, with why their importers cannot follow the rename (``None``: they can).
    queue: list[tuple[Binder, str | None]] = [(defining, None)]
    hidden_seen: set[str] = set()
    while queue:
        source, hidden = queue.pop(0)
        if hidden is not None and plan.binds(source.path):
            continue  # it imports the name by name too: followed as a binder
        for found in imports:
            if source.module is None or found.source != source.module:
                continue
            if hidden is not None:
                if found.names:
                    raise RenameError(
                        f"'{name}' is imported by {_at(analysis, found)} from '{source.module}', "
                        f"which gets it through {hidden}; {PYTHON_LS}, then update the URIs"
                    )
                continue
            binder = _follow(analysis, plan, source, found, name, overlays)
            if binder is not None:
                plan.binders.append(binder)
                queue.append((binder, None))
                continue
            reason = plan.hidden(found.file)
            real = plan.paths.real(found.file)
            if reason is None or real in hidden_seen:
                continue
            hidden_seen.add(real)
            text = _text(found.file, overlays)
            parsed = parse_module(text)
            if parsed is not None:
                _refuse_uses(analysis, found, parsed, text, name, reason)
                queue.append((Binder(found.file, found.importer, text, parsed), reason))
    return plan


def _follow(
    analysis: ProjectAnalysis,
    plan: ImportPlan,
    source: Binder,
    found: FromImport,
    name: str,
    overlays: Mapping[Path, str],
) -> Binder | None:
    """Rewrite one import of ``name`` from ``source``; the importing module when it now binds
    the new name and was not followed yet."""
    rebinds = False
    for imported in found.names:
        plan.spans.append((found.file, imported.name_span))
        if imported.alias is not None and imported.alias != name:
            plan.aliased.add(plan.paths.real(found.file))
            continue
        if imported.alias_span is not None:
            plan.spans.append((found.file, imported.alias_span))
        if not found.top_level:
            raise RenameError(
                f"'{name}' is imported by {_at(analysis, found)} inside a function or class; "
                f"{PYTHON_LS}, then update the URIs"
            )
        rebinds = True
    if found.star and found.top_level:
        if _lists(source, name):
            rebinds = True
        elif not _has_all(source):
            plan.opaque.setdefault(
                plan.paths.real(found.file),
                f"'import *' of '{found.source}' in {_at(analysis, found)}, and "
                f"{relative(analysis.snapshot, source.path)} has no __all__",
            )
    if not rebinds or plan.binds(found.file):
        return None
    text = _text(found.file, overlays)
    tree = parse_module(text)
    if tree is None:
        raise RenameError(f"{relative(analysis.snapshot, found.file)} does not parse")
    binder = Binder(found.file, found.importer, text, tree)
    _check_binder(analysis, found, binder, name)
    _add_exports(analysis, plan, binder, name)
    return binder


def _check_binder(analysis: ProjectAnalysis, found: FromImport, binder: Binder, name: str) -> None:
    """Refuse an importing module that uses or rebinds the name in other code."""
    symbols = top_level(binder.text, binder.tree) or []
    uses = name_uses(binder.tree, binder.text, name)
    again = uses.bound_again(s.span.start.line + 1 for s in symbols if s.name == name)
    if again:
        raise RenameError(
            f"'{name}' is imported by {_at(analysis, found)} and bound there again (lines "
            f"{', '.join(map(str, again))}); {PYTHON_LS}, then update the URIs"
        )
    if uses.first_use is not None:
        line, what = uses.first_use
        raise RenameError(
            f"'{name}' is imported by {_at(analysis, found)} and {what} there (line {line}); "
            f"{PYTHON_LS}, then update the URIs"
        )


def _refuse_uses(
    analysis: ProjectAnalysis,
    found: FromImport,
    tree: ast.Module,
    text: str,
    name: str,
    hidden: str,
) -> None:
    uses = name_uses(tree, text, name)
    if uses.uses:
        line, what = uses.uses[0]
        raise RenameError(
            f"'{name}' is {what} in {relative(analysis.snapshot, found.file)} (line {line}), "
            f"which gets it through {hidden}; {PYTHON_LS}, then update the URIs"
        )


def _add_exports(analysis: ProjectAnalysis, plan: ImportPlan, binder: Binder, name: str) -> None:
    for export in name_uses(binder.tree, binder.text, name).exports:
        if export.span is None:
            raise RenameError(
                f"'{name}' is listed in __all__ in {relative(analysis.snapshot, binder.path)} "
                f"(line {export.line}) in a form that cannot be rewritten; write it as a plain "
                "string, or rename it by hand"
            )
        plan.spans.append((binder.path, export.span))


def _lists(binder: Binder, name: str) -> bool:
    return bool(name_uses(binder.tree, binder.text, name).exports)


def _has_all(binder: Binder) -> bool:
    return any(s.name == "__all__" for s in top_level(binder.text, binder.tree) or [])


def _text(path: Path, overlays: Mapping[Path, str]) -> str:
    text = overlays.get(path)
    return text if text is not None else read_text(path)[0]


def _at(analysis: ProjectAnalysis, found: FromImport) -> str:
    return f"{relative(analysis.snapshot, found.file)} (line {found.line})"
