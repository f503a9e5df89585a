"""SPOC011 agrees with the runtime: each fixture project is checked statically (``analyze`` with
the real resolver, nothing run) and loaded by ``spoc.framework.Framework`` in a subprocess; the
messages must be the same strings wherever the static verdict is not "cannot verify"."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from spoc_lsp.analysis.analyze import ProjectAnalysis, analyze
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.index.resolver import open_resolver
from tests.core.test_spoc_interfaces import INTERFACES, PLUGINS

RUNTIME = """
import json, sys
from spoc.errors import PluginLoadError
from spoc.framework import Framework
try:
    Framework(sys.argv[1])
except PluginLoadError as error:
    print(json.dumps([str(f.error) for f in error.failures]))
else:
    print("[]")
"""


def write(root: Path, files: Mapping[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def project(
    tmp_path: Path, interfaces: str, plugins: str, files: Mapping[str, str] | None = None
) -> Path:
    toml = (
        f"[spoc]\nmode = 'development'\n\n[spoc.plugins]\n{plugins}\n\n"
        f"[spoc.interfaces]\n{interfaces}\n"
    )
    sources = {"contracts.py": INTERFACES, "plugs.py": PLUGINS}
    sources.update({f"{name.replace('.', '/')}.py": text for name, text in (files or {}).items()})
    return write(tmp_path / "project", {"spoc.toml": toml, **sources})


def runtime_messages(root: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", RUNTIME, str(root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root.parent,
    )
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def static(root: Path) -> ProjectAnalysis:
    return analyze(take_snapshot(root), open_resolver(root, Path(sys.executable), cache=False))


def spoc011(analysis: ProjectAnalysis) -> list[str]:
    return [d.message for d in analysis.all_diagnostics() if d.code == "SPOC011"]


def agree(root: Path) -> list[str]:
    """The static SPOC011 messages, asserted equal to what the runtime says."""
    found = spoc011(static(root))
    assert sorted(found) == sorted(runtime_messages(root))
    return found


DB = 'database = "contracts.DatabasePlugin"'


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [
        ("plugs.Good", 0),
        ("plugs.Inherits", 0),
        ("plugs.Missing", 1),  # missing methods and attributes (property, class attribute)
        ("plugs.OldVersion", 1),  # VERSION mismatch
        ("plugs.BadParameters", 1),  # incompatible positional parameters
        ("plugs.KeywordOnly", 1),  # a required keyword-only parameter
        ("plugs.instance", 0),  # an instance plugin, through its class
    ],
)
def test_class_interface_cases_agree(tmp_path: Path, plugin: str, expected: int) -> None:
    root = project(tmp_path, DB, f'database = ["{plugin}"]')
    assert len(agree(root)) == expected


def test_missing_names_are_listed_like_the_runtime(tmp_path: Path) -> None:
    root = project(tmp_path, DB, 'database = ["plugs.Missing"]')
    assert agree(root) == [
        "'plugs.Missing' does not satisfy 'DatabasePlugin' of group 'database': "
        "missing 'execute', 'timeout'"
    ]


@pytest.mark.parametrize(
    ("value", "plugin", "expected"),
    [
        ("callable", "plugs.handler", 0),
        ("callable", "plugs.Good", 0),
        ("callable", "plugs.callable_object", 0),
        ("callable", "plugs.not_callable", 1),
        ("class", "plugs.Good", 0),
        ("class", "plugs.handler", 1),
        ("function", "plugs.handler", 0),
        ("function", "plugs.Good", 1),
        ("module", "plugs", 0),
        ("module", "plugs.Good", 1),
    ],
)
def test_each_kind_right_and_wrong_agrees(
    tmp_path: Path, value: str, plugin: str, expected: int
) -> None:
    root = project(tmp_path, f'group = "{value}"', f'group = ["{plugin}"]')
    assert len(agree(root)) == expected


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [("plugs.handler", 0), ("plugs.needs_two", 1), ("plugs.callable_object", 0)],
)
def test_function_and_call_interface_agree(tmp_path: Path, plugin: str, expected: int) -> None:
    root = project(tmp_path, 'calls = "contracts.Handler"', f'calls = ["{plugin}"]')
    assert len(agree(root)) == expected


BASES = """
from typing import Protocol

