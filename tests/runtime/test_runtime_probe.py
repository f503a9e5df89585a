"""The runtime check really imports plugins, in a subprocess, and survives what they do."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from spoc_lsp.runtime.runner import ProbeResult, probe_uris, probe_uris_async

PYTHON = Path(sys.executable)
POSIX = sys.platform != "win32"


def make_project(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> source) under ``root``, with a ``spoc.toml``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "spoc.toml").write_text("[spoc]\n", encoding="utf-8")
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def assert_not_imported_here(*names: str) -> None:
    """The test process (standing in for the server) never imported these modules."""
    leaked = [name for name in sys.modules if name.partition(".")[0] in names]
    assert leaked == []


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process took the pid
        return True
    return True


def wait_for_file(path: Path, seconds: float = 5.0) -> None:
    until = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < until, f"{path} was never written"
        time.sleep(0.02)


def test_a_good_plugin_is_ok_with_its_kind_and_only_the_subprocess_imported_it(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "marker.txt"
    root = make_project(
        tmp_path / "project",
        {
            "rtgood/__init__.py": "",
            "rtgood/plugins.py": f"""
                import os
                with open({str(marker)!r}, "a") as handle:
                    handle.write(str(os.getpid()) + "\\n")

                def handler(request):
                    return request

                class Middleware:
                    pass

                class _Callable:
                    def __call__(self):
                        return None

                instance = _Callable()
                LIMIT = 3
            """,
        },
    )
    uris = [
        "rtgood.plugins.handler",
        "rtgood.plugins.Middleware",
        "rtgood.plugins.LIMIT",
        "rtgood.plugins",
        "rtgood.plugins.instance",
    ]

    results = probe_uris(PYTHON, root, uris)

    assert list(results) == uris
    assert {uri: (r.ok, r.kind) for uri, r in results.items()} == {
        "rtgood.plugins.handler": (True, "function"),
        "rtgood.plugins.Middleware": (True, "class"),
        "rtgood.plugins.LIMIT": (True, "variable"),
        "rtgood.plugins": (True, "module"),
        "rtgood.plugins.instance": (True, "function"),
    }
    assert all(r.error_type is None and r.message == "" for r in results.values())
    assert_not_imported_here("rtgood")
    # The module ran exactly once, in another process.
    pids = marker.read_text(encoding="utf-8").split()
    assert len(pids) == 1
    assert int(pids[0]) != os.getpid()


def test_a_module_raising_at_import_reports_the_real_type_and_message(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"rtraise.py": "raise ValueError('DATABASE_URL is not set')\n"},
    )

    result = probe_uris(PYTHON, root, ["rtraise.setup"])["rtraise.setup"]

    assert result == ProbeResult(
        "rtraise.setup", ok=False, error_type="ValueError", message="DATABASE_URL is not set"
    )
    assert result.describe() == (
        "importing 'rtraise.setup' raised ValueError: DATABASE_URL is not set"
    )
    assert_not_imported_here("rtraise")


def test_a_missing_dependency_is_reported_as_module_not_found_naming_it(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"rtcache.py": "import redis_is_not_installed_here\n\nclass Cache: ...\n"},
    )

    result = probe_uris(PYTHON, root, ["rtcache.Cache"])["rtcache.Cache"]

    assert not result.ok
    assert result.error_type == "ModuleNotFoundError"
    assert result.message == "No module named 'redis_is_not_installed_here'"


def test_a_missing_module_is_reported_with_its_name(tmp_path: Path) -> None:
    root = make_project(tmp_path, {})

    result = probe_uris(PYTHON, root, ["rtnowhere.plugins.thing"])["rtnowhere.plugins.thing"]

    assert (result.ok, result.error_type) == (False, "ModuleNotFoundError")
    assert result.message == "No module named 'rtnowhere'"


def test_a_missing_attribute_gets_the_runtimes_message(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"rtattr/__init__.py": "", "rtattr/hooks.py": "x = 1\n"})

    result = probe_uris(PYTHON, root, ["rtattr.hooks.missing"])["rtattr.hooks.missing"]

    assert (result.ok, result.error_type) == (False, "AttributeError")
    assert result.message == "module 'rtattr.hooks' has no attribute or submodule 'missing'"


def test_a_hanging_plugin_is_stopped_and_the_uris_after_it_still_probed(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    finished = tmp_path / "finished.txt"

    def noting(name: str, then: str = "") -> str:
        # Each module notes which process imported it: counted work instead of a stopwatch.
        note = f"with open({str(pids)!r}, 'a') as f: f.write('{name} %d\\n' % os.getpid())"
        return f"import os\n{note}\n{then}"

    root = make_project(
        tmp_path / "project",
        {
            "rtslow.py": noting(
                "slow", f"import time\ntime.sleep(60)\nopen({str(finished)!r}, 'w').close()\n"
            ),
            "rtfine.py": noting("fine", "value = 1\n"),
            "rtbefore.py": noting("before", "value = 0\n"),
        },
    )

    results = probe_uris(PYTHON, root, ["rtbefore.value", "rtslow", "rtfine.value"], timeout=1.5)

    slow = results["rtslow"]
    assert (slow.ok, slow.timed_out, slow.error_type) == (False, True, None)
    assert slow.message.startswith("importing it did not finish within 1.5 s")
    assert slow.describe().startswith("'rtslow' failed the runtime check: importing it did not")
    assert results["rtbefore.value"].ok
    assert results["rtfine.value"].ok
    # The hanging import was killed (it never got past its sleep), in the process that had
    # imported the URI before it; the URI after it was imported by a fresh process.
    assert not finished.exists()
    process = dict(line.split() for line in pids.read_text(encoding="utf-8").splitlines())
    assert process["before"] == process["slow"] != process["fine"]


@pytest.mark.skipif(not POSIX, reason="process groups are POSIX")
def test_a_timeout_kills_the_processes_a_plugin_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    root = make_project(
        tmp_path / "project",
        {
            "rtspawn.py": f"""
                import subprocess, sys, time
                child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
                with open({str(pid_file)!r}, "w") as handle:
                    handle.write(str(child.pid))
                time.sleep(60)
            """
        },
    )

    result = probe_uris(PYTHON, root, ["rtspawn"], timeout=1.5)["rtspawn"]

    assert result.timed_out
    child = int(pid_file.read_text(encoding="utf-8"))
    until = time.monotonic() + 5.0
    while pid_alive(child) and time.monotonic() < until:
        time.sleep(0.05)  # it is init's to reap once its parent died
    assert not pid_alive(child)


def test_megabytes_of_plugin_output_neither_corrupt_the_protocol_nor_hang(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "rtloud.py": """
                import os, sys
                line = "x" * 1023 + "\\n"
                sys.stdout.write(line * 5 * 1024)      # 5 MB through Python's stdout
                sys.stdout.flush()
                sys.stderr.write(line * 5 * 1024)      # 5 MB through Python's stderr
                chunk = ('{"event": "result", "ok": true}\\n' * 1000).encode()
                for _ in range(160):                   # 5 MB straight to fd 1, like C code
                    os.write(1, chunk)
                print('{"event": "done"}')
                value = 42
            """,
            "rtafter.py": "value = 1\n",
        },
    )

    # A hang would show as a timeout (timed_out, not ok); no stopwatch needed.
    results = probe_uris(PYTHON, root, ["rtloud.value", "rtafter.value"], timeout=20.0)

    assert results["rtloud.value"] == ProbeResult("rtloud.value", ok=True, kind="variable")
    assert results["rtafter.value"].ok


def test_a_plugin_reading_stdin_gets_end_of_file_not_our_requests(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "rtasks.py": "answer = input('continue? ')\n",
            "rtnext.py": "value = 1\n",
        },
    )

    results = probe_uris(PYTHON, root, ["rtasks.answer", "rtnext.value"], timeout=5.0)

    assert (results["rtasks.answer"].error_type, results["rtasks.answer"].message) == (
        "EOFError",
        "EOF when reading a line",
    )
    assert results["rtnext.value"].ok


def test_os_exit_in_a_plugin_is_reported_and_later_uris_still_probed(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "rtexit.py": "import os\nos._exit(3)\n",
            "rtok1.py": "value = 1\n",
            "rtok2.py": "value = 2\n",
        },
    )

    results = probe_uris(PYTHON, root, ["rtok1.value", "rtexit.thing", "rtok2.value"])

    crashed = results["rtexit.thing"]
    assert (crashed.ok, crashed.timed_out, crashed.error_type) == (False, False, None)
    assert crashed.message == "the runtime check process exited with code 3 while importing it"
    assert results["rtok1.value"].ok
    assert results["rtok2.value"].ok


@pytest.mark.skipif(not POSIX, reason="signals are POSIX")
def test_a_segfault_is_reported_with_the_signal(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "rtsegv.py": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
            "rtok.py": "value = 1\n",
        },
    )

    results = probe_uris(PYTHON, root, ["rtsegv", "rtok.value"])

    assert results["rtsegv"].message == (
        "the runtime check process exited with code -11 (SIGSEGV) while importing it"
    )
    assert results["rtok.value"].ok


@pytest.mark.parametrize(
    ("source", "error_type", "message"),
    [
        ("raise SystemExit(7)", "SystemExit", "7"),
        ("import sys\nsys.exit('bad configuration')", "SystemExit", "bad configuration"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt", ""),
    ],
)
def test_base_exceptions_raised_by_a_plugin_are_reported(
    tmp_path: Path, source: str, error_type: str, message: str
) -> None:
    root = make_project(tmp_path, {"rtbase.py": source + "\n", "rtok.py": "value = 1\n"})

    results = probe_uris(PYTHON, root, ["rtbase.app", "rtok.value"])

    assert results["rtbase.app"] == ProbeResult("rtbase.app", False, error_type, message)
    assert results["rtok.value"].ok


def test_a_nonexistent_interpreter_gives_a_clear_message_and_no_exception(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path, {})
    python = tmp_path / "venv" / "bin" / "python"

    results = probe_uris(python, root, ["a.b", "c"])

    assert list(results) == ["a.b", "c"]
    for result in results.values():
        assert not result.ok
        assert result.message == (
            f"cannot run the runtime check: the interpreter {python} does not exist"
        )


def test_an_interpreter_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", {})

    result = probe_uris(tmp_path, root, ["a"])["a"]

    assert result.message.endswith("is a directory")


@pytest.mark.skipif(not Path("/bin/false").exists(), reason="needs /bin/false")
def test_an_interpreter_that_is_not_python_is_reported_as_a_start_failure(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path, {})

    results = probe_uris(Path("/bin/false"), root, ["a", "b"])

    assert {r.message for r in results.values()} == {
        "the runtime check could not start with /bin/false: it exited with code 1"
    }


def test_a_nonexistent_project_root_is_reported(tmp_path: Path) -> None:
    result = probe_uris(PYTHON, tmp_path / "nope", ["a"])["a"]

    assert "is not a directory" in result.message


def test_uris_are_deduplicated_in_order_and_nothing_runs_for_none(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"rtdup.py": "a = 1\nb = 2\n"})

    results = probe_uris(PYTHON, root, ["rtdup.b", "rtdup.a", "rtdup.b", "rtdup.a"])

    assert list(results) == ["rtdup.b", "rtdup.a"]
    assert probe_uris(tmp_path / "no-python", root, []) == {}


def test_search_roots_and_extra_paths_are_used_and_the_cwd_is_the_root(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project",
        {
            "apps/rtblog/__init__.py": "import os\nCWD = os.getcwd()\n",
            "apps/rtblog/views.py": "def index(): ...\n",
            "rtcore.py": "import rtblog, rtlib\nassert rtblog.CWD == rtlib.EXPECTED_CWD\n",
        },
    )
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "rtlib.py").write_text(f"EXPECTED_CWD = {str(root)!r}\n", encoding="utf-8")

    results = probe_uris(
        PYTHON, root, ["rtblog.views.index", "rtcore", "rtlib"], extra_paths=[str(lib)]
    )

    assert all(result.ok for result in results.values()), results
    assert_not_imported_here("rtblog", "rtcore", "rtlib")


def test_the_agents_own_directory_is_not_importable_by_plugins(tmp_path: Path) -> None:
    # The agent is run as a script; its directory (spoc_lsp/runtime) must not be sys.path[0].
    root = make_project(tmp_path, {})

    results = probe_uris(PYTHON, root, ["probe", "diagnostics", "agent"])

    assert {uri: r.error_type for uri, r in results.items()} == {
        "probe": "ModuleNotFoundError",
        "diagnostics": "ModuleNotFoundError",
        "agent": "ModuleNotFoundError",
    }


def test_long_messages_are_capped(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"rtlong.py": "raise RuntimeError('x' * 100_000)\n"})

    result = probe_uris(PYTHON, root, ["rtlong"])["rtlong"]

    assert result.error_type == "RuntimeError"
    assert len(result.message) <= 2000
    assert result.message.endswith("…")


def test_the_protocol_output_is_capped(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"rta.py": "v = 1\n", "rtb.py": "v = 2\n"})

    results = probe_uris(PYTHON, root, ["rta.v", "rtb.v"], max_output_bytes=40)

    assert {r.ok for r in results.values()} == {False}
    assert all("more than 40 bytes" in r.message for r in results.values())


async def test_the_async_wrapper_runs_off_the_event_loop(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"rtslow2.py": "import time\ntime.sleep(1)\nv = 1\n"})
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    results = await probe_uris_async(PYTHON, root, ["rtslow2.v"], timeout=5.0)
    ticker.cancel()

    assert results["rtslow2.v"].ok
    assert ticks >= 10  # the loop kept running while the plugin slept for a second


@pytest.mark.skipif(not POSIX, reason="checks the agent's pid")
async def test_cancelling_the_async_probe_stops_the_agent(tmp_path: Path) -> None:
    pid_file = tmp_path / "agent.pid"
    root = make_project(
        tmp_path / "project",
        {
            "rthang.py": f"""
                import os, time
                with open({str(pid_file)!r}, "w") as handle:
                    handle.write(str(os.getpid()))
                time.sleep(60)
            """
        },
    )

    task = asyncio.create_task(probe_uris_async(PYTHON, root, ["rthang"], timeout=30.0))
    await asyncio.to_thread(wait_for_file, pid_file)
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    agent = int(pid_file.read_text(encoding="utf-8"))
    until = time.monotonic() + 3.0
    while pid_alive(agent) and time.monotonic() < until:
        await asyncio.sleep(0.05)
    assert not pid_alive(agent)


def test_twenty_trivial_uris_take_one_process(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    files = {
        f"rttrivial{i}.py": (
            f"import os\nwith open({str(pids)!r}, 'a') as f: f.write('%d\\n' % os.getpid())\n"
            f"def plugin{i}(): ...\n"
        )
        for i in range(20)
    }
    root = make_project(tmp_path / "project", files)
    uris = [f"rttrivial{i}.plugin{i}" for i in range(20)]

    results = probe_uris(PYTHON, root, uris)

    assert [r.kind for r in results.values()] == ["function"] * 20
    imports = pids.read_text(encoding="utf-8").split()
    assert len(imports) == 20 and len(set(imports)) == 1  # one import each, one process


def test_relative_interpreter_root_and_extra_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "project", {"vendor/rtvendored.py": "v = 1\n"})
    monkeypatch.chdir(tmp_path)
    python = Path(os.path.relpath(sys.executable, tmp_path))

    results = probe_uris(python, Path("project"), ["rtvendored.v"], extra_paths=["vendor"])

    assert results["rtvendored.v"].ok, results
    assert root.is_dir()
