"""``spoc.config``: where the configuration files are, how they are read and checked
(CONTRACT §1, "Project files"; SPOC009's key types)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from spoc.config import (
    DEFAULT_MODE,
    Config,
    ProjectFiles,
    Settings,
    find_project_files,
    find_settings,
    find_toml,
    load_config,
    settings_candidates,
)
from spoc.errors import ConfigError

MakeProject = Callable[[Mapping[str, str]], Path]
LineOf = Callable[[Path, str], int]

# --- finding the files --------------------------------------------------------------------------


def test_config_spoc_toml_comes_before_the_root_one(make_project: MakeProject) -> None:
    root = make_project({"config/spoc.toml": "", "spoc.toml": ""})
    assert find_toml(root) == root / "config" / "spoc.toml"
    (root / "config" / "spoc.toml").unlink()
    assert find_toml(root) == root / "spoc.toml"
    (root / "spoc.toml").unlink()
    assert find_toml(root) is None


def test_a_directory_named_spoc_toml_is_not_the_file(make_project: MakeProject) -> None:
    root = make_project({"config/spoc.toml/keep": "", "spoc.toml": ""})
    assert find_toml(root) == root / "spoc.toml"


SETTINGS_ORDER = [
    f"{directory}{name}{form}"
    for directory in ("config/", "conf/", "")
    for name in ("settings", "config", "configuration")
    for form in (".py", "/__init__.py")
]


def test_settings_candidates_follow_the_contract_order(tmp_path: Path) -> None:
    candidates = [path.relative_to(tmp_path).as_posix() for path in settings_candidates(tmp_path)]
    assert candidates == SETTINGS_ORDER


def test_the_first_existing_settings_candidate_wins(make_project: MakeProject) -> None:
    root = make_project(dict.fromkeys(SETTINGS_ORDER, "X = 1\n"))
    for expected in SETTINGS_ORDER:
        assert find_settings(root) == root / expected
        (root / expected).unlink()
    assert find_settings(root) is None


@pytest.mark.parametrize(
    ("relative", "module_name"),
    [
        ("config/settings.py", "config.settings"),
        ("conf/configuration/__init__.py", "conf.configuration"),
        ("config.py", "config"),
        ("settings/__init__.py", "settings"),
    ],
)
def test_each_form_of_settings_module_is_found_and_executed(
    make_project: MakeProject, relative: str, module_name: str
) -> None:
    root = make_project({relative: "PLUGINS = {'g': ['a.b']}\nloaded_as = __name__\n"})
    files = find_project_files(root)
    assert files.settings == root / relative
    assert files.settings_module_name == module_name
    config = load_config(root)
    assert config.settings.PLUGINS == {"g": ["a.b"]}
    assert config.settings.loaded_as == module_name
    assert config.settings.file == root / relative


def test_missing_files_are_fine(make_project: MakeProject) -> None:
    root = make_project({"README.md": "nothing else here\n"})
    config = load_config(root)
    assert config.files == ProjectFiles(root=root.resolve(), toml=None, settings=None)
    assert dict(config.project) == {"mode": "development"}
    assert config.mode == DEFAULT_MODE
    assert DEFAULT_MODE == "development"
    assert config.settings.PLUGINS == {}
    assert config.settings.INSTALLED_APPS == []
    assert config.settings.module is None
    assert dict(config.environment) == {}
    assert config.toml_text == ""


# --- reading spoc.toml --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "toml",
    ["", "[tool.other]\nx = 1\n", "[spoc]\ndebug = true\n", "[spoc.plugins]\ng = []\n"],
)
def test_mode_defaults_to_development(make_project: MakeProject, toml: str) -> None:
    config = load_config(make_project({"config/spoc.toml": toml}))
    assert config.mode == "development"
    assert config.project["mode"] == "development"


def test_known_keys_are_read(make_project: MakeProject) -> None:
    root = make_project(
        {
            "spoc.toml": """
                [spoc]
                mode = "staging"
                debug = false
                custom = "kept"

                [spoc.apps]
                staging = ["extras"]

                [spoc.plugins]
                hooks = ["app.hooks.start"]
                """
        }
    )
    config = load_config(root)
    assert config.mode == "staging"
    assert config.project["debug"] is False
    assert config.project["custom"] == "kept"
    assert config.project["apps"] == {"staging": ["extras"]}
    assert config.project["plugins"] == {"hooks": ["app.hooks.start"]}
    assert config.files.toml == root / "spoc.toml"
    assert config.toml_text == (root / "spoc.toml").read_text()


WRONG_TYPES = [
    ("mode = 1", "mode", "mode = 1", "spoc.mode must be a string, not an integer"),
    ('debug = "yes"', "debug", 'debug = "yes"', "spoc.debug must be true or false, not a string"),
    ('apps = "core"', "apps", 'apps = "core"', "spoc.apps must be a table of arrays, not a string"),
    ('plugins = ["a.b"]', "plugins", "plugins = ", "spoc.plugins must be a table of arrays"),
]


@pytest.mark.parametrize(("assignment", "key", "needle", "message"), WRONG_TYPES)
def test_wrong_typed_known_keys_name_file_line_and_key(
    make_project: MakeProject,
    line_of: LineOf,
    assignment: str,
    key: str,
    needle: str,
    message: str,
) -> None:
    root = make_project({"config/spoc.toml": f'# project\n\n[spoc]\nname = "shop"\n{assignment}\n'})
    path = root / "config" / "spoc.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    error = caught.value
    line = line_of(path, needle)
    assert error.key == key
    assert error.location.file == path
    assert error.location.line == line
    assert message in error.message
    assert str(error).startswith(f"{path}:{line}: ")
    assert key in str(error)


@pytest.mark.parametrize(
    ("table", "value", "message"),
    [
        ("plugins", '"core.hooks.startup"', "spoc.plugins.hooks must be an array of strings"),
        ("plugins", '["ok.uri", 3]', "spoc.plugins.hooks must hold only strings, found an integer"),
        ("apps", '"core"', "spoc.apps.hooks must be an array of strings, not a string"),
    ],
)
def test_wrong_typed_group_names_the_table(
    make_project: MakeProject, line_of: LineOf, table: str, value: str, message: str
) -> None:
    text = f'[spoc]\nmode = "development"\n\n[spoc.{table}]\nfine = []\nhooks = {value}\n'
    root = make_project({"spoc.toml": text})
    path = root / "spoc.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert caught.value.key == table
    assert message in str(caught.value)
    assert caught.value.location.file == path
    # The table's header, or (better) the group's own line.
    assert caught.value.location.line in {line_of(path, f"[spoc.{table}]"), 6}


def test_spoc_that_is_not_a_table(make_project: MakeProject) -> None:
    root = make_project({"spoc.toml": 'title = "x"\nspoc = 3\n'})
    with pytest.raises(ConfigError, match=r"\[spoc\] must be a table") as caught:
        load_config(root)
    assert caught.value.key == "spoc"
    assert caught.value.location.line == 2


def test_invalid_toml_names_file_and_line(make_project: MakeProject) -> None:
    root = make_project({"config/spoc.toml": '[spoc]\nmode = "development"\ndebug = tru\n'})
    path = root / "config" / "spoc.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    error = caught.value
    assert "invalid TOML" in str(error)
    assert error.location.file == path
    # The line is part of the location (``file:3:9: ...``), whatever the TOML parser: Python
    # 3.11-3.13's tomllib gives it only inside its message ("at line 3, column 9").
    assert error.location.line == 3
    assert str(error).startswith(f"{path}:3:")
    assert isinstance(error.__cause__, ValueError)


# --- the settings module ------------------------------------------------------------------------


def test_settings_module_that_raises_names_file_and_line(make_project: MakeProject) -> None:
    root = make_project({"config/settings.py": "DEBUG = True\n\nPLUGINS = {'g': [MISSING_NAME]}\n"})
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert caught.value.location.file == root / "config" / "settings.py"
    assert caught.value.location.line == 3
    assert "NameError" in str(caught.value)
    assert isinstance(caught.value.__cause__, NameError)


def test_settings_module_with_a_syntax_error(make_project: MakeProject) -> None:
    root = make_project({"config/settings.py": "DEBUG = True\nPLUGINS = {\n"})
    with pytest.raises(ConfigError, match="SyntaxError") as caught:
        load_config(root)
    assert caught.value.location.line is not None
    assert str(root / "config" / "settings.py") in str(caught.value)


def test_settings_defaults_are_fresh_and_unknown_names_fail() -> None:
    settings = Settings(None, None)
    settings.PLUGINS["g"] = ["x"]
    settings.INSTALLED_APPS.append("x")
    assert settings.PLUGINS == {}
    assert settings.INSTALLED_APPS == []
    with pytest.raises(AttributeError, match="NOT_A_SETTING"):
        _ = settings.NOT_A_SETTING


# --- .env/<mode>.toml ---------------------------------------------------------------------------


def test_environment_of_the_mode(make_project: MakeProject) -> None:
    root = make_project(
        {
            "spoc.toml": '[spoc]\nmode = "staging"\n',
            ".env/staging.toml": 'database_url = "postgres://staging"\n',
            ".env/default.toml": 'database_url = "sqlite://default"\n',
        }
    )
    assert dict(load_config(root).environment) == {"database_url": "postgres://staging"}


def test_environment_falls_back_to_default(make_project: MakeProject) -> None:
    root = make_project(
        {
            ".env/production.toml": 'database_url = "postgres://production"\n',
            ".env/default.toml": 'database_url = "sqlite://default"\n',
        }
    )
    assert dict(load_config(root).environment) == {"database_url": "sqlite://default"}


def test_invalid_environment_file_is_a_config_error(make_project: MakeProject) -> None:
    root = make_project({".env/development.toml": "x = \n"})
    with pytest.raises(ConfigError, match="invalid TOML") as caught:
        load_config(root)
    assert caught.value.location.file == root / ".env" / "development.toml"


# --- read-only ----------------------------------------------------------------------------------


def test_config_is_frozen_and_its_project_read_only(make_project: MakeProject) -> None:
    config = load_config(make_project({"spoc.toml": '[spoc]\nmode = "production"\n'}))
    assert isinstance(config, Config)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.project = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.project["mode"] = "development"  # type: ignore[index]
    with pytest.raises(TypeError):
        del config.project["mode"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        config.environment["x"] = 1  # type: ignore[index]
    assert config.mode == "production"
