"""The registry of diagnostic codes: one row per code, the only place codes are defined."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from spoc_lsp.syntax.model import Severity

if TYPE_CHECKING:
    from spoc_lsp.analysis.model import Diagnostic

DOCS_DIRECTORY = Path(__file__).resolve().parent.parent / "docs" / "rules"


@dataclass(frozen=True)
class Rule:
    """A diagnostic code: its default severity and a one-line summary."""

    code: str
    name: str
    severity: Severity
    summary: str

    @property
    def doc_path(self) -> Path:
        """The rule's documentation page (shipped inside the package)."""
        return DOCS_DIRECTORY / f"{self.code}.md"


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("SPOC001", "module-not-found", "error", "no prefix of the URI names a module"),
        Rule("SPOC002", "attribute-not-found", "error", "the module has no such attribute"),
        Rule("SPOC003", "invalid-uri", "error", "not a valid dotted URI"),
        Rule("SPOC004", "duplicate-plugin", "warning", "already listed earlier in the group"),
        Rule("SPOC005", "wrong-shape", "error", "plugins config is not groups of strings"),
        Rule("SPOC006", "not-static", "information", "computed value, not checked"),
        # An error when the failure is certain; entry_diagnostics.py lowers it to a warning when the
        # failing import only runs in an ``except ImportError:`` handler.
        Rule("SPOC007", "import-will-fail", "error", "found, but importing it will fail"),
        Rule("SPOC008", "runtime-import-failed", "error", "importing it raised at runtime"),
        Rule("SPOC009", "invalid-config", "error", "spoc.toml is invalid"),
        Rule(
            "SPOC010",
            "unverifiable-unseen-name",
            "information",
            "cannot be verified statically, and the name is not among those seen",
        ),
        Rule(
            "SPOC011",
            "interface-not-satisfied",
            "error",
            "the plugin does not satisfy its group's declared interface",
        ),
    )
}


def rule(code: str) -> Rule:
    return RULES[code]


def severity_for(code: str, overrides: Mapping[str, str]) -> str:
    """The severity in force for ``code``: the longest matching code or prefix in ``overrides``
    (``SPOC002`` beats ``SPOC00`` beats ``SPOC``), else the rule's default."""
    best: str | None = None
    for key in overrides:
        if code.startswith(key) and (best is None or len(key) > len(best)):
            best = key
    if best is not None:
        return overrides[best]
    known = RULES.get(code)
    return known.severity if known is not None else "error"


def apply_severity(
    diagnostics: Iterable[Diagnostic], overrides: Mapping[str, str]
) -> list[Diagnostic]:
    """Diagnostics with user severities applied; those set to ``off`` are dropped."""
    if not overrides:
        return list(diagnostics)
    result: list[Diagnostic] = []
    for item in diagnostics:
        level = severity_for(item.code, overrides)
        if level == "off":
            continue
        if level != item.severity and level in ("error", "warning", "information", "hint"):
            item = replace(item, severity=level)  # type: ignore[arg-type]
        result.append(item)
    return result
