"""The import facts of the project's interpreter: asked when the user chose it, read when found.

An interpreter that spoc-lsp found by itself inside the workspace (``.venv``, ``venv``, anything
under the project root, symlinks resolved) is project content: a checkout may ship a
``.venv/bin/python`` that is a script. It is never started. Its facts come from files instead:
``pyvenv.cfg`` (``home``, ``version``/``version_info``, ``include-system-site-packages``), the
layout of its ``site-packages`` and their ``.pth`` files, read as text. What only an interpreter
knows (standard library, built-in and frozen modules, extension suffixes, bytecode magic) is
asked of the **base** interpreter that ``home`` names, when it lies outside the workspace and has
the version ``pyvenv.cfg`` says; else of the interpreter running spoc-lsp when its version
matches; else it is assumed, and the answer says so.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from spoc_lsp.index.interpreter import (
    InterpreterChoice,
    InterpreterError,
    InterpreterInfo,
    info_from_facts,
    inside_any,
    probe_facts,
    query_interpreter,
)
from spoc_lsp.index.site_paths import read_venv_config

Version = tuple[int, ...]
_VERSION = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?")
_LAYOUT_VERSION = re.compile(r"^python(\d+)\.(\d+)t?$")
BINARY_FACTS = "standard library, built-in and frozen modules, extension suffixes, bytecode magic"


def inspect_interpreter(
    choice: InterpreterChoice,
    root: Path,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    workspace: Iterable[Path] = (),
    timeout: float = 15.0,
) -> InterpreterInfo:
    """The facts of ``choice``: probed by running it when it may run, else read from files.

    ``workspace`` adds directories (the editor's workspace folders) whose interpreters are
    never run, besides the project root and the checkout holding it.
    """
    environment = dict(os.environ if environ is None else environ)
    if not choice.may_run:
        untrusted = untrusted_directories(root, workspace)
        return read_venv(choice, untrusted, environment, cwd, timeout)
    info = query_interpreter(choice.executable, environment, cwd, timeout)
    source = (
        f"probed from {choice.executable}, chosen by {choice.chosen_by} "
        "(run with -I -S: no site, no .pth code)"
    )
    return dataclasses.replace(
        info, chosen_by=choice.chosen_by, fact_sources=(("every fact", source),)
    )


def choice_for_path(root: Path, python: Path) -> InterpreterChoice:
    """A bare interpreter path given by a caller: run only when it lies outside the project
    (and its checkout), or is the interpreter running spoc-lsp."""
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        return InterpreterChoice(python, "the interpreter running spoc-lsp", True)
    inside = inside_any(python, untrusted_directories(root))
    return InterpreterChoice(python, "the caller", not inside)


def untrusted_directories(root: Path, workspace: Iterable[Path] = ()) -> tuple[Path, ...]:
    """The project root, the version-control checkout holding it (unless that is the home
    directory or ``/``), and the editor's workspace folders: nothing in them is run."""
    found = [root, *workspace]
    checkout = _checkout_of(root)
    if checkout is not None:
        found.append(checkout)
    return tuple(found)


def _checkout_of(root: Path) -> Path | None:
    home = Path.home()
    for directory in (root, *root.parents):
        if any((directory / marker).exists() for marker in (".git", ".hg", ".svn")):
            if directory in (home, Path(directory.anchor)) or directory in home.parents:
                return None
            return directory
    return None


@dataclasses.dataclass
class _Reading:
    """What is learned about one venv while reading it, fact by fact."""

    exe: Path
    prefix: Path
    config_file: Path
    config: dict[str, str]
    sources: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    def source(self, fact: str, where: str) -> None:
        self.sources.append((fact, where))


def read_venv(
    choice: InterpreterChoice,
    untrusted: tuple[Path, ...],
    environment: Mapping[str, str],
    cwd: Path | None,
    timeout: float = 15.0,
) -> InterpreterInfo:
    """The facts of a venv interpreter that must not run, from its files and a base probe."""
    exe = choice.executable
    if not (exe.is_symlink() or (exe.is_file() and os.access(exe, os.X_OK))):
        missing = "no such file" if not exe.exists() else "not an executable file"
        raise InterpreterError(f"{exe}: {missing}")
    prefix, config_file = _venv_location(exe)
    reading = _Reading(exe, prefix, config_file, read_venv_config(config_file))
    claimed = _claimed_version(reading)
    base, why_not = _usable_base(reading, claimed, untrusted, environment, timeout)
    if base is not None:
        facts, base_exe = base
        reading.source(BINARY_FACTS, f"probed from the base interpreter {base_exe}")
    else:
        facts = _fallback_facts(reading, claimed, why_not, environment, timeout)
    facts = _with_venv(reading, facts)
    reading.source(".pth files and editable finders", "read as text (their code never runs)")
    reading.source("interpreter", f"{exe} (chosen by {choice.chosen_by}): read, never run")
    return info_from_facts(
        exe,
        facts,
        environment,
        cwd,
        chosen_by=choice.chosen_by,
        executed=False,
        fact_sources=tuple(reading.sources),
        notes=tuple(reading.notes),
    )


def _venv_location(exe: Path) -> tuple[Path, Path]:
    """The venv's prefix and its ``pyvenv.cfg`` (beside the executable or one up, as
    ``site.venv()`` looks); the expected place when there is none."""
    exe_dir = Path(os.path.abspath(exe)).parent
    prefix = exe_dir.parent
    for candidate in (exe_dir / "pyvenv.cfg", prefix / "pyvenv.cfg"):
        if candidate.is_file():
            return prefix, candidate
    return prefix, prefix / "pyvenv.cfg"


def _claimed_version(reading: _Reading) -> Version | None:
    """The version ``pyvenv.cfg`` states, else the one its ``lib/pythonX.Y`` layout shows."""
    for key in ("version", "version_info"):
        match = _VERSION.match(reading.config.get(key, ""))
        if match is not None:
            version = tuple(int(part) for part in match.groups() if part is not None)
            reading.source("version", f"read from {reading.config_file} ({key})")
            return version
    for libdir in ("lib", "lib64"):
        try:
            names = sorted(os.listdir(reading.prefix / libdir))
        except OSError:
            continue
        for name in names:
            match = _LAYOUT_VERSION.match(name)
            if match is not None and (reading.prefix / libdir / name / "site-packages").is_dir():
                reading.source("version", f"read from the layout ({libdir}/{name})")
                return (int(match.group(1)), int(match.group(2)))
    return None


def _base_candidates(reading: _Reading, claimed: Version | None) -> list[Path]:
    home = reading.config.get("home", "").strip()
    if not home:
        return []
    directory = Path(home).expanduser()
    if os.name == "nt":
        names = ["python.exe"]
    elif claimed is not None:
        names = [f"python{claimed[0]}.{claimed[1]}", f"python{claimed[0]}", "python"]
    else:
        names = ["python3", "python"]
    for key in ("base-executable", "executable"):
        value = reading.config.get(key, "").strip()
        if value and Path(value).name not in names:
            names.append(Path(value).name)
    return [directory / name for name in names]


def _usable_base(
    reading: _Reading,
    claimed: Version | None,
    untrusted: tuple[Path, ...],
    environment: Mapping[str, str],
    timeout: float,
) -> tuple[tuple[dict[str, Any], Path] | None, str]:
    """The base interpreter's probe answer, or why there is none to ask."""
    candidates = _base_candidates(reading, claimed)
    if not candidates:
        if not reading.config_file.is_file():
            return None, f"{reading.prefix} has no pyvenv.cfg naming its base interpreter"
        return None, f"{reading.config_file} names no base interpreter (no 'home')"
    reasons: list[str] = []
    missing: list[str] = []  # said only when nothing better explains it
    for candidate in candidates:
        if not candidate.is_absolute():
            reasons.append(f"its base interpreter {candidate} is not an absolute path")
            continue
        if inside_any(candidate, (*untrusted, reading.prefix)):
            # Named by a file the checkout ships: running it would run the checkout.
            reasons.insert(0, f"its base interpreter {candidate} is inside the workspace")
            continue
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            missing.append(f"its base interpreter {candidate} does not exist")
            continue
        try:
            facts = probe_facts(candidate, environment, timeout)
        except InterpreterError as error:
            reasons.append(f"its base interpreter could not be asked ({error})")
            continue
        version = tuple(int(part) for part in facts["version"][:2])
        if claimed is not None and version != claimed[:2]:
            reasons.append(
                f"its base interpreter {candidate} is Python {_dotted(version)}, "
                f"but {reading.config_file.name} says {_dotted(claimed)}"
            )
            continue
        return (facts, candidate), ""
    return None, (reasons + missing)[0]


def _fallback_facts(
    reading: _Reading,
    claimed: Version | None,
    why_not: str,
    environment: Mapping[str, str],
    timeout: float,
) -> dict[str, Any]:
    """Facts when the base cannot be asked: the running interpreter's when its version
    matches, else the best available (a standard library read from ``home``), assumed."""
    running = Path(sys.executable)
    facts = probe_facts(running, environment, timeout)
    running_version = tuple(int(part) for part in facts["version"][:2])
    venv = reading.prefix
    if claimed is not None and running_version == claimed[:2]:
        reading.source(
            BINARY_FACTS,
            f"probed from the interpreter running spoc-lsp ({running}, same version)",
        )
        reading.notes.append(
            f"the virtual environment {venv} is read, never run: {why_not}; the standard "
            f"library is that of {running} (Python {_dotted(running_version)}, same version)"
        )
        return facts
    if claimed is None:
        guess = f"assumed: as the interpreter running spoc-lsp ({running})"
        reading.source("version", guess)
        reading.source(BINARY_FACTS, guess)
        reading.notes.append(
            f"the virtual environment {venv} is read, never run: {why_not}, and its Python "
            f"version is unknown; assuming that of {running} (Python "
            f"{_dotted(running_version)}): answers about the standard library may be wrong"
        )
        return facts
    assumed, stdlib = _assumed_facts(reading, facts, claimed)
    where = f"read from {stdlib}" if stdlib is not None else f"those of {running}"
    reading.source(BINARY_FACTS, f"assumed: no Python {_dotted(claimed[:2])} may be asked; {where}")
    reading.notes.append(
        f"the virtual environment {venv} is read, never run: {why_not}; no interpreter of "
        f"Python {_dotted(claimed[:2])} may be asked, so the standard library is "
        + (f"read from {stdlib}" if stdlib is not None else f"that of {running}")
        + f" (built-in modules and suffixes assumed from Python {_dotted(running_version)}): "
        "answers about the standard library may be wrong"
    )
    return assumed


def _assumed_facts(
    reading: _Reading, facts: Mapping[str, Any], claimed: Version
) -> tuple[dict[str, Any], Path | None]:
    """The running interpreter's facts moved to version ``claimed`` as far as files allow."""
    old = tuple(int(part) for part in facts["version"][:2])
    old_tag, new_tag = f"{old[0]}{old[1]}", f"{claimed[0]}{claimed[1]}"
    old_dir, new_dir = f"python{_dotted(old)}", f"python{_dotted(claimed[:2])}"

    def moved(text: str) -> str:
        return text.replace(old_dir, new_dir)

    result = dict(facts)
    micro = claimed[2] if len(claimed) > 2 else 0
    result["version"] = [claimed[0], claimed[1], micro]
    result["version_string"] = f"{claimed[0]}.{claimed[1]}.{micro} (assumed, never run)"
    result["cache_tag"] = f"cpython-{new_tag}"
    result["extension_suffixes"] = [
        suffix.replace(f"-{old_tag}", f"-{new_tag}") for suffix in facts["extension_suffixes"]
    ]
    result["site_layout"] = [moved(entry) for entry in facts.get("site_layout", [])]
    user_site = facts.get("user_site")
    result["user_site"] = moved(user_site) if isinstance(user_site, str) else None
    home = reading.config.get("home", "").strip()
    base_prefix = Path(home).expanduser().parent if home else None
    stdlib = base_prefix / "lib" / new_dir if base_prefix is not None else None
    if base_prefix is not None and stdlib is not None and stdlib.is_dir():
        # Reading the files of another installation runs nothing, wherever it is.
        zipped = base_prefix / "lib" / f"python{new_tag}.zip"
        result["path"] = [str(zipped), str(stdlib), str(stdlib / "lib-dynload")]
        result["stdlib"] = str(stdlib)
        system = stdlib / "site-packages"
        result["system_site_packages"] = [str(system)] if system.is_dir() else []
        return result, stdlib
    result["system_site_packages"] = []
    return result, None


def _with_venv(reading: _Reading, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Probe-shaped facts for the venv itself: its executable, config and site-packages."""
    result = dict(facts)
    layout = [str(entry) for entry in facts.get("site_layout", [])] or _guessed_layout(reading)
    result["executable"] = str(reading.exe)
    result["venv_cfg"] = str(reading.config_file)
    result["venv_site_packages"] = [os.path.join(reading.prefix, entry) for entry in layout]
    existing = [entry for entry in result["venv_site_packages"] if os.path.isdir(entry)]
    shown = ", ".join(existing) if existing else "none found"
    reading.source("site-packages", f"read from the layout of {reading.prefix} ({shown})")
    if not reading.config_file.is_file():
        reading.source("include-system-site-packages", "assumed true (no pyvenv.cfg)")
        reading.notes.append(f"{reading.prefix} has no pyvenv.cfg: read as a virtual environment")
    elif "include-system-site-packages" in reading.config:
        reading.source("include-system-site-packages", f"read from {reading.config_file}")
    else:
        reading.source(
            "include-system-site-packages",
            f"assumed true, as site does ({reading.config_file} does not say)",
        )
    return result


def _guessed_layout(reading: _Reading) -> list[str]:
    if os.name == "nt":
        return [".", os.path.join("Lib", "site-packages")]
    found = []
    for libdir in ("lib", "lib64"):
        try:
            names = sorted(os.listdir(reading.prefix / libdir))
        except OSError:
            continue
        found += [os.path.join(libdir, n, "site-packages") for n in names if n.startswith("python")]
    return found


def _dotted(version: Iterable[int]) -> str:
    return ".".join(str(part) for part in version)
