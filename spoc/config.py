"""Finding, reading and validating a SPOC project's configuration.

Search order (CONTRACT §1): ``config/spoc.toml``, else ``spoc.toml`` at the root; the settings
module is the first of ``settings``, ``config``, ``configuration`` (as ``NAME.py`` or
``NAME/__init__.py``) in ``config/``, ``conf/``, then the root. Either file may be missing.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

from spoc.errors import ConfigError, Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOML_CANDIDATES = ("config/spoc.toml", "spoc.toml")
SETTINGS_DIRECTORIES = ("config", "conf", "")
SETTINGS_NAMES = ("settings", "config", "configuration")
DEFAULT_MODE = "development"


@dataclass(frozen=True)
class ProjectFiles:
    """The configuration files of a project; either may be ``None``."""

    root: Path
    toml: Path | None
    settings: Path | None

    @property
    def settings_module_name(self) -> str | None:
        """The dotted name the settings module is imported under (``config.settings``...)."""
        if self.settings is None:
            return None
        relative = self.settings.relative_to(self.root)
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)


def find_toml(root: Path) -> Path | None:
    """The project's ``spoc.toml`` by the contract's search order, or ``None``."""
    for candidate in TOML_CANDIDATES:
        path = root / candidate
        if path.is_file():
            return path
    return None


def settings_candidates(root: Path) -> list[Path]:
    """Every path the settings module may live at, in search order."""
    paths: list[Path] = []
    for directory in SETTINGS_DIRECTORIES:
        base = root / directory if directory else root
        for name in SETTINGS_NAMES:
            paths.append(base / f"{name}.py")
            paths.append(base / name / "__init__.py")
    return paths


def find_settings(root: Path) -> Path | None:
    """The project's settings module file by the contract's search order, or ``None``."""
    return next((path for path in settings_candidates(root) if path.is_file()), None)


def find_project_files(root: Path) -> ProjectFiles:
    root = root.resolve()
    return ProjectFiles(root=root, toml=find_toml(root), settings=find_settings(root))


# --- spoc.toml --------------------------------------------------------------------------------


def _key_line(text: str, key: str) -> int | None:
    """Best-effort line of ``key =`` (or a ``[...key]`` header) in TOML text."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.rstrip("]").endswith(key):
            return number
        if stripped.startswith(key) and stripped[len(key) :].lstrip().startswith("="):
            return number
    return None


def key_problem(key: str, value: object) -> str | None:
    """Why ``value`` is the wrong type for the known ``[spoc]`` key ``key`` (``None`` if fine).

    ``mode`` is a string, ``debug`` a bool, ``apps`` and ``plugins`` tables of arrays of strings,
    ``interfaces`` a table of strings (a class URI or a kind, see :mod:`spoc.interfaces`).
    Unknown keys are never a problem. The language server reports these messages too (SPOC009).
    """
    if key == "mode" and not isinstance(value, str):
        return f"spoc.mode must be a string, not {_type(value)}"
    if key == "debug" and not isinstance(value, bool):
        return f"spoc.debug must be true or false, not {_type(value)}"
    if key == "interfaces":
        if not isinstance(value, Mapping):
            return f"spoc.interfaces must be a table of strings, not {_type(value)}"
        for group, interface in value.items():
            if not isinstance(interface, str):
                return (
                    f"spoc.interfaces.{group} must be a string (a class URI or one of "
                    f"'callable', 'class', 'function', 'module'), not {_type(interface)}"
                )
        return None
    if key in ("apps", "plugins"):
        if not isinstance(value, Mapping):
            return f"spoc.{key} must be a table of arrays, not {_type(value)}"
        for group, items in value.items():
            if not isinstance(items, list):
                return f"spoc.{key}.{group} must be an array of strings, not {_type(items)}"
            for item in items:
                if not isinstance(item, str):
                    return (
                        f"spoc.{key}.{group} must hold only strings, found {_type(item)} {item!r}"
                    )
    return None


KNOWN_KEYS = ("mode", "debug", "apps", "plugins", "interfaces")


def validate_project_table(table: object, file: Path | None, text: str = "") -> dict[str, Any]:
    """Check the known keys of the ``[spoc]`` table (see :func:`key_problem`); return a copy.

    ``mode`` defaults to ``development``. Raises :class:`ConfigError` naming file, line and key.
    """
    if not isinstance(table, Mapping):
        raise ConfigError("[spoc] must be a table", Location(file, _key_line(text, "spoc")), "spoc")
    project = dict(table)
    for key in KNOWN_KEYS:
        if key not in project:
            continue
        problem = key_problem(key, project[key])
        if problem is not None:
            raise ConfigError(problem, Location(file, _key_line(text, key)), key=key)
    project.setdefault("mode", DEFAULT_MODE)
    return project


