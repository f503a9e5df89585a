"""``[spoc.interfaces]`` at runtime: every plugin of a declared group is checked after loading,
without calling it, and every failure joins the one aggregated ``PluginLoadError`` with its
group, URI, file and line (CONTRACT §1, "Interfaces")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from spoc.conformance import interface_problems, read_interface, read_shape
from spoc.errors import ConfigError, PluginInterfaceError, PluginLoadError
from spoc.framework import Framework

MakeProject = Callable[[Mapping[str, str]], Path]
LineOf = Callable[[Path, str], int]

INTERFACES = """
from typing import Protocol


class Base(Protocol):
    name: str

    def connect(self, url: str) -> None: ...


class DatabasePlugin(Base, Protocol):
    VERSION = "2.0"
    timeout: float = 1.0

    @property
    def dialect(self) -> str: ...

    def execute(self, query: str, params: dict | None = None) -> list: ...

    def _private(self) -> None: ...

    def __enter__(self) -> "DatabasePlugin": ...


class Handler(Protocol):
    def __call__(self, request: object) -> object: ...
"""

# Each plugin records any call of its code into CALLS: the check must never add to it.
PLUGINS = """
CALLS: list = []


def _record(what):
    CALLS.append(what)


class Meta(type):
    def __getattribute__(cls, name):
        if name not in ("__mro__", "__dict__", "__name__", "__qualname__", "__module__"):
            _record(f"Meta.__getattribute__({name})")
        return super().__getattribute__(name)


class Good:
    VERSION = "2.0"
    name = "good"
    timeout = 2.0
    dialect = "sql"

    def connect(self, url, retries=3):
        _record("connect")

    def execute(self, query, params=None, *, trace=False):
        _record("execute")


class Inherits(Good):
    pass


class Missing:
    VERSION = "2.0"
    name = "missing"

    @property
    def dialect(self):
        _record("dialect property")
        return "x"

    def connect(self, url):
        _record("connect")


class OldVersion(Good):
    VERSION = "1.0"


class BadParameters(Good):
    def connect(self, url, pool, /):
        _record("connect")

    def execute(self):
        _record("execute")


class KeywordOnly(Good):
    def execute(self, query, params=None, *, strict):
        _record("execute")


class Annotated(Good, metaclass=Meta):
    name: str


class Dynamic:
    def __getattr__(self, name):
        _record(f"__getattr__({name})")
        return None


instance = Good()
instance.extra = 1


def handler(request):
    _record("handler")


def needs_two(request, response):
    _record("needs_two")


class CallableObject:
    def __call__(self, request):
        _record("__call__")


