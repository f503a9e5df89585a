"""Split settings at the parser: project modules followed as they run, each file its own view.

A dictionary stands for the project's modules (what ``analysis.project.ProjectModules`` finds
on disk); relative imports resolve against the importing file, as the import system does.
"""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.syntax import parse_settings

from .markup import groups, marked, show

PACKAGE = Path("/p/config/settings")
INIT = PACKAGE / "__init__.py"


class Modules:
    def __init__(self, files: dict[str, str]) -> None:
        self.files = {PACKAGE / name: text for name, text in files.items()}
        self.reads: list[Path] = []

    def find(self, importer: Path, module: str, level: int) -> Path | str:
        if not level:
            return f"'{module}' is not a module of the project"
        path = importer.parent.joinpath(*module.split(".")).with_suffix(".py")
        return path if path in self.files else f"cannot find module '{'.' * level}{module}'"

    def read(self, path: Path) -> str | None:
        self.reads.append(path)
        return self.files.get(path)


def test_a_star_import_brings_the_base_plugins_in_runtime_order() -> None:
    base = marked('PLUGINS = {"hooks": ["«a»", "«typo4»"]}\n')
    init = marked('from .base import *\nPLUGINS["extra"] = ["«typo5»"]\n')
    modules = Modules({"base.py": base.text})
    parsed = parse_settings(init.text, INIT, modules)
    assert groups(parsed) == {"hooks": ["a", "typo4"], "extra": ["typo5"]}
    assert parsed.problems == ()
    assert [show(span) for span in parsed.entry_spans.values()] == [show(init.entries[0])]
    [view] = parsed.contributions
    assert view.source.file == PACKAGE / "base.py"
    assert view.source.groups == ()  # (the plan holds them: nothing to merge twice)
    assert [show(s) for s in view.entry_spans.values()] == [show(s) for s in base.entries]
    assert {site.file for site in view.strings} == {PACKAGE / "base.py"}
    assert [show(s) for s in view.group_spans["hooks"]] == ["0:11-0:18"]
    hooks = parsed.source.groups[0]
    assert {entry.provenance.file for entry in hooks.entries} == {PACKAGE / "base.py"}
    assert hooks.provenance is not None and hooks.provenance.file == PACKAGE / "base.py"
    assert parsed.modules_read == ((PACKAGE / "base.py", base.text),)


def test_names_and_plugins_imported_by_name_are_the_same_objects() -> None:
    base = 'BASE = ["a"]\nPLUGINS = {"hooks": BASE}\n'
    init = 'from .base import PLUGINS, BASE as B\nB.append("b")\nPLUGINS["x"] = B + ["c"]\n'
    parsed = parse_settings(init, INIT, Modules({"base.py": base}))
    assert groups(parsed) == {"hooks": ["a", "b"], "x": ["a", "b", "c"]}
    assert parsed.problems == ()


def test_a_module_imported_twice_runs_once() -> None:
    modules = Modules(
        {
            "base.py": 'PLUGINS = {"g": ["a"]}\n',
            "dev.py": 'from .base import *\nPLUGINS["g"].append("b")\n',
        }
    )
    parsed = parse_settings("from .dev import *\nfrom .base import *\n", INIT, modules)
    assert groups(parsed) == {"g": ["a", "b"]}
    assert modules.reads.count(PACKAGE / "base.py") == 1


def test_problems_are_in_the_file_they_are_about() -> None:
    base = marked('import os\nBASE = ⟦os.environ["X"]⟧\nPLUGINS = {"g": ⟦3⟧}\n')
    parsed = parse_settings(
        'from .base import *\nPLUGINS["h"] = BASE\n', INIT, Modules({"base.py": base.text})
    )
    assert parsed.problems == ()
    [view] = parsed.contributions
    assert [(p.code, show(p.span)) for p in view.problems] == [
        ("SPOC006", show(base.problems[0])),
        ("SPOC005", show(base.problems[1])),
    ]


def test_a_missing_module_and_a_cycle_are_reported() -> None:
    missing = parse_settings("from .nope import *\n", INIT, Modules({}))
    assert [(p.code, p.message) for p in missing.problems] == [
        ("SPOC006", "cannot find module '.nope'; what '.nope' defines is not checked")
    ]
    modules = Modules({"a.py": "from .b import *\nX = 1\n", "b.py": "from .a import *\n"})
    cyclic = parse_settings("from .a import *\nPLUGINS = {}\n", INIT, modules)
    [view_a, view_b] = cyclic.contributions
    assert view_a.problems == ()
    assert [p.code for p in view_b.problems] == ["SPOC006"]
    assert "circular import" in view_b.problems[0].message


def test_an_import_of_the_environment_is_not_followed() -> None:
    modules = Modules({})
    parsed = parse_settings('from django.conf import *\nPLUGINS = {"g": ["a"]}\n', INIT, modules)
    assert groups(parsed) == {"g": ["a"]}
    assert modules.reads == []
