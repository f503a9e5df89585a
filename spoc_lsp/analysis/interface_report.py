"""The interface verdicts (``analysis.interfaces``) told in the editor: a plugin's line in its
hover, a group's count in the hover of its interface value, and the code lens on an interface
class in its Python file ("N plugins of 'group': K satisfy, M do not")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spoc.interfaces import is_kind
from spoc.plugins import PluginEntry
from spoc_lsp.analysis.analyze import ProjectAnalysis
from spoc_lsp.analysis.interfaces import InterfaceVerdict
from spoc_lsp.analysis.model import Resolving
from spoc_lsp.analysis.references import (
    FileSymbols,
    is_python_source,
    resolve_entry,
    resolved_definition,
)
from spoc_lsp.index.project_files import RealPaths
from spoc_lsp.syntax.model import InterfaceEntry, Span


def verdict_line(verdict: InterfaceVerdict) -> str:
    """One plugin's verdict: ✓ satisfies, ✗ and the problems, or ? cannot verify and why."""
    head = f"Interface of group `{verdict.group}`: `{verdict.interface}`"
    if verdict.unverifiable is not None:
        return f"{head}\n\n? cannot verify: {verdict.unverifiable}"
    if not verdict.problems:
        return f"{head}\n\n✓ satisfies it"
    return f"{head}\n\n✗ does not satisfy it: " + "; ".join(verdict.problems)


def plugin_verdict(analysis: ProjectAnalysis, entry: PluginEntry) -> str:
    """The hover part for a plugin entry of a declared group ('' for other groups). A
    duplicate entry is judged as the entry the runtime keeps."""
    verdict = analysis.interface_verdicts.get(entry)
    if verdict is None:
        duplicate = analysis.plan.duplicate_of(entry)
        if duplicate is not None:
            verdict = analysis.interface_verdicts.get(duplicate.first)
    return verdict_line(verdict) if verdict is not None else ""


@dataclass(frozen=True)
class GroupCount:
    """How the plugins of a declared group fare against its interface."""

    group: str
    plugins: int
    satisfy: int
    fail: int
    unverifiable: int

    @property
    def title(self) -> str:
        noun = "plugin" if self.plugins == 1 else "plugins"
        text = f"{self.plugins} {noun} of '{self.group}': "
        text += f"{self.satisfy} satisfy, {self.fail} do not"
        if self.unverifiable:
            text += f", {self.unverifiable} cannot be verified"
        return text


def group_count(analysis: ProjectAnalysis, group: str) -> GroupCount:
    """The verdicts of the group's merged plugins, counted."""
    verdicts = [analysis.interface_verdicts.get(entry) for entry in analysis.plan.group(group)]
    known = [verdict for verdict in verdicts if verdict is not None]
    unverifiable = sum(1 for v in known if v.unverifiable is not None) + verdicts.count(None)
    return GroupCount(
        group,
        len(verdicts),
        sum(1 for v in known if v.satisfied),
        sum(1 for v in known if v.unverifiable is None and v.problems),
        unverifiable,
    )


def declarations(analysis: ProjectAnalysis) -> list[InterfaceEntry]:
    """The ``[spoc.interfaces]`` entries in force: the first of each group."""
    seen: set[str] = set()
    found: list[InterfaceEntry] = []
    for parsed in analysis.parsed.values():
        for declaration in parsed.interfaces:
            if declaration.group not in seen:
                seen.add(declaration.group)
                found.append(declaration)
    return found


@dataclass(frozen=True)
class InterfaceLens:
    """A lens above an interface class: its group's count."""

    file: Path
    span: Span  # the class name token
    count: GroupCount

    @property
    def title(self) -> str:
        return self.count.title


def interface_lenses(
    analysis: ProjectAnalysis, resolver: Resolving, path: Path, text: str
) -> list[InterfaceLens]:
    """A lens on each class of ``path`` that ``[spoc.interfaces]`` names (one per group)."""
    if not is_python_source(analysis, resolver, path):
        return []
    wanted = [d for d in declarations(analysis) if not is_kind(d.value)]
    if not wanted:
        return []
    symbols = FileSymbols.read(path, text)
    if symbols is None:
        return []
    paths = RealPaths()
    lenses: list[InterfaceLens] = []
    for declaration in wanted:
        resolution = analysis.resolutions.get(declaration.value) or resolve_entry(
            resolver, declaration.value
        )
        definition = resolved_definition(resolution) if resolution is not None else None
        if definition is None or not paths.same(definition.file, path):
            continue
        shown = symbols.shown_for(definition)
        if shown is not None and shown.kind == "class":
            lenses.append(InterfaceLens(path, shown.span, group_count(analysis, declaration.group)))
    return sorted(lenses, key=lambda lens: (lens.span.start, lens.count.group))
