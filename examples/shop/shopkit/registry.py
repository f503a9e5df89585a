"""A small plugin registry: functions register themselves under a group with a decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

PluginT = TypeVar("PluginT", bound=Callable[..., Any])


class PluginRegistry:
    """Central registry of plugins, by group, in registration order."""

    def __init__(self) -> None:
        self._plugins: dict[str, list[Callable[..., Any]]] = {}

    def register(self, group: str) -> Callable[[PluginT], PluginT]:
        """Decorator adding the decorated function to ``group``."""

        def decorator(plugin: PluginT) -> PluginT:
            self._plugins.setdefault(group, []).append(plugin)
            return plugin

        return decorator

    def get_plugins(self, group: str) -> list[Callable[..., Any]]:
        """The plugins of ``group`` (empty when nothing registered)."""
        return list(self._plugins.get(group, []))

    def groups(self) -> list[str]:
        return list(self._plugins)

    def execute_all(self, group: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every plugin of ``group`` with the same arguments; return their results."""
        return [plugin(*args, **kwargs) for plugin in self.get_plugins(group)]
