"""Reading a settings module's ``PLUGINS`` tolerantly: entries with exact ranges, and problems.

The pipeline: the text becomes tokens (:mod:`py_lexer`; top-level statements that cannot
concern ``PLUGINS`` are skipped whole), split into logical statements (:mod:`py_statements`).
Top-level statements are parsed (:mod:`py_parser`) and applied in order (:mod:`py_plugins`), as
the runtime would run them. A statement inside a top-level compound statement (``if``, ``try``,
``def``...) that changes ``PLUGINS`` is not read: it may or may not run, so it gets SPOC006 (its
strings still count as sites for completion). Nothing here raises.
"""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.syntax import py_compound, py_lexer, py_statements
from spoc_lsp.syntax.builder import ResultBuilder, internal_error
from spoc_lsp.syntax.model import ModuleSource, ParsedConfig
from spoc_lsp.syntax.py_imports import Imports
from spoc_lsp.syntax.py_names import Names
from spoc_lsp.syntax.py_parser import parse_statement
from spoc_lsp.syntax.py_plugins import SettingsReader
from spoc_lsp.syntax.py_statements import AUGMENTED, Skipped, Statement, is_compound_header
from spoc_lsp.syntax.py_values import PLUGINS
from spoc_lsp.syntax.source_text import SourceText
from spoc_lsp.syntax.tokens import GARBAGE, UNTERMINATED, WORD, Token

_WATCHED = frozenset({PLUGINS, "dict", "list", "tuple"})
# What follows a name that the statement binds or changes: "x =", "x +=", "x.append(", "x[k] =".
_BINDS = frozenset({"=", ":", ",", ".", "["} | AUGMENTED)
_CANNOT_START = frozenset(
    {")", "]", "}", ",", ":", "=", ".", ";", "->", ":=", "==", "!=", "<", ">", "<=", ">="}
    | {"/", "//", "%", "|", "&", "^", "**", UNTERMINATED, GARBAGE}
    | AUGMENTED
)


def parse_settings(
    text: str, file: Path | None, modules: ModuleSource | None = None
) -> ParsedConfig:
    """Read a settings module's text: ``PLUGINS`` groups, entries, string sites and problems.

    With ``modules``, the project modules it imports are followed, as they run (split
    settings): what they contribute is in ``contributions``, one view per file.
    """
    try:
        return _parse(text, file, modules)
    except Exception as error:  # a bug must not take the language server down
        return internal_error("settings", file, error)


def _parse(text: str, file: Path | None, modules: ModuleSource | None) -> ParsedConfig:
    builder = ResultBuilder("settings", file)
    imports = Imports(builder, modules, lambda path, module: run(module, builder, imports, path))
    reader = run(text, builder, imports, file)
    return builder.build(reader.groups())


def run(text: str, builder: ResultBuilder, imports: Imports, file: Path | None) -> SettingsReader:
    """Run one module's top-level statements in order on a fresh reader (see module doc)."""
    source = SourceText(text)
    lexed = py_lexer.lex(source)
    reader = SettingsReader(builder, imports=imports, file=file)
    foreign = file is not None and file != builder.file  # a module the parsed one imports
    compound: Statement | None = None  # the top-level compound statement being read, if any
    items = py_statements.split(source, lexed.tokens, lexed.damaged)
    for index, item in enumerate(items):
        if isinstance(item, Skipped):
            compound = None
            continue
        if not item.after_semicolon:  # (one after a ";" goes with the one before it)
            if item.indent == 0:
                compound = item if is_compound_header(item) else None
            elif compound is None:
                continue  # an unexpected indent: a syntax error, not a statement that runs
        if compound is item:
            py_compound.header(source, builder, item, reader.names)
        elif compound is not None:
            py_compound.body_statement(source, builder, item.tokens, compound, reader.names)
        elif _relevant(item.tokens, reader.names):
            following = items[index + 1] if index + 1 < len(items) else None
            stray = isinstance(following, Statement) and _stray(following)
            statement = parse_statement(source, item.tokens, damaged_after=stray)
            if foreign and file is not None:
                builder.tag(statement, file)
            reader.statement(statement)
    return reader


def _stray(statement: Statement) -> bool:
    """A "statement" that cannot be one: indented out of the blue, or starting with what no
    statement starts with (a closing bracket, an operator, an unterminated string). The one
    before it most likely was meant to go on."""
    if statement.after_semicolon:
        return False
    first = statement.tokens[0]
    return statement.indent > 0 or first.kind in _CANNOT_START


def _relevant(tokens: list[Token], names: Names) -> bool:
    """Whether a top-level statement can read or change PLUGINS or a name it may be built from
    (or rebind ``dict``, ``list``...)."""
    first = tokens[0]
    if first.kind == WORD and first.text in ("import", "from", "del"):
        return True
    if first.kind == WORD and len(tokens) > 1 and tokens[1].kind in _BINDS:
        return True
    return any(
        token.kind == WORD and (token.text in _WATCHED or token.text in names.values)
        for token in tokens
    )
