"""Which ``spoc`` the agent uses: the project interpreter's own, else ours and nothing else."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spoc_lsp.runtime.runner import probe_uris


def bare_venv(where: Path) -> Path:
    """A virtual environment with nothing installed (no spoc, no spoc_lsp, no pip)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120
    )
    python = where / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    assert python.exists()
    return python


def site_packages(python: Path) -> Path:
    output = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return Path(output.stdout.strip())


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bare_venv(tmp_path_factory.mktemp("bare") / "venv")


def write(path: Path, source: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


def test_without_spoc_installed_ours_is_used_and_nothing_else_of_ours_leaks(
    bare_python: Path, tmp_path: Path
) -> None:
    check = subprocess.run(
        [str(bare_python), "-c", "import spoc"], capture_output=True, cwd=tmp_path
    )
    assert check.returncode != 0  # really bare
    write(tmp_path / "spoc.toml", "[spoc]\n")
    write(tmp_path / "rtapp.py", "from spoc.uri import is_valid_uri\nok = is_valid_uri('a.b')\n")

    results = probe_uris(
        bare_python, tmp_path, ["rtapp.ok", "spoc.importer.Importer", "spoc_lsp", "pygls"]
    )

    assert results["rtapp.ok"].ok
    assert results["spoc.importer.Importer"].kind == "class"
    # Our own package and our dependencies are not importable by the project's plugins.
    assert results["spoc_lsp"].error_type == "ModuleNotFoundError"
    assert results["pygls"].error_type == "ModuleNotFoundError"


def test_the_project_interpreters_own_spoc_wins(tmp_path: Path) -> None:
    python = bare_venv(tmp_path / "venv")
    site = site_packages(python)
    write(site / "spoc" / "__init__.py", "")
    write(site / "spoc" / "errors.py", "class PluginImportError(ImportError):\n    pass\n")
    write(
        site / "spoc" / "importer.py",
        """
        import sys

        def install_search_roots(root, path=None):
            sys.path.insert(0, str(root))
            return [str(root)]

        class Importer:
            def __init__(self, root=None):
                pass

            def load_from_uri(self, uri):
                if uri == "boom":
                    raise RuntimeError("from the project's own spoc")
                return "anything"
        """,
    )
    root = tmp_path / "project"
    write(root / "spoc.toml", "[spoc]\n")

    results = probe_uris(python, root, ["does.not.exist", "boom"])

    assert (results["does.not.exist"].ok, results["does.not.exist"].kind) == (True, "variable")
    assert results["boom"].message == "from the project's own spoc"


def test_a_spoc_without_importer_is_a_clear_start_failure(tmp_path: Path) -> None:
    python = bare_venv(tmp_path / "venv")
    write(site_packages(python) / "spoc" / "__init__.py", "")
    root = tmp_path / "project"
    write(root / "spoc.toml", "[spoc]\n")

    results = probe_uris(python, root, ["a", "b.c"])

    assert {r.message for r in results.values()} == {
        "the runtime check could not start: cannot set up spoc.importer: "
        "ModuleNotFoundError: No module named 'spoc.importer'"
    }
