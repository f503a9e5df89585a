"""The resolver's verdict on a purpose-built project, case by case, against REAL imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_project import CASES, Case, build_project
from spoc_index_testlib import RealOutcome, current_python, predicted_ok, real_imports

from spoc.importer import project_search_roots
from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_project(tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="module")
def resolver(project: tuple[Path, Path], interpreter_info: InterpreterInfo) -> Resolver:
    root, extra = project
    return Resolver(SearchPath.build(root, interpreter_info, [extra]))


@pytest.fixture(scope="module")
def static(resolver: Resolver) -> dict[str, Resolution]:
    """Every case resolved BEFORE any real import touches the project."""
    return {case.uri: resolver.resolve(case.uri) for case in CASES}


@pytest.fixture(scope="module")
def real(
    project: tuple[Path, Path], static: dict[str, Resolution], spoc_dir: Path
) -> dict[str, RealOutcome]:
    root, extra = project
    roots = [*project_search_roots(root.resolve()), extra]
    uris = [case.uri for case in CASES if case.real]
    return dict(real_imports(current_python(), roots, uris, spoc_dir))


@pytest.mark.parametrize("case", CASES, ids=[case.uri for case in CASES])
def test_static_verdict(case: Case, static: dict[str, Resolution]) -> None:
    resolution = static[case.uri]
    assert resolution.status.value == case.status, resolution
    if case.status == "resolved" and case.detail:
        assert resolution.symbol is not None
        assert resolution.symbol.kind == case.detail, resolution
    if case.status == "unresolved" and case.detail:
        assert resolution.failure is not None
        assert resolution.failure.code == case.detail, resolution
    assert bool(resolution.import_problems) == case.problems, resolution


@pytest.mark.parametrize("case", [c for c in CASES if c.real], ids=[c.uri for c in CASES if c.real])
def test_agrees_with_real_import(
    case: Case, static: dict[str, Resolution], real: dict[str, RealOutcome]
) -> None:
    resolution = static[case.uri]
    outcome = real[case.uri]
    expected = predicted_ok(resolution)
    if expected is None:
        pytest.skip(f"unverifiable ({resolution.reason}); real import ok={outcome.ok}")
    assert expected == outcome.ok, (resolution, outcome)


def test_unverifiable_cases_are_recorded(
    static: dict[str, Resolution], real: dict[str, RealOutcome]
) -> None:
    """Unverifiable answers are never errors; list how the real imports turned out."""
    rows = [
        (uri, real[uri].ok)
        for uri, resolution in static.items()
        if resolution.status is Status.UNVERIFIABLE and uri in real
    ]
    print("unverifiable:", rows)
    assert rows, "the fixture has unverifiable cases"