class Storage(Protocol):
    VERSION = 3

    def get(self, key: str) -> object: ...

    def put(self, key: str, value: object) -> None: ...
"""

IMPLS = """
from app.base import Storage
from . import helpers


class Partial(helpers.Getter):
    VERSION = 3


class Full(helpers.Getter):
    VERSION = 3

    def put(self, key, value):
        pass


class Wrong(Full):
    VERSION = 2


class Made(metaclass=helpers.Maker):
    pass
"""

HELPERS = """
class Getter:
    def get(self, key):
        return key


class Maker(type):
    def __new__(mcs, name, bases, namespace):
        namespace["get"] = namespace["put"] = lambda self, *a: None
        namespace["VERSION"] = 3
        return super().__new__(mcs, name, bases, namespace)
"""


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [("app.impls.Partial", 1), ("app.impls.Full", 0), ("app.impls.Wrong", 1)],
)
def test_inherited_members_from_another_module_agree(
    tmp_path: Path, plugin: str, expected: int
) -> None:
    root = project(
        tmp_path,
        'storage = "app.base.Storage"',
        f'storage = ["{plugin}"]',
        {"app.__init__": "", "app.base": BASES, "app.impls": IMPLS, "app.helpers": HELPERS},
    )
    assert len(agree(root)) == expected


def test_a_dynamic_class_is_unverifiable_not_an_error(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'storage = "app.base.Storage"',
        'storage = ["app.impls.Made"]',
        {"app.__init__": "", "app.base": BASES, "app.impls": IMPLS, "app.helpers": HELPERS},
    )
    analysis = static(root)
    assert spoc011(analysis) == []
    [verdict] = analysis.interface_verdicts.values()
    assert verdict.unverifiable is not None
    assert runtime_messages(root) == []  # the metaclass adds the methods


def test_a_module_plugin_against_a_class_interface_agrees(tmp_path: Path) -> None:
    module = "VERSION = 3\n\ndef get(key):\n    return key\n"
    root = project(
        tmp_path,
        'storage = "app.base.Storage"',
        'storage = ["app.mod"]',
        {"app.__init__": "", "app.base": BASES, "app.mod": module},
    )
    assert agree(root) == ["'app.mod' does not satisfy 'Storage' of group 'storage': missing 'put'"]


def test_annotation_only_attribute_and_version_equal_agree(tmp_path: Path) -> None:
    interface = "class Named:\n    VERSION = '1'\n    label: str\n"
    plugin = (
        "class Has:\n    VERSION = '1'\n    label: str = 'x'\n\n\nclass Lacks:\n    VERSION = '1'\n"
    )
    root = project(
        tmp_path,
        'named = "app.named.Named"',
        'named = ["app.plug.Has", "app.plug.Lacks"]',
        {"app.__init__": "", "app.named": interface, "app.plug": plugin},
    )
    assert agree(root) == [
        "'app.plug.Lacks' does not satisfy 'Named' of group 'named': missing 'label'"
    ]


def test_interface_value_problems(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'a = "plugs"\nb = "contracts.Nope"\nc = "calable"',
        'a = ["plugs.Good"]\nb = ["plugs.Good"]\nc = ["plugs.Good"]',
    )
    analysis = static(root)
    found = {(d.code, d.message) for d in analysis.all_diagnostics() if d.group in "abc"}
    assert (
        "SPOC011",
        "interface 'plugs' is a module, not a class or one of 'callable', 'class', "
        "'function', 'module' (group 'a')",
    ) in found
    assert any(code == "SPOC002" for code, _ in found)
    assert any(code == "SPOC001" and "did you mean 'callable'" in m for code, m in found)


def apply(text: str, line: int, column: int, insertion: str) -> str:
    lines = text.splitlines(keepends=True)
    offset = sum(len(item) for item in lines[:line]) + column
    return text[:offset] + insertion + text[offset:]


def test_the_quick_fix_adds_stubs_that_clear_spoc011(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'storage = "app.base.Storage"',
        'storage = ["app.impls.Partial"]',
        {"app.__init__": "", "app.base": BASES, "app.impls": IMPLS, "app.helpers": HELPERS},
    )
    [diagnostic] = [d for d in static(root).all_diagnostics() if d.code == "SPOC011"]
    [fix] = diagnostic.fixes
    assert fix.title == "Add stubs for 'put' of 'Storage'"
    [edit] = fix.edits
    assert edit.file == root / "app" / "impls.py"
    assert edit.span.start == edit.span.end
    assert "def put(self, key, value):\n        raise NotImplementedError" in edit.new_text
    fixed = apply(
        edit.file.read_text(), edit.span.start.line, edit.span.start.column, edit.new_text
    )
    edit.file.write_text(fixed)
    assert agree(root) == []


def test_stubs_keep_annotations_when_the_plugin_module_postpones_them(tmp_path: Path) -> None:
    plugin = "from __future__ import annotations\n\n\nclass Half:\n    VERSION = 3\n"
    root = project(
        tmp_path,
        'storage = "app.base.Storage"',
        'storage = ["app.half.Half"]',
        {"app.__init__": "", "app.base": BASES, "app.half": plugin},
    )
    [diagnostic] = [d for d in static(root).all_diagnostics() if d.code == "SPOC011"]
    [edit] = diagnostic.fixes[0].edits
    assert "def get(self, key: str) -> object:\n        raise NotImplementedError" in edit.new_text
    fixed = apply(
        edit.file.read_text(), edit.span.start.line, edit.span.start.column, edit.new_text
    )
    edit.file.write_text(fixed)
    assert agree(root) == []


@pytest.mark.parametrize(("value", "expected"), [("class", 0), ("callable", 0), ("module", 1)])
def test_a_kind_check_needs_no_readable_body(tmp_path: Path, value: str, expected: int) -> None:
    plugin = "class Table(dict):\n    pass\n"  # a built-in base: members unreadable, kind known
    root = project(
        tmp_path,
        f'group = "{value}"',
        'group = ["app.table.Table"]',
        {"app.__init__": "", "app.table": plugin},
    )
    assert len(agree(root)) == expected


def test_an_open_buffer_of_the_plugin_is_read_even_with_its_lines_moved(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'storage = "app.base.Storage"',
        'storage = ["app.impls.Partial"]',
        {"app.__init__": "", "app.base": BASES, "app.impls": IMPLS, "app.helpers": HELPERS},
    )
    resolver = open_resolver(root, Path(sys.executable), cache=False)
    impls = root / "app" / "impls.py"
    text = impls.read_text()
    fixed = "# a comment\n# and another\n" + text.replace(
        "class Partial(helpers.Getter):\n    VERSION = 3\n",
        "class Partial(helpers.Getter):\n    VERSION = 3\n\n    def put(self, key, value):\n"
        "        pass\n",
    )
    assert spoc011(analyze(take_snapshot(root), resolver)) != []
    edited = analyze(take_snapshot(root, {impls: fixed}), resolver)
    assert spoc011(edited) == []
    [verdict] = edited.interface_verdicts.values()
    assert verdict.satisfied
    assert impls in edited.interface_files


# --- members set on the plugin's class by another project module -----------------------------

CONTRACT = """
class Storage:
    def get(self, key): ...

    def delete(self, key): ...
