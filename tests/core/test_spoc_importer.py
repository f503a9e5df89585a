"""``spoc.importer``: the import path of a project and the resolution of a URI (CONTRACT §1,
"Import path", "URI" and "Resolution")."""

from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FunctionType, ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spoc.errors import PluginImportError, SpocError, UriError
from spoc.importer import (
    Importer,
    install_search_roots,
    load_from_uri,
    project_search_roots,
    validate_uri,
)
from spoc.uri import is_valid_uri, split_uri, uri_problem

pytestmark = pytest.mark.usefixtures("isolated_imports")

Package = Callable[[Mapping[str, str]], str]


@pytest.fixture
def package(tmp_path: Path) -> Package:
    """Write a package with a fresh, unique name on ``sys.path``; return its name.

    Files are given relative to the package directory (``"__init__.py"``, ``"sub/mod.py"``).
    """
    sys.path.insert(0, str(tmp_path))

    def make(files: Mapping[str, str]) -> str:
        name = f"spoc_test_{uuid.uuid4().hex[:12]}"
        for relative, text in {"__init__.py": "", **files}.items():
            path = tmp_path / name / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        importlib.invalidate_caches()
        return name

    return make


def failure(uri: str) -> PluginImportError:
    with pytest.raises(PluginImportError) as caught:
        load_from_uri(uri)
    assert caught.value.uri == uri
    return caught.value


# --- what a URI resolves to ---------------------------------------------------------------------


def test_function_class_instance_and_module(package: Package) -> None:
    pkg = package(
        {
            "mod.py": (
                "def func():\n    return 'called'\n\n"
                "class Klass:\n    pass\n\n"
                "instance = Klass()\n"
                "CONSTANT = 42\n"
            )
        }
    )
    func = load_from_uri(f"{pkg}.mod.func")
    assert isinstance(func, FunctionType)
    assert func() == "called"
    klass = load_from_uri(f"{pkg}.mod.Klass")
    assert isinstance(klass, type)
    assert isinstance(load_from_uri(f"{pkg}.mod.instance"), klass)
    assert load_from_uri(f"{pkg}.mod.CONSTANT") == 42
    module = load_from_uri(f"{pkg}.mod")
    assert isinstance(module, ModuleType)
    assert module is sys.modules[f"{pkg}.mod"]


def test_a_uri_without_a_dot_is_a_module(package: Package) -> None:
    pkg = package({})
    assert load_from_uri(pkg) is sys.modules[pkg]
    assert load_from_uri("json") is sys.modules["json"]


def test_attribute_first_then_submodule(package: Package) -> None:
    pkg = package({"__init__.py": "from .impl import run\n", "impl.py": "def run():\n    pass\n"})
    run = load_from_uri(f"{pkg}.run")
    assert run is sys.modules[f"{pkg}.impl"].run


def test_submodule_its_package_never_imports_still_loads(package: Package) -> None:
    pkg = package(
        {
            "__init__.py": '"""Imports nothing."""\n',
            "hidden.py": "VALUE = 'hidden'\n",
            "deep/__init__.py": "",
            "deep/er.py": "VALUE = 'deeper'\n",
        }
    )
    assert not hasattr(importlib.import_module(pkg), "hidden")
    hidden = load_from_uri(f"{pkg}.hidden")
    assert isinstance(hidden, ModuleType)
    assert hidden.VALUE == "hidden"
    deeper = load_from_uri(f"{pkg}.deep.er")
    assert isinstance(deeper, ModuleType)
    assert deeper.VALUE == "deeper"


def test_a_package_attribute_shadowing_a_submodule_wins(package: Package) -> None:
    pkg = package({"__init__.py": "helpers = 'the attribute'\n", "helpers.py": "X = 1\n"})
    assert load_from_uri(f"{pkg}.helpers") == "the attribute"
    assert f"{pkg}.helpers" not in sys.modules  # the submodule was never imported


