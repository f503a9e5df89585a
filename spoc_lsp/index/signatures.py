"""What a hover shows about a definition, rendered from the syntax tree alone."""

from __future__ import annotations

import ast

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


def class_signature(node: ast.ClassDef) -> str:
    """``class Name(Base, metaclass=Meta)``."""
    parts = [_unparse(base) for base in node.bases]
    for keyword in node.keywords:
        value = _unparse(keyword.value)
        parts.append(f"{keyword.arg}={value}" if keyword.arg else f"**{value}")
    return _clip(f"class {node.name}({', '.join(parts)})" if parts else f"class {node.name}")


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
