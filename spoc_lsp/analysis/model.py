"""Plain data the analysis answers with; the LSP layer and the CLI convert it, nothing more."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from spoc.plugins import SourceKind
from spoc_lsp.index.model import Child, Resolution, SymbolKind
from spoc_lsp.syntax.model import Severity, Span

if TYPE_CHECKING:
    from spoc_lsp.index.search_path import SearchPath


@dataclass(frozen=True)
class TextEdit:
    file: Path
    span: Span
    new_text: str


@dataclass(frozen=True)
class EditSet:
    """The edits of a rename or a file move (Python and config files, applied as one), and
    notes on what was left alone."""

    edits: tuple[TextEdit, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    """A quick fix: a title and the edits that apply it."""

    title: str
    edits: tuple[TextEdit, ...]
    preferred: bool = False


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one file, with where it is and what to do."""

    file: Path
    span: Span
    severity: Severity
    code: str
    message: str
    uri: str | None = None
    group: str | None = None
    source: SourceKind | None = None
    fixes: tuple[Fix, ...] = ()


@dataclass(frozen=True)
class Target:
    """A place to jump to (0-based line and column)."""

    file: Path
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Completion:
    """One completion candidate for the segment being typed."""

    label: str
    kind: SymbolKind
    detail: str
    replace: Span
    sort_key: str
    qualified_name: str  # the full dotted name, for lazily resolving documentation
    documentation: str | None = None  # known at once (an interface kind): nothing to resolve


@dataclass(frozen=True)
class Hover:
    markdown: str
    span: Span


@dataclass(frozen=True)
class InlayHint:
    """A label shown right after a URI string (``at`` is the position after its closing quote)."""

    file: Path
    line: int
    column: int
    label: str
    tooltip: str


class Resolving(Protocol):
    """What the analysis and the server need of the static resolver (``spoc_lsp.index``):
    every resolver has all of it, so no caller tests for a concrete class."""

    @property
    def search_path(self) -> SearchPath:
        """The ordered search path answers come from (and which files are the project's)."""
        ...

    def resolve(self, uri: str) -> Resolution: ...

    def children(self, module: str | None) -> list[Child]: ...

    def affected(self, uris: Iterable[str], paths: Iterable[Path]) -> set[str]:
        """Which of ``uris`` read any of ``paths`` when last resolved."""
        ...

    def invalidate(self, paths: Iterable[Path]) -> None:
        """Forget what was read from ``paths``."""
        ...

    def depends_on(self, uri: str) -> frozenset[Path]:
        """The files and directories the answer for ``uri`` was computed from."""
        ...
