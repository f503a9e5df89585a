"""Following the project modules a settings module imports (split settings), as they run.

``from .base import *``, ``from .base import PLUGINS``, ``from config.common import BASE``,
``import config.common as common``: a module of the project (never of the environment: the
caller's :class:`~model.ModuleSource` decides) is read and run statically at the import, once
(a second import gets the same module, as ``sys.modules`` gives it), with its own names and
its own ``PLUGINS``, which the importer then shares (one object, as at runtime). A module that
cannot be found, or that is being run already (a circular import), is reported (SPOC006) and
not followed; nothing is executed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from spoc_lsp.syntax.builder import ResultBuilder
from spoc_lsp.syntax.model import ModuleSource, Span

if TYPE_CHECKING:  # (the reader runs imports through this module: no import at runtime)
    from spoc_lsp.syntax.py_plugins import SettingsReader

Run = Callable[[Path, str], "SettingsReader"]


class Imports:
    """The modules run so far (by file), and the ones running now (for cycles)."""

    def __init__(self, builder: ResultBuilder, source: ModuleSource | None, run: Run) -> None:
        self.builder = builder
        self.source = source
        self.run = run
        self.done: dict[Path, SettingsReader] = {}
        self.running: list[Path] = []

    def module(
        self, importer: Path | None, name: str, level: int, span: Span, quiet: bool = False
    ) -> SettingsReader | None:
        """The module ``importer`` imports as ``name`` (``level`` leading dots), run; None
        when it is not followed (reported unless ``quiet`` or it is not a project module)."""
        if self.source is None or importer is None:
            return None
        shown = "." * level + name
        found = self.source.find(importer, name, level)
        if isinstance(found, str):
            if level and not quiet:  # (an absolute import may be of the environment: silent)
                self._not_followed(f"{found}; what '{shown}' defines is not checked", span)
            return None
        if found in self.done:
            return self.done[found]
        if found in self.running or found == self.builder.file:
            if not quiet:
                self._not_followed(
                    f"'{shown}' is imported while it runs (a circular import); what it "
                    "defines is not checked",
                    span,
                )
            return None
        text = self.source.read(found)
        if text is None:
            if not quiet:
                self._not_followed(f"cannot read '{shown}'; what it defines is not checked", span)
            return None
        self.builder.modules_read.append((found, text))
        previous, self.builder.current = self.builder.current, found
        self.running.append(found)
        try:
            reader = self.run(found, text)
        finally:
            self.running.pop()
            self.builder.current = previous
        self.done[found] = reader
        return reader

    def _not_followed(self, message: str, span: Span) -> None:
        self.builder.problem("SPOC006", message, span, "information")