def test_an_attribute_is_not_a_module_to_import_from(package: Package) -> None:
    """``pkg.tool.name`` where ``pkg`` has an attribute ``tool`` but no submodule ``tool``: the
    runtime imports ``pkg.tool`` as a module, which fails exactly as in the import system."""
    pkg = package({"__init__.py": "def tool():\n    pass\n\ntool.name = 'attr of attr'\n"})
    assert callable(load_from_uri(f"{pkg}.tool"))
    with pytest.raises(ModuleNotFoundError) as real:
        importlib.import_module(f"{pkg}.tool")

    error = failure(f"{pkg}.tool.name")
    assert isinstance(error.__cause__, ModuleNotFoundError)
    assert error.__cause__.name == real.value.name == f"{pkg}.tool"
    assert str(error) == f"no module named '{pkg}.tool'"


def test_a_plain_module_has_no_submodules(package: Package) -> None:
    pkg = package({"plain.py": "X = 1\n"})
    error = failure(f"{pkg}.plain.Y")
    assert str(error) == f"module '{pkg}.plain' has no attribute or submodule 'Y'"
    assert isinstance(error.__cause__, ModuleNotFoundError)


# --- what fails, and how ------------------------------------------------------------------------


def test_missing_attribute(package: Package) -> None:
    pkg = package({"mod.py": "def present():\n    pass\n"})
    error = failure(f"{pkg}.mod.absent")
    assert str(error) == f"module '{pkg}.mod' has no attribute or submodule 'absent'"
    assert isinstance(error.__cause__, ModuleNotFoundError)


def test_missing_top_level_module() -> None:
    name = f"spoc_missing_{uuid.uuid4().hex[:12]}"
    error = failure(f"{name}.middleware.auth")
    assert str(error) == f"no module named '{name}'"
    assert isinstance(error.__cause__, ModuleNotFoundError)
    assert failure(name).message == f"no module named '{name}'"


def test_missing_middle_segment(package: Package) -> None:
    pkg = package({"middleware/__init__.py": ""})
    error = failure(f"{pkg}.midleware.timing")
    assert str(error) == f"no module named '{pkg}.midleware'"


def test_syntax_error_in_the_module_is_chained(package: Package) -> None:
    pkg = package({"broken.py": "def f(\n"})
    for uri in (f"{pkg}.broken.f", f"{pkg}.broken"):
        error = failure(uri)
        assert isinstance(error.__cause__, SyntaxError)
        assert "SyntaxError" in str(error)


def test_exception_raised_at_import_is_chained(package: Package) -> None:
    pkg = package({"angry.py": "raise RuntimeError('boom at import')\n"})
    error = failure(f"{pkg}.angry.thing")
    assert isinstance(error.__cause__, RuntimeError)
    assert str(error) == f"importing '{pkg}.angry' raised RuntimeError: boom at import"


@pytest.mark.parametrize("uri_suffix", [".needs.thing", ".needs"])
def test_missing_dependency_names_the_dependency(package: Package, uri_suffix: str) -> None:
    missing = f"spoc_not_installed_{uuid.uuid4().hex[:8]}"
    pkg = package({"needs.py": f"import {missing}\n\nthing = 1\n"})
    error = failure(pkg + uri_suffix)
    assert isinstance(error.__cause__, ModuleNotFoundError)
    assert error.__cause__.name == missing
    assert f"No module named '{missing}'" in str(error)
    assert str(error).startswith(f"importing '{pkg}.needs' failed: ModuleNotFoundError")


def test_plugin_import_error_is_an_import_error_and_a_spoc_error(package: Package) -> None:
    error = failure(f"{package({})}.nothing")
    assert isinstance(error, ImportError)
    assert isinstance(error, SpocError)


# --- URI validation -----------------------------------------------------------------------------

INVALID_URIS = [
    "",
    " ",
    "a..b",
    ".a",
    "a.",
    "a. b",
    "a .b",
    " a.b",
    "a.b ",
    "a b",
    "a:b",
    "a.b:c",
    "a-b.c",
    "1a.b",
    "a.2b",
    "a/b",
    "a.b()",
]


