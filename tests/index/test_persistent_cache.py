"""The persistent cache (``spoc_lsp/index/store.py``): it changes speed, never output.

Every run here is a real ``spoc-lsp check`` process with its own ``SPOC_LSP_CACHE_DIR``:
warm and cold give the same output as ``--no-cache``; an edit between runs is seen; a
damaged, truncated, foreign or planted store is survived with the right output (and a planted
pickle never runs); two processes sharing one cache both finish with the right output.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from fixture_project import CASES, build_project

from spoc_lsp.index.store import Store, open_store
from spoc_lsp.index.store_keys import SETTLE_NS, cache_directory
from spoc_lsp.index.store_pickle import loads

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = ("shop", "broken")


def _backdate(root: Path) -> None:
    """Files older than the settle window, as a checked-out project usually is."""
    old = time.time() - 3600
    for path in [root, *root.rglob("*")]:
        os.utime(path, (old, old), follow_symlinks=False)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the examples and of the index fixture project, settled (see SETTLE_NS)."""
    base = tmp_path_factory.mktemp("cache-projects")
    found: dict[str, Path] = {}
    for name in EXAMPLES:
        found[name] = Path(shutil.copytree(REPO / "examples" / name, base / name))
    root, _extra = build_project(base / "fixture")
    uris = "\n".join(f'    "{case.uri}",' for case in CASES)
    (root / "spoc.toml").write_text(f"[spoc]\n\n[spoc.plugins]\ncases = [\n{uris}\n]\n")
    found["fixture"] = root
    for root in found.values():
        _backdate(root)
    # ctime cannot be backdated: wait until every file's last change has settled.
    time.sleep(SETTLE_NS / 1e9 + 0.2)
    return found


def check(
    root: Path, cache: Path, *extra: str, wait: bool = True
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SPOC_LSP_CACHE_DIR": str(cache)}
    environment.pop("VIRTUAL_ENV", None)
    environment.pop("SPOC_LSP_NO_CACHE", None)
    result = subprocess.run(
        [sys.executable, "-m", "spoc_lsp", "check", str(root), "--format", "json", *extra],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return result


def store_file(cache: Path) -> Path:
    (found,) = cache.glob("index-*.sqlite3")
    return found


def rows(cache: Path, prefix: str) -> int:
    with sqlite3.connect(store_file(cache)) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM facts WHERE key LIKE ?", (prefix + "%",)
        ).fetchone()
    return int(count)


@pytest.mark.parametrize("name", [*EXAMPLES, "fixture"])
def test_warm_and_cold_give_the_output_of_no_cache(
    projects: dict[str, Path], name: str, tmp_path: Path
) -> None:
    root = projects[name]
    reference = check(root, tmp_path / "unused", "--no-cache")
    assert not (tmp_path / "unused").exists()  # --no-cache writes nothing
    cold = check(root, tmp_path / "cache")
    assert rows(tmp_path / "cache", "s|") > 0 and rows(tmp_path / "cache", "r|") > 0
    warm = check(root, tmp_path / "cache")
    assert (cold.stdout, cold.returncode) == (reference.stdout, reference.returncode)
    assert (warm.stdout, warm.returncode) == (reference.stdout, reference.returncode)


def _copy(projects: dict[str, Path], name: str, target: Path) -> Path:
    root = Path(shutil.copytree(projects[name], target / name, symlinks=True))
    _backdate(root)
    time.sleep(SETTLE_NS / 1e9 + 0.2)
    return root


def test_a_module_edited_between_runs_is_read_again(
    projects: dict[str, Path], tmp_path: Path
) -> None:
    root = _copy(projects, "broken", tmp_path)
    cache = tmp_path / "cache"
    module = root / "apps/core/middleware/timing.py"
    before = check(root, cache)
    assert "'TimingMidleware'" in before.stdout
    # The name the config misspells now exists: its SPOC002 goes.
    with module.open("a") as handle:
        handle.write("\n\nclass TimingMidleware:\n    pass\n")
    added = check(root, cache)
    assert added.stdout == check(root, tmp_path / "none", "--no-cache").stdout
    assert "'TimingMidleware'" not in added.stdout
    time.sleep(SETTLE_NS / 1e9 + 0.2)
    assert check(root, cache).stdout == added.stdout  # now settled: this version is stored
    # Renamed in place, with the same size and mtime: still seen (ctime and inode differ).
    status = module.stat()
    original = module.read_text().replace("class TimingMidleware:", "class TimingMidlewarX:")
    module.write_text(original)
    os.utime(module, ns=(status.st_atime_ns, status.st_mtime_ns))
    removed = check(root, cache)
    assert "'TimingMidleware'" in removed.stdout
    assert removed.stdout == check(root, tmp_path / "none", "--no-cache").stdout


def _damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _damage_garbage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 997):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def _damage_not_sqlite(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 100)


