"""Hover text for a URI (what it resolves to, and its group's merged order), a group name, or
an interface value (through ``interface_values``)."""

from __future__ import annotations

from pathlib import Path

from spoc.plugins import PluginEntry
from spoc_lsp.analysis.analyze import ProjectAnalysis, relative, safe_resolve
from spoc_lsp.analysis.interface_report import plugin_verdict
from spoc_lsp.analysis.interface_values import value_hover
from spoc_lsp.analysis.model import Hover, Resolving
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.syntax.model import Position


def hover(
    analysis: ProjectAnalysis, path: Path, position: Position, resolver: Resolving
) -> Hover | None:
    """Markdown for the URI, group name or ``[spoc.interfaces]`` value at ``position`` in
    ``path``, or ``None``."""
    interface = value_hover(analysis, path, position, resolver)
    if interface is not None:
        return interface
    found = analysis.entry_at(path, position)
    if found is not None:
        entry, span = found
        resolution = analysis.resolutions.get(entry.uri) or safe_resolve(resolver, entry.uri)
        parts = [
            describe_resolution(analysis, resolution, resolver),
            plugin_verdict(analysis, entry),
            group_order(analysis, entry.group, entry),
        ]
        return Hover("\n\n---\n\n".join(part for part in parts if part), span)
    parsed = analysis.parsed.get(path)
    if parsed is None:
        return None
    for group, spans in parsed.group_spans.items():
        for span in spans:
            if span.contains(position):
                return Hover(group_order(analysis, group, None), span)
    return None


def _link(analysis: ProjectAnalysis, file: Path | None, line: int) -> str:
    if file is None:
        return ""
    label = f"{relative(analysis.snapshot, file)}:{line + 1}"
    return f"[{label}]({file.as_uri()}#L{line + 1})"


def search_roots_text(resolver: object) -> str:
    """Where the resolver looked, in order, and which interpreter the path came from."""
    search_path = getattr(resolver, "search_path", None)
    if search_path is None:
        return ""
    interpreter = search_path.interpreter
    lines = [
        f"Searched, in order (interpreter `{interpreter.executable}`, "
        f"Python {interpreter.version_string}):"
    ]
    for index, entry in enumerate(search_path.entries, start=1):
        lines.append(f"{index}. `{entry.path}` ({entry.origin})")
    return "\n".join(lines)


def _signature_line(kind: str, uri: str, signature: str) -> str:
    """``def name(args) -> ret`` for functions (the index gives the parenthesised part)."""
    name = uri.rpartition(".")[2]
    if kind == "function" and signature.startswith("("):
        return f"def {name}{signature}"
    if kind == "function" and signature.startswith("async ("):
        return f"async def {name}{signature[len('async ') :]}"
    if kind == "variable" and not signature.startswith(name):
        return f"{name}: {signature}"
    return signature


def describe_resolution(
    analysis: ProjectAnalysis, resolution: Resolution, resolver: object = None
) -> str:
    """What the URI resolves to, or why it does not (or cannot be told); for the last two,
    where the resolver looked."""
    uri = resolution.uri
    if resolution.status is Status.RESOLVED and resolution.symbol is not None:
        symbol = resolution.symbol
        lines = [f"**{symbol.kind}** `{uri}`"]
        if symbol.signature:
            lines.append(f"```python\n{_signature_line(symbol.kind, uri, symbol.signature)}\n```")
        if symbol.doc:
            lines.append(symbol.doc)
        if symbol.definition is not None and symbol.definition.file is not None:
            definition = symbol.definition
            lines.append(f"Defined in {_link(analysis, definition.file, definition.line)}")
        for problem in resolution.import_problems:
            lines.append(f"⚠ importing it will fail: {problem.message}")
        return "\n\n".join(lines)
    if resolution.status is Status.UNRESOLVED and resolution.failure is not None:
        failure = resolution.failure
        text = f"**unresolved** `{uri}`: {failure.message}"
        if failure.suggestions:
            text += "\n\nClose names: " + ", ".join(f"`{name}`" for name in failure.suggestions)
        roots = search_roots_text(resolver)
        return f"{text}\n\n{roots}" if roots else text
    reason = resolution.reason or "it cannot be checked statically"
    text = (
        f"**unverifiable** `{uri}`: {reason}. It is not reported as an error; "
        "`spoc-lsp check --runtime` imports it for real."
    )
    roots = search_roots_text(resolver)
    return f"{text}\n\n{roots}" if roots else text


def group_order(analysis: ProjectAnalysis, group: str, current: PluginEntry | None) -> str:
    """The group's merged load order, each entry with its source, marking ``current``."""
    entries = analysis.plan.group(group)
    if not entries:
        return f"Group `{group}` has no plugins."
    marked = current
    duplicate = analysis.plan.duplicate_of(current) if current is not None else None
    if duplicate is not None:
        marked = duplicate.first
    lines = [f"**{group}**: merged load order"]
    for index, entry in enumerate(entries, start=1):
        where = relative(analysis.snapshot, entry.provenance.file)
        if entry.provenance.line:
            where += f":{entry.provenance.line}"
        line = f"{index}. `{entry.uri}` ({entry.provenance.source}, {where})"
        if entry == marked:
            line = f"{index}. **`{entry.uri}`** ({entry.provenance.source}, {where}) ← this entry"
        lines.append(line)
    if duplicate is not None:
        lines.append("This entry is a duplicate and is ignored at runtime.")
    return "\n".join(lines)