"""

STORAGE = """
class MemoryStorage:
    def get(self, key):
        return key


class OtherStorage:
    def get(self, key):
        return key


memory = MemoryStorage()
"""

PATCH = """
from core.storage import MemoryStorage


def _delete(self, key):
    return None


MemoryStorage.delete = _delete
"""


def patched(tmp_path: Path, patches: str, plugin: str = "core.storage.MemoryStorage") -> Path:
    """A project whose settings module imports ``core.patches`` (so the runtime runs it before
    the plugins are checked)."""
    return project(
        tmp_path,
        'storage = "core.contracts.Storage"',
        f'storage = ["{plugin}"]',
        {
            "apps.core.__init__": "",
            "apps.core.contracts": CONTRACT,
            "apps.core.storage": STORAGE,
            "apps.core.patches": patches,
            "apps.core.mod": "def get(key):\n    return key\n",
            "apps.legacy": "class MemoryStorage:\n    pass\n",
            "settings": "import core.patches\n\nPLUGINS = {}\n",
        },
    )


def cannot_verify(root: Path) -> str:
    """The one verdict's reason, asserted to be "cannot verify" with no SPOC011."""
    analysis = static(root)
    assert spoc011(analysis) == []
    [verdict] = analysis.interface_verdicts.values()
    assert verdict.unverifiable is not None
    return verdict.unverifiable


