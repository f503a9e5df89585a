"""FileFinder / PathFinder precedence, checked statically and (where importable) for real."""

from __future__ import annotations

import importlib.machinery
import py_compile
import zipfile
from pathlib import Path

import pytest
from spoc_index_testlib import current_python, real_imports, write_tree

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath

EXT = importlib.machinery.EXTENSION_SUFFIXES[0]  # e.g. .cpython-311-x86_64-linux-gnu.so


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("precedence")
    root, extra = base / "root", base / "extra"
    write_tree(
        root,
        {
            "both/__init__.py": "from_package = 1\n",
            "both.py": "from_module = 1\n",
            "nsfirst/readme.txt": "",  # namespace portion here...
            "Casey.py": "x = 1\n",
            "onlystub.pyi": "x: int\n",
            "srcwins.py": "from_source = 1\n",
            "fastwins" + EXT: b"",
            "fastwins.py": "from_source = 1\n",
            "pycpkg/__init__.py": "",
            "split/one.py": "a = 1\n",
        },
    )
    write_tree(
        extra,
        {
            "nsfirst.py": "from_later_module = 1\n",  # ...but a later regular module wins
            "split/two.py": "b = 1\n",
        },
    )
    # A sourceless module next to a source one: source wins; __pycache__ is never a candidate.
    py_compile.compile(str(root / "srcwins.py"), cfile=str(root / "srcwins.pyc"), doraise=True)
    write_tree(root, {"cached_only/__init__.py": "", "cached_only/mod.py": "y = 1\n"})
    py_compile.compile(str(root / "cached_only/mod.py"), doraise=True)  # into __pycache__
    (root / "cached_only/mod.py").unlink()
    return root, extra


@pytest.fixture(scope="module")
def resolver(layout: tuple[Path, Path], interpreter_info: InterpreterInfo) -> Resolver:
    root, extra = layout
    return Resolver(SearchPath.build(root, interpreter_info, [extra]))


CASES = [
    ("both.from_package", Status.RESOLVED),
    ("both.from_module", Status.UNRESOLVED),
    ("nsfirst.from_later_module", Status.RESOLVED),
    ("Casey.x", Status.RESOLVED),
    ("casey", Status.UNRESOLVED),
    ("onlystub", Status.UNRESOLVED),
    ("srcwins.from_source", Status.RESOLVED),
    ("cached_only.mod", Status.UNRESOLVED),
    ("split.one.a", Status.RESOLVED),
    ("split.two.b", Status.RESOLVED),
]


@pytest.mark.parametrize(("uri", "status"), CASES)
def test_precedence(resolver: Resolver, uri: str, status: Status) -> None:
    assert resolver.resolve(uri).status is status, resolver.resolve(uri)


def test_precedence_matches_real(
    resolver: Resolver, layout: tuple[Path, Path], spoc_dir: Path
) -> None:
    root, extra = layout
    real = real_imports(current_python(), [root, extra], [uri for uri, _ in CASES], spoc_dir)
    for uri, status in CASES:
        assert real[uri].ok == (status is Status.RESOLVED), (uri, real[uri])


def test_extension_beats_source(resolver: Resolver) -> None:
    """Extensions come first in FileFinder's loader order (compared statically only); the
    source beside it is read as its pure-Python twin for names (#14 item 5)."""
    resolution = resolver.resolve("fastwins.from_source")
    assert resolution.status is Status.RESOLVED
    missing = resolver.resolve("fastwins.not_there")
    assert missing.failure is not None
    assert "compiled module, read through its pure-Python twin" in missing.failure.message
    module = resolver.resolve("fastwins")
    assert module.symbol is not None and module.symbol.definition is not None
    assert module.symbol.definition.file is not None
    assert module.symbol.definition.file.name == "fastwins" + EXT


def test_namespace_merges_portions(resolver: Resolver, layout: tuple[Path, Path]) -> None:
    names = {child.name for child in resolver.children("split")}
    assert names == {"one", "two"}


def test_zip_archive_on_the_path_makes_misses_unverifiable(
    tmp_path: Path, interpreter_info: InterpreterInfo
) -> None:
    """Archives are not inspected: a name may hide in one, so a miss is not an error."""
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("zipped.py", "x = 1\n")
    write_tree(tmp_path / "root", {"here.py": "y = 1\n"})
    resolver = Resolver(SearchPath.build(tmp_path / "root", interpreter_info, [archive]))
    assert resolver.resolve("here.y").status is Status.RESOLVED
    assert resolver.resolve("zipped.x").status is Status.UNVERIFIABLE
    assert resolver.resolve("here.nope").status is Status.UNRESOLVED  # a directory module


def test_suggestions_for_case_typo(resolver: Resolver) -> None:
    failure = resolver.resolve("casey").failure
    assert failure is not None and failure.suggestions[0] == "Casey"
