"""The server's settings (section ``spoc``): typed, with defaults, tolerant of bad input."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

RuntimeCheck = Literal["off", "onSave"]
SEVERITY_NAMES = ("error", "warning", "information", "hint", "off")


@dataclass(frozen=True)
class ServerSettings:
    """What the user can set. Every field has a default, so bad input never stops the server."""

    python: str | None = None
    extra_paths: tuple[str, ...] = ()
    runtime_check: RuntimeCheck = "off"
    inlay_hints: bool = True
    severity: Mapping[str, str] = field(default_factory=dict)
    trusted: bool = True  # the client says the workspace is trusted (runtime checks allowed)


def read_settings(raw: object) -> tuple[ServerSettings, list[str]]:
    """Build settings from the client's JSON (the ``spoc`` section, or an object holding it).

    Returns the settings and a message for each value that was ignored, so the server can say
    what was wrong and carry on with the default.
    """
    problems: list[str] = []
    if isinstance(raw, Mapping) and isinstance(raw.get("spoc"), Mapping):
        raw = raw["spoc"]
    if raw is None:
        return ServerSettings(), problems
    if not isinstance(raw, Mapping):
        return ServerSettings(), [f"spoc settings must be an object, not {type(raw).__name__}"]

    python = raw.get("python")
    if python is not None and not (isinstance(python, str)):
        problems.append("spoc.python must be a string path to an interpreter; ignored")
        python = None
    if isinstance(python, str) and not python.strip():
        python = None

    extra_raw = raw.get("extraPaths", [])
    extra: tuple[str, ...] = ()
    if isinstance(extra_raw, list) and all(isinstance(item, str) for item in extra_raw):
        extra = tuple(extra_raw)
    elif extra_raw is not None:
        problems.append("spoc.extraPaths must be a list of strings; ignored")

    runtime = raw.get("runtimeCheck", "off")
    if runtime not in ("off", "onSave"):
        problems.append(
            f"spoc.runtimeCheck must be 'off' or 'onSave', not {runtime!r}; using 'off'"
        )
        runtime = "off"

    hints = raw.get("inlayHints", True)
    if not isinstance(hints, bool):
        problems.append("spoc.inlayHints must be true or false; using true")
        hints = True

    severity_raw = raw.get("severity", {})
    severity: dict[str, str] = {}
    if isinstance(severity_raw, Mapping):
        for code, level in severity_raw.items():
            if isinstance(code, str) and level in SEVERITY_NAMES:
                severity[code] = str(level)
            else:
                problems.append(
                    f"spoc.severity[{code!r}] must be one of {', '.join(SEVERITY_NAMES)}; ignored"
                )
    elif severity_raw is not None:
        problems.append("spoc.severity must be an object of code to severity; ignored")

    trusted = raw.get("trusted", True)
    return (
        ServerSettings(
            python=python,
            extra_paths=extra,
            runtime_check="onSave" if runtime == "onSave" else "off",
            inlay_hints=hints,
            severity=severity,
            trusted=trusted is not False,
        ),
        problems,
    )