@pytest.mark.parametrize(
    "plugin",
    ["core.storage.MemoryStorage", "core.storage.memory"],  # a class; an instance of it
)
def test_a_member_set_from_another_module_cannot_be_verified(tmp_path: Path, plugin: str) -> None:
    root = patched(tmp_path, PATCH, plugin)
    reason = "'delete' may be set on class 'MemoryStorage' at apps/core/patches.py:8"
    assert cannot_verify(root) == reason
    assert root / "apps" / "core" / "patches.py" in static(root).interface_files
    assert runtime_messages(root) == []  # the runtime reads the class after the patch ran
    # Why it matters: the same project without the patch fails for both.
    patches = root / "apps" / "core" / "patches.py"
    patches.write_text(patches.read_text().replace("MemoryStorage.delete = _delete", ""))
    assert agree(root) == [
        f"'{plugin}' does not satisfy 'Storage' of group 'storage': missing 'delete'"
    ]


@pytest.mark.parametrize(
    "patch",
    [
        "from core.storage import MemoryStorage\n\nfor _name in ('delete',):\n"
        "    setattr(MemoryStorage, _name, lambda self, key: None)\n",
        "from core.storage import MemoryStorage as Alias\n\n\ndef install(name):\n"
        "    setattr(Alias, name, lambda self, key: None)\n\n\ninstall('delete')\n",
    ],
)
def test_setattr_with_a_computed_name_cannot_be_verified(tmp_path: Path, patch: str) -> None:
    root = patched(tmp_path, patch)
    assert "setattr with a computed name may change class 'MemoryStorage'" in cannot_verify(root)
    assert runtime_messages(root) == []


@pytest.mark.parametrize(
    "patch",
    [
        # the same name set on a different class, in a file that imports the plugin's class
        "from core.storage import MemoryStorage, OtherStorage\n\n"
        "OtherStorage.delete = lambda self, key: None\n",
        # a function of the file that sets it, given another class
        "from core.storage import MemoryStorage, OtherStorage\n\n\ndef install(cls):\n"
        "    cls.delete = lambda self, key: None\n\n\ninstall(OtherStorage)\n",
        # a class of the same name from another module
        "from legacy import MemoryStorage\n\nMemoryStorage.delete = lambda self, key: None\n",
        # another member of the right class: 'delete' stays missing
        "from core.storage import MemoryStorage\n\nMemoryStorage.extra = 1\n"
        "setattr(MemoryStorage, 'other', 2)\n",
    ],
)
def test_writes_that_cannot_add_the_member_keep_spoc011(tmp_path: Path, patch: str) -> None:
    root = patched(tmp_path, patch)
    assert agree(root) == [
        "'core.storage.MemoryStorage' does not satisfy 'Storage' of group 'storage': "
        "missing 'delete'"
    ]


