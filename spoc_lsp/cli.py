"""The ``spoc-lsp`` command: serve LSP (default), ``check``, ``plugins`` (CONTRACT §3)."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from spoc.config import find_settings
from spoc_lsp.analysis.analyze import ProjectAnalysis, analyze, present
from spoc_lsp.analysis.model import Diagnostic
from spoc_lsp.analysis.project import find_project_root, take_snapshot
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.report import (
    diagnostic_json,
    diagnostic_line,
    plan_json,
    plan_text,
    sorted_diagnostics,
    summary_line,
)

if TYPE_CHECKING:
    from spoc_lsp.runtime.diagnostics import RuntimeVerdict

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with the command line or the file system: exit status 2."""


def _version() -> str:
    """The installed distribution's version (``unknown`` when run from a bare source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spoc-lsp")
    except PackageNotFoundError:
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spoc-lsp",
        description="Check SPOC plugin URIs. With no command, serve LSP on stdio.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve LSP over TCP instead of stdio")
    # Language clients (vscode-languageclient, and the pyright/ruff convention) append --stdio.
    parser.add_argument("--stdio", action="store_true", help="serve LSP on stdio (the default)")
    commands = parser.add_subparsers(dest="command")

    check = commands.add_parser("check", help="report every plugin URI that will not load")
    check.add_argument("path", nargs="?", default=".", help="project root or a file inside it")
    check.add_argument("--python", help="the interpreter whose sys.path is searched")
    check.add_argument(
        "--runtime", action="store_true", help="also import each plugin in a subprocess"
    )
    check.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the persistent cache"
    )
    check.add_argument("--format", choices=("text", "json"), default="text")

    plugins = commands.add_parser("plugins", help="print the merged plugin plan")
    plugins.add_argument("path", nargs="?", default=".", help="project root or a file inside it")
    plugins.add_argument("--python", help="the interpreter whose sys.path is searched")
    plugins.add_argument("--format", choices=("text", "json"), default="text")

    env = commands.add_parser("env", help="print the interpreter, search path and config in use")
    env.add_argument("path", nargs="?", default=".", help="project root or a file inside it")
    env.add_argument("--python", help="the interpreter whose sys.path is searched")
    env.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def locate_root(path_argument: str) -> Path:
    """The project root for a PATH argument (a root, or a file or directory inside one)."""
    path = Path(path_argument).expanduser()
    if not path.exists():
        raise UsageError(f"{path_argument}: no such file or directory")
    path = path.resolve()
    root = find_project_root(path)
    if root is not None:
        return root
    directory = path if path.is_dir() else path.parent
    if find_settings(directory) is not None:
        return directory
    raise UsageError(
        f"{path_argument}: not inside a SPOC project "
        "(no config/spoc.toml, spoc.toml or settings module found)"
    )


def run_analysis(
    root: Path, python_option: str | None, cache: bool = True
) -> tuple[ProjectAnalysis, Path]:
    """Analyse the project at ``root`` with the chosen interpreter's search path."""
    python, resolver = _open(root, python_option, cache)
    return analyze(take_snapshot(root), resolver), python


def _open(root: Path, python_option: str | None, cache: bool = True) -> tuple[Path, Resolver]:
    """The chosen interpreter and a resolver over its search path (exit 2 if unusable).

    Only ``--python`` and ``$VIRTUAL_ENV`` are run; a ``.venv``/``venv`` found in the project
    is read from its files (see ``index.environment_facts``), and what that could not learn is
    said once on stderr.
    """
    from spoc_lsp.index import InterpreterError, choose_environment, open_resolver

    explicit = python_option
    if explicit:
        # On a command line a relative path is taken from the current directory (the server's
        # setting, which choose_environment handles, is relative to the project root); a bare
        # name is a command on PATH. Not resolved: a virtualenv's python is a symlink, and
        # following it would leave the venv.
        option = Path(explicit).expanduser()
        bare = len(option.parts) == 1 and not option.is_dir()
        if not option.is_absolute() and not bare:
            explicit = str(Path.cwd() / option)
    choice = choose_environment(root, explicit, os.environ, explicit_origin="--python")
    python = choice.executable
    if python_option is not None and not python.exists():
        raise UsageError(f"--python {python_option}: no such interpreter")
    try:
        resolver = open_resolver(root, choice, cache=cache)
    except InterpreterError as error:
        raise UsageError(f"cannot use the interpreter {python}: {error}") from error
    for note in resolver.search_path.interpreter.notes:
        print(f"spoc-lsp: note: {note}", file=sys.stderr)
    return python, resolver


