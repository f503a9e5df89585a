"""``sys.path`` as ``site.main()`` would build it, computed from the probe's facts, statically.

The interpreter is probed with ``-I -S``, so nothing of ``site`` ran there. This module redoes
what ``site.main()`` does, in order — ``PYTHONPATH``, the interpreter's own path, the venv's
site-packages (``pyvenv.cfg``), the user site, the system site-packages, each site directory
followed by the directories its ``.pth`` files add (sorted by file name) — but never executes a
``.pth`` ``import`` line. setuptools' editable-install hooks are read statically instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spoc_lsp.index.editable import EditableFinder, read_editable_finder
from spoc_lsp.index.entry import PathEntry
from spoc_lsp.index.pth import editable_hook_module, read_pth


@dataclass(frozen=True)
class IgnoredPthLine:
    """A ``.pth`` ``import`` line that the runtime executes and the server does not."""

    file: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


@dataclass(frozen=True)
class SiteFacts:
    """What the probe reported that ``site`` needs (plain strings, as printed)."""

    executable: str
    base_path: Sequence[str]  # sys.path under -I -S
    venv_cfg: str | None
    venv_site_packages: Sequence[str]
    system_site_packages: Sequence[str]
    user_site: str | None
    user_site_allowed: bool


@dataclass
class SitePath:
    """The assembled path, the editable finders (in ``sys.meta_path`` order) and notes."""

    entries: list[PathEntry] = field(default_factory=list)
    editable_finders: list[EditableFinder] = field(default_factory=list)
    ignored: list[IgnoredPthLine] = field(default_factory=list)
    site_dirs: list[Path] = field(default_factory=list)
    pth_files: list[Path] = field(default_factory=list)
    venv: Path | None = None


def read_venv_config(cfg: Path) -> dict[str, str]:
    """``key = value`` pairs of ``pyvenv.cfg``, keys lower-cased (as ``site.venv`` reads them)."""
    values: dict[str, str] = {}
    try:
        text = cfg.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return values
    for line in text.splitlines():
        if "=" in line:
            key, _, value = line.partition("=")
            values[key.strip().lower()] = value.strip()
    return values


def build_site_path(facts: SiteFacts, environ: Mapping[str, str], cwd: Path) -> SitePath:
    """The runtime's ``sys.path`` (without the script directory) and its editable finders."""
    builder = _Builder(cwd)
    for raw in _pythonpath(environ):
        builder.add(raw, "pythonpath")
    for raw in facts.base_path:
        builder.add(raw, "stdlib")
    result = builder.result

    user_enabled = facts.user_site_allowed and not environ.get("PYTHONNOUSERSITE")
    system_dirs: Sequence[str] = facts.system_site_packages
    if facts.venv_cfg is not None:
        config = read_venv_config(Path(facts.venv_cfg))
        result.venv = Path(facts.venv_cfg).parent
        # site.venv(): the venv's own site-packages come first, before the user site.
        for directory in facts.venv_site_packages:
            builder.add_site_dir(directory)
        if config.get("include-system-site-packages", "true").lower() != "true":
            user_enabled = False
            system_dirs = ()
    if user_enabled and facts.user_site:
        builder.add_site_dir(facts.user_site)
    for directory in system_dirs:
        builder.add_site_dir(directory)
    return result


def _pythonpath(environ: Mapping[str, str]) -> list[str]:
    value = environ.get("PYTHONPATH", "")
    return value.split(os.pathsep) if value else []


class _Builder:
    """Appends entries with ``site``'s duplicate rule (absolute, case-normalised)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.known: set[str] = set()
        self.result = SitePath()

    def _absolute(self, raw: str, base: Path | None = None) -> str:
        joined = os.path.join(str(base if base is not None else self.cwd), raw)
        return os.path.normpath(joined)

    def add(self, raw: str, origin: str, base: Path | None = None) -> bool:
        absolute = self._absolute(raw, base)
        key = os.path.normcase(absolute)
        if key in self.known:
            return False
        self.known.add(key)
        self.result.entries.append(PathEntry(Path(absolute), origin))
        return True

    def add_site_dir(self, raw: str) -> None:
        """``site.addsitedir`` for an existing directory: the directory, then its .pth files."""
        directory = Path(self._absolute(raw))
        if not directory.is_dir():
            return
        self.add(str(directory), "site-packages")
        self.result.site_dirs.append(directory)
        try:
            names = sorted(name for name in os.listdir(directory) if name.endswith(".pth"))
        except OSError:
            return
        for name in names:
            self._add_pth(directory, directory / name)

    def _add_pth(self, site_dir: Path, pth: Path) -> None:
        self.result.pth_files.append(pth)
        for line in read_pth(pth):
            if line.kind == "import":
                module = editable_hook_module(line.text)
                finder = None
                if module is not None:
                    finder = read_editable_finder(site_dir / f"{module}.py", module, pth)
                if finder is None:
                    self.result.ignored.append(IgnoredPthLine(pth, line.number, line.text))
                    continue
                self._install_finder(finder)
                continue
            absolute = self._absolute(line.text, site_dir)
            # site.addpackage only adds paths that exist (files too: zip archives).
            if os.path.normcase(absolute) not in self.known and os.path.exists(absolute):
                self.add(absolute, f".pth {pth.name}")

    def _install_finder(self, finder: EditableFinder) -> None:
        """What the finder's ``install()`` does: append to meta_path, maybe a placeholder."""
        if any(known.module == finder.module for known in self.result.editable_finders):
            return
        self.result.editable_finders.append(finder)
        if finder.namespaces and finder.placeholder is not None:
            key = os.path.normcase(finder.placeholder)
            if key not in self.known:
                self.known.add(key)
                self.result.entries.append(
                    PathEntry(Path(finder.placeholder), "editable finder", finder.namespaces)
                )
