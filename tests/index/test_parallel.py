"""``Resolver.prefetch``: the same answers as resolving one URI at a time, on several cores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixture_project import CASES, build_project

from spoc_lsp.index import parallel
from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_project(tmp_path_factory.mktemp("parallel"))


def _resolver(project: tuple[Path, Path], info: InterpreterInfo) -> Resolver:
    root, extra = project
    return Resolver(SearchPath.build(root, info, [extra]))


def test_prefetch_answers_like_one_by_one(
    project: tuple[Path, Path], interpreter_info: InterpreterInfo
) -> None:
    uris = [case.uri for case in CASES] * 2 + [f"app.views.missing_{n}" for n in range(60)]
    serial = _resolver(project, interpreter_info)
    expected = {uri: serial.resolve(uri) for uri in uris}
    if not parallel.can_fork():
        pytest.skip("no fork here (another thread runs, or not POSIX)")
    forked = _resolver(project, interpreter_info)
    forked.prefetch(uris, processes=2)
    assert set(uris) <= set(forked._memo)  # answered by the prefetch, not later
    got = {uri: forked.resolve(uri) for uri in uris}
    assert got == expected
    assert {uri: forked.depends_on(uri) for uri in uris} == {
        uri: serial.depends_on(uri) for uri in uris
    }
    symbol = got["app.index"].symbol
    assert symbol is not None and symbol.doc == "Show the index."  # rendered after the trip


def test_prefetch_skips_small_batches_and_single_cpus(
    project: tuple[Path, Path], interpreter_info: InterpreterInfo
) -> None:
    resolver = _resolver(project, interpreter_info)
    resolver.prefetch(["app.index", "app.VALUE"], processes=2)
    resolver.prefetch([case.uri for case in CASES], processes=1)
    assert not resolver._memo


def test_a_failed_fork_is_made_up_for_here() -> None:
    parent = os.getpid()

    def resolve(uris: list[str]) -> list[parallel.Result]:
        if os.getpid() != parent:
            raise RuntimeError("the child dies")
        return [(uri, Resolution(uri, Status.RESOLVED), frozenset()) for uri in uris]

    if not parallel.can_fork():
        pytest.skip("no fork here")
    parts = [["a.x", "a.y"], ["b.x"], ["c.x"], ["d.x"]]
    results = parallel.run_groups(resolve, parts, 3)
    assert sorted(uri for uri, _, _ in results) == ["a.x", "a.y", "b.x", "c.x", "d.x"]


def test_groups_keep_each_top_level_package_together_unless_it_is_most_uris() -> None:
    uris = [f"pkg{n % 5}.mod.attr{n}" for n in range(500)]
    parts = parallel.groups(uris, 2)
    assert sorted(uri for part in parts for uri in part) == sorted(uris)
    assert [len(part) for part in parts] == [100] * 5
    assert all(len({uri.split(".")[0] for uri in part}) == 1 for part in parts)
    big = [f"big.sub{n % 7}.m.x{n}" for n in range(400)] + ["small.m.x"]
    parts = parallel.groups(big, 2)
    assert len(parts) == 8 and parts[-1] == ["small.m.x"]
    assert all(len({".".join(uri.split(".")[:2]) for uri in part}) == 1 for part in parts)
