"""The server's state, below the protocol: projects, settings and file events."""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.lsp.host import Host
from spoc_lsp.lsp.settings import ServerSettings, read_settings
from tests.lsp.support import write_tree


def two_projects(tmp_path: Path) -> tuple[Path, Path]:
    first = write_tree(
        tmp_path / "first",
        {
            "spoc.toml": '[spoc.plugins]\nmw = ["alpha.run"]\n',
            "alpha.py": "def run():\n    pass\n",
        },
    )
    second = write_tree(
        tmp_path / "second",
        {
            "spoc.toml": '[spoc.plugins]\nmw = ["beta.run"]\n',
            "beta.py": "def run():\n    pass\n",
        },
    )
    return first, second


def test_file_events_recheck_only_the_projects_whose_uris_read_the_file(tmp_path: Path) -> None:
    first, second = two_projects(tmp_path)
    host = Host()
    assert sorted(host.discover([tmp_path])) == [first, second]
    for root in (first, second):
        host.analyze(host.project(root), {})
    changed = host.files_changed([first / "alpha.py"])
    assert [project.root for project in changed] == [first]
    unrelated = host.files_changed([tmp_path / "elsewhere" / "gamma.py"])
    assert unrelated == []
    config_edit = host.files_changed([second / "spoc.toml"])
    assert [project.root for project in config_edit] == [second]


def test_config_documents_are_recognised_and_others_ignored(tmp_path: Path) -> None:
    first, _ = two_projects(tmp_path)
    (first / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    host = Host()
    assert host.config_document(first / "spoc.toml") == (first, "toml")
    assert host.config_document(first / "pyproject.toml") is None
    assert host.config_document(first / "alpha.py") is None
    assert host.config_document(tmp_path / "loose.py") is None


def test_a_new_interpreter_or_paths_rebuild_resolvers(tmp_path: Path) -> None:
    first, _ = two_projects(tmp_path)
    host = Host()
    host.project(first)
    assert not host.update_settings(ServerSettings(inlay_hints=False))
    assert first in host.projects
    assert host.update_settings(ServerSettings(extra_paths=(str(tmp_path),)))
    assert host.projects == {}


def test_bad_settings_fall_back_to_defaults_with_a_message() -> None:
    settings, problems = read_settings(
        {
            "spoc": {
                "python": 3,
                "extraPaths": "x",
                "runtimeCheck": "always",
                "inlayHints": "no",
                "severity": {"SPOC001": "loud", "SPOC002": "off"},
            }
        }
    )
    assert settings == ServerSettings(severity={"SPOC002": "off"})
    assert len(problems) == 5
    assert read_settings(None) == (ServerSettings(), [])
    assert read_settings([1, 2])[0] == ServerSettings()


def _patched_project(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "proj",
        {
            "spoc.toml": (
                '[spoc.plugins]\nstorage = ["store.Memory"]\n\n'
                '[spoc.interfaces]\nstorage = "store.Storage"\n'
            ),
            "store.py": (
                "class Storage:\n    def get(self, key): ...\n    def delete(self, key): ...\n\n"
                "class Memory:\n    def get(self, key):\n        return None\n"
            ),
            # In a package no plugin URI goes into: no resolution reads its directory.
            "tools/__init__.py": "",
            "tools/patches.py": "from store import Memory\n\nMemory.label = 'memory'\n",
        },
    )


def test_a_file_an_interface_verdict_read_is_watched_though_no_uri_reads_it(
    tmp_path: Path,
) -> None:
    """A patch module that sets a member on a plugin class is read by the interface check
    (found by its text), never by resolving a URI: a change of it on disk still re-checks
    the project, and the verdict follows it."""
    root = _patched_project(tmp_path)
    host = Host()
    project = host.project(root)

    def verdict() -> str:
        analysis = host.analyze(project, {})
        codes = [d.code for d in analysis.all_diagnostics()]
        (found,) = analysis.interface_verdicts.values()
        return "error" if "SPOC011" in codes else f"unverifiable: {found.unverifiable}"

    assert verdict() == "error"
    patch = root / "tools" / "patches.py"
    assert patch in host.analyze(project, {}).interface_files
    patch.write_text("from store import Memory\n\nMemory.delete = lambda self, key: None\n")
    assert [p.root for p in host.files_changed([patch])] == [root]
    assert verdict().startswith("unverifiable: 'delete' may be set on class 'Memory'")


def test_the_disk_poller_watches_the_files_an_interface_verdict_read(tmp_path: Path) -> None:
    """Without client watchers the server polls: the patch module is among the polled paths,
    and rewriting it is reported."""
    import os

    from spoc_lsp.lsp.disk_watch import DiskPoller

    root = _patched_project(tmp_path)
    host = Host()
    project = host.project(root)
    host.analyze(project, {})
    poller = DiskPoller()
    patch = root / "tools" / "patches.py"
    assert str(patch) in poller.read_by(project)
    poller.poll(host)  # the first poll: files written just now may count as changed
    assert poller.poll(host) == []
    patch.write_text("from store import Memory\n\nMemory.delete = lambda self, key: None\n")
    os.utime(patch, ns=(project.read_since_ns + 5_000_000_000,) * 2)
    assert patch in poller.poll(host)


def test_a_venv_made_again_in_place_rebuilds_the_project(tmp_path: Path) -> None:
    """The interpreter's ``pyvenv.cfg`` is watched (by the poller too): when the venv is made
    again the project is dropped, so its interpreter is asked again (another Python means
    another ``lib/pythonX.Y``); while the venv is gone the project stays as it was."""
    import os
    import venv

    from spoc_lsp.lsp.disk_watch import DiskPoller

    first, _ = two_projects(tmp_path)
    environment = tmp_path / "env"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(environment)
    host = Host(ServerSettings(python=str(environment / "bin" / "python")))
    project = host.project(first)
    host.analyze(project, {})
    config = environment / "pyvenv.cfg"
    poller = DiskPoller()
    assert str(config) in poller.read_by(project)
    poller.poll(host)
    text = config.read_text()
    config.unlink()
    assert config in poller.poll(host)
    host.files_changed([config])
    assert host.projects[first] is project  # gone: the project stays as it was
    config.write_text(text)
    os.utime(config, ns=(project.read_since_ns + 5_000_000_000,) * 2)
    assert config in poller.poll(host)
    assert [p.root for p in host.files_changed([config])] == [first]
    assert first not in host.projects  # made again at the next analysis
    assert host.project(first) is not project