def _type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return names.get(type(value), type(value).__name__)


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; return its data and its text. Raise :class:`ConfigError` if invalid."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path.name}: {error}", Location(path)) from error
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        message, line, column = _toml_error_position(error)
        raise ConfigError(f"invalid TOML: {message}", Location(path, line, column)) from error


_AT_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _toml_error_position(error: Exception) -> tuple[str, int | None, int | None]:
    """Message, line and column of a TOML error (before 3.14, tomllib puts them in the text)."""
    line = getattr(error, "lineno", None)
    column = getattr(error, "colno", None)
    message = str(getattr(error, "msg", error))
    found = _AT_POSITION.search(message)
    if found is not None:
        message = message[: found.start()]
        if line is None:
            line, column = int(found.group(1)), int(found.group(2))
    return message, line, column


def read_project_table(path: Path | None) -> tuple[dict[str, Any], str]:
    """The validated ``[spoc]`` table of ``spoc.toml`` (defaults when there is no file)."""
    if path is None:
        return {"mode": DEFAULT_MODE}, ""
    data, text = read_toml(path)
    return validate_project_table(data.get("spoc", {}), path, text), text


def read_environment(root: Path, mode: str) -> dict[str, Any]:
    """``.env/<mode>.toml``, else ``.env/default.toml``, else an empty environment."""
    for name in (f"{mode}.toml", "default.toml"):
        path = root / ".env" / name
        if path.is_file():
            return read_toml(path)[0]
    return {}


# --- the settings module ----------------------------------------------------------------------


class Settings:
    """The project's settings module, with defaults for the names SPOC reads.

    Attribute access goes to the module; ``PLUGINS`` defaults to ``{}`` and ``INSTALLED_APPS``
    to ``[]`` when the module does not define them (or there is no module).
    """

    DEFAULTS: Mapping[str, Any] = MappingProxyType({"PLUGINS": {}, "INSTALLED_APPS": []})

    def __init__(self, module: ModuleType | None, file: Path | None) -> None:
        self._module = module
        self.file = file

    def __getattr__(self, name: str) -> Any:
        if self._module is not None and hasattr(self._module, name):
            return getattr(self._module, name)
        if name in self.DEFAULTS:
            default = self.DEFAULTS[name]
            return type(default)()
        raise AttributeError(f"settings has no {name!r}")

    @property
    def module(self) -> ModuleType | None:
        return self._module


def load_settings(files: ProjectFiles) -> Settings:
    """Execute the settings module (this is the runtime: running it is its job)."""
    if files.settings is None:
        return Settings(None, None)
    name = files.settings_module_name or "settings"
    spec = importlib.util.spec_from_file_location(
        name,
        files.settings,
        submodule_search_locations=[str(files.settings.parent)]
        if files.settings.name == "__init__.py"
        else None,
    )
    if spec is None or spec.loader is None:
        raise ConfigError("cannot load the settings module", Location(files.settings))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(name, None)
        line = _traceback_line(error, files.settings)
        raise ConfigError(
            f"the settings module raised {type(error).__name__}: {error}",
            Location(files.settings, line),
        ) from error
    return Settings(module, files.settings)


def _traceback_line(error: BaseException, file: Path) -> int | None:
    if isinstance(error, SyntaxError):
        return error.lineno
    line = None
    trace = error.__traceback__
    while trace is not None:
        if Path(trace.tb_frame.f_code.co_filename) == file:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


@dataclass(frozen=True)
class Config:
    """Everything a SPOC project is configured with. Read-only once built."""

    project: Mapping[str, Any]
    settings: Settings
    environment: Mapping[str, Any]
    files: ProjectFiles = field(repr=False)
    toml_text: str = field(default="", repr=False)

    @property
    def mode(self) -> str:
        return str(self.project.get("mode", DEFAULT_MODE))


def load_config(root: Path) -> Config:
    """Find, read and validate the project's configuration at ``root``."""
    files = find_project_files(root)
    project, text = read_project_table(files.toml)
    settings = load_settings(files)
    environment = read_environment(files.root, str(project["mode"]))
    return Config(
        project=MappingProxyType(project),
        settings=settings,
        environment=MappingProxyType(environment),
        files=files,
        toml_text=text,
    )
