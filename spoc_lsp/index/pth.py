"""Reading ``.pth`` files the way ``site.addpackage`` does, without ever executing a line.

A ``.pth`` line is a comment (``#``), blank, an ``import`` line (which ``site`` would ``exec``)
or a path relative to the site directory. The server must not run environment code, so
``import`` lines are only reported, except setuptools' editable-install hook, which is
recognised by its exact shape and modelled statically (see ``editable.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# setuptools writes exactly
# ``import __editable___<name>_finder; __editable___<name>_finder.install()``.
_EDITABLE_HOOK = re.compile(
    r"^import\s+(?P<module>__editable___\w+_finder)\s*;\s*(?P=module)\s*\.\s*install\(\s*\)\s*;?\s*$"
)


@dataclass(frozen=True)
class PthLine:
    """One meaningful line of a ``.pth`` file (1-based ``number``)."""

    number: int
    text: str
    kind: Literal["path", "import"]


def read_pth(file: Path) -> list[PthLine]:
    """The path and import lines of ``file``; an unreadable file has none (as in ``site``)."""
    try:
        # site.py decodes with the locale encoding; UTF-8 with surrogateescape never fails and
        # round-trips the bytes of any path.
        text = file.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return []
    lines: list[PthLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#") or line.strip() == "":
            continue
        if line.startswith(("import ", "import\t")):
            lines.append(PthLine(number, line.strip(), "import"))
        else:
            lines.append(PthLine(number, line.rstrip(), "path"))
    return lines


def editable_hook_module(line: str) -> str | None:
    """The finder module a setuptools editable-install import line installs, else ``None``."""
    match = _EDITABLE_HOOK.match(line.strip())
    return match.group("module") if match else None