@pytest.mark.parametrize(
    ("patch", "line"),
    [
        ("import core.storage\n\ncore.storage.MemoryStorage.delete = lambda self, key: None\n", 3),
        ("from core import storage as st\n\nst.MemoryStorage.delete = lambda self, key: None\n", 3),
        (
            "def install():\n    import core.storage as s\n\n"
            "    s.MemoryStorage.delete = lambda self, key: None\n\n\ninstall()\n",
            4,
        ),
        (
            "from core.storage import *\n\nMemoryStorage.delete: object = lambda self, key: None\n",
            3,
        ),
    ],
)
def test_a_member_set_through_a_module_alias_cannot_be_verified(
    tmp_path: Path, patch: str, line: int
) -> None:
    _patched_member_cannot_be_verified(tmp_path, patch, line)


@pytest.mark.parametrize(
    ("patch", "line"),
    [
        ("from core.storage import MemoryStorage\n\nS = MemoryStorage\nS.delete = len\n", 4),
        (
            "from core.storage import MemoryStorage, OtherStorage\n\n"
            "for cls in (OtherStorage, MemoryStorage):\n    cls.delete = len\n",
            4,
        ),
        (
            "from core import storage\n\n\ndef install(cls, name):\n"
            "    setattr(cls, 'delete', len)\n\n\ninstall(storage.MemoryStorage, 'x')\n",
            5,
        ),
    ],
)
def test_a_member_set_through_a_local_alias_cannot_be_verified(
    tmp_path: Path, patch: str, line: int
) -> None:
    _patched_member_cannot_be_verified(tmp_path, patch, line)


def _patched_member_cannot_be_verified(tmp_path: Path, patch: str, line: int) -> None:
    """Statically 'cannot verify', naming the patch's line; the runtime sees the member."""
    root = patched(tmp_path, patch)
    reason = cannot_verify(root)
    assert reason == f"'delete' may be set on class 'MemoryStorage' at apps/core/patches.py:{line}"
    assert runtime_messages(root) == []


def test_a_member_set_on_a_re_exported_class_cannot_be_verified(tmp_path: Path) -> None:
    root = patched(tmp_path, "from core import MemoryStorage\n\nMemoryStorage.delete = len\n")
    (root / "apps" / "core" / "__init__.py").write_text("from core.storage import MemoryStorage\n")
    assert "may be set on class 'MemoryStorage'" in cannot_verify(root)
    assert runtime_messages(root) == []


def test_an_unsaved_patch_in_an_open_buffer_is_read(tmp_path: Path) -> None:
    root = patched(tmp_path, "from core.storage import MemoryStorage\n")
    resolver = open_resolver(root, Path(sys.executable), cache=False)
    patches = root / "apps" / "core" / "patches.py"
    assert len(spoc011(analyze(take_snapshot(root), resolver))) == 1
    edited = analyze(take_snapshot(root, {patches: PATCH.lstrip("\n")}), resolver)
    assert spoc011(edited) == []
    [verdict] = edited.interface_verdicts.values()
    assert verdict.unverifiable is not None and "patches.py:8" in verdict.unverifiable


def test_a_member_set_on_a_module_plugin_from_another_module_cannot_be_verified(
    tmp_path: Path,
) -> None:
    root = patched(tmp_path, "from core import mod\n\nmod.delete = len\n", "core.mod")
    assert (
        cannot_verify(root) == "'delete' may be set on module 'core.mod' at apps/core/patches.py:3"
    )
    assert runtime_messages(root) == []


def test_a_member_set_on_a_base_class_from_another_module_cannot_be_verified(
    tmp_path: Path,
) -> None:
    patch = "from app.helpers import Getter\n\nGetter.put = lambda self, key, value: None\n"
    root = project(
        tmp_path,
        'storage = "app.base.Storage"',
        'storage = ["app.impls.Partial"]',
        {
            "app.__init__": "",
            "app.base": BASES,
            "app.impls": IMPLS,
            "app.helpers": HELPERS,
            "app.patch": patch,
            "settings": "import app.patch\n\nPLUGINS = {}\n",
        },
    )
    assert cannot_verify(root) == "'put' may be set on class 'Getter' at app/patch.py:3"
    assert runtime_messages(root) == []
