"""Which Python interpreter a project runs with, and what its import system looks like.

The interpreter is asked once (per executable and its mtime) in a subprocess started with
``-I -S``, which runs no site hook, no ``.pth`` line and nothing from the project or its
environment; ``site_paths`` then rebuilds the real ``sys.path`` statically.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spoc_lsp.index.editable import EditableFinder
from spoc_lsp.index.entry import PathEntry
from spoc_lsp.index.site_paths import IgnoredPthLine, SiteFacts, build_site_path

_PROBE = Path(__file__).with_name("interpreter_facts_script.py")
_BIN = "Scripts" if os.name == "nt" else "bin"
_EXE = "python.exe" if os.name == "nt" else "python"


class InterpreterError(Exception):
    """The interpreter could not be started or did not answer the probe."""


@dataclass(frozen=True)
class PreloadedModule:
    """A module already in ``sys.modules`` when plugins load (found before any finder)."""

    name: str
    origin: str | None  # a file, "built-in", "frozen" or None
    locations: tuple[Path, ...] | None  # its __path__ when it is a package
    file: str | None = None  # __file__ (for a frozen module: the source it was frozen from)


# Field metadata: the field describes, it does not change an answer (store_keys.fingerprint).
DESCRIPTIVE = {"fingerprint": False}


@dataclass(frozen=True)
class InterpreterInfo:
    """The import facts of one interpreter, with ``sys.path`` as the runtime would have it."""

    executable: Path
    version: tuple[int, int, int]
    version_string: str
    platform: str
    os_name: str
    cache_tag: str | None
    magic_number: bytes  # what a sourceless .pyc must start with
    sys_path: tuple[PathEntry, ...]
    extension_suffixes: tuple[str, ...]
    source_suffixes: tuple[str, ...]
    bytecode_suffixes: tuple[str, ...]
    builtin_modules: frozenset[str]
    frozen_modules: frozenset[str]
    preloaded: tuple[PreloadedModule, ...]
    stdlib_dir: Path | None
    site_packages: tuple[Path, ...]
    editable_finders: tuple[EditableFinder, ...] = ()
    ignored_pth_lines: tuple[IgnoredPthLine, ...] = ()  # .pth import lines never executed
    pth_files: tuple[Path, ...] = ()
    venv: Path | None = None
    # Words about the facts, not facts: answers keyed by a fingerprint of this object stay
    # valid whoever chose the interpreter (``check --python`` or the server's setting).
    chosen_by: str = field(default="", metadata=DESCRIPTIVE)
    executed: bool = True  # False: read from files, the interpreter itself never started
    # (fact, where it came from)
    fact_sources: tuple[tuple[str, str], ...] = field(default=(), metadata=DESCRIPTIVE)
    # What the user should know once (a degraded answer).
    notes: tuple[str, ...] = field(default=(), metadata=DESCRIPTIVE)

    @property
    def loader_suffixes(self) -> tuple[str, ...]:
        """File suffixes in ``FileFinder`` order: extensions, then source, then bytecode."""
        return self.extension_suffixes + self.source_suffixes + self.bytecode_suffixes


@dataclass(frozen=True)
class InterpreterChoice:
    """The interpreter a project runs with, who chose it, and whether spoc-lsp may start it.

    Only an interpreter the user chose (``--python``, ``spoc.python``, ``$VIRTUAL_ENV``) or the
    one running spoc-lsp may be started; one found inside the workspace is read, never run.
    """

    executable: Path
    chosen_by: str
    may_run: bool


def choose_environment(
    root: Path,
    explicit: str | None,
    environ: Mapping[str, str],
    *,
    explicit_origin: str = "spoc.python",
    trusted: bool = True,
) -> InterpreterChoice:
    """The project's interpreter: the explicit setting, else ``$VIRTUAL_ENV``, else a
    ``.venv``/``venv`` in the project root (read, never run), else the one running spoc-lsp.

    An explicit setting may name a venv directory; a relative one is taken from ``root``, a bare
    command name (``python3``) from ``PATH``. When the client says the workspace is not trusted,
    an explicit interpreter inside the project is read like a discovered one.
    """
    if explicit:
        chosen = _explicit_path(root, explicit, environ)
        chosen = _venv_python(chosen) if chosen.is_dir() else chosen
        may_run = trusted or not inside_any(chosen, (root,))
        return InterpreterChoice(chosen, explicit_origin, may_run)
    virtual_env = environ.get("VIRTUAL_ENV")
    if virtual_env:
        candidate = _venv_python(Path(virtual_env))
        if candidate.exists():
            return InterpreterChoice(candidate, "$VIRTUAL_ENV", True)
    for name in (".venv", "venv"):
        candidate = _venv_python(root / name)
        # A dangling link (the base was removed) still names the venv, whose files are read.
        if candidate.exists() or candidate.is_symlink():
            return InterpreterChoice(candidate, f"{name} in the project root", False)
    return InterpreterChoice(Path(sys.executable), "the interpreter running spoc-lsp", True)


def choose_interpreter(root: Path, explicit: str | None, environ: Mapping[str, str]) -> Path:
    """The path of :func:`choose_environment`'s choice (whether or not it may be run)."""
    return choose_environment(root, explicit, environ).executable


def _explicit_path(root: Path, explicit: str, environ: Mapping[str, str]) -> Path:
    chosen = Path(explicit).expanduser()
    if chosen.is_absolute():
        return chosen
    if len(chosen.parts) == 1 and not (root / chosen).is_dir():
        # A command name, as a shell (and VS Code's default "python3") means it: from PATH.
        # Taken from the project root it would run whatever file of that name a checkout has.
        found = shutil.which(explicit, path=environ.get("PATH", os.defpath))
        return Path(found) if found is not None else chosen
    return root / chosen