callable_object = CallableObject()
not_callable = Good()
"""


def project(make_project: MakeProject, interfaces: str, plugins: str) -> Path:
    return make_project(
        {
            "spoc.toml": f"[spoc]\nmode = 'development'\n\n[spoc.plugins]\n{plugins}\n"
            f"[spoc.interfaces]\n{interfaces}\n",
            "contracts.py": INTERFACES,
            "plugs.py": PLUGINS,
        }
    )


def failures(root: Path) -> list[tuple[str, str, int | None, str]]:
    with pytest.raises(PluginLoadError) as raised:
        Framework(root)
    return [(f.group, f.uri, f.location.line, str(f.error)) for f in raised.value.failures]


def calls() -> list[str]:
    import plugs  # the project's module, importable once the framework started

    return list(plugs.CALLS)


def test_a_conforming_project_loads_as_before(make_project: MakeProject) -> None:
    root = project(
        make_project,
        'database = "contracts.DatabasePlugin"\nhandlers = "callable"\nkinds = "class"\n'
        'modules = "module"\nfunctions = "function"\ncalls = "contracts.Handler"',
        'database = ["plugs.Good", "plugs.Inherits", "plugs.instance", "plugs.Annotated"]\n'
        'handlers = ["plugs.handler", "plugs.Good", "plugs.callable_object"]\n'
        'kinds = ["plugs.Good"]\nmodules = ["plugs"]\nfunctions = ["plugs.handler"]\n'
        'calls = ["plugs.handler", "plugs.callable_object"]',
    )
    framework = Framework(root)
    assert list(framework.plugins["database"]) == [
        "plugs.Good",
        "plugs.Inherits",
        "plugs.instance",
        "plugs.Annotated",
    ]
    assert framework.interfaces["database"] == "contracts.DatabasePlugin"
    assert calls() == []


def test_every_failure_is_reported_at_once_with_group_uri_and_line(
    make_project: MakeProject, line_of: LineOf
) -> None:
    root = project(
        make_project,
        'database = "contracts.DatabasePlugin"\nhandlers = "callable"\nmodules = "module"\n'
        'calls = "contracts.Handler"',
        'database = [\n  "plugs.Missing",\n  "plugs.OldVersion",\n  "plugs.BadParameters",\n'
        '  "plugs.KeywordOnly",\n  "plugs.Good",\n]\n'
        'handlers = ["plugs.not_callable"]\nmodules = ["plugs.Good"]\n'
        'calls = ["plugs.needs_two"]',
    )
    toml = root / "spoc.toml"
    found = failures(root)
    assert [(group, uri, line) for group, uri, line, _ in found] == [
        ("database", "plugs.Missing", line_of(toml, '"plugs.Missing"')),
        ("database", "plugs.OldVersion", line_of(toml, '"plugs.OldVersion"')),
        ("database", "plugs.BadParameters", line_of(toml, '"plugs.BadParameters"')),
        ("database", "plugs.KeywordOnly", line_of(toml, '"plugs.KeywordOnly"')),
        ("handlers", "plugs.not_callable", line_of(toml, '"plugs.not_callable"')),
        ("modules", "plugs.Good", line_of(toml, 'modules = ["plugs.Good"]')),
        ("calls", "plugs.needs_two", line_of(toml, '"plugs.needs_two"')),
    ]
    messages = [message for *_, message in found]
    assert "missing 'execute', 'timeout'" in messages[0]
    assert "'name'" not in messages[0] and "'connect'" not in messages[0]
    assert "_private" not in messages[0] and "__enter__" not in messages[0]
    assert messages[1].endswith("VERSION is '1.0', the interface's is '2.0'")
    assert (
        "'connect' cannot accept the call connect(url): it requires 2 positional arguments, "
        "the interface passes 1" in messages[2]
    )
    assert (
        "'execute' cannot accept the call execute(query, params=...): it accepts at most "
        "0 positional arguments, the interface may pass 2" in messages[2]
    )
    assert (
        "'execute' cannot accept the call execute(query, params=...): it requires "
        "keyword argument 'strict'" in messages[3]
    )
    assert messages[4].endswith("it is an instance, which is not callable")
    assert messages[5].endswith("it is a class, not a module")
    assert "it cannot accept the call __call__(request): it requires 2 positional" in messages[6]
    assert calls() == []


def test_the_error_is_typed_and_names_interface_and_problems(make_project: MakeProject) -> None:
    root = project(
        make_project, 'database = "contracts.DatabasePlugin"', 'database = ["plugs.Missing"]'
    )
    with pytest.raises(PluginLoadError) as raised:
        Framework(root)
    (failure,) = raised.value.failures
    error = failure.error
    assert isinstance(error, PluginInterfaceError)
    assert (error.uri, error.group, error.interface) == (
        "plugs.Missing",
        "database",
        "DatabasePlugin",
    )
    assert error.problems == ("missing 'execute', 'timeout'",)
    assert str(error) == (
        "'plugs.Missing' does not satisfy 'DatabasePlugin' of group 'database': "
        "missing 'execute', 'timeout'"
    )
    assert f"spoc.toml:{failure.location.line}" in str(raised.value)


def test_a_class_that_answers_any_name_is_not_said_to_miss_one(make_project: MakeProject) -> None:
    root = project(
        make_project, 'database = "contracts.DatabasePlugin"', 'database = ["plugs.Dynamic"]'
    )
    Framework(root)  # __getattr__ may provide anything: no missing member is certain
    assert calls() == []


def test_an_interface_that_fails_or_is_not_a_class_is_reported_where_declared(
    make_project: MakeProject, line_of: LineOf
) -> None:
    root = project(
        make_project,
        'database = "contracts.Nope"\nhandlers = "contracts"',
        'database = ["plugs.Good"]\nhandlers = ["plugs.handler"]',
    )
    toml = root / "spoc.toml"
    found = failures(root)
    assert [(g, u, line) for g, u, line, _ in found] == [
        ("database", "contracts.Nope", line_of(toml, 'database = "contracts.Nope"')),
        ("handlers", "contracts", line_of(toml, 'handlers = "contracts"')),
    ]
    assert "is a module, not a class or one of 'callable'" in found[1][3]
    with pytest.raises(PluginLoadError) as raised:
        Framework(root)
    assert isinstance(raised.value.failures[1].error, ConfigError)


def test_load_failures_and_interface_failures_join_one_error(make_project: MakeProject) -> None:
    root = project(
        make_project,
        'database = "contracts.DatabasePlugin"',
        'database = ["plugs.Missing", "plugs.Absent"]',
    )
    assert [(g, u) for g, u, _, _ in failures(root)] == [
        ("database", "plugs.Absent"),
        ("database", "plugs.Missing"),
    ]


def test_groups_without_an_interface_are_not_checked(make_project: MakeProject) -> None:
    root = project(make_project, 'other = "module"', 'database = ["plugs.Missing"]')
    assert list(Framework(root).plugins["database"]) == ["plugs.Missing"]


def test_the_shape_reader_calls_nothing(make_project: MakeProject) -> None:
    root = project(make_project, 'other = "module"', 'database = ["plugs.Annotated"]')
    framework = Framework(root)
    import contracts
    import plugs

    interface = read_interface(contracts.DatabasePlugin)
    assert [m.name for m in interface.members] == [
        "VERSION",
        "timeout",
        "dialect",
        "execute",
        "connect",
        "name",
    ]
    assert interface.version == "2.0"
    for plugin in (plugs.Annotated, plugs.Missing, plugs.Dynamic(), plugs, plugs.instance):
        read_shape(plugin)
    assert (
        interface_problems("contracts.DatabasePlugin", plugs.Annotated, contracts.DatabasePlugin)
        == ()
    )
    assert "extra" in read_shape(plugs.instance).members
    assert framework.plugins["database"]["plugs.Annotated"] is plugs.Annotated
    assert plugs.CALLS == []


def test_the_editor_schema_knows_the_table_and_its_kinds() -> None:
    import json

    from spoc.interfaces import KINDS

    schema_file = Path(__file__).parents[2] / "editors/vscode/schemas/spoc.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    table = schema["properties"]["spoc"]["properties"]["interfaces"]
    assert table["type"] == "object"
    assert tuple(table["additionalProperties"]["anyOf"][0]["enum"]) == KINDS
