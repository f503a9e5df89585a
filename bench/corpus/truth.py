"""The real verdict for each corpus URI: ``spoc.importer.Importer.load_from_uri`` in a state
equal to a fresh interpreter's (standard library only; run by the corpus venv's Python, ``-I``).

A fork tree makes that cheap without sharing state between URIs. The root process imports
nothing of the corpus's packages. Its child for package ``a`` imports ``a`` and forks one child
per module ``a.b`` to import, and so on down the module paths in the corpus; each URI
``a.b.c`` is loaded in a child forked from the process that has imported ``a.b``, and exits
after that one load. Importing ``a.b`` imports ``a`` first, exactly as that chain of processes
did, so each URI sees what ``load_from_uri`` would see in a new interpreter, and nothing any
other URI did. ``run.py --verify N`` checks that claim against one new interpreter per URI.

    python -I truth.py tree SPOC_PARENT ROOT URIS_FILE OUT_FILE JOBS
    python -I truth.py single SPOC_PARENT ROOT URI

Each result is a line ``uri<TAB>ok`` or ``uri<TAB>fail<TAB>Type: message`` (``timeout``
instead of ``fail`` when the import did not finish).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
import warnings
from pathlib import Path
from types import FrameType
from typing import Any

URI_TIMEOUT = 30
IMPORT_TIMEOUT = 90


class _Node:
    __slots__ = ("children", "name", "uris")

    def __init__(self, name: str) -> None:
        self.name = name
        self.uris: list[str] = []  # URIs whose module part is this module
        self.children: dict[str, _Node] = {}

    def all_uris(self) -> list[str]:
        found = list(self.uris)
        for child in self.children.values():
            found.extend(child.all_uris())
        return found


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError("import did not finish in time")


def _cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def _describe(error: BaseException) -> str:
    cause = _cause(error)
    return f"{type(cause).__name__}: {cause}".replace("\n", " ").replace("\t", " ")[:300]


class _Runner:
    def __init__(self, importer: Any, out: int) -> None:
        self.importer = importer
        self.out = out

    def emit(self, uri: str, verdict: str, message: str = "") -> None:
        line = f"{uri}\t{verdict}\t{message}\n" if message else f"{uri}\t{verdict}\n"
        os.write(self.out, line.encode("utf-8", "replace"))

    def load_one(self, uri: str) -> None:
        """In a forked child: load ``uri`` and report."""
        signal.alarm(URI_TIMEOUT)
        try:
            self.importer.load_from_uri(uri)
        except TimeoutError:
            self.emit(uri, "timeout")
        except BaseException as error:  # SystemExit too: the runtime would fail
            self.emit(uri, "fail", _describe(error))
        else:
            self.emit(uri, "ok")

    def node(self, node: _Node) -> None:
        """In a process that has imported ``node.name``: its URIs, then its children."""
        for uri in node.uris:
            _wait(_fork(lambda uri=uri: self.load_one(uri)), URI_TIMEOUT + 10)
        for child in node.children.values():
            _wait(_fork(lambda child=child: self.enter(child)), 3600)

    def enter(self, node: _Node) -> None:
        """In a forked child: import ``node.name``, then run the node."""
        signal.alarm(IMPORT_TIMEOUT)
        try:
            importlib.import_module(node.name)
        except BaseException as error:
            signal.alarm(0)
            verdict = "timeout" if isinstance(error, TimeoutError) else "fail"
            for uri in node.all_uris():
                self.emit(uri, verdict, _describe(error))
            return
        signal.alarm(0)
        self.node(node)


def _fork(work: Any) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            work()
        finally:
            os._exit(0)
    return pid


def _wait(pid: int, limit: float) -> None:
    deadline = time.monotonic() + limit
    while True:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return
        time.sleep(0.002)


def _tree(uris: list[str]) -> _Node:
    root = _Node("")
    for uri in uris:
        module = uri.rpartition(".")[0]
        node = root
        if module:
            parts = module.split(".")
            for index in range(len(parts)):
                name = ".".join(parts[: index + 1])
                node = node.children.setdefault(name, _Node(name))
        node.uris.append(uri)
    return root


def _setup(spoc_parent: str, root: str) -> Any:
    sys.path.append(spoc_parent)
    from spoc.importer import Importer

    importer = Importer(Path(root))
    importer.setup_path()
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    return importer


def _quiet() -> None:
    """Send what imported code prints to /dev/null (the results go to their own file)."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)


def main(argv: list[str]) -> int:
    mode, spoc_parent, root, *rest = argv
    importer = _setup(spoc_parent, root)
    if mode == "single":
        out = os.dup(1)
        _quiet()
        _Runner(importer, out).load_one(rest[0])
        return 0
    uris_file, out_file, jobs = rest
    uris = [u for u in Path(uris_file).read_text(encoding="utf-8").split("\n") if u]
    out = os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    _quiet()
    runner = _Runner(importer, out)
    top = _tree(uris)
    for uri in top.uris:  # no dot: the URI is a module
        _wait(_fork(lambda uri=uri: runner.load_one(uri)), URI_TIMEOUT + 10)
    running: list[int] = []
    for child in top.children.values():  # one package per process, ``jobs`` at a time
        while len(running) >= int(jobs):
            pid, _status = os.wait()
            if pid in running:
                running.remove(pid)
        running.append(_fork(lambda child=child: runner.enter(child)))
    for pid in running:
        os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
