"""A real environment: popular libraries from PyPI, and a SPOC config listing their modules.

``python -m bench.realenv [--uris 5000] [--seed N]`` makes ``bench/workspaces/realenv/``:

- ``.venv/`` with :data:`PACKAGES` installed by pip (once; a stamp file remembers what);
- ``config/spoc.toml`` and ``config/settings.py`` listing ``--uris`` URIs drawn from those
  libraries' files, found statically: module paths from the package directories (``tests``
  directories, ``conftest.py`` and ``__main__.py`` left out), top-level names from ``ast``
  (definitions, assignments, imported names), and about 10% mutated by a typo in a module
  segment or in the final name;
- ``realenv.truth.json`` beside it, in the format of the synthetic truth files. Here "resolves"
  is only what the generator intended; the verdict that counts is the real import's.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import WORKSPACES, site_packages

ROOT = WORKSPACES / "realenv"
PYTHON = ROOT / ".venv" / "bin" / "python"
TRUTH = WORKSPACES / "realenv.truth.json"
PACKAGES = ["numpy", "pandas", "sqlalchemy", "django", "requests", "flask", "sympy"]
IMPORT_NAMES = ["numpy", "pandas", "sqlalchemy", "django", "requests", "flask", "sympy"]
SKIP_DIRS = {"tests", "test", "__pycache__"}
SKIP_FILES = {"conftest.py", "__main__.py", "setup.py"}
GROUPS = [
    "arrays", "frames", "orm", "web", "http", "middleware", "hooks", "serializers",
    "backends", "signals", "commands", "exporters",
]  # fmt: skip
CONFIG_VERSION = "4"


@dataclass
class RealModule:
    name: str
    path: Path
    extension: bool
    names: list[str] = field(default_factory=list)
    children: set[str] = field(default_factory=set)


def ensure_env(packages: Sequence[str] = PACKAGES) -> Path:
    """Create the virtualenv and install ``packages`` unless that was done already."""
    stamp = ROOT / ".venv" / ".bench-packages"
    wanted = " ".join(packages)
    if PYTHON.exists() and stamp.is_file() and stamp.read_text() == wanted:
        return PYTHON
    ROOT.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(ROOT / ".venv")], check=True)
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *packages,
        ],
        check=True,
    )
    stamp.write_text(wanted)
    return PYTHON


def installed_versions(python: Path = PYTHON) -> dict[str, str]:
    """Distribution versions from the ``*.dist-info`` directory names (no process)."""
    versions: dict[str, str] = {}
    for site in site_packages(python):
        for info in sorted(site.glob("*.dist-info")):
            name, _, version = info.name[: -len(".dist-info")].partition("-")
            versions[name] = version
    return versions


def _names(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            names += [a.asname or a.name for a in node.names if a.name != "*"]
        elif isinstance(node, ast.Import):
            names += [a.asname or a.name.partition(".")[0] for a in node.names]
    return sorted({n for n in names if not n.startswith("_")})


def walk(site: Path, top: str) -> dict[str, RealModule]:
    """Every importable module of package ``top`` under ``site``, found from files alone."""
    found: dict[str, RealModule] = {}
    base = site / top
    if not (base / "__init__.py").is_file():
        return found
    for dirpath, dirnames, filenames in os.walk(base):
        directory = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and (directory / d / "__init__.py").is_file()
        )
        package = ".".join(directory.relative_to(site).parts)
        for filename in sorted(filenames):
            if filename in SKIP_FILES:
                continue
            stem, _, suffix = filename.partition(".")
            if not stem.isidentifier():
                continue
            if suffix == "py":
                dotted = package if stem == "__init__" else f"{package}.{stem}"
                found[dotted] = RealModule(dotted, directory / filename, False)
            elif suffix.endswith("so") and suffix.count(".") <= 1 and "." not in stem:
                found[f"{package}.{stem}"] = RealModule(
                    f"{package}.{stem}", directory / filename, True
                )
    for name in found:
        parent, _, short = name.rpartition(".")
        if parent in found:
            found[parent].children.add(short)
    return found


class RealConfig:
    """Draws the URIs and writes the config files."""

    def __init__(self, python: Path, uris: int, seed: int) -> None:
        self.rng = random.Random(f"{seed}-real-{uris}")
        self.uris = uris
        self.modules: dict[str, RealModule] = {}
        for site in site_packages(python):
            for top in IMPORT_NAMES:
                self.modules.update(walk(site, top))
        self.tops = {name.partition(".")[0] for name in self.modules}
        for module in self.modules.values():
            if not module.extension:
                module.names = _names(module.path)

    def _exists(self, dotted: str) -> bool:
        if dotted in self.modules:
            return True
        parent, _, short = dotted.rpartition(".")
        if not parent:
            return dotted in sys.stdlib_module_names or dotted in self.tops
        module = self.modules.get(parent)
        return module is not None and (short in module.names or short in module.children)

    def _typo(self, uri: str, segment: int) -> str | None:
        parts = uri.split(".")
        word = parts[segment]
        for _ in range(30):
            chars = list(word)
            i = self.rng.randrange(1, len(chars)) if len(chars) > 1 else 0
            op = self.rng.randrange(3)
            if op == 0 and 1 <= i < len(chars) - 1:
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            elif op == 1 and len(chars) > 3:
                del chars[i]
            else:
                chars.insert(i, chars[i])
            changed = [*parts]
            changed[segment] = "".join(chars)
            if changed[segment] == word or not changed[segment].isidentifier():
                continue
            if not self._exists(".".join(changed[: segment + 1])):
                return ".".join(changed)
        return None

    def entries(self) -> list[dict[str, object]]:
        rng = self.rng
        # Each library gets the same share, whatever its number of modules.
        ordered = {
            top: sorted(m for m in self.modules if m.partition(".")[0] == top)
            for top in IMPORT_NAMES
        }
        with_names = {
            top: [m for m in ordered[top] if self.modules[m].names] for top in IMPORT_NAMES
        }
        mutated = round(self.uris * 0.1)
        valid_count = self.uris - mutated
        used: set[str] = set()
        entries: list[dict[str, object]] = []
        while len(entries) < valid_count:
            top = rng.choice(IMPORT_NAMES)
            if rng.random() < 0.25:
                uri, category = rng.choice(ordered[top]), "module"
                if self.modules[uri].extension:
                    category = "extension_module"
            else:
                module = self.modules[rng.choice(with_names[top])]
                uri, category = f"{module.name}.{rng.choice(module.names)}", "name"
            if uri not in used:
                used.add(uri)
                entries.append({"uri": uri, "category": category, "resolves": True})
        deep = [str(e["uri"]) for e in entries if str(e["uri"]).count(".") >= 1]
        while len(entries) < self.uris:
            base = rng.choice(deep)
            if len(entries) % 2 == 0:
                typo, category = self._typo(base, rng.randrange(base.count("."))), "typo_module"
            else:
                typo, category = self._typo(base, base.count(".")), "typo_attribute"
            if typo and typo not in used:
                used.add(typo)
                entries.append({"uri": typo, "category": category, "resolves": False})
        rng.shuffle(entries)
        for entry in entries:
            uri = str(entry["uri"])
            entry["edit_typo"] = self._typo(uri, uri.count(".")) if entry["resolves"] else None
            entry["codes"] = []
        return entries

    def write(self) -> dict[str, object]:
        entries = self.entries()
        rng = self.rng
        by_file: dict[str, dict[str, list[dict[str, object]]]] = {
            "config/spoc.toml": {},
            "config/settings.py": {},
        }
        for entry in entries:
            file = "config/spoc.toml" if rng.random() < 0.55 else "config/settings.py"
            group = rng.choice(GROUPS)
            entry["file"], entry["group"] = file, group
            by_file[file].setdefault(group, []).append(entry)
        toml = [
            "# The real-environment benchmark workspace (bench/realenv.py): URIs into the",
            f"# installed {', '.join(PACKAGES)}; about 10% carry a typo.",
            "",
            "[spoc]",
            'mode = "production"',
            "",
            "[spoc.plugins]",
        ]
        for group in sorted(by_file["config/spoc.toml"], key=GROUPS.index):
            toml.append(f"{group} = [")
            for entry in by_file["config/spoc.toml"][group]:
                toml.append(f'    "{entry["uri"]}",')
                entry["line"], entry["column"] = len(toml), 5
            toml += ["]", ""]
        settings = [
            '"""Settings of the real-environment benchmark workspace (bench/realenv.py)."""',
            "",
            "PLUGINS = {",
        ]
        for group in sorted(by_file["config/settings.py"], key=GROUPS.index):
            settings.append(f'    "{group}": [')
            for entry in by_file["config/settings.py"][group]:
                settings.append(f'        "{entry["uri"]}",')
                entry["line"], entry["column"] = len(settings), 9
            settings.append("    ],")
        settings.append("}")
        (ROOT / "config").mkdir(parents=True, exist_ok=True)
        (ROOT / "config" / "spoc.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
        (ROOT / "config" / "settings.py").write_text("\n".join(settings) + "\n", encoding="utf-8")
        ordered = sorted(entries, key=lambda e: (str(e["file"]), int(str(e["line"]))))
        return {
            "name": "realenv",
            "packages": PACKAGES,
            "modules": len(self.modules),
            "uris": len(entries),
            "unique_uris": len(entries),
            "broken": [],
            "entries": ordered,
        }


def generate(uris: int = 5000, seed: int = 20240611) -> tuple[Path, Path]:
    """Ensure the environment and the config; returns (workspace root, interpreter)."""
    python = ensure_env()
    stamp = ROOT / "config" / ".bench-stamp"
    key = json.dumps({"v": CONFIG_VERSION, "uris": uris, "seed": seed, "env": PACKAGES})
    if stamp.is_file() and stamp.read_text() == key and TRUTH.is_file():
        return ROOT, python
    truth = RealConfig(python, uris, seed).write()
    truth["versions"] = {
        k: v for k, v in installed_versions(python).items() if k.lower() in set(PACKAGES)
    }
    TRUTH.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    stamp.write_text(key)
    return ROOT, python


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uris", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args(argv)
    root, python = generate(args.uris, args.seed)
    truth = json.loads(TRUTH.read_text())
    print(f"{root} ({python}): {truth['modules']} modules walked, {truth['uris']} URIs")


if __name__ == "__main__":
    main()
