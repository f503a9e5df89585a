"""Agreement with REAL imports over thousands of URIs from real installed libraries.

Two environments: the venv running the tests (pygls, lsprotocol, cattrs, attrs, pygments,
hypothesis, ...) and, when the package index is reachable, a venv built once and cached under
``.pytest_cache`` with requests, click, jinja2, six, idna and their dependencies. The real
imports run in the target venv's python, one subprocess per top-level package.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from real_uris import uris_for_package
from spoc_index_testlib import (
    RealOutcome,
    clean_environ,
    current_python,
    predicted_ok,
    real_imports,
)

from spoc_lsp.index.interpreter import InterpreterInfo, query_interpreter
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath

TEST_VENV_PACKAGES = (
    "attr",
    "attrs",
    "cattrs",
    "lsprotocol",
    "pygls",
    "pygments",
    "packaging",
    "typing_extensions",
    "sortedcontainers",
    "pluggy",
    "iniconfig",
    "hypothesis",
    "pathspec",
    "tomli",
    "mypy_extensions",
)
CACHED_VENV_REQUIREMENTS = ("requests", "click", "jinja2", "six", "idna")
CACHED_VENV_PACKAGES = (
    "requests",
    "urllib3",
    "idna",
    "certifi",
    "charset_normalizer",
    "click",
    "jinja2",
    "markupsafe",
    "six",
)


@dataclass
class Tally:
    total: int = 0
    agree: int = 0
    unverifiable: int = 0
    unverifiable_real_ok: int = 0
    disagreements: list[tuple[str, Resolution, RealOutcome]] = field(default_factory=list)
    false_errors: list[tuple[str, Resolution, RealOutcome]] = field(default_factory=list)

    def add(self, uri: str, resolution: Resolution, outcome: RealOutcome) -> None:
        self.total += 1
        expected = predicted_ok(resolution)
        if expected is None:
            self.unverifiable += 1
            self.unverifiable_real_ok += outcome.ok
            return
        if expected == outcome.ok:
            self.agree += 1
            return
        self.disagreements.append((uri, resolution, outcome))
        if outcome.ok:
            self.false_errors.append((uri, resolution, outcome))

    @property
    def decided(self) -> int:
        return self.total - self.unverifiable

    @property
    def agreement(self) -> float:
        return self.agree / self.decided if self.decided else 1.0

    def report(self, label: str) -> str:
        lines = [
            f"[{label}] URIs: {self.total}, decided: {self.decided}, "
            f"agreement: {self.agreement:.4%}, unverifiable: {self.unverifiable} "
            f"(real ok: {self.unverifiable_real_ok}), false errors: {len(self.false_errors)}"
        ]
        for uri, resolution, outcome in self.disagreements[:40]:
            said = resolution.status.value
            if resolution.import_problems:
                said += f" + SPOC007 {resolution.import_problems[0].message}"
            if resolution.failure is not None:
                said += f" {resolution.failure.code}"
            lines.append(f"    {uri}: static {said}; real ok={outcome.ok} {outcome.detail[:120]}")
        return "\n".join(lines)


def _site_dir(info: InterpreterInfo) -> Path:
    for directory in info.site_packages:
        if directory.name == "site-packages":
            return directory
    pytest.skip("no site-packages directory")


def _agreement(
    python: Path, packages: tuple[str, ...], spoc_dir: Path, root: Path
) -> tuple[Tally, InterpreterInfo]:
    info = query_interpreter(python, clean_environ(), cwd=root)
    site_dir = _site_dir(info)
    resolver = Resolver(SearchPath.build(root, info))
    tally = Tally()
    for top in packages:
        uris = uris_for_package(site_dir, top, info.extension_suffixes)
        if not uris:
            continue
        static = {uri: resolver.resolve(uri) for uri in uris}
        real = real_imports(python, [root], uris, spoc_dir, isolate=False)
        for uri in uris:
            tally.add(uri, static[uri], real[uri])
    return tally, info


def _check(tally: Tally, label: str) -> None:
    print(tally.report(label))
    assert tally.total >= 1000
    assert not tally.false_errors, tally.report(label)
    assert tally.agreement >= 0.995, tally.report(label)


def test_agreement_in_the_test_venv(spoc_dir: Path, tmp_path: Path) -> None:
    tally, _info = _agreement(current_python(), TEST_VENV_PACKAGES, spoc_dir, tmp_path)
    _check(tally, "test venv")


@pytest.fixture(scope="session")
def cached_venv(request: pytest.FixtureRequest) -> Path:
    """A venv with a few popular libraries, built once and kept in the pytest cache."""
    directory = Path(str(request.config.cache.mkdir("spoc-index-agreement-venv")))
    python = directory / "venv" / "bin" / "python"
    ready = directory / "READY"
    wanted = " ".join(CACHED_VENV_REQUIREMENTS)
    if ready.exists() and ready.read_text() == wanted and python.exists():
        return python
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(directory / "venv")],
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *CACHED_VENV_REQUIREMENTS],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"cannot build the cached venv (no package index?): {error}")
    ready.write_text(wanted)
    return python


def test_agreement_in_a_cached_venv(cached_venv: Path, spoc_dir: Path, tmp_path: Path) -> None:
    tally, info = _agreement(cached_venv, CACHED_VENV_PACKAGES, spoc_dir, tmp_path)
    assert info.venv is not None
    _check(tally, "cached venv")


def test_unverifiable_is_reported_not_hidden(spoc_dir: Path, tmp_path: Path) -> None:
    """Compiled modules exist but their attributes are unknown: never an error."""
    info = query_interpreter(current_python(), clean_environ(), cwd=tmp_path)
    resolver = Resolver(SearchPath.build(tmp_path, info))
    compiled = resolver.resolve("_json.make_scanner")  # no stub, no twin beside it
    assert compiled.status is Status.UNVERIFIABLE
    assert compiled.reason and "compiled" in compiled.reason
    # mypyc ships nodes.py beside the compiled nodes module: read through that twin (#14.5).
    twin = resolver.resolve("mypy.nodes.Node")
    assert twin.status is Status.RESOLVED
    assert twin.symbol is not None and twin.symbol.definition is not None
    assert twin.symbol.definition.file is not None
    assert twin.symbol.definition.file.name == "nodes.py"
