"""The two tree-sitter grammars, loaded once and lazily, with one parser per thread.

A ``Language`` is immutable and shared; a ``Parser`` holds parse state, so each thread that
parses gets its own (the language server may parse from more than one thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tree_sitter import Language, Parser, Tree

from spoc_lsp.syntax.source_text import ByteEdit

INCREMENTAL_EDITS = 4


def _toml_language() -> object:
    import tree_sitter_toml

    return tree_sitter_toml.language()


def _python_language() -> object:
    import tree_sitter_python

    return tree_sitter_python.language()


class Grammar:
    """A tree-sitter grammar: its language, loaded on first use, and per-thread parsers."""

    def __init__(self, load: Callable[[], object]) -> None:
        self._load = load
        self._language: Language | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def language(self) -> Language:
        if self._language is None:
            with self._lock:
                if self._language is None:
                    self._language = Language(self._load())
        return self._language

    def parser(self) -> Parser:
        parser: Parser | None = getattr(self._local, "parser", None)
        if parser is None:
            parser = Parser(self.language)
            self._local.parser = parser
        return parser

    def parse(self, data: bytes | bytearray) -> Tree:
        return self.parser().parse(bytes(data))

    def reparse(self, tree: Tree, data: bytes | bytearray, edits: list[ByteEdit]) -> Tree:
        """Parse again after same-length overwrites, reusing what did not change.

        Each ``Tree.edit`` costs time in the size of the tree: past a few edits, parsing
        afresh is cheaper.
        """
        if len(edits) > INCREMENTAL_EDITS:
            return self.parse(data)
        for edit in edits:
            tree.edit(
                start_byte=edit.start_byte,
                old_end_byte=edit.end_byte,
                new_end_byte=edit.end_byte,
                start_point=edit.start_point,
                old_end_point=edit.end_point,
                new_end_point=edit.end_point,
            )
        return self.parser().parse(bytes(data), tree)


TOML = Grammar(_toml_language)
PYTHON = Grammar(_python_language)
