"""Error-tolerant readers of the two plugin config files: ``spoc.toml`` and the settings module.

Both return a :class:`ParsedConfig` — the entries that can be read statically, with exact
ranges, every plugin string site (even unterminated), and problems — and never raise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from spoc_lsp.syntax.model import ModuleSource, ParsedConfig
from spoc_lsp.syntax.settings_module import parse_settings
from spoc_lsp.syntax.toml_config import parse_toml_config

ConfigKind = Literal["toml", "settings"]


def parse_config(
    kind: ConfigKind, text: str, file: Path | None, modules: ModuleSource | None = None
) -> ParsedConfig:
    """Read ``text`` as a ``spoc.toml`` (``"toml"``) or a settings module (``"settings"``).

    ``modules``: the project modules a settings module imports, to follow (split settings).
    """
    if kind == "toml":
        return parse_toml_config(text, file)
    return parse_settings(text, file, modules)


__all__ = [
    "ConfigKind",
    "ModuleSource",
    "ParsedConfig",
    "parse_config",
    "parse_settings",
    "parse_toml_config",
]
