"""Error types of the plugin system. Each names where the problem is, for the person fixing it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spoc.interfaces import failure_message


class SpocError(Exception):
    """Base class of every error SPOC raises on purpose."""


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column, each unknown as ``None``."""

    file: Path | None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.file) if self.file is not None else "<unknown file>"
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class ConfigError(SpocError):
    """``spoc.toml`` or the settings module is unreadable or has a key of the wrong type."""

    def __init__(self, message: str, location: Location, key: str | None = None) -> None:
        self.message = message
        self.location = location
        self.key = key
        super().__init__(f"{location}: {message}")


class UriError(SpocError, ValueError):
    """A string is not a valid plugin URI."""

    def __init__(self, uri: str, reason: str) -> None:
        self.uri = uri
        self.reason = reason
        super().__init__(f"invalid plugin URI {uri!r}: {reason}")


class PluginShapeError(SpocError):
    """``PLUGINS`` or ``[spoc.plugins]`` is not a mapping of groups to lists of strings."""

    def __init__(self, message: str, location: Location, group: str | None = None) -> None:
        self.message = message
        self.location = location
        self.group = group
        super().__init__(f"{location}: {message}")


class PluginImportError(SpocError, ImportError):
    """A URI could not be resolved to an object; the real exception is chained."""

    def __init__(self, uri: str, message: str) -> None:
        self.uri = uri
        self.message = message
        super().__init__(message)


class PluginInterfaceError(SpocError, TypeError):
    """A plugin loaded but does not satisfy its group's interface (``[spoc.interfaces]``),
    or the interface itself is not usable; ``problems`` lists each thing wrong."""

    def __init__(self, uri: str, group: str, interface: str, problems: Sequence[str]) -> None:
        self.uri = uri
        self.group = group
        self.interface = interface
        self.problems = tuple(problems)
        super().__init__(failure_message(uri, interface, group, self.problems))


@dataclass(frozen=True)
class PluginFailure:
    """One plugin that failed to load: which, where it is listed, and why."""

    group: str
    uri: str
    location: Location
    error: BaseException

    def describe(self) -> str:
        return f"{self.location}: [{self.group}] {self.uri!r}: {self.error}"


class PluginLoadError(SpocError):
    """One or more plugins failed to load; every failure is listed at once."""

    def __init__(self, failures: Sequence[PluginFailure]) -> None:
        self.failures = tuple(failures)
        count = len(self.failures)
        header = f"{count} plugin{'s' if count != 1 else ''} failed to load:"
        lines = [header, *(f"  {failure.describe()}" for failure in self.failures)]
        super().__init__("\n".join(lines))
