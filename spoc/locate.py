"""Best-effort positions of string literals in config text, with the standard library only.

The runtime uses these to say on which line a failing plugin is listed. They never decide
anything: a string that cannot be found simply has no position. (The language server has its
own error-tolerant parsers with exact ranges.)
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable

Positions = dict[str, list[tuple[int, int]]]


def toml_string_positions(text: str) -> Positions:
    """Map each single-line string's content to its (line, column) positions, in file order.

    Lines and columns are 1-based; the column is the first character inside the quotes.
    Comments and multi-line strings are skipped.
    """
    found: Positions = defaultdict(list)
    for line_number, line in enumerate(text.splitlines(), start=1):
        index = 0
        while index < len(line):
            char = line[index]
            if char == "#":
                break
            if char in "\"'":
                if line.startswith(char * 3, index):
                    break  # multi-line strings never hold plugin URIs; skip the rest
                end = _closing_quote(line, index + 1, char)
                if end < 0:
                    break
                content = line[index + 1 : end]
                if char == '"':
                    content = _unescape_basic(content)
                found[content].append((line_number, index + 2))
                index = end + 1
                continue
            index += 1
    return dict(found)


def _closing_quote(line: str, start: int, quote: str) -> int:
    index = start
    while index < len(line):
        if quote == '"' and line[index] == "\\":
            index += 2
            continue
        if line[index] == quote:
            return index
        index += 1
    return -1


def _unescape_basic(content: str) -> str:
    if "\\" not in content:
        return content
    try:
        return str(ast.literal_eval('"' + content + '"'))
    except (ValueError, SyntaxError):
        return content


def python_string_positions(text: str) -> Positions:
    """Map each string constant of a Python source to its (line, column) positions, in order."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    return _constant_positions(text, tree, None)


def _constant_positions(text: str, tree: ast.Module, only: set[int] | None) -> Positions:
    lines = text.splitlines()
    found: Positions = defaultdict(list)
    nodes = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and (only is None or id(n) in only)
    ]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset))
    for node in nodes:
        assert isinstance(node.value, str)
        line = lines[node.lineno - 1] if node.lineno - 1 < len(lines) else ""
        # col_offset counts UTF-8 bytes; convert to characters, then step past the quote.
        column = len(line.encode("utf-8")[: node.col_offset].decode("utf-8", "replace"))
        found[node.value].append((node.lineno, column + 2))
    return dict(found)


def _is_plugins_header(line: str) -> bool:
    header = line.strip().lstrip("[").rstrip("]").replace(" ", "").replace('"', "")
    return header == "spoc.plugins" or header.startswith("spoc.plugins.")


def toml_plugin_positions(text: str) -> Positions:
    """Like :func:`toml_string_positions`, but only for strings in the plugins table.

    Lines outside ``[spoc.plugins]`` (and outside ``plugins = ...`` keys of ``[spoc]``) are
    blanked first, so an app name equal to a plugin URI cannot take its line.
    """
    kept: list[str] = []
    table = ""
    in_plugins_value = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped
            in_plugins_value = False
        in_table = _is_plugins_header(table)
        starts_plugins_key = table.replace(" ", "") == "[spoc]" and stripped.startswith("plugins")
        if starts_plugins_key:
            in_plugins_value = True
        elif stripped and not stripped.startswith("#") and "=" in stripped.split("#")[0]:
            in_plugins_value = (
                in_plugins_value and not stripped.split("=")[0].strip().isidentifier()
            )
        kept.append(line if in_table or in_plugins_value else "")
    return toml_string_positions("\n".join(kept))


def python_plugin_positions(text: str) -> Positions:
    """Positions of the string values in top-level statements that mention ``PLUGINS``
    (dict keys excluded), so an ``INSTALLED_APPS`` entry cannot take a plugin's line."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    keys: set[int] = set()
    wanted: set[int] = set()
    for statement in tree.body:
        names = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)}
        if "PLUGINS" not in names:
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Dict):
                keys.update(id(key) for key in node.keys if key is not None)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                wanted.add(id(node))
    wanted -= keys
    return _constant_positions(text, tree, wanted)


def locator(positions: Positions) -> Callable[[str, int], tuple[int, int] | None]:
    """A :data:`spoc.plugins.Locator` over precomputed positions."""

    def locate(value: str, occurrence: int) -> tuple[int, int] | None:
        places = positions.get(value, [])
        return places[occurrence] if occurrence < len(places) else None

    return locate


def toml_interface_lines(text: str) -> dict[str, int]:
    """The 1-based line of each ``group = ...`` key under ``[spoc.interfaces]`` (best effort:
    the plain ``[spoc.interfaces]`` table form only)."""
    found: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "").startswith("[spoc.interfaces]")
            continue
        if inside and "=" in stripped and not stripped.startswith("#"):
            key = stripped.split("=", 1)[0].strip().strip("\"'")
            found.setdefault(key, number)
    return found