@pytest.mark.parametrize("uri", INVALID_URIS)
def test_invalid_uris_raise_uri_error(uri: str) -> None:
    with pytest.raises(UriError) as caught:
        load_from_uri(uri)
    assert caught.value.uri == uri
    assert isinstance(caught.value, ValueError)
    assert caught.value.reason
    assert repr(uri) in str(caught.value)
    with pytest.raises(UriError):
        Importer().load(uri)


@pytest.mark.parametrize("value", [None, 3, b"a.b", ["a.b"]])
def test_non_strings_raise_uri_error(value: object) -> None:
    with pytest.raises(UriError, match="must be a string"):
        validate_uri(value)


@pytest.mark.parametrize("uri", ["a", "a.b", "_private.x_1", "pkg.mod.Class", "ünïcode.ok"])
def test_valid_uris(uri: str) -> None:
    assert is_valid_uri(uri)
    assert validate_uri(uri) == uri
    assert uri_problem(uri) is None


@given(st.text(alphabet=st.sampled_from("ab_1. -:é\t"), max_size=12))
def test_a_uri_is_identifiers_joined_by_dots(text: str) -> None:
    expected = text != "" and all(segment.isidentifier() for segment in text.split("."))
    assert is_valid_uri(text) == expected


def test_split_uri() -> None:
    assert split_uri("a.b.c") == ("a.b", "c")
    assert split_uri("a.b") == ("a", "b")
    assert split_uri("a") == (None, "a")


# --- the import path ----------------------------------------------------------------------------


def test_apps_then_root_go_in_front(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    path = ["/usr/lib/python", "/site-packages"]
    placed = install_search_roots(tmp_path, path)
    assert placed == [str(tmp_path / "apps"), str(tmp_path)]
    assert path == [str(tmp_path / "apps"), str(tmp_path), "/usr/lib/python", "/site-packages"]


def test_without_apps_only_the_root_and_nothing_is_created(tmp_path: Path) -> None:
    before = sorted(tmp_path.iterdir())
    path = ["/usr/lib/python"]
    assert install_search_roots(tmp_path, path) == [str(tmp_path)]
    assert path == [str(tmp_path), "/usr/lib/python"]
    assert sorted(tmp_path.iterdir()) == before
    assert project_search_roots(tmp_path) == [tmp_path]


def test_an_apps_file_is_not_an_apps_directory(tmp_path: Path) -> None:
    (tmp_path / "apps").write_text("not a directory")
    assert project_search_roots(tmp_path) == [tmp_path]


def test_never_adds_the_same_path_twice(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    apps, root = str(tmp_path / "apps"), str(tmp_path)
    path = ["/first", root, "/middle", apps, "/last", root]
    install_search_roots(tmp_path, path)
    install_search_roots(tmp_path, path)
    assert path == [apps, root, "/first", "/middle", "/last"]


def test_default_target_is_sys_path(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    install_search_roots(tmp_path)
    install_search_roots(tmp_path)
    assert sys.path[:2] == [str(tmp_path / "apps"), str(tmp_path)]
    assert sys.path.count(str(tmp_path)) == 1


def test_importer_setup_path(tmp_path: Path) -> None:
    assert Importer().setup_path() == []
    importer = Importer(tmp_path / "." / "sub" / "..")
    assert importer.root == tmp_path.resolve()
    assert importer.setup_path() == [str(tmp_path.resolve())]
    assert sys.path[0] == str(tmp_path.resolve())


def test_project_modules_load_through_the_importer(tmp_path: Path) -> None:
    name = f"app_{uuid.uuid4().hex[:12]}"
    (tmp_path / "apps" / name).mkdir(parents=True)
    (tmp_path / "apps" / name / "__init__.py").write_text("VALUE = 'from apps'\n")
    importer = Importer(tmp_path)
    importer.setup_path()
    importlib.invalidate_caches()
    assert importer.load_from_uri(f"{name}.VALUE") == "from apps"
    assert importer.load(name).__name__ == name
