"""Statements inside top-level compound statements (``if``, ``try``, ``for``, ``def``...).

They may run or not, any number of times: what they do to ``PLUGINS`` cannot be read
statically. One that changes ``PLUGINS`` gets SPOC006 (information) and is left out; its
strings are still plugin string sites, for completion (read on a scratch state).
"""

from __future__ import annotations

from spoc_lsp.syntax.builder import ResultBuilder
from spoc_lsp.syntax.model import Span
from spoc_lsp.syntax.py_names import Names
from spoc_lsp.syntax.py_parser import parse_statement
from spoc_lsp.syntax.py_plugins import SettingsReader
from spoc_lsp.syntax.py_statements import AUGMENTED, Statement, inline_body, is_compound_header
from spoc_lsp.syntax.py_values import PLUGINS
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import WORD, Token

_BINDING_STARTS = frozenset(
    {"del", "global", "nonlocal", "import", "from", "for", "with", "async", "except"}
)


def header(source: SourceText, builder: ResultBuilder, statement: Statement, names: Names) -> None:
    """A compound statement's header (``for PLUGINS in ...:``) and any body on its line."""
    body = inline_body(statement)
    head = statement.tokens[: len(statement.tokens) - len(body)]
    if _binds_plugins(head):
        _not_read(builder, head, statement)
    names.forget(_header_names(head), Span(head[0].start, head[-1].end))
    if body:
        body_statement(source, builder, body, statement, names)


def body_statement(
    source: SourceText,
    builder: ResultBuilder,
    tokens: list[Token],
    compound: Statement,
    names: Names,
) -> None:
    """A statement in a compound statement's body: reported if it changes PLUGINS; a module
    name it may change is no longer known after the compound statement."""
    if is_compound_header(Statement(tokens, 0)):
        header(source, builder, Statement(tokens, 0), names)
        return
    names.forget(
        _changed_names(tokens, _defines_scope(compound)), Span(tokens[0].start, tokens[-1].end)
    )
    if not _changes_plugins(tokens, _defines_scope(compound)):
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


def _changes_plugins(tokens: list[Token], own_scope: bool) -> bool:
    """Whether a statement starts with PLUGINS (assigns or calls on it) or binds it.

    In a function or class body (``own_scope``), ``PLUGINS = ...`` binds a name of that scope,
    not the module's PLUGINS; changing the module's object (``PLUGINS["x"] = ...``) still counts.
    """
    first = tokens[0]
    if first.kind == WORD and first.text == PLUGINS:
        following = tokens[1] if len(tokens) > 1 else None
        rebinds = following is not None and following.kind in ("=", ":")
        return not (own_scope and rebinds)
    return _binds_plugins(tokens)


def _defines_scope(compound: Statement) -> bool:
    """Whether a compound statement is a function or class (or its decorator)."""
    first = compound.tokens[0]
    return first.kind == "@" or (first.kind == WORD and first.text in ("def", "class", "async"))


def _binds_plugins(tokens: list[Token]) -> bool:
    first = tokens[0]
    mentions = [i for i, token in enumerate(tokens) if token.kind == WORD and token.text == PLUGINS]
    if not mentions:
        return False
    if first.kind == WORD and first.text in _BINDING_STARTS:
        return True
    return any(index + 1 < len(tokens) and tokens[index + 1].kind == ":=" for index in mentions)


def _changed_names(tokens: list[Token], own_scope: bool) -> list[str]:
    """The module names a statement in a compound body may bind or change (a superset).

    In a function or class body (``own_scope``), ``X = ...`` binds a local name: only changes
    to an object (``X.append(...)``, ``X[k] = ...``) and ``global`` names count.
    """
    first = tokens[0]
    if first.kind != WORD:
        return []
    if first.text in ("global", "nonlocal", "del", "import", "from"):
        return [token.text for token in tokens[1:] if token.kind == WORD]
    following = tokens[1].kind if len(tokens) > 1 else None
    if following in (".", "["):
        return [first.text]
    if not own_scope and (following in ("=", ":", ",") or following in AUGMENTED):
        return [first.text]
    return []


def _header_names(head: list[Token]) -> list[str]:
    """The names a compound header binds: ``def f``, ``class C``, ``for a, b in``, ``as x``."""
    found: list[str] = []
    words = [token for token in head if token.kind == WORD]
    if words and words[0].text in ("def", "class") and len(words) > 1:
        found.append(words[1].text)
    if words and words[0].text in ("for", "async"):
        for token in words[1:]:
            if token.text == "in":
                break
            if token.text != "for":
                found.append(token.text)
    found.extend(
        head[index + 1].text
        for index, token in enumerate(head[:-1])
        if token.kind == WORD and token.text == "as" and head[index + 1].kind == WORD
    )
    return found
