"""Completion candidates: top-level names (project first) and what a module offers."""

from __future__ import annotations

from pathlib import Path

from spoc_index_testlib import write_tree

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath


def make(tmp_path: Path, info: InterpreterInfo) -> Resolver:
    write_tree(
        tmp_path,
        {
            "apps/blog/__init__.py": "from .views import index\nsame = 'attribute wins'\n",
            "apps/blog/views.py": "def index(request):\n    pass\nclass View:\n    pass\n",
            "apps/blog/same.py": "",
            "apps/blog/models.py": "",
            "myproj/__init__.py": "",
            "docs/notes.txt": "",
        },
    )
    return Resolver(SearchPath.build(tmp_path, info))


def test_top_level_lists_project_first(tmp_path: Path, interpreter_info: InterpreterInfo) -> None:
    resolver = make(tmp_path, interpreter_info)
    children = resolver.children(None)
    names = [child.name for child in children]
    project = [child.name for child in children if child.is_project]
    assert {"blog", "myproj", "apps"} <= set(project)
    assert "docs" not in names  # a directory with no module in it is not offered
    assert names[: len(project)] == project
    assert "json" in names and "sys" in names
    assert not next(child for child in children if child.name == "json").is_project


def test_module_children(tmp_path: Path, interpreter_info: InterpreterInfo) -> None:
    resolver = make(tmp_path, interpreter_info)
    children = {child.name: child for child in resolver.children("blog")}
    assert children["index"].kind == "function"
    assert children["index"].detail.startswith("blog/views.py:")
    assert children["views"].kind == "module"
    assert children["models"].kind == "module"
    assert children["models"].detail == "blog/models.py"
    assert children["same"].kind == "variable"  # the attribute shadows the submodule
    assert all(child.is_project for child in children.values())
    views = {child.name: child.kind for child in resolver.children("blog.views")}
    assert views == {"index": "function", "View": "class"}
    assert resolver.children("nope_zz") == []
