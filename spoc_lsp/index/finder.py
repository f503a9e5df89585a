"""Finding modules the way the import system does, from directory listings only.

Order (``sys.meta_path``): modules already in ``sys.modules`` at startup, ``BuiltinImporter``,
``FrozenImporter``, ``PathFinder`` (one ``FileFinder`` per path entry), then setuptools'
editable finders, which ``install()`` *appends*, so an ordinary module of the same name wins.

Per entry, ``FileFinder`` precedence: a directory with ``__init__`` + any loader suffix is a
package; otherwise a file ``name + suffix`` with suffixes in loader order (extensions, source,
bytecode); otherwise the directory is a namespace portion. Portions are used only when no entry
has a regular module, and then all of them are merged. ``.pyi`` files never count.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from spoc_lsp.index.editable import EditableFinder
from spoc_lsp.index.entry import PathEntry
from spoc_lsp.index.interpreter import PreloadedModule
from spoc_lsp.index.listing import DirectoryCache
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.tracking import Clock, Memo, Tracker

# Text in startup code (ignored .pth import lines, sitecustomize) that may change the path.
_PATH_CHANGERS = ("sys.path", "meta_path", "path_hooks", "addsitedir")
# .pth files whose import line is known to add a finder for these names only.
_NARROW_PTH = {
    "distutils-precedence.pth": frozenset({"distutils"}),
    "_virtualenv.pth": frozenset({"distutils"}),
}

ModuleKind = Literal["source", "bytecode", "extension", "namespace", "builtin", "frozen"]


@dataclass(frozen=True)
class FoundModule:
    """A module the import system would load, and where from."""

    name: str
    kind: ModuleKind
    file: Path | None  # what is executed (a package's __init__); None for namespace/builtin
    locations: tuple[str, ...] | None  # __path__ of a package, else None
    entry: PathEntry | None = None  # the search path entry its top-level package came from
    source: Path | None = None  # Python source to read for its attributes

    @property
    def is_package(self) -> bool:
        return self.locations is not None

    @property
    def where(self) -> Path | None:
        """A path to show for it: its file, or a namespace package's first directory."""
        if self.file is not None:
            return self.file
        return Path(self.locations[0]) if self.locations else None


