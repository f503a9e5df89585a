"""Which SPOC project a file belongs to, and a snapshot of its config texts.

A snapshot is the input of the analysis: the project's ``spoc.toml`` and settings module as
text, where open editor buffers win over what is on disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from spoc.config import ProjectFiles, find_project_files, find_settings, find_toml
from spoc.importer import project_search_roots
from spoc.plugins import SourceKind
from spoc_lsp.analysis.options import ProjectOptions, read_project_options


def find_project_root(path: Path) -> Path | None:
    """The root of the SPOC project holding ``path`` (a file or directory), or ``None``.

    A directory is a root when it has ``config/spoc.toml`` or ``spoc.toml`` (as the runtime
    looks for them). A ``spoc.toml`` inside a directory named ``config`` belongs to the parent.
    """
    start = path if path.is_dir() else path.parent
    for directory in (start, *start.parents):
        if (directory / "config" / "spoc.toml").is_file():
            return directory
        if (directory / "spoc.toml").is_file():
            if directory.name == "config" and find_toml(directory.parent) is not None:
                return directory.parent
            return directory
    return None


def config_kind(root: Path, path: Path) -> SourceKind | None:
    """``"toml"`` or ``"settings"`` when ``path`` is that project's config file, else ``None``."""
    if path == find_toml(root):
        return "toml"
    if path == find_settings(root):
        return "settings"
    return None


@dataclass(frozen=True)
class ConfigText:
    """The text of one config file, and a note when the bytes on disk could not be decoded."""

    kind: SourceKind
    path: Path
    text: str
    read_error: str | None = None


@dataclass(frozen=True)
class ProjectSnapshot:
    """A project's config texts at one moment: the analysis input."""

    root: Path
    files: ProjectFiles
    toml: ConfigText | None
    settings: ConfigText | None
    options: ProjectOptions = field(default_factory=ProjectOptions)
    overlays: Mapping[Path, str] = field(default_factory=dict)  # open buffers, by path

    def documents(self) -> tuple[ConfigText, ...]:
        return tuple(doc for doc in (self.toml, self.settings) if doc is not None)

    def document(self, path: Path) -> ConfigText | None:
        return next((doc for doc in self.documents() if doc.path == path), None)


def read_text(path: Path) -> tuple[str, str | None]:
    """A file's text, decoding bad UTF-8 with replacement characters, and why it was odd."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return "", f"cannot read {path.name}: {error.strerror or error}"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return (
            data.decode("utf-8", errors="replace"),
            f"{path.name} is not valid UTF-8 (byte {error.start}); undecodable bytes were ignored",
        )


def take_snapshot(root: Path, overlays: Mapping[Path, str] | None = None) -> ProjectSnapshot:
    """Read the project's config files; a path in ``overlays`` (open buffers) wins over disk."""
    files = find_project_files(root)
    overlays = overlays or {}

    def load(kind: SourceKind, path: Path | None) -> ConfigText | None:
        if path is None:
            return None
        if path in overlays:
            return ConfigText(kind, path, overlays[path])
        text, error = read_text(path)
        return ConfigText(kind, path, text, error)

    return ProjectSnapshot(
        root=files.root,
        files=files,
        toml=load("toml", files.toml),
        settings=load("settings", files.settings),
        options=read_project_options(files.root),
        overlays=dict(overlays),
    )


_NOT_PROJECT = frozenset({".venv", "venv", "site-packages", "dist-packages", "node_modules"})


class ProjectModules:
    """The project's own Python modules, for following a split settings module's imports:
    found as the import system would find them under the project's search roots (never in the
    environment), read with open buffers winning over the disk."""

    def __init__(self, snapshot: ProjectSnapshot) -> None:
        self.root = snapshot.root
        self.overlays = snapshot.overlays

    def find(self, importer: Path, module: str, level: int) -> Path | str:
        parts = [part for part in module.split(".") if part]
        shown = "." * level + module
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            found = self._module(base, parts)
            if found is None:
                return f"cannot find module '{shown}' next to {importer.name} in the project"
            return found
        for search_root in project_search_roots(self.root):
            if parts and self._module(search_root, parts[:1]) is not None:
                found = self._module(search_root, parts)  # (the first root with the package)
                return found if found is not None else f"cannot find module '{shown}'"
        return f"'{shown}' is not a module of the project"

    def _module(self, base: Path, parts: list[str]) -> Path | None:
        target = base.joinpath(*parts)
        for candidate in (target / "__init__.py", target.with_name(target.name + ".py")):
            if candidate.is_file() and self._inside(candidate):
                return candidate
        return None

    def _inside(self, path: Path) -> bool:
        try:
            relative = path.resolve().relative_to(self.root.resolve())
        except (OSError, ValueError):
            return False
        return not _NOT_PROJECT.intersection(relative.parts)

    def read(self, path: Path) -> str | None:
        if path in self.overlays:
            return self.overlays[path]
        text, error = read_text(path)
        return None if error is not None and not text else text


def relative(snapshot: ProjectSnapshot, path: Path | None) -> str:
    """``path`` relative to the project root when it is inside it (for messages)."""
    if path is None:
        return "<unknown>"
    try:
        return path.relative_to(snapshot.root).as_posix()
    except ValueError:
        return str(path)
