"""Every conversion between the analysis' plain data and LSP types lives here.

The analysis counts columns in code points; the client counts in the negotiated encoding
(UTF-16 by default). A converter is built per text so each line is looked at once.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from lsprotocol import types

from spoc_lsp.analysis.model import Completion, Diagnostic, Fix, Hover, InlayHint, Target
from spoc_lsp.analysis.rules import RULES
from spoc_lsp.syntax.model import Position, Span
from spoc_lsp.text import from_code_units, line_index, to_code_units

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}

COMPLETION_KIND = {
    "module": types.CompletionItemKind.Module,
    "class": types.CompletionItemKind.Class,
    "function": types.CompletionItemKind.Function,
    "variable": types.CompletionItemKind.Variable,
    "unknown": types.CompletionItemKind.Value,
}


def encoding_name(encoding: object) -> str:
    """'utf-8', 'utf-16' or 'utf-32' for a negotiated ``PositionEncodingKind`` (or None)."""
    value = getattr(encoding, "value", encoding)
    return value if value in ("utf-8", "utf-32") else "utf-16"


@functools.lru_cache(maxsize=4096)
def path_to_uri(path: Path) -> str:
    return path.as_uri()


@functools.lru_cache(maxsize=64)
def _code_description(code: str) -> types.CodeDescription | None:
    """The link to a code's rule page (looked up once per code: every publication carries
    the description of every diagnostic again)."""
    rule = RULES.get(code)
    if rule is None or not rule.doc_path.is_file():
        return None
    return types.CodeDescription(href=rule.doc_path.as_uri())


class TextConverter:
    """Positions of one text, between code points and the client's units."""

    def __init__(self, text: str, encoding: str) -> None:
        self.index = line_index(text)
        self.encoding = encoding

    def to_lsp(self, position: Position) -> types.Position:
        line_text = self.index.line_text(position.line)
        return types.Position(
            line=position.line,
            character=to_code_units(line_text, position.column, self.encoding),
        )

    def from_lsp(self, position: types.Position) -> Position:
        line_text = self.index.line_text(position.line)
        return Position(
            position.line, from_code_units(line_text, position.character, self.encoding)
        )

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.to_lsp(span.start), end=self.to_lsp(span.end))


def fix_data(fix: Fix, converters: dict[Path, TextConverter]) -> dict[str, Any]:
    """A fix as JSON data carried by its diagnostic, so code actions need not recompute it."""
    edits = []
    for edit in fix.edits:
        converter = converters.get(edit.file)
        if converter is None:
            continue
        lsp_range = converter.range(edit.span)
        edits.append(
            {
                "uri": path_to_uri(edit.file),
                "range": {
                    "start": {"line": lsp_range.start.line, "character": lsp_range.start.character},
                    "end": {"line": lsp_range.end.line, "character": lsp_range.end.character},
                },
                "newText": edit.new_text,
            }
        )
    return {"title": fix.title, "preferred": fix.preferred, "edits": edits}


def diagnostic(
    item: Diagnostic, converter: TextConverter, converters: dict[Path, TextConverter]
) -> types.Diagnostic:
    description = _code_description(item.code)
    tags = [types.DiagnosticTag.Unnecessary] if item.code == "SPOC004" else None
    data: dict[str, Any] = {"uri": item.uri, "group": item.group}
    if item.fixes:
        data["fixes"] = [fix_data(fix, converters) for fix in item.fixes]
    return types.Diagnostic(
        range=converter.range(item.span),
        severity=SEVERITY.get(item.severity, types.DiagnosticSeverity.Error),
        code=item.code,
        code_description=description,
        source="spoc",
        message=item.message,
        tags=tags,
        data=data,
    )


class ConvertedDiagnostics:
    """Diagnostics as last published, per file: one whose analysis object and the lines it
    points at (its range's and its fixes') are those of the last publication keeps its LSP
    form. A keystroke re-publishes every diagnostic of the file; this converts only those the
    keystroke touched."""

    def __init__(self) -> None:
        self._last: dict[Path, dict[int, tuple[Diagnostic, tuple[str, ...], types.Diagnostic]]]
        self._last = {}

    def convert(
        self,
        path: Path,
        items: list[Diagnostic],
        converter: TextConverter,
        converters: dict[Path, TextConverter],
    ) -> list[types.Diagnostic]:
        before = self._last.get(path, {})
        now: dict[int, tuple[Diagnostic, tuple[str, ...], types.Diagnostic]] = {}
        out = []
        for item in items:
            lines = _lines_read(item, converter)
            known = before.get(id(item))
            if known is not None and known[0] is item and lines is not None and known[1] == lines:
                converted = known[2]
            else:
                converted = diagnostic(item, converter, converters)
            if lines is not None:
                now[id(item)] = (item, lines, converted)
            out.append(converted)
        self._last[path] = now  # (what is no longer shown is forgotten)
        return out


