"""What a hover shows about a definition, rendered from the syntax tree alone.

Rendering every definition's signature and docstring while summarising a module costs more
than the rest of the summary, and almost none is ever shown, so a summary keeps only where
each definition's header is (``Details``: line and column numbers) and renders it on first use,
from a re-read of the file and a parse of that header alone. The text is the same as rendering
from the module's own syntax tree: the header is cut from the same source at the positions
``ast`` reported, so it parses to the same nodes.
"""

from __future__ import annotations

import ast
import codecs
import threading
import tokenize
import zlib
from pathlib import Path
from typing import Final

_LIMIT = 400  # long defaults make unreadable hovers; the definition link shows the rest


def _unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # ast.unparse can fail on trees it did not expect; show nothing then
        return "..."


def _clip(text: str) -> str:
    return text if len(text) <= _LIMIT else text[: _LIMIT - 3] + "..."


def function_signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """``(request, *, strict=False) -> Response`` (``async`` prefixed for coroutines)."""
    text = f"({_unparse(node.args)})"
    if node.returns is not None:
        text += f" -> {_unparse(node.returns)}"
    if isinstance(node, ast.AsyncFunctionDef):
        text = "async " + text
    return _clip(text)


def class_signature(node: ast.ClassDef, style: str | None = None) -> str:
    """``class Name(Base, metaclass=Meta)``, then how to construct it when the class says:
    ``Name(a, b=1)`` from its ``__init__``, or from the fields of a dataclass, attrs or
    pydantic class (``style``: see ``constructor_style``; taken from ``node`` when ``None``)."""
    parts = [_unparse(base) for base in node.bases]
    for keyword in node.keywords:
        value = _unparse(keyword.value)
        parts.append(f"{keyword.arg}={value}" if keyword.arg else f"**{value}")
    header = _clip(f"class {node.name}({', '.join(parts)})" if parts else f"class {node.name}")
    constructor = _constructor(node, constructor_style(node) if style is None else style)
    return f"{header}\n{constructor}" if constructor else header


_FIELD_DECORATORS = {
    "dataclass": "dataclass",
    "s": "attrs",
    "attrs": "attrs",
    "define": "attrs",
    "mutable": "attrs",
    "frozen": "attrs",
}
_FIELD_BASES = frozenset({"BaseModel", "BaseSettings", "RootModel", "SQLModel"})


def constructor_style(node: ast.ClassDef) -> str:
    """``"dataclass"``, ``"attrs"`` or ``"pydantic"`` when the class builds its ``__init__``
    from annotated fields; ``""`` otherwise."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in _FIELD_DECORATORS and (name != "s" or isinstance(target, ast.Attribute)):
            return _FIELD_DECORATORS[name]
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name in _FIELD_BASES:
            return "pydantic"
    return ""


def _constructor(node: ast.ClassDef, style: str) -> str | None:
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "__init__":
            arguments = statement.args
            trimmed = ast.arguments(
                posonlyargs=arguments.posonlyargs[1:],
                args=arguments.args[1:] if not arguments.posonlyargs else arguments.args,
                vararg=arguments.vararg,
                kwonlyargs=arguments.kwonlyargs,
                kw_defaults=arguments.kw_defaults,
                kwarg=arguments.kwarg,
                defaults=arguments.defaults,
            )
            return _clip(f"{node.name}({_unparse(trimmed)})")
    if not style:
        return None
    fields: list[str] = []
    for statement in node.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        name = statement.target.id
        annotation = _unparse(statement.annotation)
        if "ClassVar" in annotation or (style == "pydantic" and name.startswith("_")):
            continue
        field = f"{name}: {annotation}"
        if statement.value is not None:
            field += " = ..."
        fields.append(field)
    return _clip(f"{node.name}({', '.join(fields)})")


def annotation_text(annotation: ast.expr | None) -> str | None:
    """A variable's annotation, as written."""
    return _clip(_unparse(annotation)) if annotation is not None else None


def first_paragraph(doc: str | None) -> str | None:
    """The docstring up to its first blank line (already dedented by ``ast.get_docstring``)."""
    if not doc:
        return None
    paragraph: list[str] = []
    for line in doc.strip().splitlines():
        if not line.strip():
            break
        paragraph.append(line.strip())
    return " ".join(paragraph) or None


