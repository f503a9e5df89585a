"""Workspace commands: the merged plugin plan and the environment report of each project."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spoc_lsp.lsp.language_server import (
    COMMAND_SHOW_ENVIRONMENT,
    COMMAND_SHOW_PLUGINS,
    SpocLanguageServer,
    document_path,
    guarded,
)
from spoc_lsp.report import plan_json, plan_text


def register(server: SpocLanguageServer) -> None:
    server.command(COMMAND_SHOW_PLUGINS)(guarded(show_plugins))
    server.command(COMMAND_SHOW_ENVIRONMENT)(guarded(show_environment))


def show_plugins(ls: SpocLanguageServer, *args: Any) -> dict[str, Any]:
    """The merged plan of each project (or of the project of the file URI passed)."""
    projects = []
    texts = []
    for root in _command_roots(ls, args):
        project = ls.host.project(root)
        analysis = ls.fresh_analysis(project)
        projects.append({"root": str(root), "plugins": plan_json(analysis, root)})
        texts.append(f"# {root}\n\n{plan_text(analysis)}")
    return {"projects": projects, "text": "\n".join(texts) or "No SPOC project found.\n"}


def show_environment(ls: SpocLanguageServer, *args: Any) -> dict[str, Any]:
    """The environment report of each project (or of the project of the file URI passed)."""
    from spoc_lsp.environment import environment_report, render_report

    reports = []
    settings = ls.host.settings
    effective = {
        "python": settings.python,
        "extraPaths": list(settings.extra_paths),
        "runtimeCheck": settings.runtime_check,
        "inlayHints": settings.inlay_hints,
        "severity": dict(settings.severity),
    }
    for root in _command_roots(ls, args):
        project = ls.host.project(root)
        reports.append(environment_report(root, project.resolver.search_path, effective))
    text = "\n".join(render_report(report) for report in reports)
    return {"projects": reports, "text": text or "No SPOC project found.\n"}


def _command_roots(ls: SpocLanguageServer, args: Iterable[Any]) -> list[Path]:
    for argument in _flatten(args):
        if isinstance(argument, str):
            path = document_path(argument) if argument.startswith("file:") else Path(argument)
            if path is not None:
                try:
                    root = ls.host.root_of(path if path.suffix else path / "spoc.toml")
                except (OSError, ValueError):  # not a path this system can have (a NUL byte)
                    continue
                if root is not None:
                    return [root]
    return list(ls.host.projects) or ls.host.discover(ls.folders)


def _flatten(args: Iterable[Any]) -> Iterable[Any]:
    for argument in args:
        if isinstance(argument, (list, tuple)):
            yield from _flatten(argument)
        else:
            yield argument
