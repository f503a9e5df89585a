"""The server's state: which projects exist, their resolvers, and their latest analysis.

Nothing here knows the protocol. The server feeds it document texts and file events and asks
it for analyses; it answers with plain data. Its slow calls (``project``, ``analyze``,
``files_changed``) run in the server's worker thread, never on the event loop.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spoc.plugins import SourceKind
from spoc_lsp.analysis.analyze import ProjectAnalysis, analyze
from spoc_lsp.analysis.model import Diagnostic, Resolving
from spoc_lsp.analysis.project import config_kind, find_project_root, take_snapshot
from spoc_lsp.index.project_files import is_skipped_directory
from spoc_lsp.lsp.settings import ServerSettings


def interface_files(analysis: ProjectAnalysis | None) -> frozenset[Path]:
    """The Python files the interface verdicts of ``analysis`` read (interface and plugin
    classes): an edit in one of them re-checks the project."""
    return analysis.interface_files if analysis is not None else frozenset()


@dataclass
class Project:
    """One SPOC project: its resolver and what was last computed for it."""

    root: Path
    python: Path
    resolver: Resolving
    lock: threading.RLock = field(default_factory=threading.RLock)
    analysis: ProjectAnalysis | None = None
    runtime: dict[Path, list[Diagnostic]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # problems to tell the user once
    disagreements: set[str] = field(default_factory=set)  # URIs whose runtime verdict was logged
    read_since_ns: int = 0  # wall-clock time the latest analysis started reading files
    # The interpreter's files as they were when the project was made (see interpreter_changed).
    interpreter_stamps: dict[Path, FileStamp] = field(default_factory=dict)


class Host:
    """Projects by root, built lazily from the settings in force."""

    def __init__(self, settings: ServerSettings | None = None) -> None:
        self.settings = settings or ServerSettings()
        self.projects: dict[Path, Project] = {}
        self.folders: list[Path] = []  # the client's workspace folders: nothing in them runs
        self._roots: dict[Path, Path | None] = {}
        self._creating = threading.Lock()  # one resolver per root, whichever thread asks

    # --- finding projects ----------------------------------------------------------------

    def root_of(self, path: Path) -> Path | None:
        """The project root of a file (cached; file events clear the cache)."""
        directory = path.parent
        if directory not in self._roots:
            self._roots[directory] = find_project_root(path)
        return self._roots[directory]

    def config_document(self, path: Path) -> tuple[Path, SourceKind] | None:
        """``(root, kind)`` when ``path`` is a project's ``spoc.toml`` or settings module."""
        root = self.root_of(path)
        if root is None:
            return None
        kind = config_kind(root, path)
        if kind is None and self.contributes(root, path):
            kind = "settings"  # a module of split settings (base.py): served as settings
        return (root, kind) if kind is not None else None

    def contributes(self, root: Path, path: Path) -> bool:
        """Whether ``path`` is a project module the settings module imports (split settings)
        that contributes to the project's latest analysis."""
        project = self.projects.get(root)
        return (
            project is not None
            and project.analysis is not None
            and (path in project.analysis.modules)
        )

    def project(self, root: Path) -> Project:
        """The project at ``root``, creating it (and its resolver) on first use."""
        project = self.projects.get(root)
        if project is not None:
            return project
        with self._creating:
            return self.projects.get(root) or self._create(root)

    def _create(self, root: Path) -> Project:
        from spoc_lsp.index import InterpreterError, choose_environment, open_resolver

        settings = self.settings
        # A .venv found in the project (or, untrusted, a setting naming one there) is read
        # from its files, never run (index.environment_facts).
        choice = choose_environment(root, settings.python, os.environ, trusted=settings.trusted)
        python = choice.executable
        notes: list[str] = []
        try:
            resolver = open_resolver(root, choice, settings.extra_paths, workspace=self.folders)
        except InterpreterError as error:
            # Answer with the server's own interpreter rather than nothing, and say so.
            notes.append(
                f"cannot use the interpreter {python} ({error}); "
                f"falling back to {sys.executable}. Set spoc.python to fix this."
            )
            python = Path(sys.executable)
            resolver = open_resolver(root, python, settings.extra_paths)
        notes.extend(resolver.search_path.interpreter.notes)
        project = Project(root=root, python=python, resolver=resolver, notes=notes)
        project.interpreter_stamps = {path: file_stamp(path) for path in interpreter_files(project)}
        self.projects[root] = project
        return project

    def discover(self, folders: Iterable[Path], limit: int = 200) -> list[Path]:
        """Project roots under workspace folders (bounded, skipping environments)."""
        found: list[Path] = []
        for folder in folders:
            for directory, subdirectories, files in os.walk(folder):
                subdirectories[:] = sorted(
                    name for name in subdirectories if not is_skipped_directory(directory, name)
                )
                if "spoc.toml" in files:
                    root = self.root_of(Path(directory) / "spoc.toml")
                    if root is not None and root not in found:
                        found.append(root)
                if len(found) >= limit:
                    return found
        return found

    # --- settings and file events ----------------------------------------------------------

    def update_settings(self, settings: ServerSettings) -> bool:
        """Apply new settings; True when resolvers had to be rebuilt (interpreter or paths)."""
        rebuild = (settings.python, settings.extra_paths, settings.trusted) != (
            self.settings.python,
            self.settings.extra_paths,
            self.settings.trusted,  # trust decides whether a setting inside the project runs
        )
        self.settings = settings
        if rebuild:
            self.projects.clear()
        return rebuild

    def files_changed(self, paths: Iterable[Path]) -> list[Project]:
        """Forget what depended on changed files; return the projects to re-check: those with
        a URI whose answer read one of the files, or whose config files changed."""
        changed = list(paths)
        if any(path.name == "spoc.toml" or path.suffix == ".py" for path in changed):
            self._roots.clear()  # a new or removed spoc.toml/settings module moves roots
        to_check: list[Project] = []
        for project in [p for p in self.projects.values() if interpreter_changed(p, changed)]:
            # The venv was rebuilt (perhaps with another Python: another lib/pythonX.Y): the
            # project is made again, and its interpreter asked or read again.
            self.projects.pop(project.root, None)
            to_check.append(project)
        for project in self.projects.values():
            uris = set()
            if project.analysis is not None:
                uris = {entry.uri for entry in project.analysis.plan.entries()}
            with project.lock:
                hit = project.resolver.affected(uris, changed)
                project.resolver.invalidate(changed)
            own_files = {project.root / "pyproject.toml"}
            if project.analysis is not None:
                own_files |= {doc.path for doc in project.analysis.snapshot.documents()}
                own_files |= set(project.analysis.modules)
                own_files |= interface_files(project.analysis)
            if hit or project.analysis is None or own_files & set(changed):
                to_check.append(project)
        return to_check

    # --- analysis ----------------------------------------------------------------------------

    def analyze(self, project: Project, overlays: Mapping[Path, str]) -> ProjectAnalysis:
        """Analyse ``project`` with open buffers winning over disk, and remember the result."""
        started = time.time_ns()
        snapshot = take_snapshot(project.root, overlays)
        with project.lock:
            analysis = analyze(snapshot, project.resolver)
        project.analysis, project.read_since_ns = analysis, started
        return analysis


def interpreter_files(project: Project) -> tuple[Path, ...]:
    """The files whose change means the project's interpreter may be another one: the
    executable, and the ``pyvenv.cfg`` of its virtual environment."""
    info = project.resolver.search_path.interpreter
    files = [info.executable]
    if info.venv is not None:
        files.append(info.venv / "pyvenv.cfg")
    return tuple(files)


FileStamp = tuple[int, int, int] | None  # (mtime_ns, size, inode); None: no such file


def file_stamp(path: Path | str) -> FileStamp:
    """What tells a file's versions apart (for the interpreter's files and the disk poller)."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino


def interpreter_changed(project: Project, changed: Iterable[Path]) -> bool:
    """One of ``changed`` is the project's interpreter or its venv's ``pyvenv.cfg``, it exists,
    and it is not the file the project was made with: the venv was made again. (While it is
    gone the project keeps the interpreter it had, so a runtime check says it does not exist
    instead of running another one; an event for an unchanged file changes nothing.)"""
    stamps = project.interpreter_stamps
    for path in changed:
        if path in stamps:
            now = file_stamp(path)
            if now is not None and now != stamps[path]:
                return True
    return False
