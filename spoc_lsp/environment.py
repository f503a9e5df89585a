"""The environment report: which interpreter, which search path (and where each entry comes
from), which config files, which settings. For "works at runtime, red in the editor" cases."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spoc.config import find_project_files
from spoc_lsp.analysis.options import read_project_options
from spoc_lsp.index.search_path import SearchPath


def environment_report(
    root: Path, search_path: SearchPath, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The report as JSON-ready data."""
    info = search_path.interpreter
    files = find_project_files(root)
    options = read_project_options(root)
    return {
        "root": str(root),
        "interpreter": {
            "executable": str(info.executable),
            "version": ".".join(str(part) for part in info.version),
            "venv": str(info.venv) if info.venv is not None else None,
            "chosen_by": info.chosen_by or None,
            "executed": info.executed,
            "facts": [{"fact": fact, "source": source} for fact, source in info.fact_sources],
            "notes": list(info.notes),
        },
        "search_path": [
            {"path": str(entry.path), "origin": entry.origin, "exists": entry.path.is_dir()}
            for entry in search_path.entries
        ],
        "editable_finders": [str(finder) for finder in getattr(info, "editable_finders", ())],
        "ignored_pth_lines": [str(line) for line in getattr(info, "ignored_pth_lines", ())],
        "config_files": {
            "spoc.toml": str(files.toml) if files.toml is not None else None,
            "settings": str(files.settings) if files.settings is not None else None,
            "pyproject.toml": str(root / "pyproject.toml")
            if (root / "pyproject.toml").is_file()
            else None,
        },
        "settings": dict(settings),
        "severity_from_pyproject": dict(options.severity),
        "problems": list(options.problems),
    }


def render_report(report: Mapping[str, Any]) -> str:
    """The report as text a person can act on."""
    interpreter = report["interpreter"]
    lines = [
        f"SPOC project: {report['root']}",
        "",
        f"Interpreter: {interpreter['executable']} (Python {interpreter['version']})",
    ]
    if interpreter.get("venv"):
        lines.append(f"  virtual environment: {interpreter['venv']}")
    if interpreter.get("chosen_by"):
        how = "run (with -I -S)" if interpreter.get("executed", True) else "read, never run"
        lines.append(f"  chosen by: {interpreter['chosen_by']}; {how}")
    if interpreter.get("facts"):
        lines.append("  where each fact came from:")
        lines += [f"    {row['fact']}: {row['source']}" for row in interpreter["facts"]]
    for note in interpreter.get("notes", ()):
        lines.append(f"  note: {note}")
    lines += ["", "Search path (first match wins):"]
    width = max((len(row["origin"]) for row in report["search_path"]), default=0)
    for index, row in enumerate(report["search_path"], start=1):
        missing = "" if row["exists"] else "  (missing)"
        lines.append(f"  {index:>2}. [{row['origin']:<{width}}] {row['path']}{missing}")
    if report["editable_finders"]:
        lines += ["", "Editable installs (read statically, never run):"]
        lines += [f"  - {finder}" for finder in report["editable_finders"]]
    if report["ignored_pth_lines"]:
        lines += ["", ".pth lines with code (never run by spoc-lsp; at runtime they run):"]
        lines += [f"  - {line}" for line in report["ignored_pth_lines"]]
    lines += ["", "Config files:"]
    for name, path in report["config_files"].items():
        lines.append(f"  {name}: {path or 'not found'}")
    lines += ["", "Settings in effect:"]
    for key, value in report["settings"].items():
        lines.append(f"  {key} = {value!r}")
    if report["severity_from_pyproject"]:
        lines.append(f"  [tool.spoc-lsp] severity = {report['severity_from_pyproject']!r}")
    for problem in report["problems"]:
        lines.append(f"  problem: {problem}")
    return "\n".join(lines) + "\n"
