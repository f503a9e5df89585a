"""The runtime's own answer, in a subprocess: import a project's packages and resolve every URI
its two config files list, with ``spoc``'s config reader and importer (the real import system).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import json, sys
from pathlib import Path
from spoc.config import load_config
from spoc.framework import plugin_sources
from spoc.importer import Importer

root = Path(sys.argv[1])
importer = Importer(root)
importer.setup_path()
answers = {}
for package in sys.argv[2:]:
    try:
        importer.load(package)
        answers[package] = "imported"
    except Exception as error:
        answers[package] = f"error: {type(error).__name__}: {error}"
for source in plugin_sources(load_config(root)):
    for entry in source.entries():
        try:
            found = importer.load_from_uri(entry.uri)
            answers[entry.uri] = getattr(found, "__qualname__", type(found).__name__)
        except Exception as error:
            answers[entry.uri] = f"error: {type(error).__name__}: {error}"
print(json.dumps(answers))
"""


def runtime_answers(root: Path, *packages: str) -> dict[str, str]:
    """``{package: "imported" | "error: ..."}`` and ``{uri: qualname | "error: ..."}``."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(root), *packages],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers: dict[str, str] = json.loads(done.stdout)
    return answers
