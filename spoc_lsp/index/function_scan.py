"""What a function body can do to its module's namespace: names it declares ``global`` and
binds, and whether it writes ``globals()``/``vars()``/``locals()``.

Only bodies whose lines name one of these words are walked (most modules name none).
"""

from __future__ import annotations

import ast
import re
import unicodedata

from spoc_lsp.index.ast_patterns import namespace_write, targets

# ``global`` statements and ``globals()``/``vars()``/``locals()`` calls. A body whose lines hold
# none of these words (identifiers are never split across lines) has nothing to find.
SCAN_WORDS = re.compile(r"global|vars|locals")


def scan_lines(source: bytes, text: str) -> tuple[int, ...] | None:
    """The 1-based lines where a function body may hold what this module looks for, in order
    (``None``: walk every body)."""
    if source.isascii():
        if b"global" not in source and b"vars" not in source and b"locals" not in source:
            return ()
    elif not unicodedata.is_normalized("NFKC", text):
        # Identifiers are NFKC-normalised (``ｇｌｏｂａｌｓ`` is ``globals``): look at the
        # normalised text, and walk everything if the words appear there.
        return None if SCAN_WORDS.search(unicodedata.normalize("NFKC", text)) else ()
    elif SCAN_WORDS.search(text) is None:
        return ()
    numbers: list[int] = []
    line, counted = 1, 0
    for match in SCAN_WORDS.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if not numbers or numbers[-1] != line:
            numbers.append(line)
    return tuple(numbers)


class FunctionEffects:
    """What calling one function does to the module's globals."""

    __slots__ = ("bound", "writes_namespace")

    def __init__(self, bound: frozenset[str], writes_namespace: bool) -> None:
        self.bound = bound  # names declared ``global`` and assigned in the body
        self.writes_namespace = writes_namespace  # ``globals()[k] = v`` and the like


def function_effects(node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionEffects:
    """Names ``node`` declares ``global`` and assigns; whether it writes ``globals()``."""
    declared: set[str] = set()
    writes = False
    for inner in ast.walk(node):
        if isinstance(inner, ast.Global):
            declared.update(inner.names)
        elif namespace_write(inner):
            writes = True
    assigned: set[str] = set()
    if declared:
        assigned = {
            target.id
            for inner in ast.walk(node)
            if isinstance(inner, (ast.Assign, ast.AugAssign, ast.AnnAssign))
            for target in targets(inner)
            if isinstance(target, ast.Name)
        }
    return FunctionEffects(frozenset(declared & assigned), writes)
