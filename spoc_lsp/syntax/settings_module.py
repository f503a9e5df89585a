"""Reading a settings module's ``PLUGINS`` tolerantly: entries with exact ranges, and problems.

The pipeline: tree-sitter-python parses the text (broken strings repaired, see :mod:`repair`);
its leaves become tokens (:mod:`py_lexer`), split into logical statements
(:mod:`py_statements`). Top-level statements are parsed (:mod:`py_parser`) and applied in order
(:mod:`py_plugins`), as the runtime would run them. A statement inside a top-level compound
statement (``if``, ``try``, ``def``...) that changes ``PLUGINS`` is not read: it may or may not
run, so it gets SPOC006 (its strings still count as sites for completion). Nothing here raises.
"""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.syntax import py_lexer, py_statements
from spoc_lsp.syntax.builder import ResultBuilder, internal_error
from spoc_lsp.syntax.model import ParsedConfig, Span
from spoc_lsp.syntax.py_parser import parse_statement
from spoc_lsp.syntax.py_plugins import PLUGINS, SettingsReader
from spoc_lsp.syntax.py_statements import Skipped, Statement, inline_body, is_compound_header
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import WORD, Token

_BINDING_STARTS = frozenset(
    {"del", "global", "nonlocal", "import", "from", "for", "with", "async", "except"}
)


def parse_settings(text: str, file: Path | None) -> ParsedConfig:
    """Read a settings module's text: ``PLUGINS`` groups, entries, string sites and problems."""
    try:
        return _parse(text, file)
    except Exception as error:  # a bug must not take the language server down
        return internal_error("settings", file, error)


def _parse(text: str, file: Path | None) -> ParsedConfig:
    source = SourceText(text)
    lexed = py_lexer.lex(source)
    builder = ResultBuilder("settings", file)
    reader = SettingsReader(builder)
    compound: Statement | None = None
    in_compound = False
    damaged = lexed.tree.root_node.has_error
    items = py_statements.split(source, lexed.tokens, damaged)
    for index, item in enumerate(items):
        if isinstance(item, Skipped):
            compound, in_compound = None, False
            continue
        if not item.after_semicolon:
            if item.indent == 0:
                compound = item if is_compound_header(item) else None
                in_compound = compound is not None
            elif compound is None:
                continue  # an unexpected indent: a syntax error, not a statement that runs
        if compound is item:
            _compound_header(source, builder, item)
        elif in_compound and compound is not None:
            _inside_compound(source, builder, item.tokens, compound)
        elif _relevant(item.tokens):
            following = items[index + 1] if index + 1 < len(items) else None
            stray = isinstance(following, Statement) and following.indent > 0
            reader.statement(parse_statement(source, item.tokens, damaged_after=stray))
    return builder.build(reader.groups())


def _relevant(tokens: list[Token]) -> bool:
    """Whether a top-level statement can read or change PLUGINS (or rebind ``dict``)."""
    first = tokens[0]
    if first.kind == WORD and first.text in ("import", "from"):
        return True
    return any(token.kind == WORD and token.text in (PLUGINS, "dict") for token in tokens)


def _compound_header(source: SourceText, builder: ResultBuilder, header: Statement) -> None:
    body = inline_body(header)
    head = header.tokens[: len(header.tokens) - len(body)]
    if _binds_plugins(head):
        _not_read(builder, head, header)
    if body:
        _inside_compound(source, builder, body, header)


def _inside_compound(
    source: SourceText, builder: ResultBuilder, tokens: list[Token], compound: Statement
) -> None:
    """A statement in a compound statement's body: reported if it changes PLUGINS."""
    if is_compound_header(Statement(tokens, 0)):
        _compound_header(source, builder, Statement(tokens, 0))
        return
    if not _changes_plugins(tokens):
        return
    _not_read(builder, tokens, compound)
    # Its strings are still plugin string sites, for completion: read it on a scratch state.
    scratch = SettingsReader(builder, quiet=True)
    scratch.statement(parse_statement(source, tokens))


def _not_read(builder: ResultBuilder, tokens: list[Token], compound: Statement) -> None:
    keyword = compound.tokens[0].text if compound.tokens[0].kind == WORD else "decorated"
    article = "an" if keyword[0] in "aeiou" else "a"
    builder.problem(
        "SPOC006",
        f"PLUGINS is changed inside {article} '{keyword}' statement; the change is not checked",
        Span(tokens[0].start, tokens[-1].end),
        "information",
    )


def _changes_plugins(tokens: list[Token]) -> bool:
    """Whether a statement starts with PLUGINS (assigns or calls on it) or binds it."""
    first = tokens[0]
    if first.kind == WORD and first.text == PLUGINS:
        return True
    return _binds_plugins(tokens)


def _binds_plugins(tokens: list[Token]) -> bool:
    first = tokens[0]
    mentions = [i for i, token in enumerate(tokens) if token.kind == WORD and token.text == PLUGINS]
    if not mentions:
        return False
    if first.kind == WORD and first.text in _BINDING_STARTS:
        return True
    return any(index + 1 < len(tokens) and tokens[index + 1].kind == ":=" for index in mentions)
