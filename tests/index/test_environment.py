"""The interpreter's path rebuilt statically: venvs, .pth files, editable installs, PYTHONPATH.

Each environment is compared with the REAL ``sys.path`` its interpreter builds with ``site``;
editable-install resolution is compared with real imports. A ``.pth`` ``import`` line that
writes a marker proves the server never executes one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from spoc_index_testlib import clean_environ, predicted_ok, real_imports, write_tree

from spoc_lsp.index.interpreter import (
    InterpreterError,
    InterpreterInfo,
    choose_interpreter,
    query_interpreter,
)
from spoc_lsp.index.model import Status
from spoc_lsp.index.resolver import Resolver, open_resolver
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.site_paths import IgnoredPthLine

PY310 = Path("/root/.pyenv/versions/3.10.13/bin/python")

# A finder module with setuptools' shape (MAPPING / NAMESPACES / PATH_PLACEHOLDER / install),
# written for these tests: the same lookup rules, so real imports behave as with setuptools.
FINDER_TEMPLATE = """
import sys
from importlib.machinery import ModuleSpec, PathFinder
from importlib.machinery import all_suffixes as module_suffixes
from importlib.util import spec_from_file_location
from pathlib import Path

MAPPING: dict[str, str] = {mapping!r}
NAMESPACES: dict[str, list[str]] = {namespaces!r}
PATH_PLACEHOLDER = {name!r} + ".__path_hook__"


class _Finder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname in MAPPING:
            base = Path(MAPPING[fullname])
            init = base / "__init__.py"
            if init.exists():
                return spec_from_file_location(fullname, init)
            for suffix in module_suffixes():
                candidate = base.with_suffix(suffix)
                if candidate.exists():
                    return spec_from_file_location(fullname, candidate)
            return None
        parent, _, child = fullname.rpartition(".")
        if parent and parent in MAPPING:
            return PathFinder.find_spec(fullname, path=[MAPPING[parent]])
        return None


class _NamespaceFinder:
    @classmethod
    def _path_hook(cls, path):
        if path == PATH_PLACEHOLDER:
            return cls
        raise ImportError

    @classmethod
    def find_spec(cls, fullname, target=None):
        if fullname in NAMESPACES:
            spec = ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = NAMESPACES[fullname] or [PATH_PLACEHOLDER]
            return spec
        return None


def install():
    if not any(finder == _Finder for finder in sys.meta_path):
        sys.meta_path.append(_Finder)
    if not NAMESPACES:
        return
    if not any(hook == _NamespaceFinder._path_hook for hook in sys.path_hooks):
        sys.path_hooks.append(_NamespaceFinder._path_hook)
    if PATH_PLACEHOLDER not in sys.path:
        sys.path.append(PATH_PLACEHOLDER)
"""


def make_venv(python: Path, target: Path, *, system_site: bool = False) -> Path:
    command = [str(python), "-m", "venv", "--without-pip", str(target)]
    if system_site:
        command.insert(3, "--system-site-packages")
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return target / "bin" / "python"


def site_packages(venv_python: Path) -> Path:
    found = sorted(venv_python.parent.parent.glob("lib/python3.*/site-packages"))
    assert found
    return found[0]


def real_sys_path(python: Path, cwd: Path, environ: dict[str, str]) -> list[str]:
    """``sys.path`` of a normal start (site runs), minus the script directory entry."""
    completed = subprocess.run(
        [str(python), "-c", "import sys, json; print(json.dumps(sys.path[1:]))"],
        cwd=cwd,
        env=environ,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return list(json.loads(completed.stdout))


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A venv holding an editable install (finder + .pth), legacy .pth paths and an evil .pth."""
    base = tmp_path_factory.mktemp("sandbox")
    python = make_venv(Path(sys.executable), base / "venv")
    site = site_packages(python)
    src = base / "src"
    write_tree(
        src,
        {
            "edpkg/__init__.py": "def ed():\n    pass\n",
            "edpkg/sub.py": "def deep():\n    pass\n",
            "edmod.py": "def solo():\n    pass\n",
            "edns/part.py": "def part():\n    pass\n",
            "shadowme/__init__.py": "from_editable = 1\n",
        },
    )
    mapping = {
        "edpkg": str(src / "edpkg"),
        "edmod": str(src / "edmod"),
        "shadowme": str(src / "shadowme"),
    }
    namespaces = {"edns": [str(src / "edns")]}
    finder_name = "__editable___edpkg_1_0_finder"
    write_tree(
        site,
        {
            f"{finder_name}.py": FINDER_TEMPLATE.format(
                mapping=mapping, namespaces=namespaces, name="__editable__.edpkg-1.0.finder"
            ),
            "__editable__.edpkg-1.0.pth": f"import {finder_name}; {finder_name}.install()\n",
            "shadowme.py": "from_site = 1\n",
            "zz_legacy.pth": f"# legacy\n{base / 'legacy'}\nrelative_dir\n/does/not/exist\n\n",
            "relative_dir/relmod.py": "def rel():\n    pass\n",
            "aa_evil.pth": (
                f"import pathlib; pathlib.Path({str(base / 'PTH_MARKER')!r}).write_text('ran')\n"
            ),
        },
    )
    write_tree(base / "legacy", {"legacymod.py": "def legacy():\n    pass\n"})
    project = base / "project"
    write_tree(project, {"plug.py": "import edpkg\nimport legacymod\ndef hook():\n    pass\n"})
    return {"python": python, "base": base, "site": site, "project": project}


