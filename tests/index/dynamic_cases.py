"""Shared helper for the dynamic-module tests: a small project on disk, every URI resolved
statically first, then imported for real (one forked child per URI)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spoc_index_testlib import RealOutcome, current_python, predicted_ok, real_imports, write_tree

from spoc.importer import project_search_roots
from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Resolution
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath


@dataclass(frozen=True)
class Verdicts:
    static: dict[str, Resolution]
    real: dict[str, RealOutcome]
    resolver: Resolver

    def agree(self) -> None:
        """No false error, and every static prediction is the real outcome."""
        for uri, resolution in self.static.items():
            predicted = predicted_ok(resolution)
            outcome = self.real[uri]
            assert predicted is None or predicted == outcome.ok, (uri, resolution, outcome)


def verdicts(
    root: Path,
    files: Mapping[str, str | bytes],
    uris: list[str],
    info: InterpreterInfo,
    spoc_dir: Path,
) -> Verdicts:
    write_tree(root, files)
    resolver = Resolver(SearchPath.build(root, info))
    static = {uri: resolver.resolve(uri) for uri in uris}
    real = real_imports(current_python(), project_search_roots(root.resolve()), uris, spoc_dir)
    return Verdicts(static, real, resolver)
