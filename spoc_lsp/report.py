"""Rendering an analysis for people (text) and for programs (JSON), as CONTRACT §3 fixes it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spoc_lsp.analysis.analyze import ProjectAnalysis, relative
from spoc_lsp.analysis.interfaces import InterfaceVerdict
from spoc_lsp.analysis.model import Diagnostic
from spoc_lsp.index.model import Resolution, Status


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to the current directory when possible (as compilers print it)."""
    try:
        return os.path.relpath(path, cwd)
    except ValueError:
        return str(path)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (str(d.file), d.span.start, d.code))


def diagnostic_line(diagnostic: Diagnostic, cwd: Path) -> str:
    start = diagnostic.span.start
    where = f"{display_path(diagnostic.file, cwd)}:{start.line + 1}:{start.column + 1}"
    return f"{where}: {diagnostic.code} {diagnostic.message}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(diagnostics: list[Diagnostic], analysis: ProjectAnalysis) -> str:
    counts: dict[str, int] = {}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] = counts.get(diagnostic.severity, 0) + 1
    plugins = sum(1 for _ in analysis.plan.entries())
    groups = len(analysis.plan.groups)
    scope = f"{_plural(plugins, 'plugin')} in {_plural(groups, 'group')}"
    if not diagnostics:
        return f"All checks passed: {scope}."
    order = ("error", "warning", "information", "hint")
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 and s in ('error', 'warning') else ''}"
        for s in order
        if s in counts
    ]
    total = len(diagnostics)
    return f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {scope}."


def diagnostic_json(diagnostic: Diagnostic, cwd: Path) -> dict[str, Any]:
    return {
        "file": display_path(diagnostic.file, cwd),
        "line": diagnostic.span.start.line + 1,
        "column": diagnostic.span.start.column + 1,
        "end_line": diagnostic.span.end.line + 1,
        "end_column": diagnostic.span.end.column + 1,
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "uri": diagnostic.uri,
        "group": diagnostic.group,
        "source": diagnostic.source,
    }


def resolution_facts(resolution: Resolution | None) -> tuple[bool | None, str, Path | None, int]:
    """(resolved, kind, definition file, 0-based line) of a resolution, for reports.

    ``resolved`` is ``None`` when the URI cannot be verified statically.
    """
    if resolution is None:
        return False, "unknown", None, 0
    if resolution.status is Status.UNVERIFIABLE:
        return None, "unknown", None, 0
    if resolution.status is Status.UNRESOLVED or resolution.symbol is None:
        return False, "unknown", None, 0
    definition = resolution.symbol.definition
    file = definition.file if definition is not None else None
    return True, resolution.symbol.kind, file, definition.line if definition else 0


def plan_json(analysis: ProjectAnalysis, cwd: Path) -> dict[str, list[dict[str, Any]]]:
    plugins: dict[str, list[dict[str, Any]]] = {}
    for group, entries in analysis.plan.groups:
        rows = []
        for entry in entries:
            resolved, kind, _, _ = resolution_facts(analysis.resolutions.get(entry.uri))
            file = entry.provenance.file
            rows.append(
                {
                    "uri": entry.uri,
                    "source": entry.provenance.source,
                    "file": display_path(file, cwd) if file is not None else None,
                    "line": entry.provenance.line,
                    "resolved": resolved,
                    "kind": kind,
                }
            )
        plugins[group] = rows
    return plugins


def _declared_interfaces(analysis: ProjectAnalysis) -> dict[str, str]:
    """Group → its ``[spoc.interfaces]`` value, from spoc.toml (the one place it is declared)."""
    return {
        interface.group: interface.value
        for parsed in analysis.parsed.values()
        for interface in parsed.interfaces
    }


def _verdict_mark(verdict: InterfaceVerdict) -> str:
    """✓ satisfies its group's interface, ✗ and why not, or ? and why it cannot be told."""
    if verdict.unverifiable is not None:
        return f"? cannot verify: {verdict.unverifiable}"
    if verdict.problems:
        return f"✗ does not satisfy {verdict.interface}: {'; '.join(verdict.problems)}"
    return f"✓ satisfies {verdict.interface}"


def plan_text(analysis: ProjectAnalysis) -> str:
    """The merged plan as a readable table: group, position, URI, where listed, what it is."""
    if not analysis.plan.groups:
        return "No plugins configured."
    lines: list[str] = []
    declared = _declared_interfaces(analysis)
    for group, entries in analysis.plan.groups:
        lines.append(f"[{group}]")
        if group in declared:
            lines.append(f"  interface: {declared[group]}")
        rows = []
        for index, entry in enumerate(entries, start=1):
            provenance = entry.provenance
            where = relative(analysis.snapshot, provenance.file)
            if provenance.line:
                where += f":{provenance.line}"
            resolved, kind, file, line = resolution_facts(analysis.resolutions.get(entry.uri))
            if resolved is None:
                target = "unverifiable"
            elif not resolved:
                target = "UNRESOLVED"
            else:
                target = kind
                if file is not None:
                    target += f" at {relative(analysis.snapshot, file)}:{line + 1}"
            verdict = analysis.interface_verdicts.get(entry)
            if verdict is not None:
                target += "  " + _verdict_mark(verdict)
            rows.append((f"{index:>3}.", entry.uri, where, target))
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for row in rows:
            lines.append(
                f"  {row[0]:>{widths[0]}} {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}"
            )
        for duplicate in analysis.plan.duplicates:
            if duplicate.entry.group == group:
                provenance = duplicate.entry.provenance
                lines.append(
                    f"       (ignored duplicate of {duplicate.entry.uri} at "
                    f"{relative(analysis.snapshot, provenance.file)}:{provenance.line})"
                )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