def test_choose_interpreter(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").write_text("")
    env_dir = tmp_path / "env"
    (env_dir / "bin").mkdir(parents=True)
    (env_dir / "bin" / "python").write_text("")
    assert choose_interpreter(root, "/x/python", {}) == Path("/x/python")
    assert choose_interpreter(root, str(env_dir), {}) == env_dir / "bin" / "python"
    assert choose_interpreter(root, None, {"VIRTUAL_ENV": str(env_dir)}) == env_dir / "bin/python"
    assert choose_interpreter(root, None, {}) == root / ".venv" / "bin" / "python"
    assert choose_interpreter(tmp_path / "bare", None, {}) == Path(sys.executable)
    missing_env = {"VIRTUAL_ENV": str(tmp_path / "gone")}
    assert choose_interpreter(root, None, missing_env) == root / ".venv" / "bin" / "python"


def test_query_failure_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(InterpreterError):
        query_interpreter(fake, {})
    with pytest.raises(InterpreterError):
        query_interpreter(tmp_path / "missing", {})


def test_test_venv_path_matches_real(tmp_path: Path, interpreter_info: InterpreterInfo) -> None:
    real = real_sys_path(Path(sys.executable), tmp_path, clean_environ())
    assert [str(entry.path) for entry in interpreter_info.sys_path] == real
    assert interpreter_info.venv is not None
    assert interpreter_info.version[:2] == sys.version_info[:2]
    assert "sys" in interpreter_info.builtin_modules
    assert any(s.startswith(".cpython") for s in interpreter_info.extension_suffixes)


def test_sandbox_path_matches_real_and_never_runs_pth(sandbox: dict[str, Path]) -> None:
    marker = sandbox["base"] / "PTH_MARKER"
    info = query_interpreter(sandbox["python"], clean_environ(), cwd=sandbox["project"])
    assert not marker.exists(), "a .pth import line was executed"
    origins = {str(entry.path): entry.origin for entry in info.sys_path}
    assert origins[str(sandbox["base"] / "legacy")] == ".pth zz_legacy.pth"
    assert origins[str(sandbox["site"] / "relative_dir")] == ".pth zz_legacy.pth"
    assert [finder.module for finder in info.editable_finders] == ["__editable___edpkg_1_0_finder"]
    assert any("aa_evil.pth" in str(line.file) for line in info.ignored_pth_lines)
    real = real_sys_path(sandbox["python"], sandbox["project"], clean_environ())
    assert marker.exists(), "the real interpreter does run it (the test is meaningful)"
    assert [str(entry.path) for entry in info.sys_path] == real


def test_editable_install_resolution_matches_real(sandbox: dict[str, Path], spoc_dir: Path) -> None:
    info = query_interpreter(sandbox["python"], clean_environ(), cwd=sandbox["project"])
    resolver = Resolver(SearchPath.build(sandbox["project"], info))
    expected = {
        "edpkg.ed": Status.RESOLVED,
        "edpkg.sub.deep": Status.RESOLVED,
        "edpkg.nope": Status.UNRESOLVED,
        "edmod.solo": Status.RESOLVED,
        "edns.part.part": Status.RESOLVED,
        "edns.nothing": Status.UNRESOLVED,
        "shadowme.from_site": Status.RESOLVED,  # PathFinder runs before the editable finder
        "shadowme.from_editable": Status.UNRESOLVED,
        "legacymod.legacy": Status.RESOLVED,
        "relmod.rel": Status.RESOLVED,
        "plug.hook": Status.RESOLVED,
    }
    static = {uri: resolver.resolve(uri) for uri in expected}
    for uri, status in expected.items():
        assert static[uri].status is status, static[uri]
        assert not static[uri].import_problems, static[uri]
    edpkg = static["edpkg.ed"].symbol
    assert edpkg is not None and edpkg.definition is not None
    assert edpkg.definition.file == sandbox["base"] / "src/edpkg/__init__.py"
    real = real_imports(sandbox["python"], [sandbox["project"]], list(expected), spoc_dir)
    for uri, resolution in static.items():
        assert predicted_ok(resolution) == real[uri].ok, (uri, resolution, real[uri])


def test_system_site_packages_venv(tmp_path: Path) -> None:
    python = make_venv(Path(sys.executable), tmp_path / "venv", system_site=True)
    info = query_interpreter(python, clean_environ(), cwd=tmp_path)
    assert [str(e.path) for e in info.sys_path] == real_sys_path(python, tmp_path, clean_environ())
    assert len(info.site_packages) >= 2


def test_pythonpath_is_honoured(tmp_path: Path) -> None:
    extra = tmp_path / "pp"
    write_tree(extra, {"ppmod.py": "x = 1\n"})
    environ = clean_environ() | {"PYTHONPATH": f"{extra}{os.pathsep}relative"}
    info = query_interpreter(Path(sys.executable), environ, cwd=tmp_path)
    assert [str(e.path) for e in info.sys_path] == real_sys_path(
        Path(sys.executable), tmp_path, environ
    )
    assert info.sys_path[0].origin == "pythonpath"
    resolver = Resolver(SearchPath.build(tmp_path / "project", info))
    assert resolver.resolve("ppmod.x").status is Status.RESOLVED


@pytest.mark.skipif(not PY310.exists(), reason="no Python 3.10 here")
def test_python310_venv(tmp_path: Path, spoc_dir: Path) -> None:
    """On 3.10, -S does not apply pyvenv.cfg: the venv is found from the file, statically."""
    python = make_venv(PY310, tmp_path / "venv")
    write_tree(site_packages(python), {"only310.py": "def f():\n    pass\n"})
    info = query_interpreter(python, clean_environ(), cwd=tmp_path)
    assert info.version[:2] == (3, 10)
    assert [str(e.path) for e in info.sys_path] == real_sys_path(python, tmp_path, clean_environ())
    resolver = open_resolver(tmp_path, python, environ=clean_environ())
    uris = ["only310.f", "only310.g", "json.dumps", "tomllib"]
    static = {uri: resolver.resolve(uri) for uri in uris}
    assert static["tomllib"].status is Status.UNRESOLVED  # added in 3.11
    real = real_imports(python, [tmp_path], uris, spoc_dir)
    for uri in uris:
        assert predicted_ok(static[uri]) == real[uri].ok, (uri, static[uri], real[uri])


def test_startup_code_that_may_change_the_path_makes_misses_unverifiable(
    tmp_path: Path, interpreter_info: InterpreterInfo
) -> None:
    write_tree(tmp_path / "root", {"uses.py": "import not_here_zz\n"})
    plain = Resolver(SearchPath.build(tmp_path / "root", interpreter_info))
    assert plain.resolve("not_here_zz").status is Status.UNRESOLVED
    assert plain.resolve("uses").import_problems
    pth_line = IgnoredPthLine(tmp_path / "vendor.pth", 1, "import sys; sys.path.append('/x')")
    doubtful = dataclasses.replace(interpreter_info, ignored_pth_lines=(pth_line,))
    resolver = Resolver(SearchPath.build(tmp_path / "root", doubtful))
    missing = resolver.resolve("not_here_zz")
    assert missing.status is Status.UNVERIFIABLE
    assert missing.reason is not None and "vendor.pth" in missing.reason
    assert not resolver.resolve("uses").import_problems
    distutils_hack = IgnoredPthLine(tmp_path / "distutils-precedence.pth", 1, "import os; x")
    narrow = dataclasses.replace(interpreter_info, ignored_pth_lines=(distutils_hack,))
    resolver = Resolver(SearchPath.build(tmp_path / "root", narrow))
    assert resolver.resolve("not_here_zz").status is Status.UNRESOLVED