def _lines_read(item: Diagnostic, converter: TextConverter) -> tuple[str, ...] | None:
    """The encoding and the texts of the lines ``item``'s conversion reads, or None when a
    fix edits another file (that file's text is not looked at here)."""
    spans = [item.span]
    for fix in item.fixes:
        for edit in fix.edits:
            if edit.file != item.file:
                return None
            spans.append(edit.span)
    index = converter.index
    lines = [converter.encoding]
    for span in spans:
        lines.append(index.line_text(span.start.line))
        if span.end.line != span.start.line:
            lines.append(index.line_text(span.end.line))
    return tuple(lines)


def code_actions(diagnostic_item: types.Diagnostic) -> list[types.CodeAction]:
    """The quick fixes a published diagnostic carries in its data."""
    data = diagnostic_item.data
    if diagnostic_item.source != "spoc" or not isinstance(data, dict):
        return []
    actions = []
    for fix in data.get("fixes", []):
        changes: dict[str, list[types.TextEdit]] = {}
        for edit in fix.get("edits", []):
            start, end = edit["range"]["start"], edit["range"]["end"]
            changes.setdefault(edit["uri"], []).append(
                types.TextEdit(
                    range=types.Range(
                        start=types.Position(line=start["line"], character=start["character"]),
                        end=types.Position(line=end["line"], character=end["character"]),
                    ),
                    new_text=edit["newText"],
                )
            )
        actions.append(
            types.CodeAction(
                title=fix["title"],
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic_item],
                edit=types.WorkspaceEdit(changes=changes),
                is_preferred=bool(fix.get("preferred")),
            )
        )
    return actions


def completion_list(
    items: list[Completion], converter: TextConverter, root: Path, default_range: bool
) -> types.CompletionList:
    """The items as one list. All of them replace the segment being typed: when the client
    takes a default edit range (``itemDefaults.editRange``, LSP 3.17) that range is sent once
    instead of once per item (a top-level list has a few hundred items, and every byte of each
    is built, serialised and parsed again on every keystroke)."""
    shared = items[0].replace if items else None
    if not default_range or any(item.replace != shared for item in items):
        shared = None
    ranges: dict[Span, types.Range] = {}
    project = str(root)
    lsp_items = []
    for item in items:
        edit = None
        if item.replace != shared:
            edit_range = ranges.get(item.replace)
            if edit_range is None:
                edit_range = ranges[item.replace] = converter.range(item.replace)
            edit = types.TextEdit(range=edit_range, new_text=item.label)
        lsp_items.append(
            types.CompletionItem(
                label=item.label,
                kind=COMPLETION_KIND.get(item.kind, types.CompletionItemKind.Value),
                detail=item.detail,
                sort_text=item.sort_key,
                text_edit=edit,
                data=None if item.documentation else {"name": item.qualified_name, "root": project},
                documentation=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=item.documentation
                )
                if item.documentation
                else None,
            )
        )
    defaults = (
        None if shared is None else types.CompletionItemDefaults(edit_range=converter.range(shared))
    )
    return types.CompletionList(is_incomplete=False, items=lsp_items, item_defaults=defaults)


def hover(item: Hover, converter: TextConverter) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=item.markdown),
        range=converter.range(item.span),
    )


def location(target: Target, converter: TextConverter) -> types.Location:
    """A place in another file; ``converter`` is built from that file's text."""
    position = converter.to_lsp(Position(target.line, target.column))
    return types.Location(
        uri=path_to_uri(target.file), range=types.Range(start=position, end=position)
    )


def inlay_hint(item: InlayHint, converter: TextConverter) -> types.InlayHint:
    return types.InlayHint(
        position=converter.to_lsp(Position(item.line, item.column)),
        label=item.label,
        kind=types.InlayHintKind.Parameter,
        padding_left=True,
        tooltip=item.tooltip,
    )
