"""Code-to-config features see URIs written in split settings (``base.py``) and in names.

References and rename from the plugin's Python file reach the string where it is written,
once per place even when it backs entries of two groups; hover and inlay hints work in
``base.py``, which the analysis reads as a settings file because it contributes.
"""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.analysis.hover import hover
from spoc_lsp.analysis.inlay import inlay_hints
from spoc_lsp.analysis.references import references
from spoc_lsp.analysis.rename import rename

from .test_references import build

FILES = {
    "config/spoc.toml": '[spoc]\nmode = "development"\n',
    "apps/core/__init__.py": "",
    "apps/core/hooks.py": "def a():\n    pass\n\n\ndef b():\n    pass\n",
    "config/settings/__init__.py": (
        'from .base import *\nPLUGINS["more"] = [*BASE, "core.hooks.a"]\n'
    ),
    "config/settings/base.py": 'BASE = ["core.hooks.b"]\nPLUGINS = {"hooks": BASE}\n',
}


def test_references_and_rename_reach_the_string_in_base(tmp_path: Path) -> None:
    built = build(tmp_path, FILES)
    hooks = built.path("apps/core/hooks.py")
    base = built.path("config/settings/base.py")
    position = built.at("apps/core/hooks.py", "def b", 4)
    found = references(built.analysis, built.resolver, hooks, position)
    # "core.hooks.b" backs an entry of "hooks" and one of "more": one place written.
    assert [(path, built.span_text(path, span)) for path, span in found] == [(base, "core.hooks.b")]
    edits = rename(built.analysis, built.resolver, hooks, position, "c")
    assert edits is not None
    in_base = [edit for edit in edits.edits if edit.file == base]
    assert [built.span_text(base, edit.span) for edit in in_base] == ["b"]
    assert {edit.new_text for edit in in_base} == {"c"}


def test_hover_and_inlay_hints_in_base(tmp_path: Path) -> None:
    built = build(tmp_path, FILES)
    base = built.path("config/settings/base.py")
    shown = hover(
        built.analysis, base, built.at("config/settings/base.py", "hooks.b"), built.resolver
    )
    assert shown is not None and "core.hooks.b" in shown.markdown
    assert inlay_hints(built.analysis, base, 0, 5) != []