def inside_any(path: Path, directories: Iterable[Path]) -> bool:
    """True when ``path``, as written or with symlinks resolved, lies in one of
    ``directories`` (each also taken as written and resolved)."""
    forms = {Path(os.path.abspath(path))}
    with contextlib.suppress(OSError, RuntimeError):
        forms.add(path.resolve())
    for directory in directories:
        bases = {Path(os.path.abspath(directory))}
        with contextlib.suppress(OSError, RuntimeError):
            bases.add(directory.resolve())
        if any(form == base or base in form.parents for form in forms for base in bases):
            return True
    return False


def _venv_python(directory: Path) -> Path:
    for name in (_EXE, "python3"):
        candidate = directory / _BIN / name
        if candidate.exists():
            return candidate
    return directory / _BIN / _EXE


_probe_cache: dict[tuple[str, int], dict[str, Any]] = {}
_probe_lock = threading.Lock()


def probe_facts(exe: Path, environ: Mapping[str, str], timeout: float = 15.0) -> dict[str, Any]:
    """The raw probe answer for ``exe``, asked once per (path, mtime)."""
    try:
        mtime = exe.stat().st_mtime_ns
    except OSError as error:
        raise InterpreterError(f"{exe}: {error.strerror or error}") from error
    key = (str(exe), mtime)
    with _probe_lock:
        cached = _probe_cache.get(key)
    if cached is not None:
        return cached
    facts = _run_probe(exe, environ, timeout)
    with _probe_lock:
        _probe_cache[key] = facts
    return facts


def _run_probe(exe: Path, environ: Mapping[str, str], timeout: float) -> dict[str, Any]:
    source = _PROBE.read_text(encoding="utf-8")
    try:
        completed = subprocess.run(
            [str(exe), "-I", "-S", "-c", source],
            env=dict(environ),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise InterpreterError(f"cannot run {exe}: {error}") from error
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise InterpreterError(
            f"{exe} exited with {completed.returncode}: {message[-1] if message else ''}"
        )
    try:
        facts = json.loads(completed.stdout)
    except ValueError as error:
        raise InterpreterError(f"{exe} printed something that is not the probe's JSON") from error
    if not isinstance(facts, dict):
        raise InterpreterError(f"{exe} printed something that is not the probe's JSON")
    return facts


def query_interpreter(
    exe: Path,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 15.0,
) -> InterpreterInfo:
    """Everything about ``exe``'s import system, asked by running ``exe`` (``-I -S``).

    Only for an interpreter the user chose: see :func:`inspect_interpreter`, which reads an
    interpreter found in the workspace instead. ``PYTHONPATH`` comes from ``environ``; ``cwd``
    makes relative ``PYTHONPATH`` entries absolute (the runtime's working directory; the project
    root is the usual guess). ``.pth`` files are re-read on every call, so a call after
    ``pip install`` sees the new environment while the subprocess is not run again.
    """
    environment = dict(os.environ if environ is None else environ)
    facts = probe_facts(exe, environment, timeout)
    sources = (("every fact", f"probed from {exe} (run with -I -S: no site, no .pth code)"),)
    return info_from_facts(exe, facts, environment, cwd, fact_sources=sources)


def info_from_facts(
    exe: Path,
    facts: Mapping[str, Any],
    environment: Mapping[str, str],
    cwd: Path | None,
    **extra: Any,
) -> InterpreterInfo:
    """The :class:`InterpreterInfo` of probe-shaped ``facts`` (probed, or read from files)."""
    site = build_site_path(
        SiteFacts(
            executable=str(facts["executable"]),
            base_path=[str(entry) for entry in facts["path"]],
            venv_cfg=facts.get("venv_cfg"),
            venv_site_packages=[str(entry) for entry in facts.get("venv_site_packages", [])],
            system_site_packages=[str(entry) for entry in facts.get("system_site_packages", [])],
            user_site=facts.get("user_site"),
            user_site_allowed=bool(facts.get("user_site_allowed", True)),
        ),
        environment,
        cwd if cwd is not None else Path.cwd(),
    )
    stdlib = facts.get("stdlib")
    major, minor, micro = (int(part) for part in facts["version"][:3])
    return InterpreterInfo(
        executable=exe,
        version=(major, minor, micro),
        version_string=str(facts.get("version_string", "")),
        platform=str(facts.get("platform", sys.platform)),
        os_name=str(facts.get("os_name", os.name)),
        cache_tag=facts.get("cache_tag"),
        magic_number=bytes.fromhex(str(facts.get("magic_number", ""))),
        sys_path=tuple(site.entries),
        extension_suffixes=tuple(facts.get("extension_suffixes", ())),
        source_suffixes=tuple(facts.get("source_suffixes", (".py",))),
        bytecode_suffixes=tuple(facts.get("bytecode_suffixes", (".pyc",))),
        builtin_modules=frozenset(facts.get("builtin_modules", ())),
        frozen_modules=frozenset(facts.get("frozen_modules", ())),
        preloaded=tuple(
            PreloadedModule(
                name,
                origin if isinstance(origin, str) else None,
                tuple(Path(entry) for entry in locations) if locations is not None else None,
                rest[0] if rest and isinstance(rest[0], str) else None,
            )
            for name, (origin, locations, *rest) in sorted(facts.get("preloaded", {}).items())
        ),
        stdlib_dir=Path(stdlib) if isinstance(stdlib, str) else None,
        site_packages=tuple(site.site_dirs),
        editable_finders=tuple(site.editable_finders),
        ignored_pth_lines=tuple(site.ignored),
        pth_files=tuple(site.pth_files),
        venv=site.venv,
        **extra,
    )
