"""Renaming a plugin symbol that a package re-exports: the import and ``__all__`` are rewritten
with the definition and every URI naming it either way, and the result is checked twice: by
the static analysis (no errors) and by the runtime in a subprocess (every URI resolves, the
package imports). Refused only where the re-export cannot be rewritten safely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spoc_lsp.analysis.model import EditSet
from spoc_lsp.analysis.rename import RenameError, prepare_rename, rename
from tests.analysis.runtime_imports import runtime_answers
from tests.analysis.test_references import Built, apply_edits, build, errors, rebuild

MIDDLEWARE = 'class Auth:\n    """Checks tokens."""\n'

REEXPORT = {
    "config/spoc.toml": '[spoc.plugins]\nmiddleware = ["shop.Auth", "shop.timing.timer"]\n',
    "config/settings.py": 'PLUGINS = {"hooks": ["shop.middleware.Auth", "shop.Auth"]}\n',
    "apps/shop/__init__.py": (
        '"""The shop."""\nfrom .middleware import Auth\n\n__all__ = ["Auth"]\n'
    ),
    "apps/shop/middleware.py": MIDDLEWARE,
    "apps/shop/timing.py": "def timer(request):\n    return request\n",
}


def rename_at(built: Built, relative: str, needle: str, new_name: str, offset: int = 0) -> EditSet:
    cursor = built.at(relative, needle, offset)
    result = rename(built.analysis, built.resolver, built.path(relative), cursor, new_name)
    assert result is not None
    return result


def applied(built: Built, result: EditSet) -> dict[str, str]:
    """Apply the edits; check the project statically and at runtime; the runtime's answers."""
    apply_edits(built.root, result.edits)
    assert errors(rebuild(built.root)) == []
    answers = runtime_answers(built.root, "shop")
    assert not [value for value in answers.values() if value.startswith("error")], answers
    return answers


def edited(built: Built, result: EditSet) -> list[str]:
    return sorted({str(edit.file.relative_to(built.root)) for edit in result.edits})


def test_renaming_a_re_exported_class_rewrites_import_all_and_both_uri_forms(
    tmp_path: Path,
) -> None:
    built = build(tmp_path, REEXPORT)
    result = rename_at(built, "apps/shop/middleware.py", "Auth", "Guard")
    assert edited(built, result) == [
        "apps/shop/__init__.py",
        "apps/shop/middleware.py",
        "config/settings.py",
        "config/spoc.toml",
    ]
    answers = applied(built, result)
    assert answers == {
        "shop": "imported",
        "shop.Guard": "Guard",
        "shop.timing.timer": "timer",
        "shop.middleware.Guard": "Guard",
    }
    assert built.text("apps/shop/__init__.py") == (
        '"""The shop."""\nfrom .middleware import Guard\n\n__all__ = ["Guard"]\n'
    )
    assert built.text("config/settings.py") == (
        'PLUGINS = {"hooks": ["shop.middleware.Guard", "shop.Guard"]}\n'
    )


def test_renaming_from_the_re_exported_uri_in_spoc_toml(tmp_path: Path) -> None:
    built = build(tmp_path, REEXPORT)
    toml = built.path("config/spoc.toml")
    cursor = built.at("config/spoc.toml", "shop.Auth", len("shop.Au"))
    target = prepare_rename(built.analysis, built.resolver, toml, cursor)
    assert target is not None
    assert (target.placeholder, built.span_text(toml, target.span)) == ("Auth", "Auth")
    result = rename_at(built, "config/spoc.toml", "shop.Auth", "Guard", len("shop.Au"))
    assert applied(built, result)["shop.Guard"] == "Guard"
    assert "class Guard:" in built.text("apps/shop/middleware.py")


def test_a_chain_of_re_exports_and_their_importers(tmp_path: Path) -> None:
    files = {
        **REEXPORT,
        # shop -> shop.api -> shop.middleware; `Auth as Auth` is the explicit re-export idiom.
        "apps/shop/__init__.py": "from .api import Auth\n",
        "apps/shop/api.py": "from shop.middleware import Auth as Auth\n",
        "apps/shop/views.py": "from shop import Auth\n",
        "config/settings.py": 'PLUGINS = {"hooks": ["shop.api.Auth", "shop.middleware.Auth"]}\n',
    }
    built = build(tmp_path, files)
    result = rename_at(built, "apps/shop/middleware.py", "Auth", "Guard")
    answers = applied(built, result)
    assert {answers[uri] for uri in ("shop.Guard", "shop.api.Guard", "shop.middleware.Guard")} == {
        "Guard"
    }
    assert built.text("apps/shop/api.py") == "from shop.middleware import Guard as Guard\n"
    assert built.text("apps/shop/views.py") == "from shop import Guard\n"
    assert runtime_answers(built.root, "shop.views")["shop.views"] == "imported"


