"""The import path of a project and the resolution of a plugin URI to a Python object.

Resolution of ``a.b.c`` (CONTRACT §1): import module ``a.b`` and take attribute ``c``; if
``a.b`` has no attribute ``c``, import ``a.b.c`` as a module. A URI with no dot is a module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import MutableSequence
from pathlib import Path
from types import ModuleType

from spoc.errors import PluginImportError, UriError
from spoc.uri import split_uri, uri_problem


def project_search_roots(root: Path) -> list[Path]:
    """The directories a project puts in front of ``sys.path``: ``<root>/apps`` if it exists,
    then ``<root>``. Nothing is created on disk."""
    apps = root / "apps"
    return [apps, root] if apps.is_dir() else [root]


def install_search_roots(root: Path, path: MutableSequence[str] | None = None) -> list[str]:
    """Put the project's search roots in front of ``path`` (``sys.path`` by default).

    A directory already on the path is moved to the front, never listed twice. Returns the
    entries that were placed.
    """
    target: MutableSequence[str] = sys.path if path is None else path
    wanted = [str(directory) for directory in project_search_roots(root)]
    for entry in wanted:
        while entry in target:
            target.remove(entry)
    for index, entry in enumerate(wanted):
        target.insert(index, entry)
    return wanted


def validate_uri(uri: object) -> str:
    """Return ``uri`` if it is a valid plugin URI; raise :class:`UriError` otherwise."""
    if not isinstance(uri, str):
        raise UriError(repr(uri), f"a URI must be a string, not {type(uri).__name__}")
    problem = uri_problem(uri)
    if problem is not None:
        raise UriError(uri, problem.message)
    return uri


class Importer:
    """Loads modules and plugin URIs for one project."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root.resolve() if root is not None else None

    def setup_path(self) -> list[str]:
        """Put the project's search roots in front of ``sys.path``."""
        if self.root is None:
            return []
        return install_search_roots(self.root)

    def load(self, module: str) -> ModuleType:
        """Import and return the module named ``module``."""
        return importlib.import_module(validate_uri(module))

    def load_from_uri(self, uri: str) -> object:
        """Resolve ``uri`` to the object it names (function, class, instance, module...).

        Raises :class:`UriError` for an invalid URI and :class:`PluginImportError`, with the
        real exception chained, when it does not resolve.
        """
        validate_uri(uri)
        module_name, attribute = split_uri(uri)
        if module_name is None:
            return self._import(uri, uri)
        module = self._import(module_name, uri)
        try:
            return getattr(module, attribute)
        except AttributeError:
            pass
        try:
            return importlib.import_module(uri)
        except ModuleNotFoundError as error:
            if error.name != uri:
                raise PluginImportError(
                    uri, f"importing {uri!r} failed: {type(error).__name__}: {error}"
                ) from error
            raise PluginImportError(
                uri, f"module {module_name!r} has no attribute or submodule {attribute!r}"
            ) from error
        except Exception as error:
            raise PluginImportError(
                uri, f"importing {uri!r} raised {type(error).__name__}: {error}"
            ) from error

    @staticmethod
    def _import(module_name: str, uri: str) -> ModuleType:
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and (
                module_name == error.name or module_name.startswith(error.name + ".")
            ):
                raise PluginImportError(uri, f"no module named {error.name!r}") from error
            raise PluginImportError(
                uri, f"importing {module_name!r} failed: {type(error).__name__}: {error}"
            ) from error
        except Exception as error:
            raise PluginImportError(
                uri, f"importing {module_name!r} raised {type(error).__name__}: {error}"
            ) from error


_default = Importer()


def load_from_uri(uri: str) -> object:
    """Resolve ``uri`` with the current ``sys.path`` (see :meth:`Importer.load_from_uri`)."""
    return _default.load_from_uri(uri)