def _damage_foreign_version(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'another-version' WHERE key = 'version'")


def _damage_foreign_tables(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE planted (x)")


def _damage_values(path: Path) -> None:
    """Every value replaced by another valid value of the wrong kind, checksums right."""
    with sqlite3.connect(path) as db:
        data = pickle.dumps(("not", "a summary"))
        db.execute("UPDATE facts SET data = ?, checksum = ?", (data, zlib.crc32(data)))


def _damage_checksums(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE facts SET checksum = checksum + 1")


@pytest.mark.parametrize(
    "damage",
    [
        _damage_truncate,
        _damage_garbage,
        _damage_not_sqlite,
        _damage_foreign_version,
        _damage_foreign_tables,
        _damage_values,
        _damage_checksums,
    ],
)
def test_a_damaged_or_foreign_store_is_survived(
    projects: dict[str, Path], tmp_path: Path, damage: object
) -> None:
    root = projects["broken"]
    reference = check(root, tmp_path / "none", "--no-cache")
    cache = tmp_path / "cache"
    check(root, cache)
    path = store_file(cache)
    for suffix in ("-wal", "-shm"):  # the damage is to the file itself
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert callable(damage)
    damage(path)
    first = check(root, cache)
    second = check(root, cache)  # rewritten by the first: warm again
    assert first.stdout == reference.stdout
    assert second.stdout == reference.stdout


class _Plant:
    """Unpickling this would create a file (pickle calls ``os.system``)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_never_runs(projects: dict[str, Path], tmp_path: Path) -> None:
    root = projects["broken"]
    reference = check(root, tmp_path / "none", "--no-cache")
    cache = tmp_path / "cache"
    check(root, cache)
    marker = tmp_path / "ran"
    data = pickle.dumps(_Plant(marker))
    with sqlite3.connect(store_file(cache)) as db:
        db.execute("UPDATE facts SET data = ?, checksum = ?", (data, zlib.crc32(data)))
    assert check(root, cache).stdout == reference.stdout
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):
        loads(data)


def test_two_processes_share_one_cache(projects: dict[str, Path], tmp_path: Path) -> None:
    reference = {
        name: check(projects[name], tmp_path / "none", "--no-cache").stdout
        for name in ("broken", "fixture")
    }
    cache = tmp_path / "cache"
    for _round in range(2):  # both cold, then both warm
        environment = {**os.environ, "SPOC_LSP_CACHE_DIR": str(cache)}
        environment.pop("VIRTUAL_ENV", None)
        running = [
            (
                name,
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "spoc_lsp",
                        "check",
                        str(projects[name]),
                        "--format",
                        "json",
                    ],
                    cwd=projects[name],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=environment,
                ),
            )
            for name in ("broken", "fixture", "broken", "fixture")
        ]
        for name, process in running:
            out, err = process.communicate(timeout=300)
            assert process.returncode in (0, 1), err
            assert out == reference[name]
    assert rows(cache, "r|") > 0


def test_store_location_and_refusals(tmp_path: Path) -> None:
    home = str(Path.home())
    assert cache_directory({"SPOC_LSP_CACHE_DIR": "/x/y"}) == Path("/x/y")
    assert cache_directory({"XDG_CACHE_HOME": "/c"}) == Path("/c/spoc-lsp")
    assert cache_directory({"XDG_CACHE_HOME": "rel"}) == Path(home, ".cache", "spoc-lsp")
    assert cache_directory({}) == Path(home, ".cache", "spoc-lsp")
    project = tmp_path / "project"
    project.mkdir()
    inside = {"SPOC_LSP_CACHE_DIR": str(project / ".cache")}
    assert open_store(project, inside) is None  # never inside the project tree
    outside = {"SPOC_LSP_CACHE_DIR": str(tmp_path / "cache")}
    assert open_store(project, outside) is not None
    assert open_store(project, outside, enabled=False) is None
    assert open_store(project, {**outside, "SPOC_LSP_NO_CACHE": "1"}) is None


def test_store_round_trip_bound_and_versions(tmp_path: Path) -> None:
    store = Store(tmp_path, max_bytes=64 * 1024)
    for index in range(400):
        store.put(f"k{index}", "id", ("value", index, Path("/a") / str(index)))
    store.flush()
    assert store.get("k399") == ("id", ("value", 399, Path("/a/399")))
    assert store.path.stat().st_size < 1024 * 1024  # bounded: old rows were dropped
    assert store.get("k0") is None
    # A store of another version under this version's name is not read, and is replaced.
    other = Store(tmp_path)
    other.key = "another-version"
    other.path = store.path
    assert other.get("k399") is None
    other.put("mine", "id", 1)
    other.flush()
    assert other.get("mine") == ("id", 1)
    fresh = Store(tmp_path)
    assert fresh.get("mine") is None  # that file was "another-version"'s: rewritten again
    fresh.put("k", "id", 2)
    fresh.flush()
    assert fresh.get("k") == ("id", 2)


def test_a_store_locked_by_another_process_is_waited_for_never_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spoc_lsp.index import store as store_module

    first = store_module.Store(tmp_path / "cache")
    first.put("s|kept", "id", {"kept": True})
    first.flush()
    path = store_file(tmp_path / "cache")
    second = store_module.Store(tmp_path / "cache")
    real_open = second._open
    calls: list[int] = []

    def locked_once() -> sqlite3.Connection:
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real_open()

    monkeypatch.setattr(second, "_open", locked_once)
    assert second.get("s|kept") is not None  # waited, then read what the other one wrote
    assert len(calls) == 2 and path.exists()


def test_a_persisted_answer_follows_its_paths_and_shares_loaded_paths(tmp_path: Path) -> None:
    """A stored resolution is one small row (paths compressed, one digest of their
    identities); any of its paths changing, appearing or vanishing makes it a miss, and paths
    loaded from the store are shared objects (building each again was most of a warm load)."""
    from spoc_lsp.index.model import Resolution, Status
    from spoc_lsp.index.store import PersistedResolutions
    from spoc_lsp.index.store_pickle import dumps, path_of
    from spoc_lsp.index.tracking import Clock

    files = [tmp_path / f"m{index}.py" for index in range(90)]
    for file in files:
        file.write_text("x = 1\n")
    gone = tmp_path / "absent.py"
    paths = frozenset(str(file) for file in [*files, gone])
    clock = Clock()
    store = Store(tmp_path / "cache")
    persisted = PersistedResolutions(store, ("search", "path"), clock)
    answer = Resolution("m0.x", Status.UNRESOLVED, reason=str(files[0]))
    old_ns = time.time_ns() + 10 * SETTLE_NS  # "computed" well after the files settled
    persisted.put("m0.x", answer, paths, old_ns)
    store.flush()
    assert persisted.get("m0.x", Resolution) == (answer, paths)
    row = store.get(persisted._prefix + "m0.x")
    assert row is not None and len(dumps(row[1])) < 2048  # within one database page
    for change in (
        lambda: files[5].write_text("x = 1\ny = 2\n"),
        lambda: gone.write_text(""),
        lambda: files[7].unlink(),
    ):
        persisted.put("m0.x", answer, paths, time.time_ns() + 10 * SETTLE_NS)
        clock.tick()
        assert persisted.get("m0.x", Resolution) is not None
        change()
        clock.tick()
        assert persisted.get("m0.x", Resolution) is None
    assert persisted.get("other", Resolution) is None
    stored = ("id", (Path("/a/b.py"), [Path("/a/b.py")]))
    store.put("paths", *stored)
    store.flush()
    loaded = Store(tmp_path / "cache").get("paths")
    assert loaded == stored and loaded[1][0] is loaded[1][1][0] is path_of("/a/b.py")
    with pytest.raises(pickle.UnpicklingError):  # the rebuilder is the only function allowed
        loads(pickle.dumps(dumps))


def test_answers_stored_by_check_serve_the_server_on_the_same_interpreter(tmp_path: Path) -> None:
    """Who chose the interpreter (``check --python`` or the server's ``spoc.python``) is said
    in the facts but does not change them: both key stored answers alike."""
    from spoc_lsp.index import choose_environment, open_resolver
    from spoc_lsp.index.store_keys import fingerprint

    root = REPO / "examples" / "shop"
    python = sys.executable
    by_cli = choose_environment(root, python, os.environ, explicit_origin="--python")
    by_setting = choose_environment(root, python, os.environ, trusted=True)
    cli = open_resolver(root, by_cli, cache=False).search_path
    server = open_resolver(root, by_setting, (), workspace=[root], cache=False).search_path
    assert cli.interpreter.chosen_by != server.interpreter.chosen_by
    assert fingerprint(cli) == fingerprint(server)
