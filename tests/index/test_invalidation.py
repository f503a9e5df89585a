"""Caches follow the disk after ``invalidate``; repeated resolves are memoised."""

from __future__ import annotations

import os
import time
from pathlib import Path

from spoc_index_testlib import write_tree

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath


def bump_mtime(path: Path) -> None:
    """Make sure a rewrite is visible even on file systems with coarse timestamps."""
    later = time.time() + 5
    os.utime(path, (later, later))


def test_created_changed_deleted(tmp_path: Path, interpreter_info: InterpreterInfo) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": ""})
    resolver = Resolver(SearchPath.build(tmp_path, interpreter_info))
    assert resolver.resolve("pkg.mod.f").status is Status.UNRESOLVED

    module = tmp_path / "pkg" / "mod.py"
    write_tree(tmp_path, {"pkg/mod.py": "def f():\n    pass\n"})
    bump_mtime(module.parent)
    assert resolver.resolve("pkg.mod.f").status is Status.UNRESOLVED  # memoised until told
    resolver.invalidate([module])
    resolved = resolver.resolve("pkg.mod.f")
    assert resolved.status is Status.RESOLVED
    assert module in resolver.depends_on("pkg.mod.f")
    assert resolver.affected(["pkg.mod.f"], [module]) == {"pkg.mod.f"}
    assert resolver.affected(["pkg.mod.f"], [tmp_path / "other" / "x.py"]) == set()

    module.write_text("def g():\n    pass\n")
    bump_mtime(module)
    resolver.invalidate([module])
    assert resolver.resolve("pkg.mod.f").status is Status.UNRESOLVED
    assert resolver.resolve("pkg.mod.g").status is Status.RESOLVED

    module.unlink()
    bump_mtime(module.parent)
    resolver.invalidate([module])
    failure = resolver.resolve("pkg.mod.g").failure
    assert failure is not None and failure.code == "SPOC001"


def test_warm_resolve_is_memoised(tmp_path: Path, interpreter_info: InterpreterInfo) -> None:
    write_tree(tmp_path, {"m.py": "x = 1\n"})
    resolver = Resolver(SearchPath.build(tmp_path, interpreter_info))
    first = resolver.resolve("m.x")
    assert resolver.resolve("m.x") is first
    resolver.refresh()
    again = resolver.resolve("m.x")
    assert again == first and again is not first


def test_summary_cache_is_bounded(tmp_path: Path, interpreter_info: InterpreterInfo) -> None:
    write_tree(tmp_path, {f"m{i}.py": f"x{i} = 1\n" for i in range(30)})
    resolver = Resolver(SearchPath.build(tmp_path, interpreter_info), summary_limit=10)
    for i in range(30):
        assert resolver.resolve(f"m{i}.x{i}").status is Status.RESOLVED
    assert resolver.cached_summaries() <= 10
