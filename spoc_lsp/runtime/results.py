"""What importing one URI in the runtime check did: :class:`ProbeResult`, and the messages
built for failures (capped, with signal names for crashed processes)."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any, Literal

RuntimeKind = Literal["module", "class", "function", "variable"]

MAX_MESSAGE = 2000  # characters of a result's message
KINDS: frozenset[str] = frozenset({"module", "class", "function", "variable"})


@dataclass(frozen=True)
class ProbeResult:
    """What importing one URI in the project's interpreter did.

    ``ok`` with the ``kind`` of the object it named; or not ok with the exception's type name and
    message (``error_type`` is ``None`` when there was no exception to report: a timeout, a
    crash of the agent process, an interpreter that cannot be started...).
    """

    uri: str
    ok: bool
    error_type: str | None = None
    message: str = ""
    kind: RuntimeKind | None = None
    timed_out: bool = False

    def describe(self) -> str:
        """One sentence for a diagnostic or a report line."""
        if self.ok:
            return f"importing '{self.uri}' works ({self.kind or 'object'})"
        if self.error_type is not None:
            detail = f": {self.message}" if self.message else ""
            return f"importing '{self.uri}' raised {self.error_type}{detail}"
        return f"'{self.uri}' failed the runtime check: {self.message}"


def cap_message(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure(uri: str, message: str, *, timed_out: bool = False) -> ProbeResult:
    return ProbeResult(uri, False, None, cap_message(message), None, timed_out)


def exit_description(code: int | None) -> str:
    if code is None:
        return "stopped responding"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            return f"exited with code {code}"
        return f"exited with code {code} ({name})"
    return f"exited with code {code}"


def parse_result(uri: str, message: dict[str, Any]) -> ProbeResult:
    if message.get("ok") is True:
        kind = message.get("kind")
        runtime_kind: RuntimeKind = kind if kind in KINDS else "variable"
        return ProbeResult(uri, True, kind=runtime_kind)
    error_type = message.get("type")
    text = message.get("message")
    return ProbeResult(
        uri,
        False,
        error_type=str(error_type) if error_type else "Exception",
        message=cap_message(str(text)) if text is not None else "",
    )
