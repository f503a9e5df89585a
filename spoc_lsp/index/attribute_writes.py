"""Attributes set on a class (or a module-level object) by another of the project's modules.

``from core.storage import MemoryStorage`` then ``MemoryStorage.delete = _delete`` in
``apps/core/patches.py`` gives the class a member its statement does not have, once that module
has run; the runtime, reading the class after every plugin loaded, may see it. The statements
found, anywhere in a file: an attribute assigned (plain, annotated, augmented, a ``for`` or
``with`` target) or deleted, and ``setattr``/``delattr`` (a literal name, or any name when it is
computed), on a name an import of that file binds (``from m import C [as A]``; ``import m``
then ``m.C.x``; ``from m import *`` then ``C.x``) or that the file gives such a value (``S =
C``, ``for cls in (C, D)``, ``patch(C)`` of its own ``def patch(cls)``). Files are read with
``ast``, never run.

Only the project's own files are searched (``project_files``: no environment, no cache
directory). A file is read only when its text contains the object's name, parsed once per file
identity (path, mtime_ns, size), and only its writes are kept, in a bounded cache; an open
buffer wins over the file on disk. Within one cache generation of the resolver (it moves when
files change: watcher events, the disk poller, saves) the findings on disk are kept, so an
analysis per keystroke does not walk the project again.
"""

from __future__ import annotations

import ast
import os
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.index.project_files import module_name, project_python_files, read_source
from spoc_lsp.index.relative import absolute_module
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.source_trees import parse_source, parse_text


@dataclass(frozen=True)
class Write:
    """One statement that sets or deletes an attribute of an imported object."""

    line: int  # 1-based
    targets: tuple[str, ...]  # the dotted names the object may be (one per import of its head)
    attribute: str | None  # ``None``: ``setattr``/``delattr`` with a computed name
    deletes: bool


@dataclass(frozen=True)
class Written:
    """An object whose attributes another module may set: its dotted name (module, then its
    qualified name there) and how a reason names it (``class 'MemoryStorage'``)."""

    dotted: str
    label: str


class _Entry:
    __slots__ = ("absent", "identity", "present", "writes")

    def __init__(self, identity: tuple[int, int]) -> None:
        self.identity = identity
        self.present: set[str] = set()  # names the text was seen to contain
        self.absent: set[str] = set()  # and not to contain
        self.writes: tuple[Write, ...] = ()  # parsed when a name is first present


_LIMIT = 20_000
_ENTRIES: OrderedDict[str, _Entry] = OrderedDict()


