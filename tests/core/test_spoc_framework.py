"""``spoc.framework.Framework``: start-up order, installed apps, schema modules and hooks, and
how plugin failures are reported (CONTRACT §1, "Errors")."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from spoc.errors import (
    ConfigError,
    PluginImportError,
    PluginLoadError,
    PluginShapeError,
    SpocError,
    UriError,
)
from spoc.framework import Framework, Schema

MakeProject = Callable[[Mapping[str, str]], Path]
LineOf = Callable[[Path, str], int]

RECORDER = {"record.py": "EVENTS: list = []\n"}


def events() -> list[str]:
    import record  # the project's recorder module, importable once the framework started

    return list(record.EVENTS)


def schema_module(label: str) -> str:
    """A schema module that records its import and its startup/shutdown hooks."""
    return (
        "import record\n"
        f"record.EVENTS.append('import {label}')\n\n"
        f"def startup():\n    record.EVENTS.append('startup {label}')\n\n"
        f"def shutdown():\n    record.EVENTS.append('shutdown {label}')\n"
    )


def apps(*names: str) -> dict[str, str]:
    return {f"apps/{name}/__init__.py": "" for name in names}


# --- installed apps -----------------------------------------------------------------------------

APPS_TOML = """
    [spoc]
    mode = "{mode}"

    [spoc.apps]
    production = ["prod_a", "prod_b"]
    staging = ["stage_a"]
    development = ["dev_a", "core"]
    """


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("development", ["core", "base", "dev_a", "stage_a", "prod_a", "prod_b"]),
        ("staging", ["core", "base", "stage_a", "prod_a", "prod_b"]),
        ("production", ["core", "base", "prod_a", "prod_b"]),
    ],
)
def test_installed_apps_are_settings_then_the_lists_of_the_mode(
    make_project: MakeProject, mode: str, expected: list[str]
) -> None:
    root = make_project(
        {
            "config/spoc.toml": APPS_TOML.format(mode=mode),
            "config/settings.py": "INSTALLED_APPS = ['core', 'base']\n",
            **apps("core", "base", "dev_a", "stage_a", "prod_a", "prod_b"),
        }
    )
    assert Framework(root).installed_apps == expected


def test_unknown_mode_is_a_config_error(make_project: MakeProject) -> None:
    root = make_project({"config/spoc.toml": '[spoc]\nmode = "testing"\n'})
    with pytest.raises(ConfigError, match="unknown mode 'testing'") as caught:
        Framework(root)
    assert caught.value.key == "mode"
    assert caught.value.location.file == root / "config" / "spoc.toml"


def test_an_installed_app_that_cannot_be_imported(make_project: MakeProject) -> None:
    root = make_project({"config/settings.py": "INSTALLED_APPS = ['no_such_app_xyz']\n"})
    with pytest.raises(SpocError, match="'no_such_app_xyz'"):
        Framework(root, Schema(modules=["models"]))


def test_search_roots_are_in_front_of_sys_path(make_project: MakeProject) -> None:
    root = make_project(apps("core"))
    framework = Framework(root)
    assert framework.base_dir == root.resolve()
    assert sys.path[:2] == [str(root.resolve() / "apps"), str(root.resolve())]


# --- schema modules and hooks -------------------------------------------------------------------

SCHEMA = Schema(
    modules=["views", "admin", "models"],
    dependencies={"views": ["models"], "admin": ["views", "models"]},
)


@pytest.fixture
def layered_project(make_project: MakeProject) -> Path:
    return make_project(
        {
            **RECORDER,
            "config/settings.py": "INSTALLED_APPS = ['shop', 'blog']\n",
            **apps("shop", "blog"),
            "apps/shop/models.py": schema_module("shop.models"),
            "apps/shop/views.py": schema_module("shop.views"),
            "apps/shop/admin.py": schema_module("shop.admin"),
            "apps/blog/models.py": schema_module("blog.models"),
            # blog has no views; its admin module defines no hooks.
            "apps/blog/admin.py": "import record\nrecord.EVENTS.append('import blog.admin')\n",
        }
    )


def test_schema_module_order_follows_dependencies() -> None:
    assert SCHEMA.module_order() == ["models", "views", "admin"]
    assert Schema(modules=["a", "b", "c"]).module_order() == ["a", "b", "c"]


def test_schema_dependency_cycle_is_an_error() -> None:
    schema = Schema(modules=["a"], dependencies={"a": ["b"], "b": ["a"]})
    with pytest.raises(SpocError, match="cycle"):
        schema.module_order()


def test_schema_modules_are_imported_in_dependency_order(layered_project: Path) -> None:
    framework = Framework(layered_project, SCHEMA)
    assert events() == [
        "import shop.models",
        "import blog.models",
        "import shop.views",
        "import shop.admin",
        "import blog.admin",
    ]
    assert {name: list(found) for name, found in framework.components.items()} == {
        "models": ["shop", "blog"],
        "views": ["shop"],
        "admin": ["shop", "blog"],
    }
    assert framework.components["views"]["shop"].__name__ == "shop.views"


def test_startup_in_dependency_order_and_shutdown_in_reverse(layered_project: Path) -> None:
    framework = Framework(layered_project, SCHEMA)
    imported = len(events())
    framework.startup()
    framework.shutdown()
    calls = events()[imported:]
    assert calls == [
        "startup shop.models",
        "startup blog.models",
        "startup shop.views",
        "startup shop.admin",
        "shutdown shop.admin",
        "shutdown shop.views",
        "shutdown blog.models",
        "shutdown shop.models",
    ]


def test_shutdown_is_the_exact_reverse_of_startup(layered_project: Path) -> None:
    framework = Framework(layered_project, SCHEMA)
    imported = len(events())
    framework.startup()
    started = [event.split(" ", 1)[1] for event in events()[imported:]]
    framework.shutdown()
    stopped = [event.split(" ", 1)[1] for event in events()[imported + len(started) :]]
    assert stopped == list(reversed(started))


def test_custom_hook_names(make_project: MakeProject) -> None:
    root = make_project(
        {
            **RECORDER,
            "config/settings.py": "INSTALLED_APPS = ['shop']\n",
            **apps("shop"),
            "apps/shop/models.py": (
                "import record\n\n"
                "def ready():\n    record.EVENTS.append('ready')\n\n"
                "def warm():\n    record.EVENTS.append('warm')\n\n"
                "startup = 'not callable: ignored'\n"
            ),
        }
    )
    framework = Framework(root, Schema(modules=["models"], hooks={"startup": ["ready", "warm"]}))
    framework.startup()
    framework.shutdown()
    assert events() == ["ready", "warm"]


# --- plugin failures ----------------------------------------------------------------------------

FAILING_TOML = """
    [spoc]
    mode = "development"

    [spoc.plugins]
    middleware = [
        "good.plugins.ok",
        "good.plugins.missing_attr",
    ]
    hooks = [
        "nomodule_xyz.hooks.start",
        "good..plugins",
    ]
    """

FAILING_SETTINGS = """
    PLUGINS = {
        "middleware": [
            "good.plugins.also_ok",
            "good.syntax.thing",
        ],
        "later": [
            "good.angry.thing",
            "good.needs_dep",
        ],
    }
    """


@pytest.fixture
def failing_project(make_project: MakeProject) -> Path:
    return make_project(
        {
            "config/spoc.toml": FAILING_TOML,
            "config/settings.py": FAILING_SETTINGS,
            "good/__init__.py": "",
            "good/plugins.py": "def ok():\n    pass\n\ndef also_ok():\n    pass\n",
            "good/syntax.py": "def thing(:\n    pass\n",
            "good/angry.py": "raise RuntimeError('refusing to load')\n",
            "good/needs_dep.py": "import dependency_not_installed_xyz\n",
        }
    )


def load_error(root: Path) -> PluginLoadError:
    with pytest.raises(PluginLoadError) as caught:
        Framework(root)
    return caught.value


def test_every_failing_plugin_is_reported_at_once(failing_project: Path, line_of: LineOf) -> None:
    error = load_error(failing_project)  # failures in merged order
    toml = failing_project / "config" / "spoc.toml"
    settings = failing_project / "config" / "settings.py"
    expected = [
        ("middleware", "good.plugins.missing_attr", toml),
        ("middleware", "good.syntax.thing", settings),
        ("hooks", "nomodule_xyz.hooks.start", toml),
        ("hooks", "good..plugins", toml),
        ("later", "good.angry.thing", settings),
        ("later", "good.needs_dep", settings),
    ]
    assert [(f.group, f.uri, f.location.file) for f in error.failures] == expected
    for failure in error.failures:
        line = line_of(failure.location.file, f'"{failure.uri}"')
        assert failure.location.line == line
        assert failure.location.column is not None
        # One line of the message per failure: file:line:column, group and URI.
        assert f"{failure.location}: [{failure.group}] {failure.uri!r}: " in str(error)
    assert str(error).splitlines()[0] == "6 plugins failed to load:"
    assert len(str(error).splitlines()) == 7


def test_each_failure_carries_the_real_exception(failing_project: Path) -> None:
    failures = {failure.uri: failure.error for failure in load_error(failing_project).failures}

    missing_attr = failures["good.plugins.missing_attr"]
    assert isinstance(missing_attr, PluginImportError)
    assert "has no attribute or submodule 'missing_attr'" in str(missing_attr)
    assert isinstance(missing_attr.__cause__, ModuleNotFoundError)

    no_module = failures["nomodule_xyz.hooks.start"]
    assert isinstance(no_module, PluginImportError)
    assert isinstance(no_module.__cause__, ModuleNotFoundError)
    assert no_module.__cause__.name == "nomodule_xyz"

    invalid = failures["good..plugins"]
    assert isinstance(invalid, UriError)
    assert "empty segment" in str(invalid)

    syntax = failures["good.syntax.thing"]
    assert isinstance(syntax.__cause__, SyntaxError)

    angry = failures["good.angry.thing"]
    assert isinstance(angry.__cause__, RuntimeError)
    assert "refusing to load" in str(angry)

    needs_dep = failures["good.needs_dep"]
    assert isinstance(needs_dep.__cause__, ModuleNotFoundError)
    assert needs_dep.__cause__.name == "dependency_not_installed_xyz"
    assert "dependency_not_installed_xyz" in str(needs_dep)


def test_one_failure_is_reported_in_the_singular(make_project: MakeProject) -> None:
    root = make_project({"spoc.toml": '[spoc.plugins]\nhooks = ["json.no_such_function"]\n'})
    error = load_error(root)
    assert str(error).splitlines() == [
        "1 plugin failed to load:",
        f"  {root / 'spoc.toml'}:2:11: [hooks] 'json.no_such_function': "
        "module 'json' has no attribute or submodule 'no_such_function'",
    ]


def test_a_group_that_is_not_a_list_in_settings(make_project: MakeProject) -> None:
    root = make_project(
        {
            "config/settings.py": 'PLUGINS = {\n    "hooks": "core.hooks.startup",\n}\n',
            "side_effect.py": "raise RuntimeError('must not be imported')\n",
            "spoc.toml": '[spoc.plugins]\nmiddleware = ["side_effect"]\n',
        }
    )
    with pytest.raises(PluginShapeError) as caught:
        Framework(root)
    error = caught.value
    assert error.group == "hooks"
    assert error.location.file == root / "config" / "settings.py"
    assert "PLUGINS group 'hooks' must be a list of URI strings, not str" in str(error)
    assert str(root / "config" / "settings.py") in str(error)
    assert "side_effect" not in sys.modules  # the shape is checked before any plugin is loaded


def test_plugins_that_is_not_a_dict_in_settings(make_project: MakeProject) -> None:
    root = make_project({"config/settings.py": 'PLUGINS = ["core.hooks.startup"]\n'})
    with pytest.raises(PluginShapeError, match="PLUGINS must be a dict"):
        Framework(root)


def test_a_group_that_is_not_an_array_in_toml(make_project: MakeProject) -> None:
    root = make_project({"spoc.toml": '[spoc.plugins]\nhooks = "core.hooks.startup"\n'})
    with pytest.raises(ConfigError, match=r"spoc\.plugins\.hooks must be an array") as caught:
        Framework(root)
    assert caught.value.key == "plugins"
    assert caught.value.location.file == root / "spoc.toml"


# --- provenance as the framework computes it ----------------------------------------------------


def test_toml_entry_lines_point_into_the_plugins_table(
    make_project: MakeProject, line_of: LineOf
) -> None:
    """A URI that is also an app name: its line is where it is listed as a plugin."""
    root = make_project(
        {
            "config/spoc.toml": """
                [spoc]
                mode = "production"

                [spoc.apps]
                production = ["orders"]

                [spoc.plugins]
                tasks = ["orders"]
                """,
            **apps("orders"),
        }
    )
    [entry] = Framework(root).plan.group("tasks")
    assert entry.provenance.line == line_of(root / "config" / "spoc.toml", "tasks = ")


def test_settings_entry_lines_point_into_plugins(
    make_project: MakeProject, line_of: LineOf
) -> None:
    """A URI that is also an installed app: its line is where ``PLUGINS`` lists it."""
    root = make_project(
        {
            "config/settings.py": """
                INSTALLED_APPS = ["orders"]

                PLUGINS = {
                    "tasks": ["orders"],
                }
                """,
            **apps("orders"),
        }
    )
    [entry] = Framework(root).plan.group("tasks")
    assert entry.provenance.line == line_of(root / "config" / "settings.py", '"tasks"')