def test_an_alias_keeps_its_name_and_its_uris(tmp_path: Path) -> None:
    files = {
        **REEXPORT,
        "apps/shop/__init__.py": "from .middleware import Auth as Gate\n\nDEFAULT = Gate\n",
        "config/spoc.toml": '[spoc.plugins]\nmiddleware = ["shop.Gate"]\n',
        "config/settings.py": 'PLUGINS = {"hooks": ["shop.middleware.Auth"]}\n',
    }
    built = build(tmp_path, files)
    result = rename_at(built, "apps/shop/middleware.py", "Auth", "Guard")
    answers = applied(built, result)
    assert answers["shop.Gate"] == "Guard"  # the alias URI is untouched and still resolves
    assert built.text("apps/shop/__init__.py").startswith("from .middleware import Guard as Gate\n")
    assert '"shop.Gate"' in built.text("config/spoc.toml")


def test_a_star_import_of_a_module_with_all_follows_its_all(tmp_path: Path) -> None:
    files = {
        **REEXPORT,
        "apps/shop/__init__.py": "from .middleware import *\n",
        "apps/shop/middleware.py": '__all__ = ["Auth"]\n\n\n' + MIDDLEWARE,
    }
    built = build(tmp_path, files)
    result = rename_at(built, "apps/shop/middleware.py", "class Auth", "Guard", len("class "))
    assert applied(built, result)["shop.Guard"] == "Guard"
    assert built.text("apps/shop/middleware.py").startswith('__all__ = ["Guard"]\n')
    assert built.text("apps/shop/__init__.py") == "from .middleware import *\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"apps/shop/__init__.py": "from .middleware import *\n"},
            "'shop.Auth' (config/spoc.toml:2) reaches 'Auth' through 'import *' of "
            "'shop.middleware' in apps/shop/__init__.py (line 1), and apps/shop/middleware.py "
            "has no __all__, so no edit can keep it resolving",
        ),
        (
            {"apps/shop/__init__.py": "from .middleware import Auth\n\nGate = Auth\n"},
            "'Auth' is imported by apps/shop/__init__.py (line 1) and used there (line 3); "
            "rename it with your Python language server first",
        ),
        (
            {"apps/shop/__init__.py": "from .middleware import Auth\nGuard = 1\n"},
            "'Guard' is already defined in apps/shop/__init__.py (line 2)",
        ),
        (
            {"apps/shop/__init__.py": "from .middleware import Auth\n__all__ = ['Au' 'th']\n"},
            "'Auth' is listed in __all__ in apps/shop/__init__.py (line 2) in a form that cannot "
            "be rewritten",
        ),
        (
            {
                "apps/shop/__init__.py": "from .middleware import *\n",
                "apps/shop/views.py": "from shop import Auth\n",
                "config/spoc.toml": '[spoc.plugins]\nm = ["shop.middleware.Auth"]\n',
                "config/settings.py": "PLUGINS = {}\n",
            },
            "'Auth' is imported by apps/shop/views.py (line 1) from 'shop', which gets it "
            "through 'import *' of 'shop.middleware'",
        ),
    ],
)
def test_refusals_where_the_re_export_cannot_be_rewritten(
    tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    built = build(tmp_path, {**REEXPORT, **extra})
    path = built.path("apps/shop/middleware.py")
    with pytest.raises(RenameError, match=re.escape(message)):
        rename(
            built.analysis,
            built.resolver,
            path,
            built.at("apps/shop/middleware.py", "Auth"),
            "Guard",
        )


def test_renaming_from_an_alias_segment_is_refused_with_the_way_to_do_it(tmp_path: Path) -> None:
    files = {
        **REEXPORT,
        "apps/shop/__init__.py": "from .middleware import Auth as Gate\n",
        "config/spoc.toml": '[spoc.plugins]\nmiddleware = ["shop.Gate"]\n',
    }
    built = build(tmp_path, files)
    toml = built.path("config/spoc.toml")
    with pytest.raises(RenameError) as refused:
        prepare_rename(built.analysis, built.resolver, toml, built.at("config/spoc.toml", "Gate"))
    assert str(refused.value) == (
        "'shop.Gate' reaches 'Auth' through an import as 'Gate' in apps/shop/__init__.py: rename "
        "'Auth' in apps/shop/middleware.py (the alias stays), or rename the alias with your "
        "Python language server"
    )


def test_a_star_import_beside_an_import_by_name_is_followed_by_name(tmp_path: Path) -> None:
    files = {
        **REEXPORT,
        "apps/shop/__init__.py": "from .middleware import *\nfrom .middleware import Auth\n",
    }
    built = build(tmp_path, files)
    result = rename_at(built, "apps/shop/middleware.py", "Auth", "Guard")
    assert applied(built, result)["shop.Guard"] == "Guard"
    assert built.text("apps/shop/__init__.py").endswith("from .middleware import Guard\n")