class AttributeWrites:
    """The writes in one project's files, as one analysis sees them: the files are listed on
    first use, and each is re-read only when its identity changed (``files_read``: the files
    that named an object asked about; editing one of them may change an answer)."""

    def __init__(
        self,
        search_path: SearchPath,
        overlays: Mapping[Path, str] | None = None,
        generation: int | None = None,
    ) -> None:
        """``generation``: the resolver's cache generation. Within one, what the files on disk
        hold is taken as known (the resolver's generation moves when files change), so an
        analysis per keystroke does not walk and ``stat`` the whole project again."""
        self._search_path = search_path
        self._overlays = overlays or {}
        self._generation = generation
        self._files: list[Path] | None = None
        self._naming: dict[str, tuple[tuple[Path, Write], ...]] = {}
        self.files_read: set[Path] = set()

    def first(
        self,
        objects: Sequence[Written],
        names: Collection[str],
        resolve: Callable[[str], Resolution],
    ) -> str | None:
        """Why ``names`` of ``objects`` may be bound otherwise at run time: the first statement
        of a project file that sets or deletes one of them on one of the objects (or any name,
        through ``setattr``/``delattr`` with a computed one), as a reason naming the file and
        line; ``None`` when no file has one."""
        for written in objects:
            for file, write in self.naming(written.dotted.rpartition(".")[2]):
                if write.attribute is not None and write.attribute not in names:
                    continue
                if any(_same(target, written.dotted, resolve) for target in write.targets):
                    return _reason(write, written, self._shown(file))
        return None

    def naming(self, name: str) -> tuple[tuple[Path, Write], ...]:
        """The writes on objects imported under a dotted name that ends in ``name``, in the
        files whose text contains ``name`` (looked for once per instance)."""
        found = self._naming.get(name)
        if found is None:
            found = self._naming[name] = tuple(self._find(name))
        return found

    def _find(self, name: str) -> Iterator[tuple[Path, Write]]:
        overlays = self._overlays
        for file, writes in self._on_disk(name):
            if file not in overlays:  # an open buffer wins over the file on disk
                self.files_read.add(file)
                yield from _writes_naming(file, writes, name)
        for file in self._buffers_only():
            buffered = self._writes(file, name)
            if buffered is not None:
                self.files_read.add(file)
                yield from _writes_naming(file, buffered, name)

    def _on_disk(self, name: str) -> tuple[tuple[Path, tuple[Write, ...]], ...]:
        """The project files on disk whose text contains ``name``, with their writes (kept for
        the rest of the resolver's cache generation)."""
        known = _BY_GENERATION.get(self._search_path)
        if known is None or known[0] != self._generation or self._generation is None:
            known = (self._generation, {})
            if self._generation is not None:
                _BY_GENERATION[self._search_path] = known
        found = known[1].get(name)
        if found is None:
            pairs = []
            for file in self._disk_files():
                writes = self._file_writes(file, name)
                if writes is not None:
                    pairs.append((file, writes))
            found = known[1][name] = tuple(pairs)
        return found

    def _buffers_only(self) -> list[Path]:
        """Open buffers of the project's Python files, saved or not."""
        return [
            path
            for path in self._overlays
            if path.suffix == ".py" and self._search_path.is_project_file(path)
        ]

    # --- files ----------------------------------------------------------------------------

    def _disk_files(self) -> list[Path]:
        if self._files is None:
            self._files = list(project_python_files(self._search_path.root))
        return self._files

    def _writes(self, file: Path, name: str) -> tuple[Write, ...] | None:
        """The writes of ``file`` (its open buffer, else the disk) when its text contains
        ``name`` (else ``None``)."""
        overlay = self._overlays.get(file)
        if overlay is not None:
            if name not in overlay:
                return None
            tree = parse_text(str(file), overlay)
            return () if tree is None else file_writes(tree, self._package(file))
        return self._file_writes(file, name)

    def _file_writes(self, file: Path, name: str) -> tuple[Write, ...] | None:
        """The writes of ``file`` on disk when its text contains ``name`` (else ``None``)."""
        key = str(file)
        try:
            status = os.stat(key)
        except OSError:
            return None
        identity = (status.st_mtime_ns, status.st_size)
        entry = _ENTRIES.get(key)
        if entry is None or entry.identity != identity:
            entry = _ENTRIES[key] = _Entry(identity)
            if len(_ENTRIES) > _LIMIT:
                _ENTRIES.popitem(last=False)
        _ENTRIES.move_to_end(key)
        if name in entry.present:
            return entry.writes
        if name in entry.absent:
            return None
        text = read_source(file)
        if text is None:
            return None
        if name not in text:
            entry.absent.add(name)
            return None
        if not entry.present:
            tree = parse_source(text, key)
            entry.writes = () if tree is None else file_writes(tree, self._package(file))
        entry.present.add(name)
        return entry.writes

    def _package(self, file: Path) -> str | None:
        """The ``__package__`` of the module ``file`` is (``None``: not importable as one)."""
        module = module_name(self._search_path, file, is_dir=False)
        if module is None or file.name == "__init__.py":
            return module
        return module.rpartition(".")[0]

    def _shown(self, file: Path) -> str:
        try:
            return file.relative_to(self._search_path.root).as_posix()
        except ValueError:
            return str(file)


def _writes_naming(
    file: Path, writes: tuple[Write, ...], name: str
) -> Iterator[tuple[Path, Write]]:
    """The writes on an object whose dotted name ends in ``name``."""
    for write in writes:
        targets = tuple(t for t in write.targets if t.rpartition(".")[2] == name)
        if targets:
            yield file, Write(write.line, targets, write.attribute, write.deletes)


# Per search path (a resolver's), the generation it was read in and, per name, the files on
# disk containing it with their writes.
_BY_GENERATION: weakref.WeakKeyDictionary[
    SearchPath, tuple[int | None, dict[str, tuple[tuple[Path, tuple[Write, ...]], ...]]]
] = weakref.WeakKeyDictionary()