def docstring(node: ast.AST) -> str | None:
    """The first paragraph of a module, class or function docstring."""
    if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    try:
        return first_paragraph(ast.get_docstring(node))
    except Exception:  # a malformed docstring node must not break the summary
        return None


# --- source text as the tokenizer sees it ---------------------------------------------------


def decode_source(source: bytes) -> str:
    """``source`` decoded as the interpreter would (BOM, PEP 263 coding cookie, else UTF-8);
    undecodable bytes are replaced."""
    end = source.find(b"\n")
    if end >= 0:
        end = source.find(b"\n", end + 1)
    head = source if end < 0 else source[:end]
    encoding = "utf-8"
    if source.startswith(codecs.BOM_UTF8) or b"coding" in head:
        try:
            encoding = tokenize.detect_encoding(iter(head.splitlines(keepends=True)).__next__)[0]
        except (SyntaxError, StopIteration):
            encoding = "utf-8"
    try:
        return source.decode(encoding, "replace")
    except LookupError:
        return source.decode("utf-8", "replace")


def unix_newlines(text: str) -> str:
    """``text`` with every line ending as ``\\n``: lines numbered as ``ast`` numbers them
    (only ``\\r\\n``, ``\\r`` and ``\\n`` end one; ``str.splitlines`` also splits at form
    feeds and other separators)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as ``ast`` numbers them (see ``unix_newlines``)."""
    return unix_newlines(text).split("\n")


def char_column(line: str, col_offset: int) -> int:
    """``ast``'s UTF-8 byte offset in ``line`` as a character offset."""
    if line.isascii():
        return col_offset
    return len(line.encode("utf-8")[:col_offset].decode("utf-8", "replace"))


# --- deferred rendering ---------------------------------------------------------------------


class SourceRef:
    """The file a summary was made from, and a checksum of the bytes it read then, so text
    rendered later comes from the same version of the file (or is not rendered at all)."""

    __slots__ = ("checksum", "path", "size")

    def __init__(self, path: Path, source: bytes) -> None:
        self.path = path
        self.size = len(source)
        self.checksum = zlib.crc32(source)

    def lines(self) -> list[str] | None:
        """The file's lines, if it still holds the bytes that were summarised."""
        try:
            source = self.path.read_bytes()
        except OSError:
            return None
        if len(source) != self.size or zlib.crc32(source) != self.checksum:
            return None
        return split_lines(decode_source(source))


FUNCTION: Final = 0  # a def: signature and docstring
CLASS: Final = 1  # a class: its bases as signature, and its docstring
ANNOTATION: Final = 2  # an annotated variable: the annotation as signature
MODULE: Final = 3  # a module: its docstring

_NOTHING: tuple[str | None, str | None] = (None, None)
_lock = threading.Lock()


class Details:
    """Where a definition's hover text is written, rendered on first use and then kept.

    The span runs from the definition's first token (``def``/``async``/``class``, the
    annotation, or the module docstring) to the end of its docstring, or to where its body
    starts when it has none (``needs_body``: a ``pass`` is added to make it parse).
    """

    __slots__ = (
        "_rendered",
        "col",
        "end_col",
        "end_line",
        "kind",
        "line",
        "name",
        "needs_body",
        "source",
        "style",
    )

    def __init__(
        self,
        source: SourceRef,
        kind: int,
        name: str | None,
        span: tuple[int, int, int, int],
        needs_body: bool = False,
        style: str = "",
    ) -> None:
        self.source = source
        self.style = style  # a class's constructor_style (its decorators are not in the span)
        self.kind = kind
        self.name = name
        self.line, self.col, self.end_line, self.end_col = span  # 1-based lines, UTF-8 columns
        self.needs_body = needs_body
        self._rendered: tuple[str | None, str | None] | None = None

    @classmethod
    def fixed(cls, source: SourceRef, signature: str | None, doc: str | None) -> Details:
        """Details rendered already (for the rare header that cannot be cut out alone)."""
        details = cls(source, FUNCTION, None, (0, 0, 0, 0))
        details._rendered = (signature, doc)
        return details

    @property
    def signature(self) -> str | None:
        return self._render()[0]

    @property
    def doc(self) -> str | None:
        return self._render()[1]

    def _render(self) -> tuple[str | None, str | None]:
        rendered = self._rendered
        if rendered is None:
            lines = self.source.lines()
            rendered = _NOTHING if lines is None else self.render(lines)
            with _lock:
                self._rendered = rendered
        return rendered

    def render(self, lines: list[str]) -> tuple[str | None, str | None]:
        """(signature, docstring) from the file's ``lines``."""
        snippet = self._snippet(lines)
        if snippet is None:
            return _NOTHING
        try:
            if self.kind == ANNOTATION:
                expression = ast.parse(f"({snippet})", mode="eval").body
                return annotation_text(expression), None
            if self.needs_body:
                snippet += "pass"
            tree = ast.parse(snippet)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return _NOTHING
        if self.kind == MODULE:
            return None, docstring(tree)
        node = tree.body[0] if tree.body else None
        if (
            self.kind == FUNCTION
            and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == self.name
        ):
            return function_signature(node), docstring(node)
        if self.kind == CLASS and isinstance(node, ast.ClassDef) and node.name == self.name:
            return class_signature(node, self.style), docstring(node)
        return _NOTHING

    def _snippet(self, lines: list[str]) -> str | None:
        if not (0 < self.line <= self.end_line <= len(lines)):
            return None
        first = lines[self.line - 1]
        start = char_column(first, self.col)
        last = lines[self.end_line - 1]
        end = char_column(last, self.end_col)
        if self.line == self.end_line:
            return first[start:end]
        middle = lines[self.line : self.end_line - 1]
        return "\n".join([first[start:], *middle, last[:end]])


