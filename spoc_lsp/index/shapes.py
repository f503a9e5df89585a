"""Interfaces and plugin shapes read from source (``spoc.interfaces``), never by running it.

:class:`ShapeReader` turns what the resolver says of a URI (its symbol's kind and definition)
into the :class:`spoc.interfaces.Shape` or :class:`~spoc.interfaces.Interface` the runtime
would read from the loaded object (``spoc.conformance``): a class with the members of its
bases (followed through the resolver, in method resolution order), an instance of a class
bound at module level, a function, a module. Where the source does not settle what the object
is, the answer is :class:`Unverifiable` with the reason: never a verdict.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from spoc.interfaces import (
    UNKNOWN_VERSION,
    Interface,
    Member,
    Shape,
    Signature,
    UnknownVersion,
    Version,
    is_public_member,
)
from spoc_lsp.index.attribute_writes import Written
from spoc_lsp.index.class_bodies import (
    KNOWN_CLASS_DECORATORS,
    ClassBody,
    Names,
    attributes_set_on,
    linearize,
    read_class_body,
    read_module,
    sets_attributes_on,
    signature_of,
)
from spoc_lsp.index.model import Resolution, Status
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.source_trees import parse_file, parse_text
from spoc_lsp.index.tree_lookup import binding_line, class_at, made_instance

# Bases that add no public member (the runtime skips ``object``; these bind only dunders and
# private names).
_SILENT_BASES = frozenset(
    {
        "builtins.object",
        "typing.Protocol",
        "typing_extensions.Protocol",
        "typing.Generic",
        "typing_extensions.Generic",
        "abc.ABC",
    }
)
_MAX_BASES = 64


@dataclass(frozen=True)
class Unverifiable:
    """Why what a URI is cannot be told from source."""

    reason: str


@dataclass(frozen=True)
class ReadClass:
    """A class read from source: its qualified name, where it is, and its bodies in method
    resolution order (itself first; silent bases left out)."""

    qualname: str
    file: Path
    line: int  # 1-based, the ``class`` line
    mro: tuple[ClassBody, ...]


class ShapeReader:
    """Reads interfaces and plugin shapes through ``resolve``; parses each file once per
    version (open buffers in ``overlays`` win over disk) and records the files it read."""

    def __init__(
        self,
        resolve: Callable[[str], Resolution],
        search_path: SearchPath,
        overlays: Mapping[Path, str] | None = None,
    ) -> None:
        self._resolve = resolve
        self._search_path = search_path
        self._overlays = overlays or {}
        self._classes: dict[tuple[Path, int], ReadClass | Unverifiable] = {}
        self.files_read: set[Path] = set()

    # --- public ---------------------------------------------------------------------------

    def interface(self, resolution: Resolution) -> Interface | Unverifiable:
        """The interface class a resolved ``[spoc.interfaces]`` value names."""
        read = self._class_of(resolution)
        if isinstance(read, Unverifiable):
            return read
        members: dict[str, Member] = {}
        for body in read.mro:
            for name, member in body.members.items():
                if is_public_member(name):
                    members.setdefault(name, member)
        found_version = _version(read.mro)
        version = found_version if not isinstance(found_version, UnknownVersion) else None
        call = _first(read.mro, "__call__")
        return Interface(
            name=read.qualname,
            members=tuple(members.values()),
            version=version,
            call=call.signature if call is not None else None,
        )

    @property
    def overlays(self) -> Mapping[Path, str]:
        """The open buffers read instead of the files on disk."""
        return self._overlays

    def resolve(self, uri: str) -> Resolution:
        return self._resolve(uri)

    def read_class(self, resolution: Resolution) -> ReadClass | Unverifiable:
        """A resolved class URI read with its bases (for stubs of what it lacks)."""
        return self._class_of(resolution)

    def kind_shape(self, resolution: Resolution) -> Shape | Unverifiable:
        """Enough of a plugin for a kind check: a class statement whose decorators keep it a
        class is a callable class whatever its body and bases."""
        symbol = resolution.symbol
        if resolution.status is Status.RESOLVED and symbol is not None and symbol.kind == "class":
            located = self._located(resolution)
            if isinstance(located, Unverifiable):
                return located
            _, tree, names, line = located
            found = class_at(tree, line)
            if found is not None and all(
                names.qualified(d.func if isinstance(d, ast.Call) else d) in KNOWN_CLASS_DECORATORS
                for d in found[0].decorator_list
            ):
                return Shape("class", is_callable=True)
        return self.shape(resolution)

    def shape(self, resolution: Resolution) -> Shape | Unverifiable:
        """What a resolved plugin URI is, as the runtime would read the loaded object."""
        symbol = resolution.symbol
        if resolution.status is not Status.RESOLVED or symbol is None:
            return Unverifiable("it does not resolve")
        if symbol.kind == "class":
            read = self._class_of(resolution)
            if isinstance(read, Unverifiable):
                return read
            init = _first(read.mro, "__init__")
            return Shape(
                "class",
                _members(read.mro),
                is_callable=True,
                complete=not _defines_getattr(read.mro),
                version=_version(read.mro),
                call=init.signature if init is not None else None,
            )
        if symbol.kind == "module":
            return self._module_shape(resolution)
        if symbol.kind == "function":
            return self._function_shape(resolution)
        if symbol.kind == "variable":
            return self._instance_shape(resolution)
        return Unverifiable(f"{resolution.uri!r} is not a class, function, module or instance")

    def written_objects(self, resolution: Resolution) -> tuple[Written, ...]:
        """What another module may set attributes on to change a plugin: a module; an
        instance, then its class; a class, then its bases in method resolution order."""
        symbol = resolution.symbol
        kind = symbol.kind if symbol is not None else None
        found: list[Written] = []
        if kind == "module":
            return (Written(resolution.uri, f"module {resolution.uri!r}"),)
        if kind == "class":
            read = self._class_of(resolution)
        elif kind == "variable":
            instance = self._instance_of(resolution)
            if isinstance(instance, Unverifiable):
                return ()
            found.append(Written(instance.dotted, repr(resolution.uri)))
            read = instance.cls
        else:
            return ()
        if isinstance(read, ReadClass):
            found.extend(Written(body.dotted, f"class {body.node.name!r}") for body in read.mro)
        return tuple(found)

    # --- files ----------------------------------------------------------------------------

    def _tree(self, file: Path) -> ast.Module | None:
        self.files_read.add(file)
        overlay = self._overlays.get(file)
        if overlay is not None:
            return parse_text(str(file), overlay)
        try:
            status = os.stat(file)
        except OSError:
            return None
        return parse_file(str(file), status.st_mtime_ns, status.st_size)

    def _module_of(self, file: Path) -> tuple[str, bool] | None:
        """The module name ``file`` is imported under, and whether it is a package."""
        for entry in self._search_path.entries:
            try:
                parts = list(file.relative_to(entry.path).with_suffix("").parts)
            except ValueError:
                continue
            is_package = bool(parts) and parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            if parts and all(part.isidentifier() for part in parts):
                return ".".join(parts), is_package
        return None

    def _located(
        self, resolution: Resolution
    ) -> tuple[Path, ast.Module, Names, int] | Unverifiable:
        """The file, tree and names of a resolved symbol's module, and the 0-based line of its
        statement (found again by name in an open buffer, whose lines may have moved)."""
        symbol = resolution.symbol
        definition = symbol.definition if symbol is not None else None
        if definition is None or definition.file is None or definition.file.suffix != ".py":
            return Unverifiable(f"the source of {resolution.uri!r} cannot be read")
        file = definition.file
        tree = self._tree(file)
        module = self._module_of(file)
        if tree is None or module is None:
            return Unverifiable(f"the source of {resolution.uri!r} cannot be read")
        line = definition.line
        if file in self._overlays and symbol is not None and symbol.kind != "module":
            moved = binding_line(tree, resolution.uri.rpartition(".")[2], line)
            if moved is None:
                return Unverifiable(f"{resolution.uri!r} is being edited")
            line = moved
        return file, tree, Names(tree, *module), line

    # --- classes --------------------------------------------------------------------------

    def _class_of(self, resolution: Resolution) -> ReadClass | Unverifiable:
        symbol = resolution.symbol
        if resolution.status is not Status.RESOLVED or symbol is None or symbol.kind != "class":
            return Unverifiable(f"{resolution.uri!r} is not a class that can be read")
        located = self._located(resolution)
        if isinstance(located, Unverifiable):
            return located
        file, tree, names, line = located
        return self._read_class(file, tree, names, line, frozenset())

    def _read_class(
        self,
        file: Path,
        tree: ast.Module,
        names: Names,
        line: int,
        visiting: frozenset[tuple[Path, int]],
    ) -> ReadClass | Unverifiable:
        key = (file, line)
        known = self._classes.get(key)
        if known is not None:
            return known
        if key in visiting or len(visiting) > _MAX_BASES:
            return Unverifiable("its bases form a cycle")
        found = class_at(tree, line)
        if found is None:
            return Unverifiable(f"no class statement found at {file.name}:{line + 1}")
        node, qualname = found
        result = self._read_found(file, tree, names, node, qualname, visiting | {key})
        self._classes[key] = result
        return result

    def _read_found(
        self,
        file: Path,
        tree: ast.Module,
        names: Names,
        node: ast.ClassDef,
        qualname: str,
        visiting: frozenset[tuple[Path, int]],
    ) -> ReadClass | Unverifiable:
        body = read_class_body(node, names, tree, qualname)
        if body.unreadable is not None:
            return Unverifiable(body.unreadable)
        bases: list[ReadClass] = []
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            dotted = names.qualified(target)
            if dotted is None:
                return Unverifiable(f"a base of {qualname!r} is not a plain name")
            if dotted in _SILENT_BASES:
                continue
            read = self._base(dotted, visiting)
            if isinstance(read, Unverifiable):
                return Unverifiable(f"base {dotted!r} of {qualname!r}: {read.reason}")
            bases.append(read)
        mro = linearize(body, [base.mro for base in bases])
        if mro is None:
            return Unverifiable(f"the bases of {qualname!r} have no consistent order")
        return ReadClass(qualname, file, node.lineno, mro)

    def _base(self, dotted: str, visiting: frozenset[tuple[Path, int]]) -> ReadClass | Unverifiable:
        if dotted.startswith("builtins."):
            return Unverifiable("a built-in class cannot be read")
        resolution = self._resolve(dotted)
        symbol = resolution.symbol
        if resolution.status is not Status.RESOLVED or symbol is None or symbol.kind != "class":
            return Unverifiable("it is not a class that can be read")
        located = self._located(resolution)
        if isinstance(located, Unverifiable):
            return located
        file, tree, names, line = located
        return self._read_class(file, tree, names, line, visiting)

    # --- other kinds ----------------------------------------------------------------------

    def _module_shape(self, resolution: Resolution) -> Shape | Unverifiable:
        located = self._located(resolution)
        if isinstance(located, Unverifiable):
            return located
        file, tree, names, _ = located
        read = read_module(tree, names)
        members = dict(read.members)
        if file.name == "__init__.py":  # submodules imported anywhere become attributes
            for child in file.parent.iterdir():
                name = child.name.partition(".")[0]
                if name.isidentifier():
                    members.setdefault(name, Member(name))
        return Shape("module", members, complete=read.complete, version=read.version)

    def _function_shape(self, resolution: Resolution) -> Shape | Unverifiable:
        located = self._located(resolution)
        if isinstance(located, Unverifiable):
            return located
        _, tree, _, line = located
        node = next(
            (
                n
                for n in tree.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.lineno - 1 == line
            ),
            None,
        )
        if node is None or node.decorator_list:
            return Unverifiable(f"{resolution.uri!r} is not a plain top-level function")
        attributes = attributes_set_on(tree, node.name)
        if attributes is None:
            return Unverifiable(f"the module sets attributes on {node.name!r} dynamically")
        return Shape(
            "function",
            {name: Member(name) for name in attributes},
            is_callable=True,
            call=signature_of(node.args, drop_first=False),
        )

    def _instance_of(self, resolution: Resolution) -> _Instance | Unverifiable:
        """A module-level ``x = Cls(...)``: its module's tree and names, ``x``, and the class."""
        located = self._located(resolution)
        if isinstance(located, Unverifiable):
            return located
        _, tree, names, line = located
        not_known = Unverifiable(f"{resolution.uri!r} is not an instance made by a known class")
        made = made_instance(tree, line)
        if made is None:
            return not_known
        target, value = made
        dotted = names.qualified(value.func)
        if dotted is None:
            return not_known
        read = self._base(dotted, frozenset())
        if isinstance(read, Unverifiable):
            return Unverifiable(f"the class of {resolution.uri!r}: {read.reason}")
        return _Instance(tree, f"{names.module}.{target}", read)

    def _instance_shape(self, resolution: Resolution) -> Shape | Unverifiable:
        instance = self._instance_of(resolution)
        if isinstance(instance, Unverifiable):
            return instance
        tree, read = instance.tree, instance.cls
        target = instance.dotted.rpartition(".")[2]
        members = _members(read.mro)
        complete = not _defines_getattr(read.mro)
        version = _version(read.mro)
        for body in read.mro:
            complete = complete and not body.dynamic_self
            for name in body.self_names:
                members.setdefault(name, Member(name))
                if name == "VERSION":
                    version = UNKNOWN_VERSION
        if sets_attributes_on(tree, target):
            complete = False
        call = _first(read.mro, "__call__")
        return Shape(
            "instance",
            members,
            is_callable=call is not None,
            complete=complete,
            version=version,
            call=call.signature if call is not None else None,
        )


@dataclass(frozen=True)
class _Instance:
    """A module-level instance plugin as read: its module's tree, its dotted name, its class."""

    tree: ast.Module
    dotted: str
    cls: ReadClass


def _first(mro: tuple[ClassBody, ...], name: str) -> Member | None:
    return next((body.members[name] for body in mro if name in body.members), None)


def _members(mro: tuple[ClassBody, ...]) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for body in mro:
        for name, member in body.members.items():
            members.setdefault(name, member)
    return members


def _defines_getattr(mro: tuple[ClassBody, ...]) -> bool:
    return any("__getattr__" in b.members or "__getattribute__" in b.members for b in mro)


def _version(mro: tuple[ClassBody, ...]) -> Version | UnknownVersion | None:
    return next((body.version for body in mro if body.version is not None), None)


__all__ = ["ReadClass", "ShapeReader", "Signature", "Unverifiable"]