def file_writes(tree: ast.Module, package: str | None) -> tuple[Write, ...]:
    """Every statement of a module that sets or deletes an attribute of an imported name,
    in the order of the file (``package``: the module's ``__package__``, for relative
    imports; ``None`` when they cannot be made absolute)."""
    imports = _Imports(tree, package)
    found: list[Write] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            targets = imports.dotted(node.value)
            if targets:
                deletes = isinstance(node.ctx, ast.Del)
                found.append(Write(node.lineno, targets, node.attr, deletes))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
        ):
            targets = imports.dotted(node.args[0])
            if targets:
                named = node.args[1] if len(node.args) > 1 else None
                value = named.value if isinstance(named, ast.Constant) else None
                attribute = value if isinstance(value, str) else None
                found.append(Write(node.lineno, targets, attribute, node.func.id == "delattr"))
    found.sort(key=lambda write: write.line)
    return tuple(found)


_ALIAS_PASSES = 4  # ``a = C``, ``b = a``...: chains of local aliases followed this deep


class _Imports:
    """What each name of a module may stand for (names taken file-wide, whatever their scope:
    a "may" too many is harmless): what an import binds, then names given one of those by an
    assignment, a ``for`` over a literal tuple or list, or a call of a function of the file
    (its parameter). A name nothing binds may come from a star import."""

    def __init__(self, tree: ast.Module, package: str | None) -> None:
        self._names: dict[str, set[str]] = {}
        self._stars: list[str] = []
        self._imports(tree, package)
        bindings = _bindings(tree)
        for _ in range(_ALIAS_PASSES):
            changed = False
            for name, value in bindings:
                known = self._names.setdefault(name, set())
                added = set(self.dotted(value)) - known
                if added:
                    known |= added
                    changed = True
            if not changed:
                break

    def _imports(self, tree: ast.Module, package: str | None) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    head = alias.name.partition(".")[0]
                    bound, value = (alias.asname, alias.name) if alias.asname else (head, head)
                    self._names.setdefault(bound, set()).add(value)
            elif isinstance(node, ast.ImportFrom):
                source = absolute_module(package or "", node.level, node.module)
                if source is None:
                    continue
                for alias in node.names:
                    if alias.name == "*":
                        self._stars.append(source)
                    else:
                        bound = alias.asname or alias.name
                        self._names.setdefault(bound, set()).add(f"{source}.{alias.name}")

    def dotted(self, node: ast.expr) -> tuple[str, ...]:
        """The dotted names ``Name`` or ``Name.attr...`` may stand for, through imports."""
        if isinstance(node, ast.Name):
            known = self._names.get(node.id)
            if known is not None:
                return tuple(sorted(known))
            return tuple(f"{source}.{node.id}" for source in self._stars)
        if isinstance(node, ast.Attribute):
            return tuple(f"{head}.{node.attr}" for head in self.dotted(node.value))
        return ()


def _bindings(tree: ast.Module) -> list[tuple[str, ast.expr]]:
    """``(name, value)`` for each plain binding of a name to an expression in the file."""
    functions: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
            functions.setdefault(node.name, positional)
    found: list[tuple[str, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            found.extend((t.id, node.value) for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            if isinstance(node.target, ast.Name):
                found.append((node.target.id, node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
            if isinstance(node.iter, (ast.Tuple, ast.List, ast.Set)):
                found.extend((node.target.id, element) for element in node.iter.elts)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            parameters = functions.get(node.func.id, [])
            found.extend(zip(parameters, node.args, strict=False))  # extra arguments: *args
            found.extend(
                (k.arg, k.value) for k in node.keywords if k.arg is not None and k.arg in parameters
            )
    return found


def _same(target: str, dotted: str, resolve: Callable[[str], Resolution]) -> bool:
    """Whether the object imported as ``target`` may be the one defined as ``dotted``: the
    same name, or re-exported (both resolve to one definition), or it cannot be told."""
    if target == dotted:
        return True
    found = resolve(target)
    if found.status is Status.UNVERIFIABLE:
        return True
    if found.status is not Status.RESOLVED or found.symbol is None:
        return False
    own = resolve(dotted).symbol
    definition = found.symbol.definition
    return own is not None and definition is not None and own.definition == definition


def _reason(write: Write, written: Written, file: str) -> str:
    where = f"{file}:{write.line}"
    if write.attribute is None:
        call = "delattr" if write.deletes else "setattr"
        return f"{call} with a computed name may change {written.label} at {where}"
    verb = "deleted from" if write.deletes else "set on"
    return f"{write.attribute!r} may be {verb} {written.label} at {where}"
