"""Renaming plugin symbols with their URIs, refusing what would break Python code, and
rewriting URIs when module files or package folders move. Real projects and resolver."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from spoc_lsp.analysis.moves import move_edits
from spoc_lsp.analysis.rename import RenameError, RenameTarget, prepare_rename, rename
from spoc_lsp.index.project_files import module_name
from spoc_lsp.syntax.model import Position, Span
from tests.analysis.runtime_imports import runtime_answers
from tests.analysis.test_references import SHOP, apply_edits, build, errors, rebuild

TOML = """
[spoc.plugins]
middleware = ["shop.auth.Auth", "shop.timing.timer", "shop.authz.Check"]
"""

SETTINGS = """
PLUGINS = {
    "middleware": ["shop.auth.Auth"],
    "hooks": ["shop.auth.Auth", "shop.timing", "shop.auth.helper"],
}
"""

AUTH = '''
class Auth:
    """Checks tokens."""


def helper():
    return 1
'''

PROJECT = {
    "config/spoc.toml": TOML,
    "config/settings.py": SETTINGS,
    "apps/shop/__init__.py": "",
    "apps/shop/auth.py": AUTH,
    "apps/shop/authz.py": "class Check:\n    pass\n",
    "apps/shop/timing.py": "def timer(request):\n    return request\n",
}


def uris(root: Path) -> str:
    return (root / "config/spoc.toml").read_text() + (root / "config/settings.py").read_text()


# --- rename -----------------------------------------------------------------------------------


def test_rename_a_class_rewrites_its_uris_in_both_files_and_checks_clean(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    path = built.path("apps/shop/auth.py")
    cursor = built.at("apps/shop/auth.py", "Auth", 2)
    target = prepare_rename(built.analysis, built.resolver, path, cursor)
    assert target == RenameTarget(path, Span(Position(0, 6), Position(0, 10)), "Auth")
    result = rename(built.analysis, built.resolver, path, cursor, "Authentication")
    assert result is not None
    assert sorted((e.file.name, e.span.start.line, e.new_text) for e in result.edits) == [
        ("auth.py", 0, "Authentication"),
        ("settings.py", 1, "Authentication"),
        ("settings.py", 2, "Authentication"),
        ("spoc.toml", 1, "Authentication"),
    ]
    apply_edits(built.root, result.edits)
    after = rebuild(built.root)
    assert errors(after) == []
    assert uris(built.root).count("shop.auth.Authentication") == 3
    assert 'shop.auth.Auth"' not in uris(built.root)
    assert after.text("apps/shop/auth.py").startswith("class Authentication:")


def test_rename_from_the_last_segment_of_a_uri(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    settings = built.path("config/settings.py")
    cursor = built.at("config/settings.py", "shop.auth.helper", len("shop.auth.h"))
    target = prepare_rename(built.analysis, built.resolver, settings, cursor)
    assert target is not None
    assert (target.placeholder, target.file) == ("helper", settings)
    assert built.span_text(settings, target.span) == "helper"
    result = rename(built.analysis, built.resolver, settings, cursor, "assist")
    assert result is not None
    apply_edits(built.root, result.edits)
    after = rebuild(built.root)
    assert errors(after) == []
    assert "def assist():" in after.text("apps/shop/auth.py")
    assert '"shop.auth.assist"' in uris(built.root)


def test_rename_to_the_same_name_changes_nothing(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    path = built.path("apps/shop/auth.py")
    result = rename(built.analysis, built.resolver, path, Position(0, 7), "Auth")
    assert result is not None
    assert result.edits == ()


@pytest.mark.parametrize(
    ("extra", "new_name", "message"),
    [
        ({}, "9lives", "'9lives' is not a Python identifier"),
        ({}, "class", "'class' is not a Python identifier"),
        ({}, "helper", "'helper' is already defined in apps/shop/auth.py (line 5)"),
        (
            {"apps/shop/auth.py": AUTH + "\nDEFAULT = Auth()\n"},
            "Other",
            "'Auth' is also used elsewhere in apps/shop/auth.py (line 8); rename it with your "
            "Python language server first",
        ),
        (
            {"apps/shop/auth.py": AUTH + "\nAuth = None\n"},
            "Other",
            "'Auth' is defined more than once at the top level of apps/shop/auth.py (lines 1, 8)",
        ),
        (
            {"apps/shop/views.py": "from .auth import Auth\n\nDEFAULT = Auth()\n"},
            "Other",
            "'Auth' is imported by apps/shop/views.py (line 1) and used there (line 3); rename "
            "it with your Python language server first",
        ),
        (
            {"apps/shop/views.py": "def load():\n    from .auth import Auth\n    return Auth\n"},
            "Other",
            "'Auth' is imported by apps/shop/views.py (line 2) inside a function or class",
        ),
        (
            {"apps/shop/views.py": "from .auth import Auth\nOther = 1\n"},
            "Other",
            "'Other' is already defined in apps/shop/views.py (line 2)",
        ),
        (
            {"apps/shop/auth.py": AUTH + "\ndef use():\n    return list\n"},
            "list",
            "'list' is already used in apps/shop/auth.py (line 9)",
        ),
    ],
)
def test_rename_refusals(
    tmp_path: Path, extra: dict[str, str], new_name: str, message: str
) -> None:
    built = build(tmp_path, {**PROJECT, **extra})
    path = built.path("apps/shop/auth.py")
    cursor = built.at("apps/shop/auth.py", "class Auth", 7)
    with pytest.raises(RenameError) as refused:
        rename(built.analysis, built.resolver, path, cursor, new_name)
    assert message in str(refused.value)


def test_prepare_refuses_a_symbol_no_uri_names(tmp_path: Path) -> None:
    files = {**PROJECT, "apps/shop/auth.py": AUTH + "\ndef unused():\n    pass\n"}
    built = build(tmp_path, files)
    path = built.path("apps/shop/auth.py")
    with pytest.raises(RenameError, match="'unused' is not a plugin"):
        prepare_rename(
            built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "unused")
        )


def test_prepare_refuses_a_name_used_elsewhere_in_its_module(tmp_path: Path) -> None:
    files = {**PROJECT, "apps/shop/auth.py": AUTH + "\ndef make():\n    return Auth()\n"}
    built = build(tmp_path, files)
    path = built.path("apps/shop/auth.py")
    with pytest.raises(RenameError, match="rename it with your Python language server first"):
        prepare_rename(built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth"))


def test_prepare_accepts_a_uri_reaching_the_symbol_through_a_re_export(tmp_path: Path) -> None:
    built = build(tmp_path)  # SHOP: shop/__init__.py has `from .auth import Auth`
    path = built.path("apps/shop/auth.py")
    target = prepare_rename(
        built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth:")
    )
    assert target is not None and target.placeholder == "Auth"


def test_rename_rewrites_the_all_entry_of_its_own_module(tmp_path: Path) -> None:
    built = build(tmp_path, {**PROJECT, "apps/shop/auth.py": '__all__ = ["Auth"]\n' + AUTH})
    path = built.path("apps/shop/auth.py")
    cursor = built.at("apps/shop/auth.py", "class Auth", 7)
    result = rename(built.analysis, built.resolver, path, cursor, "Authentication")
    assert result is not None
    apply_edits(built.root, result.edits)
    assert errors(rebuild(built.root)) == []
    assert built.text("apps/shop/auth.py").startswith('__all__ = ["Authentication"]\n')


def test_a_bare_import_of_the_symbol_is_rewritten(tmp_path: Path) -> None:
    built = build(tmp_path, {**PROJECT, "apps/shop/views.py": "from .auth import Auth\n"})
    path = built.path("apps/shop/auth.py")
    cursor = built.at("apps/shop/auth.py", "class Auth", 7)
    result = rename(built.analysis, built.resolver, path, cursor, "Guard")
    assert result is not None
    apply_edits(built.root, result.edits)
    assert built.text("apps/shop/views.py") == "from .auth import Guard\n"
    assert runtime_answers(built.root, "shop.views")["shop.views"] == "imported"


def test_prepare_refuses_a_re_export_alias_from_the_uri(tmp_path: Path) -> None:
    files = {
        **SHOP,
        "apps/shop/__init__.py": "from .auth import Auth as Gate\n",
        "config/spoc.toml": '[spoc.plugins]\nm = ["shop.Gate"]\n',
        "config/settings.py": "PLUGINS = {}\n",
    }
    built = build(tmp_path, files)
    toml = built.path("config/spoc.toml")
    with pytest.raises(
        RenameError, match=re.escape("through an import as 'Gate' in apps/shop/__init__.py")
    ):
        prepare_rename(built.analysis, built.resolver, toml, built.at("config/spoc.toml", "Gate"))


@pytest.mark.parametrize(
    ("needle", "offset", "message"),
    [
        ("shop.auth.Auth", 6, "'auth' names the module 'shop.auth': rename or move its file"),
        ("shop.timing", 7, "'timing' names the module 'shop.timing'"),
    ],
)
def test_prepare_refuses_module_segments(
    tmp_path: Path, needle: str, offset: int, message: str
) -> None:
    built = build(tmp_path, PROJECT)
    settings = built.path("config/settings.py")
    with pytest.raises(RenameError, match=re.escape(message)):
        prepare_rename(
            built.analysis, built.resolver, settings, built.at("config/settings.py", needle, offset)
        )


def test_prepare_refuses_what_is_defined_outside_the_project(tmp_path: Path) -> None:
    files = {**PROJECT, "config/spoc.toml": '[spoc.plugins]\nm = ["json.dumps"]\n'}
    built = build(tmp_path, files)
    toml = built.path("config/spoc.toml")
    with pytest.raises(RenameError, match="'dumps' is defined outside the project"):
        prepare_rename(built.analysis, built.resolver, toml, built.at("config/spoc.toml", "dumps"))


@pytest.mark.parametrize(
    ("relative", "needle"),
    [
        ("apps/shop/auth.py", '"""Checks'),  # not on a name
        ("apps/shop/timing.py", "request"),  # a parameter, not a top-level name
        ("config/spoc.toml", "middleware"),  # a group key, not a URI
    ],
)
def test_nothing_to_rename(tmp_path: Path, relative: str, needle: str) -> None:
    built = build(tmp_path, PROJECT)
    cursor = built.at(relative, needle, 1)
    assert prepare_rename(built.analysis, built.resolver, built.path(relative), cursor) is None


