"""Noticing files that changed on disk when the client does not say so.

Many clients cannot register file watchers (Neovim on Linux declares no dynamic registration for
``workspace/didChangeWatchedFiles``). Then the server looks by itself: every file and directory
the current answers were computed from (``Resolving.depends_on``), plus the projects' config
files, is checked with one ``stat`` per poll, and what changed goes the way a watcher event
goes. Nothing here knows the protocol; the polls run in the server's worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from spoc_lsp.lsp.host import (
    FileStamp,
    Host,
    Project,
    file_stamp,
    interface_files,
    interpreter_files,
)

POLL_SECONDS = 0.5

# Coarse file systems stamp times in whole seconds (FAT: two): a file first polled is taken as
# changed when its mtime is this close to the start of the analysis that read it, or after.
CLOCK_SLACK_NS = 2_000_000_000


class DiskPoller:
    """Per project, the identity of each path seen at the last poll; ``changed`` reports the
    paths that differ."""

    def __init__(self) -> None:
        self._seen: dict[Path, dict[str, FileStamp]] = {}
        # What each URI's answer read, per project. Answers read other files only after files
        # change, and then ``forget`` is called: typing in a config file costs one lookup for
        # the URI being typed, not one per URI of the plan.
        self._reads: dict[Path, dict[str, tuple[str, ...]]] = {}

    def forget(self) -> None:
        """Files changed: the answers may read other files now."""
        self._reads.clear()

    def changed(self, root: Path, paths: Iterable[str], read_since_ns: int) -> list[Path]:
        """The paths whose identity differs from the last poll. A path polled for the first
        time has no previous identity: it counts as changed when it was modified after the
        analysis that read it started (it may have been read before the change)."""
        before = self._seen.get(root, {})
        seen: dict[str, FileStamp] = {}
        changed: list[Path] = []
        for path in paths:
            now = seen[path] = file_stamp(path)
            if path in before:
                fresh = before[path] == now
            else:
                fresh = now is not None and now[0] < read_since_ns - CLOCK_SLACK_NS
            if not fresh and (path in before or now is not None):
                changed.append(Path(path))
        self._seen[root] = seen  # paths no answer reads any more are forgotten
        return changed

    def poll(self, host: Host) -> list[Path]:
        """What changed among the files the projects' answers read (call in the worker)."""
        changed: list[Path] = []
        for project in list(host.projects.values()):
            if project.analysis is not None:
                paths = self.read_by(project)
                changed += self.changed(project.root, paths, project.read_since_ns)
        for root in set(self._seen) - set(host.projects):
            self._seen.pop(root, None)
            self._reads.pop(root, None)
        return changed

    def read_by(self, project: Project) -> tuple[str, ...]:
        """The files and directories ``project``'s current answers depend on, config files
        too (each once)."""
        analysis = project.analysis
        if analysis is None:
            return ()
        paths = {str(document.path): None for document in analysis.snapshot.documents()}
        paths[str(project.root / "pyproject.toml")] = None
        paths.update(dict.fromkeys(map(str, interpreter_files(project))))
        paths.update(dict.fromkeys(map(str, interface_files(analysis))))
        known = self._reads.setdefault(project.root, {})
        uris = {entry.uri for entry in analysis.plan.entries()}
        for uri in set(known) - uris:
            del known[uri]
        with project.lock:
            for uri in uris:
                read = known.get(uri)
                if read is None:
                    read = known[uri] = tuple(map(str, project.resolver.depends_on(uri)))
                paths.update(dict.fromkeys(read))
        return tuple(paths)