def header_end(node: ast.stmt) -> tuple[int, int] | None:
    """Where the body of a ``def``/``class`` starts: its first statement, or the ``@`` of that
    statement's first decorator (a decorated definition's position is its ``def`` line).
    ``None`` when that cannot be placed."""
    body = getattr(node, "body", None)
    if not body:
        return None
    first = body[0]
    decorators: list[ast.expr] = getattr(first, "decorator_list", [])
    if decorators:
        return None  # the ``@`` may be far from the decorator's expression; render eagerly
    return first.lineno, first.col_offset


_DOCSTRING_TYPES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def docstring_statement(node: ast.AST) -> ast.Expr | None:
    """The statement holding ``node``'s docstring, if it has one."""
    if not isinstance(node, _DOCSTRING_TYPES) or not node.body:
        return None
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first
    return None


# --- where a summary's hover text is written (kept as positions, rendered on first use) -----


def source_span(start: ast.AST, end: ast.AST) -> tuple[int, int, int, int]:
    """From ``start``'s first character to ``end``'s last (1-based lines, UTF-8 columns)."""
    line: int = getattr(start, "lineno", 1)
    column: int = getattr(start, "col_offset", 0)
    end_line: int | None = getattr(end, "end_lineno", None)
    end_column: int | None = getattr(end, "end_col_offset", None)
    return line, column, end_line if end_line is not None else line, end_column or 0


def module_details(source: SourceRef, tree: ast.Module) -> Details | None:
    """Where the module docstring is, if there is one."""
    statement = docstring_statement(tree)
    if statement is None:
        return None
    return Details(source, MODULE, None, source_span(statement, statement))


def definition_details(
    source: SourceRef, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, kind: int
) -> Details:
    """Where a def or class header (and its docstring) is written; for a class, the whole
    class (its ``__init__`` or fields make the constructor line)."""
    if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
        span = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset or 0)
        return Details(source, kind, node.name, span, style=constructor_style(node))
    first = node.body[0]  # (the grammar gives every def and class a body)
    if type(first) is ast.Expr:
        value = first.value
        if type(value) is ast.Constant and type(value.value) is str:  # the docstring
            return Details(source, kind, node.name, source_span(node, first))
    end = header_end(node)
    if end is None:  # rare: render now
        if isinstance(node, ast.ClassDef):
            return Details.fixed(source, class_signature(node), docstring(node))
        return Details.fixed(source, function_signature(node), docstring(node))
    span = (node.lineno, node.col_offset, *end)
    return Details(source, kind, node.name, span, needs_body=True)


def annotation_details(source: SourceRef, annotation: ast.expr | None) -> Details | None:
    """Where a variable's annotation is written."""
    if annotation is None:
        return None
    return Details(source, ANNOTATION, None, source_span(annotation, annotation))