# --- moves ------------------------------------------------------------------------------------


def test_moving_a_module_file_rewrites_whole_segment_prefixes_only(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    old = built.path("apps/shop/auth.py")
    new = built.path("apps/shop/security/login.py")
    result = move_edits(built.analysis, built.resolver, [(old, new)])
    assert result.notes == ()
    assert sorted((e.file.name, e.span.start.line, e.new_text) for e in result.edits) == [
        ("settings.py", 1, "shop.security.login"),
        ("settings.py", 2, "shop.security.login"),
        ("settings.py", 2, "shop.security.login"),
        ("spoc.toml", 1, "shop.security.login"),
    ]
    apply_edits(built.root, result.edits)
    new.parent.mkdir()
    (new.parent / "__init__.py").write_text("")
    shutil.move(old, new)
    after = rebuild(built.root)
    assert errors(after) == []
    assert '"shop.authz.Check"' in uris(built.root)  # `shop.auth` is not a prefix of `shop.authz`


def test_moving_a_package_folder_rewrites_every_uri_under_it(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    old, new = built.path("apps/shop"), built.path("apps/store")
    result = move_edits(built.analysis, built.resolver, [(old, new)])
    assert len(result.edits) == 7
    assert {e.new_text for e in result.edits} == {"store"}
    apply_edits(built.root, result.edits)
    shutil.move(old, new)
    after = rebuild(built.root)
    assert errors(after) == []
    assert "shop" not in uris(built.root)


def test_moving_out_of_apps_uses_the_project_root(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    old, new = built.path("apps/shop/timing.py"), built.path("lib/timing.py")
    result = move_edits(built.analysis, built.resolver, [(old, new)])
    assert sorted(e.new_text for e in result.edits) == ["lib.timing", "lib.timing"]
    apply_edits(built.root, result.edits)
    new.parent.mkdir()
    shutil.move(old, new)
    assert errors(rebuild(built.root)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("apps/shop/auth.py", "apps/shop/auth.txt"),  # no longer a module: left alone, noted
        ("apps/shop/auth.py", "apps/shop/my-auth.py"),  # not an identifier
        ("apps/shop/__init__.py", "apps/shop/base.py"),  # a package's __init__
        ("config/spoc.toml", "config/other.toml"),  # not Python
    ],
)
def test_moves_that_rewrite_nothing(tmp_path: Path, old: str, new: str) -> None:
    built = build(tmp_path, PROJECT)
    result = move_edits(built.analysis, built.resolver, [(built.path(old), built.path(new))])
    assert result.edits == ()


def test_a_shadowed_module_is_not_rewritten(tmp_path: Path) -> None:
    # `<root>/shop/auth.py` is not what `shop.auth` imports: `<root>/apps` comes first.
    built = build(tmp_path, {**PROJECT, "shop/__init__.py": "", "shop/auth.py": "Auth = 1\n"})
    old, new = built.path("shop/auth.py"), built.path("shop/login.py")
    assert move_edits(built.analysis, built.resolver, [(old, new)]).edits == ()


def test_module_names(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    search_path = built.resolver.search_path
    assert module_name(search_path, built.path("apps/shop/auth.py"), is_dir=False) == "shop.auth"
    assert module_name(search_path, built.path("apps/shop/__init__.py"), is_dir=False) == "shop"
    assert module_name(search_path, built.path("apps/shop"), is_dir=True) == "shop"
    assert module_name(search_path, built.path("lib/x/y.py"), is_dir=False) == "lib.x.y"
    assert module_name(search_path, built.path("my-lib/y.py"), is_dir=False) is None
    assert module_name(search_path, tmp_path / "outside.py", is_dir=False) is None


def test_rename_refuses_the_binding_that_wins_when_the_name_is_bound_twice(
    tmp_path: Path,
) -> None:
    built = build(tmp_path, {**PROJECT, "apps/shop/auth.py": AUTH + "\nAuth = None\n"})
    path = built.path("apps/shop/auth.py")
    with pytest.raises(RenameError) as refused:
        prepare_rename(
            built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth =")
        )
    assert str(refused.value) == (
        "'Auth' is defined more than once at the top level of apps/shop/auth.py (lines 1, 8); "
        "rename it with your Python language server first"
    )


# --- URIs written with escapes or in pieces ---------------------------------------------------

ESCAPED = {
    **PROJECT,
    # `\u0041` is "A": the parser's map says which source characters spell each URI character.
    "config/spoc.toml": '[spoc.plugins]\nmiddleware = ["shop.\\u0061uth.Auth"]\n',
    "config/settings.py": (
        'PLUGINS = {"hooks": ["shop.auth.\\u0041uth", "shop.auth." "helper"]}\n'
    ),
}


def test_rename_rewrites_a_last_segment_written_with_an_escape(tmp_path: Path) -> None:
    built = build(tmp_path, ESCAPED)
    path = built.path("apps/shop/auth.py")
    result = rename(
        built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth"), "Guard"
    )
    assert result is not None
    settings = built.path("config/settings.py")
    [edit] = [e for e in result.edits if e.file == settings]
    assert built.span_text(settings, edit.span) == "\\u0041uth"
    toml = built.path("config/spoc.toml")
    [toml_edit] = [e for e in result.edits if e.file == toml]
    assert built.span_text(toml, toml_edit.span) == "Auth"
    apply_edits(built.root, result.edits)
    assert errors(rebuild(built.root)) == []
    assert built.text("config/settings.py").startswith('PLUGINS = {"hooks": ["shop.auth.Guard", ')
    assert '"shop.\\u0061uth.Guard"' in built.text("config/spoc.toml")


def test_rename_rewrites_a_segment_that_is_a_whole_concatenated_piece(tmp_path: Path) -> None:
    built = build(tmp_path, ESCAPED)
    settings = built.path("config/settings.py")
    cursor = built.at("config/settings.py", '"helper"', 2)
    target = prepare_rename(built.analysis, built.resolver, settings, cursor)
    assert target is not None and built.span_text(settings, target.span) == "helper"
    result = rename(built.analysis, built.resolver, settings, cursor, "assist")
    assert result is not None
    apply_edits(built.root, result.edits)
    assert errors(rebuild(built.root)) == []
    assert '"shop.auth." "assist"' in built.text("config/settings.py")


def test_rename_refuses_a_segment_split_over_string_pieces(tmp_path: Path) -> None:
    files = {**PROJECT, "config/settings.py": 'PLUGINS = {"hooks": ["shop.auth.Au" "th"]}\n'}
    built = build(tmp_path, files)
    path = built.path("apps/shop/auth.py")
    with pytest.raises(RenameError, match="its last segment is split over string pieces"):
        rename(built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth"), "Guard")


def test_moving_a_module_rewrites_a_prefix_written_with_an_escape(tmp_path: Path) -> None:
    built = build(tmp_path, ESCAPED)
    old, new = built.path("apps/shop/auth.py"), built.path("apps/shop/login.py")
    result = move_edits(built.analysis, built.resolver, [(old, new)])
    assert result.notes == ()
    toml = built.path("config/spoc.toml")
    [edit] = [e for e in result.edits if e.file == toml]
    assert built.span_text(toml, edit.span) == "shop.\\u0061uth"
    apply_edits(built.root, result.edits)
    shutil.move(old, new)
    assert errors(rebuild(built.root)) == []
    assert '"shop.login.Auth"' in built.text("config/spoc.toml")
    # The module prefix lies inside the first of two concatenated pieces: rewritten there.
    assert '"shop.login." "helper"' in built.text("config/settings.py")


def test_a_move_splitting_a_prefix_over_pieces_is_noted_not_edited(tmp_path: Path) -> None:
    files = {**PROJECT, "config/settings.py": 'PLUGINS = {"hooks": ["shop.au" "th.helper"]}\n'}
    built = build(tmp_path, files)
    old, new = built.path("apps/shop/auth.py"), built.path("apps/shop/login.py")
    result = move_edits(built.analysis, built.resolver, [(old, new)])
    settings = built.path("config/settings.py")
    assert [e for e in result.edits if e.file == settings] == []
    assert any(
        "'shop.auth.helper' at config/settings.py:1 could not be rewritten" in n
        for n in result.notes
    )


# --- one literal, several entries -------------------------------------------------------------

# `PLUGINS["b"] = PLUGINS["a"]`: both groups' entries are the one string written on line 1 (the
# parser keeps the string site as the unit, wherever the value travels).
SHARED = {
    **PROJECT,
    "config/settings.py": ('PLUGINS = {"a": ["shop.auth.Auth"]}\nPLUGINS["b"] = PLUGINS["a"]\n'),
}


def test_a_literal_shared_by_two_entries_is_renamed_once(tmp_path: Path) -> None:
    built = build(tmp_path, SHARED)
    settings = built.path("config/settings.py")
    assert len([e for e in built.analysis.entries() if e[0] == settings]) == 2
    path = built.path("apps/shop/auth.py")
    result = rename(
        built.analysis, built.resolver, path, built.at("apps/shop/auth.py", "Auth"), "Guard"
    )
    assert result is not None
    assert len([e for e in result.edits if e.file == settings]) == 1
    apply_edits(built.root, result.edits)
    assert errors(rebuild(built.root)) == []
    assert built.text("config/settings.py").startswith('PLUGINS = {"a": ["shop.auth.Guard"]}\n')


def test_a_literal_shared_by_two_entries_is_moved_once(tmp_path: Path) -> None:
    built = build(tmp_path, SHARED)
    old, new = built.path("apps/shop/auth.py"), built.path("apps/shop/login.py")
    result = move_edits(built.analysis, built.resolver, [(old, new)])
    settings = built.path("config/settings.py")
    assert len([e for e in result.edits if e.file == settings]) == 1
    apply_edits(built.root, result.edits)
    shutil.move(old, new)
    assert errors(rebuild(built.root)) == []
    assert built.text("config/settings.py").startswith('PLUGINS = {"a": ["shop.login.Auth"]}\n')
