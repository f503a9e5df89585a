"""``Framework``: reads the configuration, sets up the import path, installs the apps and loads
every plugin, in that order, exposing ``framework.plugins[group][uri]``."""

from __future__ import annotations

import importlib.util
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from spoc.config import Config, load_config
from spoc.conformance import check_interfaces
from spoc.errors import ConfigError, Location, PluginFailure, PluginLoadError, SpocError
from spoc.importer import Importer
from spoc.locate import (
    locator,
    python_plugin_positions,
    toml_interface_lines,
    toml_plugin_positions,
)
from spoc.plugins import PluginPlan, PluginSource, merge_plugins, source_from_mapping

# Which [spoc.apps] lists a mode installs: a mode includes the apps of every mode above it.
MODE_APP_LISTS: Mapping[str, tuple[str, ...]] = {
    "production": ("production",),
    "staging": ("staging", "production"),
    "development": ("development", "staging", "production"),
}


@dataclass(frozen=True)
class Schema:
    """What each installed app may provide.

    ``modules`` are the module names looked for in each app (``core.models``...);
    ``dependencies`` maps a module name to the module names it needs loaded first;
    ``hooks`` maps a lifecycle event (``startup``, ``shutdown``) to the function names called
    in each loaded module that defines them.
    """

    modules: Sequence[str] = ()
    dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    hooks: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: {"startup": ("startup",), "shutdown": ("shutdown",)}
    )

    def module_order(self) -> list[str]:
        """``modules`` sorted so every module comes after its dependencies (stable otherwise)."""
        ordered: list[str] = []
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if name in ordered:
                return
            if name in visiting:
                raise SpocError(f"schema dependency cycle through {name!r}")
            visiting.add(name)
            for dependency in self.dependencies.get(name, ()):
                visit(dependency)
            visiting.discard(name)
            ordered.append(name)

        for name in self.modules:
            visit(name)
        return ordered


def plugin_sources(config: Config) -> tuple[PluginSource, PluginSource]:
    """The TOML and settings plugin sources of a loaded config, with line numbers where found."""
    toml_positions = toml_plugin_positions(config.toml_text)
    toml = source_from_mapping(
        "toml", config.files.toml, config.project.get("plugins", {}), locator(toml_positions)
    )
    settings_file = config.settings.file
    settings_positions: dict[str, list[tuple[int, int]]] = {}
    if settings_file is not None:
        try:
            settings_positions = python_plugin_positions(settings_file.read_text("utf-8"))
        except (OSError, UnicodeDecodeError):
            settings_positions = {}
    settings = source_from_mapping(
        "settings", settings_file, config.settings.PLUGINS, locator(settings_positions)
    )
    return toml, settings


def load_plugins(
    plan: PluginPlan,
    importer: Importer,
    interfaces: Mapping[str, str] | None = None,
    interfaces_file: Location | None = None,
    interfaces_text: str = "",
) -> dict[str, OrderedDict[str, Any]]:
    """Load every planned plugin and check the groups with a declared interface (without
    calling any plugin); raise one :class:`PluginLoadError` listing every failure."""
    loaded: dict[str, OrderedDict[str, Any]] = {}
    failures: list[PluginFailure] = []
    for group, entries in plan.groups:
        bucket: OrderedDict[str, Any] = OrderedDict()
        loaded[group] = bucket
        for entry in entries:
            try:
                bucket[entry.uri] = importer.load_from_uri(entry.uri)
            except Exception as error:
                failures.append(PluginFailure(group, entry.uri, entry.provenance.location, error))
    if interfaces:
        listed = {
            (group, entry.uri): entry.provenance.location
            for group, entries in plan.groups
            for entry in entries
        }
        lines = toml_interface_lines(interfaces_text)
        declared_in = interfaces_file or Location(None)
        failures.extend(
            check_interfaces(
                loaded,
                interfaces,
                importer.load_from_uri,
                lambda group, uri: listed.get((group, uri), Location(None)),
                lambda group: Location(declared_in.file, lines.get(group)),
            )
        )
    if failures:
        raise PluginLoadError(failures)
    return loaded


class Framework:
    """A SPOC application: configuration, installed apps and loaded plugins.

    Construction does the whole start-up: it reads ``spoc.toml`` and the settings module, puts
    the project's search roots in front of ``sys.path``, imports each installed app's schema
    modules in dependency order, and loads every plugin.
    """

    def __init__(self, base_dir: Path, schema: Schema | None = None) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.schema = schema or Schema()
        self.importer = Importer(self.base_dir)
        self.importer.setup_path()
        self.config: Config = load_config(self.base_dir)
        self.installed_apps: list[str] = self._installed_apps()
        self.components: dict[str, dict[str, ModuleType]] = self._load_components()
        self.plan: PluginPlan = merge_plugins(*plugin_sources(self.config))
        # Groups whose plugins must satisfy an interface ([spoc.interfaces]); others unchecked.
        self.interfaces: Mapping[str, str] = dict(self.config.project.get("interfaces", {}))
        self.plugins: dict[str, OrderedDict[str, Any]] = load_plugins(
            self.plan,
            self.importer,
            self.interfaces,
            Location(self.config.files.toml),
            self.config.toml_text,
        )

    def _installed_apps(self) -> list[str]:
        apps: list[str] = list(self.config.settings.INSTALLED_APPS)
        table: Mapping[str, Sequence[str]] = self.config.project.get("apps", {})
        mode = self.config.mode
        if mode not in MODE_APP_LISTS:
            known = ", ".join(MODE_APP_LISTS)
            raise ConfigError(
                f"unknown mode {mode!r} (expected one of {known})",
                Location(self.config.files.toml),
                key="mode",
            )
        for list_name in MODE_APP_LISTS[mode]:
            apps.extend(app for app in table.get(list_name, ()) if app not in apps)
        return apps

    def _load_components(self) -> dict[str, dict[str, ModuleType]]:
        """Import ``<app>.<module>`` for each app and schema module that exists."""
        components: dict[str, dict[str, ModuleType]] = {}
        for module_name in self.schema.module_order():
            loaded: dict[str, ModuleType] = {}
            for app in self.installed_apps:
                dotted = f"{app}.{module_name}"
                if importlib.util.find_spec(app) is None:
                    raise SpocError(f"installed app {app!r} cannot be imported")
                if importlib.util.find_spec(dotted) is not None:
                    loaded[app] = self.importer.load(dotted)
            components[module_name] = loaded
        return components

    def _run_hooks(self, event: str, modules: list[str], *, reverse: bool = False) -> None:
        for module_name in modules:
            loaded = list(self.components.get(module_name, {}).values())
            for module in reversed(loaded) if reverse else loaded:
                for function_name in self.schema.hooks.get(event, ()):
                    hook = getattr(module, function_name, None)
                    if callable(hook):
                        hook()

    def startup(self) -> None:
        """Call each loaded schema module's startup hooks, in dependency order."""
        self._run_hooks("startup", self.schema.module_order())

    def shutdown(self) -> None:
        """Call each loaded schema module's shutdown hooks, in reverse dependency order."""
        self._run_hooks("shutdown", list(reversed(self.schema.module_order())), reverse=True)
