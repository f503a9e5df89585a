"""One directory of a module search path, and where it came from (for the environment report)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Where an entry came from: "project", "apps", "extraPaths", "pythonpath", "stdlib",
# "site-packages", ".pth <file name>" or "editable finder" (setuptools' namespace placeholder).
Origin = str


@dataclass(frozen=True)
class PathEntry:
    """A ``sys.path`` entry as the runtime would see it."""

    path: Path
    origin: Origin
    # Set only on the placeholder entry setuptools' editable installs append for namespace
    # packages: the namespace names it answers and their directories.
    namespaces: tuple[tuple[str, tuple[Path, ...]], ...] = ()

    @property
    def is_placeholder(self) -> bool:
        """True for the fake entry that only answers editable namespace packages."""
        return self.origin == "editable finder"