def probe_timeout() -> float:
    """Seconds one plugin's import may take in the runtime check (``SPOC_LSP_PROBE_TIMEOUT``)."""
    try:
        return max(0.1, float(os.environ.get("SPOC_LSP_PROBE_TIMEOUT", "10")))
    except ValueError:
        return 10.0


def _runtime_verdict(analysis: ProjectAnalysis, python: Path) -> RuntimeVerdict:
    """Import each plugin in a subprocess; its verdict replaces the static one (said once on
    stderr where they disagree)."""
    from spoc_lsp.runtime.diagnostics import probe_targets, runtime_verdict
    from spoc_lsp.runtime.runner import probe_uris

    results = probe_uris(python, analysis.root, probe_targets(analysis), timeout=probe_timeout())
    verdict = runtime_verdict(analysis, results)
    for disagreement in verdict.disagreements:
        print(f"spoc-lsp: {disagreement.describe()}", file=sys.stderr)
    return verdict


def command_check(args: argparse.Namespace) -> int:
    root = locate_root(args.path)
    analysis, python = run_analysis(root, args.python, cache=not args.no_cache)
    runtime: dict[Path, list[Diagnostic]] = {}
    if args.runtime:
        verdict = _runtime_verdict(analysis, python)
        analysis, runtime = verdict.analysis, verdict.diagnostics
    for problem in analysis.snapshot.options.problems:
        print(f"spoc-lsp: {problem}", file=sys.stderr)
    shown = present(analysis, runtime)
    diagnostics = sorted_diagnostics(d for items in shown.values() for d in items)
    cwd = Path.cwd()
    if args.format == "json":
        document = {
            "root": str(root),
            "python": str(python),
            "diagnostics": [diagnostic_json(d, cwd) for d in diagnostics],
            "plugins": plan_json(analysis, cwd),
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for diagnostic in diagnostics:
            print(diagnostic_line(diagnostic, cwd))
        print(summary_line(diagnostics, analysis))
    return EXIT_ERRORS if any(d.severity == "error" for d in diagnostics) else EXIT_OK


def command_plugins(args: argparse.Namespace) -> int:
    root = locate_root(args.path)
    analysis, python = run_analysis(root, args.python)
    if args.format == "json":
        document = {
            "root": str(root),
            "python": str(python),
            "plugins": plan_json(analysis, Path.cwd()),
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(plan_text(analysis))
    return EXIT_OK


def command_env(args: argparse.Namespace) -> int:
    from spoc_lsp.environment import environment_report, render_report

    root = locate_root(args.path)
    _, resolver = _open(root, args.python)
    settings = {"python": args.python, "extraPaths": []}
    report = environment_report(root, resolver.search_path, settings)
    if args.format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_report(report))
    return EXIT_OK


def serve(tcp: str | None) -> int:
    from spoc_lsp.lsp.server import serve_stdio, serve_tcp

    if tcp is None:
        serve_stdio()
        return EXIT_OK
    host, _, port = tcp.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--tcp {tcp}: expected HOST:PORT, for example 127.0.0.1:2087")
    serve_tcp(host, int(port))
    return EXIT_OK


def tune_garbage_collector(one_shot: bool) -> None:
    """Keep CPython's cyclic collector off the hot path.

    The index holds hundreds of thousands of long-lived, acyclic objects (syntax summaries);
    with the default thresholds every full collection rescans them all (a 10k-module check spent
    22% of its time there, and the server's edit p99 was a collection). Reference counting frees
    what the analysis drops, so a one-shot command needs no cyclic collector at all and the
    server needs it rarely.
    """
    if one_shot:
        gc.disable()
    else:
        gc.set_threshold(50_000, 20, 100)


def _tolerate_narrow_terminals() -> None:
    """Marks (✓ ✗) and names from the project may not exist in the terminal's encoding: they are
    written escaped rather than ending the command with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # (a replaced stream may lack it)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    tune_garbage_collector(one_shot=args.command is not None)
    if args.command is not None:
        _tolerate_narrow_terminals()
    try:
        if args.command == "check":
            return command_check(args)
        if args.command == "plugins":
            return command_plugins(args)
        if args.command == "env":
            return command_env(args)
        return serve(args.tcp)
    except UsageError as error:
        print(f"spoc-lsp: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"spoc-lsp: {error}", file=sys.stderr)
        return EXIT_USAGE
