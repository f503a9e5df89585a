"""Modules rebuilt by a lazy-module helper (#14 item 3), and ``__name__ == "__main__"`` blocks,
against real imports."""

from __future__ import annotations

from pathlib import Path

from dynamic_cases import verdicts

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status

HELPER = """
import importlib
import sys
from types import ModuleType


class LazyModule(ModuleType):
    def __getattr__(self, name):
        for module, names in self._by_module.items():
            if name in names:
                return getattr(importlib.import_module(module), name)
        raise AttributeError(name)


def create_module(name, attrs, by_module):
    fqdn = name
    module = sys.modules[fqdn] = LazyModule(name)
    module._by_module = by_module
    module.__dict__.update(attrs)
    return module


def recreate_module(name, by_module=None, **attrs):
    old = sys.modules[name]
    new = create_module(name, attrs, by_module or {})
    new.__path__ = old.__path__
    return old, new


def get_logger(name):
    return name
"""

FILES = {
    "apps/lazyapp/__init__.py": (
        "import sys\n"
        "from . import local\n"
        "from .local import get_logger\n"
        "logger = get_logger(__name__)\n"
        "VERSION = '1'\n"
        "old, new = local.recreate_module(\n"
        "    __name__,\n"
        "    by_module={'lazyapp.tasks': ['shared_task', 'Task']},\n"
        "    VERSION=VERSION,\n"
        ")\n"
    ),
    "apps/lazyapp/local.py": HELPER,
    "apps/lazyapp/tasks.py": "def shared_task(): ...\nclass Task: ...\n",
    "apps/plain/__init__.py": (
        "from lazyapp.local import get_logger\nlogger = get_logger(__name__)\nREAL = 1\n"
    ),
    "apps/doomed.py": (
        "import sys\n"
        "try:\n"
        "    import json\n"
        "except ImportError as exc:\n"
        "    msg = 'no json'\n"
        "    raise ImportError(msg) from exc\n"
        "if sys.platform != 'win32' and __name__ == '__main__':\n"
        "    demo = 1\n"
        "OK = 1\n"
    ),
    "apps/script.py": (
        "def main(): ...\n"
        "if __name__ == '__main__':\n"
        "    import argparse\n"
        "    parser = argparse.ArgumentParser()\n"
        "if __name__ != '__main__':\n"
        "    imported = True\n"
    ),
}


def test_rebuilt_module_agrees_with_real_imports(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path
) -> None:
    uris = [
        "lazyapp.shared_task",
        "lazyapp.Task",
        "lazyapp.VERSION",
        "lazyapp.tasks",
        "lazyapp.sys",
        "lazyapp.shared_tsak",
        "plain.REAL",
        "plain.logger",
        "plain.REALL",
        "script.main",
        "script.parser",
        "script.argparse",
        "script.imported",
        "doomed.msg",
        "doomed.demo",
        "doomed.OK",
    ]
    result = verdicts(tmp_path, FILES, uris, interpreter_info, spoc_dir)
    result.agree()
    for uri in ("lazyapp.shared_task", "lazyapp.Task", "lazyapp.VERSION", "lazyapp.tasks"):
        assert result.real[uri].ok, uri
        assert result.static[uri].status is Status.RESOLVED, (uri, result.static[uri])
    lazy = result.static["lazyapp.shared_task"].symbol
    assert lazy is not None and lazy.doc is not None
    assert "lazyapp.local.recreate_module() replaces it (line 6)" in lazy.doc
    # Everything else of a rebuilt module is unverifiable, never an error.
    for uri in ("lazyapp.sys", "lazyapp.shared_tsak"):
        assert not result.real[uri].ok
        assert result.static[uri].status is Status.UNVERIFIABLE, uri
    # Handing __name__ to a function that does not rebuild modules changes nothing.
    assert result.static["plain.REALL"].status is Status.UNRESOLVED
    # ``if __name__ == "__main__":`` never runs on import.
    for uri in ("script.parser", "script.argparse"):
        assert not result.real[uri].ok
        assert result.static[uri].status is Status.UNRESOLVED, uri
    assert result.static["script.imported"].status is Status.RESOLVED
    # A branch that ends in ``raise`` binds nothing that survives.
    for uri in ("doomed.msg", "doomed.demo"):
        assert not result.real[uri].ok
        assert result.static[uri].status is Status.UNRESOLVED, uri
    assert result.static["doomed.OK"].status is Status.RESOLVED