class ModuleFinder:
    """Answers "which module is ``fullname``" for one search path; results memoised per
    cache generation."""

    def __init__(
        self, search_path: SearchPath, listings: DirectoryCache, clock: Clock, tracker: Tracker
    ) -> None:
        info = search_path.interpreter
        self.search_path = search_path
        self._listings = listings
        self._clock = clock
        self._tracker = tracker
        self._suffixes: list[tuple[str, ModuleKind]] = [
            *((suffix, "extension") for suffix in info.extension_suffixes),
            *((suffix, "source") for suffix in info.source_suffixes),
            *((suffix, "bytecode") for suffix in info.bytecode_suffixes),
        ]
        self._builtin = info.builtin_modules
        self._frozen = info.frozen_modules
        self._stdlib = str(info.stdlib_dir) if info.stdlib_dir is not None else None
        self._preloaded: dict[str, PreloadedModule] = {m.name: m for m in info.preloaded}
        self._editable: tuple[EditableFinder, ...] = info.editable_finders
        self._placeholders: dict[str, PathEntry] = {
            str(entry.path): entry for entry in search_path.entries if entry.is_placeholder
        }
        self._ignored_pth = info.ignored_pth_lines
        self._doubt: Memo[str, str | None] = Memo(clock, tracker)
        self._memo: Memo[tuple[str, tuple[str, ...] | None], FoundModule | None]
        self._memo = Memo(clock, tracker)

    # --- finding --------------------------------------------------------------------------

    def find(self, fullname: str, parent: FoundModule | None = None) -> FoundModule | None:
        """The module ``fullname`` (a submodule of ``parent`` when given, which must be a
        package), or ``None`` when the import system would not find it."""
        key = (fullname, parent.locations if parent is not None else None)
        return self._memo.get(key, lambda: self._find(fullname, parent))

    def preloaded(self, fullname: str) -> FoundModule | None:
        """The module already in ``sys.modules`` under ``fullname`` when plugins load."""
        preloaded = self._preloaded.get(fullname)
        return self._from_preloaded(preloaded) if preloaded is not None else None

    def _find(self, fullname: str, parent: FoundModule | None) -> FoundModule | None:
        preloaded = self.preloaded(fullname)
        if preloaded is not None:
            return preloaded
        if fullname == "__main__":  # the running script: always there, contents unknown
            return FoundModule(fullname, "builtin", None, None)
        if parent is None and fullname in self._builtin:
            return FoundModule(fullname, "builtin", None, None)
        if fullname in self._frozen:
            return self._frozen_module(fullname)
        tail = fullname.rpartition(".")[2]
        if parent is None:
            locations: Iterable[tuple[str, PathEntry | None]] = (
                (str(entry.path), entry) for entry in self.search_path.entries
            )
        elif parent.locations is not None:
            locations = ((location, parent.entry) for location in parent.locations)
        else:
            return None
        found = self._path_search(fullname, tail, locations)
        if found is not None:
            return found
        return self._editable_search(fullname)

    def _path_search(
        self, fullname: str, tail: str, locations: Iterable[tuple[str, PathEntry | None]]
    ) -> FoundModule | None:
        portions: list[str] = []
        first_entry: PathEntry | None = None
        for location, entry in locations:
            placeholder = self._placeholders.get(location)
            if placeholder is not None:
                paths = dict(placeholder.namespaces).get(fullname)
                if paths is not None:
                    # An empty list still makes a namespace: the finder answers the placeholder.
                    portions.extend([str(path) for path in paths] or [location])
                    first_entry = first_entry or entry
                continue
            listing = self._listings.listing(location)
            if listing is None:
                continue
            namespace = False
            if tail in listing.dirs:
                package_dir = os.path.join(location, tail)
                init = self._init_file(package_dir)
                if init is not None:
                    kind, file = init
                    return self._module(fullname, kind, file, (package_dir,), entry)
                namespace = True
            for suffix, kind in self._suffixes:
                if tail + suffix in listing.files:
                    file = os.path.join(location, tail + suffix)
                    return self._module(fullname, kind, file, None, entry)
            if namespace:
                portions.append(os.path.join(location, tail))
                first_entry = first_entry or entry
        if portions:
            return FoundModule(fullname, "namespace", None, tuple(portions), first_entry)
        return None

    def _init_file(self, package_dir: str) -> tuple[ModuleKind, str] | None:
        listing = self._listings.listing(package_dir)
        if listing is None:
            return None
        for suffix, kind in self._suffixes:
            if "__init__" + suffix in listing.files:
                return kind, os.path.join(package_dir, "__init__" + suffix)
        return None

    def _module(
        self,
        fullname: str,
        kind: ModuleKind,
        file: str,
        locations: tuple[str, ...] | None,
        entry: PathEntry | None,
    ) -> FoundModule:
        path = Path(file)
        return FoundModule(
            fullname, kind, path, locations, entry, path if kind == "source" else None
        )

    def _editable_search(self, fullname: str) -> FoundModule | None:
        """setuptools' ``_EditableFinder.find_spec``: a ``MAPPING`` key is a package directory
        with ``__init__.py`` or a module file with any suffix; a direct child of a key is
        searched in the key's directory."""
        parent_name = fullname.rpartition(".")[0]
        for finder in self._editable:
            target = finder.target(fullname)
            entry = PathEntry(finder.pth_file.parent, f"editable finder {finder.module}")
            if target is not None:
                init = target / "__init__.py"
                if self._exists(init):
                    return FoundModule(fullname, "source", init, (str(target),), entry, init)
                for suffix, kind in self._all_suffixes():
                    candidate = target.with_suffix(suffix)
                    if self._exists(candidate):
                        return self._module(fullname, kind, str(candidate), None, entry)
                continue
            parent_target = finder.target(parent_name) if parent_name else None
            if parent_target is not None:
                tail = fullname.rpartition(".")[2]
                found = self._path_search(fullname, tail, [(str(parent_target), entry)])
                if found is not None:
                    return found
        return None

    def _all_suffixes(self) -> Iterator[tuple[str, ModuleKind]]:
        # importlib.machinery.all_suffixes() order: source, bytecode, extensions.
        order = {"source": 0, "bytecode": 1, "extension": 2}
        yield from sorted(self._suffixes, key=lambda item: order.get(item[1], 3))

    def file_exists(self, path: Path) -> bool:
        """``path`` is listed in its (cached) directory."""
        return self._exists(path)

    def _exists(self, path: Path) -> bool:
        listing = self._listings.listing(str(path.parent))
        return listing is not None and (path.name in listing.files or path.name in listing.dirs)

    def _from_preloaded(self, module: PreloadedModule) -> FoundModule:
        locations = None
        if module.locations is not None:
            locations = tuple(str(path) for path in module.locations)
        if module.origin == "built-in":
            return FoundModule(module.name, "builtin", None, locations)
        if module.origin == "frozen" or module.origin is None:
            frozen = self._frozen_module(module.name, locations)
            if frozen.source is None and module.file and module.file.endswith(".py"):
                source = Path(module.file)
                return FoundModule(module.name, "frozen", source, locations, None, source)
            return frozen
        path = Path(module.origin)
        kind: ModuleKind = "source"
        for suffix, suffix_kind in self._suffixes:
            if module.origin.endswith(suffix):
                kind = suffix_kind
                break
        return FoundModule(
            module.name, kind, path, locations, None, path if kind == "source" else None
        )

    def _frozen_module(
        self, fullname: str, locations: tuple[str, ...] | None = None
    ) -> FoundModule:
        """A frozen module; its attributes are read from the stdlib source it was frozen from."""
        source: Path | None = None
        if self._stdlib is not None:
            base = os.path.join(self._stdlib, *fullname.split("."))
            init = os.path.join(base, "__init__.py")
            if self._listings.is_file(base, "__init__.py"):
                source = Path(init)
                if locations is None:
                    locations = (base,)
            elif self._listings.is_file(os.path.dirname(base), os.path.basename(base) + ".py"):
                source = Path(base + ".py")
        return FoundModule(fullname, "frozen", source, locations, None, source)

    def top_level_doubt(self, name: str) -> str | None:
        """Why a top-level ``name`` missing from the static path may still exist at runtime:
        startup code the server does not run (.pth import lines, sitecustomize) may add
        path entries or finders."""
        for line in self._ignored_pth:
            narrow = _NARROW_PTH.get(line.file.name)
            if narrow is not None:
                if name in narrow:
                    return f"{line.file.name} installs an import hook for {name!r}"
                continue
            if any(token in line.text for token in _PATH_CHANGERS):
                return f"{line.file.name} (line {line.line}) runs code that may change sys.path"
        return self._doubt.get("customize", self._customize_doubt)

    def _customize_doubt(self) -> str | None:
        for hook in ("sitecustomize", "usercustomize"):
            found = self.find(hook)
            if found is None:
                continue
            if found.source is None:
                return f"{hook} ({found.kind}) runs at startup and may change sys.path"
            try:
                text = found.source.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if any(token in text for token in _PATH_CHANGERS):
                return f"{hook} ({found.source}) may change sys.path at startup"
        return None

    # --- listing --------------------------------------------------------------------------

    def is_opaque(self, location: str) -> bool:
        """True when ``location`` exists but is not a directory (a zip archive: not inspected,
        so a miss there cannot be proven)."""
        return self._listings.exists_as_file(location)

    def search_is_complete(self, parent: FoundModule | None) -> bool:
        """False when a miss under ``parent`` (top level for ``None``) cannot be proven."""
        if parent is None:
            locations = [str(entry.path) for entry in self.search_path.entries]
        else:
            locations = list(parent.locations or ())
        return not any(
            location not in self._placeholders and self.is_opaque(location)
            for location in locations
        )

    def names_in(self, location: str) -> set[str]:
        """The module names a directory offers (packages, modules, namespace candidates)."""
        listing = self._listings.listing(location)
        if listing is None:
            return set()
        names = {name for name in listing.dirs if name.isidentifier() and name != "__pycache__"}
        for file in listing.files:
            for suffix, _kind in self._suffixes:
                if file.endswith(suffix):
                    stem = file[: -len(suffix)]
                    if stem.isidentifier() and stem != "__init__":
                        names.add(stem)
                    break
        return names

    def top_level_names(self) -> set[str]:
        """Every name a top-level import could find (directories are listed lazily here)."""
        names: set[str] = set()
        for entry in self.search_path.entries:
            if entry.is_placeholder:
                names.update(name for name, _ in entry.namespaces if "." not in name)
            else:
                names.update(self.names_in(str(entry.path)))
        names.update(self._builtin)
        names.update(name for name in self._frozen if "." not in name)
        names.update(name for name in self._preloaded if "." not in name)
        for finder in self._editable:
            names.update(name for name, _ in finder.mapping if "." not in name)
        return {name for name in names if name.isidentifier()}

    def submodule_names(self, parent: FoundModule) -> set[str]:
        """Every name a submodule import under ``parent`` could find."""
        names: set[str] = set()
        prefix = parent.name + "."
        for location in parent.locations or ():
            placeholder = self._placeholders.get(location)
            if placeholder is not None:
                names.update(
                    name[len(prefix) :]
                    for name, _ in placeholder.namespaces
                    if name.startswith(prefix) and "." not in name[len(prefix) :]
                )
            else:
                names.update(self.names_in(location))
        for name in list(self._frozen) + list(self._preloaded):
            if name.startswith(prefix) and "." not in name[len(prefix) :]:
                names.add(name[len(prefix) :])
        for finder in self._editable:
            for name, _ in finder.mapping:
                if name.startswith(prefix) and "." not in name[len(prefix) :]:
                    names.add(name[len(prefix) :])
        return {name for name in names if name.isidentifier()}
