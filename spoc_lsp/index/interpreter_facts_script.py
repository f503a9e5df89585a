"""The script run ONCE in the project's interpreter to learn its import facts, printed as JSON.

It runs as ``python -I -S -c <this source>``: ``-S`` keeps ``site.main()`` from running, so no
``.pth`` file's ``import`` line, ``sitecustomize`` or ``usercustomize`` ever executes, and ``-I``
keeps the working directory, ``PYTHONPATH`` and the user site out of ``sys.path``. Only the
standard library is imported. Everything the ``site`` module would add (venv, user and system
site-packages, ``.pth`` lines) is computed from these facts in the server's own process, without
executing anything (see ``site_paths.py``).

Keep this file importable and runnable by old interpreters: standard library only, no syntax
newer than Python 3.7.
"""

from __future__ import annotations

import sys
from typing import Any

# Frozen module names cannot be listed before Python 3.11; these are the ones CPython has frozen
# at one time or another, probed one by one with ``_imp.is_frozen``.
_FROZEN_CANDIDATES = (
    "_frozen_importlib",
    "_frozen_importlib_external",
    "zipimport",
    "__hello__",
    "__phello__",
    "__phello__.spam",
)


def _module_facts(modules: dict[str, Any]) -> dict[str, list[Any]]:
    """``name -> [origin, search locations or None, __file__]`` for the startup modules."""
    facts: dict[str, list[Any]] = {}
    for name, module in modules.items():
        if name == "__main__":
            continue
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        locations = getattr(spec, "submodule_search_locations", None)
        facts[name] = [
            origin if isinstance(origin, str) else None,
            [str(entry) for entry in locations] if locations is not None else None,
            # Frozen modules keep the path of the source they were frozen from here.
            getattr(module, "__file__", None)
            if isinstance(getattr(module, "__file__", None), str)
            else None,
        ]
    return facts


def _frozen_names() -> list[str]:
    import _imp

    lister = getattr(_imp, "_frozen_module_names", None)
    if lister is not None:
        return sorted(lister())
    return [name for name in _FROZEN_CANDIDATES if _imp.is_frozen(name)]


def _venv_config(executable: str) -> tuple[str | None, str | None]:
    """The ``pyvenv.cfg`` that ``site.venv()`` would read, and the venv prefix it implies."""
    import os

    exe_dir = os.path.dirname(os.path.abspath(executable))
    site_prefix = os.path.dirname(exe_dir)
    for candidate in (os.path.join(exe_dir, "pyvenv.cfg"), os.path.join(site_prefix, "pyvenv.cfg")):
        if os.path.isfile(candidate):
            return candidate, site_prefix
    return None, None


def _site_layout(site: Any) -> list[str]:
    """Where ``site`` looks for a venv's site-packages, relative to the venv's prefix.

    A venv found in a workspace is never run; its site-packages are this layout applied to its
    directory (``lib/python3.12/site-packages``, ``lib64/...``, ``Lib/site-packages``).
    """
    import os

    prefix = os.path.join(os.path.abspath(os.sep), "__spoc_venv_prefix__")
    return [os.path.relpath(entry, prefix) for entry in site.getsitepackages([prefix])]


def collect() -> dict[str, Any]:
    """Every fact the static finder needs about this interpreter."""
    # Importing ``site`` under -S only defines its functions; it also imports what a real
    # startup imports (os, stat, ...), which is why the module snapshot is taken right after.
    import site

    preloaded = _module_facts(dict(sys.modules))

    import importlib.machinery
    import importlib.util
    import os
    import sysconfig

    venv_cfg, venv_prefix = _venv_config(sys.executable)
    user_allowed = True
    if hasattr(os, "getuid") and hasattr(os, "geteuid"):
        user_allowed = os.getuid() == os.geteuid() and os.getgid() == os.getegid()
    return {
        "executable": sys.executable,
        "version": list(sys.version_info[:3]),
        "version_string": sys.version,
        "implementation": sys.implementation.name,
        "cache_tag": sys.implementation.cache_tag,
        "platform": sys.platform,
        "os_name": os.name,
        "prefix": sys.prefix,
        "exec_prefix": sys.exec_prefix,
        "path": list(sys.path),
        "extension_suffixes": list(importlib.machinery.EXTENSION_SUFFIXES),
        "source_suffixes": list(importlib.machinery.SOURCE_SUFFIXES),
        "bytecode_suffixes": list(importlib.machinery.BYTECODE_SUFFIXES),
        "builtin_modules": sorted(sys.builtin_module_names),
        "frozen_modules": _frozen_names(),
        "magic_number": importlib.util.MAGIC_NUMBER.hex(),
        "stdlib": sysconfig.get_paths().get("stdlib"),
        "venv_cfg": venv_cfg,
        "venv_site_packages": site.getsitepackages([venv_prefix]) if venv_prefix else [],
        "site_layout": _site_layout(site),
        "system_site_packages": site.getsitepackages(),
        "user_site": site.getusersitepackages(),
        "user_site_allowed": user_allowed,
        "preloaded": preloaded,
    }


def main() -> None:
    import json

    sys.stdout.write(json.dumps(collect()))


if __name__ == "__main__":
    main()
