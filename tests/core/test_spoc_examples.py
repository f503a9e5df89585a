"""The projects in ``examples/``: ``shop`` loads cleanly with a plugin of every kind, and
``broken`` fails the way ``examples/broken/EXPECTED.md`` says."""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pytest

from spoc.config import load_config
from spoc.errors import (
    PluginImportError,
    PluginInterfaceError,
    PluginLoadError,
    PluginShapeError,
    UriError,
)
from spoc.framework import Framework, Schema, plugin_sources
from spoc.plugins import merge_plugins

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOP = EXAMPLES / "shop"
BROKEN = EXAMPLES / "broken"
SCHEMA = Schema(modules=["models", "views"])

LineOf = Callable[[Path, str], int]


@pytest.fixture(autouse=True)
def no_bytecode_in_examples(isolated_imports: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import the examples without writing ``__pycache__`` into the repository."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)


# --- examples/shop ------------------------------------------------------------------------------

SHOP_PLAN = {
    "middleware": [
        "core.middleware.request_id.add_request_id",
        "core.middleware.authenticate",
        "core.middleware.timing.TimingMiddleware",
    ],
    "hooks": ["shopkit.audit"],
    "validators": ["core.validators.validate_email", "core.validators.validate_phone"],
    "cache": ["catalog.cache.product_cache"],
    "search": ["catalog.search"],
    "payments": ["orders.payments.CardGateway"],
    "events": ["orders.events.registry"],
}


@pytest.fixture
def shop() -> Framework:
    return Framework(base_dir=SHOP, schema=SCHEMA)


def test_shop_loads_cleanly_in_the_documented_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    framework = Framework(base_dir=Path("examples/shop"), schema=SCHEMA)
    assert framework.plan.as_dict() == SHOP_PLAN
    assert {group: list(loaded) for group, loaded in framework.plugins.items()} == SHOP_PLAN
    assert framework.plan.duplicates == ()


def test_shop_apps_and_schema_modules(shop: Framework) -> None:
    assert shop.installed_apps == ["core", "devtools", "catalog", "orders"]
    assert list(shop.components) == ["models", "views"]
    assert list(shop.components["models"]) == ["core", "catalog", "orders"]
    assert list(shop.components["views"]) == ["core", "devtools", "catalog", "orders"]


def test_shop_has_a_plugin_of_every_kind(shop: Framework) -> None:
    plugin: dict[str, Any] = {
        uri: obj for group in shop.plugins.values() for uri, obj in group.items()
    }

    # A function.
    add_request_id = plugin["core.middleware.request_id.add_request_id"]
    assert isinstance(add_request_id, FunctionType)
    # A function re-exported by its package's __init__, defined in a submodule.
    authenticate = plugin["core.middleware.authenticate"]
    assert isinstance(authenticate, FunctionType)
    assert authenticate.__module__ == "core.middleware.auth"
    # Classes.
    for uri in ("core.middleware.timing.TimingMiddleware", "orders.payments.CardGateway"):
        assert isinstance(plugin[uri], type)
    # A class instance.
    cache = plugin["catalog.cache.product_cache"]
    assert type(cache).__name__ == "LRUCache"
    assert not isinstance(cache, type)
    # A module, found as an attribute of its package.
    audit = plugin["shopkit.audit"]
    assert isinstance(audit, ModuleType)
    assert audit is sys.modules["shopkit"].audit
    # Factory results: closures built at import time.
    for uri in ("core.validators.validate_email", "core.validators.validate_phone"):
        assert isinstance(plugin[uri], FunctionType)
        assert "<locals>" in plugin[uri].__qualname__
    # A registry instance holding decorated functions.
    registry = plugin["orders.events.registry"]
    assert type(registry).__name__ == "PluginRegistry"
    assert [f.__name__ for f in registry.get_plugins("order_placed")] == [
        "send_confirmation",
        "reserve_stock",
    ]
    # A submodule its package never imports.
    search = plugin["catalog.search"]
    assert isinstance(search, ModuleType)
    assert search.__name__ == "catalog.search"
    catalog_init = ast.parse((SHOP / "apps" / "catalog" / "__init__.py").read_text())
    assert not any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in catalog_init.body)


def test_shop_plugins_work_together(shop: Framework) -> None:
    from orders.models import Order  # type: ignore[import-not-found]
    from shopkit.http import Request  # type: ignore[import-not-found]

    middleware = shop.plugins["middleware"]
    ticks = iter([10.0, 12.5])  # a scripted clock: the elapsed time is known exactly
    timing = middleware["core.middleware.timing.TimingMiddleware"](clock=ticks.__next__)
    chain = [*list(middleware.values())[:-1], timing]
    request = Request("POST", "/orders", headers={"Authorization": "Bearer secret-admin-token"})
    for step in chain:
        request = step(request)
    assert request.user == "admin"
    assert len(str(request.meta["request_id"])) == 32
    assert timing.elapsed(request) == 2.5

    validators = shop.plugins["validators"]
    assert validators["core.validators.validate_email"]("ann@shop.example")
    assert not validators["core.validators.validate_email"]("ann@elsewhere.example")
    assert validators["core.validators.validate_phone"]("+1 555 123 4567")

    payment_config = shop.config.settings.PAYMENT_CONFIG
    gateway = shop.plugins["payments"]["orders.payments.CardGateway"](**payment_config)
    assert gateway.charge(Decimal("43.50")).approved

    order = Order("A-1", "ann@shop.example", [("SKU-1001", 2, Decimal("9.50"))])
    confirmation, reserved = shop.plugins["events"]["orders.events.registry"].execute_all(
        "order_placed", order
    )
    assert confirmation == "to ann@shop.example: order A-1 confirmed, total 19.00"
    assert reserved == ["SKU-1001"]

    search = shop.plugins["search"]["catalog.search"]
    search.index("SKU-1002", "French press coffee")
    assert search.search("coffee press") == ["SKU-1002"]


def test_shop_hooks(shop: Framework) -> None:
    from catalog.models import PRODUCTS  # type: ignore[import-not-found]
    from core.models import USERS  # type: ignore[import-not-found]

    shop.startup()
    assert "admin" in USERS
    assert len(PRODUCTS) == 2
    shop.shutdown()
    assert USERS == {}
    assert PRODUCTS == {}


def test_shop_provenance_points_at_each_string(shop: Framework, line_of: LineOf) -> None:
    for entry in shop.plan.entries():
        p = entry.provenance
        assert p.file is not None
        expected_file = SHOP / "config" / ("spoc.toml" if p.source == "toml" else "settings.py")
        assert p.file == expected_file
        assert p.line == line_of(p.file, f'"{entry.uri}"')
        line = p.file.read_text().splitlines()[p.line - 1]
        assert p.column is not None
        assert line[p.column - 1 :].startswith(f'{entry.uri}"')


# --- examples/broken ----------------------------------------------------------------------------

EXPECTED = json.loads((BROKEN / "expected.json").read_text(encoding="utf-8"))


def test_broken_fails_first_on_the_group_that_is_not_a_list() -> None:
    with pytest.raises(PluginShapeError) as caught:
        Framework(base_dir=BROKEN, schema=SCHEMA)
    error = caught.value
    settings = BROKEN / "config" / "settings.py"
    assert error.group == "audit"
    assert error.location.file == settings
    assert str(error) == (
        f"{settings}: PLUGINS group 'audit' must be a list of URI strings, not str"
    )


@pytest.fixture
def broken_with_shape_fixed(tmp_path: Path) -> Path:
    """A copy of examples/broken whose only change is the SPOC005 group, made a list (same
    lines, so expected.json still applies)."""
    root = tmp_path / "broken"
    shutil.copytree(BROKEN, root, ignore=shutil.ignore_patterns("__pycache__"))
    settings = root / "config" / "settings.py"
    text = settings.read_text()
    fixed = text.replace('"audit": "core.hooks.log_event",', '"audit": ["core.hooks.log_event"],')
    assert fixed != text
    settings.write_text(fixed)
    return root


def test_broken_then_reports_every_plugin_that_does_not_load_or_conform(
    broken_with_shape_fixed: Path,
) -> None:
    root = broken_with_shape_fixed
    with pytest.raises(PluginLoadError) as caught:
        Framework(base_dir=root, schema=SCHEMA)
    failures = caught.value.failures

    load_failures = [item for item in EXPECTED if item["code"] not in ("SPOC004", "SPOC005")]
    assert sorted((str(f.location.file), f.location.line) for f in failures) == sorted(
        (str(root / item["file"]), item["line"]) for item in load_failures
    )
    by_uri = {failure.uri: failure for failure in failures}
    assert list(by_uri) == [
        "core.middleware.timing.TimingMidleware",
        "core.hooks. on_shutdown",
        "catalgo.signals.on_product_saved",
        "catalog.pricing.apply_discount",
        "orders.notifications.send_receipt",
        "core.storage.MemoryStorage",
    ]
    assert [f.group for f in failures] == [
        "middleware",
        "hooks",
        "signals",
        "pricing",
        "notifications",
        "storage",
    ]

    typo_attribute = by_uri["core.middleware.timing.TimingMidleware"].error
    assert isinstance(typo_attribute, PluginImportError)
    assert "has no attribute or submodule 'TimingMidleware'" in str(typo_attribute)
    assert isinstance(by_uri["core.hooks. on_shutdown"].error, UriError)
    typo_module = by_uri["catalgo.signals.on_product_saved"].error
    assert str(typo_module) == "no module named 'catalgo'"
    assert isinstance(by_uri["catalog.pricing.apply_discount"].error.__cause__, SyntaxError)
    missing = by_uri["orders.notifications.send_receipt"].error.__cause__
    assert isinstance(missing, ModuleNotFoundError)
    assert missing.name == "redis_cluster_missing"
    interface = by_uri["core.storage.MemoryStorage"].error
    assert isinstance(interface, PluginInterfaceError)
    assert interface.problems == ("missing 'delete'",)

    message = str(caught.value)
    assert message.splitlines()[0] == "6 plugins failed to load:"
    for failure in failures:
        assert f"{failure.location}: [{failure.group}] {failure.uri!r}" in message


def test_broken_duplicate_is_dropped_and_names_the_first(broken_with_shape_fixed: Path) -> None:
    root = broken_with_shape_fixed
    # Framework raises before it can be inspected: build its plan the way it does.
    plan = merge_plugins(*plugin_sources(load_config(root)))
    [duplicate] = plan.duplicates
    [expected] = [item for item in EXPECTED if item["code"] == "SPOC004"]
    assert duplicate.entry.uri == "core.middleware.cors.CorsMiddleware"
    assert duplicate.entry.provenance.file == root / expected["file"]
    assert duplicate.entry.provenance.line == expected["line"]
    assert duplicate.first.provenance.file == root / "config" / "spoc.toml"
    assert duplicate.first.provenance.line == 14


def test_expected_json_and_expected_md_agree() -> None:
    rows = re.findall(
        r"^\| \d+ \| \((\w)\) \| `([^`]+)` \| (\d+) \| (SPOC\d{3}) \|",
        (BROKEN / "EXPECTED.md").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert [(file, int(line), code) for _, file, line, code in rows] == [
        (item["file"], item["line"], item["code"]) for item in EXPECTED
    ]
    assert sorted(letter for letter, *_ in rows) == list("abcdefgh")
    codes = sorted(item["code"] for item in EXPECTED)
    assert codes == [
        "SPOC001",
        "SPOC002",
        "SPOC003",
        "SPOC004",
        "SPOC005",
        "SPOC007",
        "SPOC007",
        "SPOC011",
    ]
    assert {item["file"] for item in EXPECTED} == {"config/spoc.toml", "config/settings.py"}
    for item in EXPECTED:
        lines = (BROKEN / item["file"]).read_text(encoding="utf-8").splitlines()
        assert 1 <= item["line"] <= len(lines)
        assert '"' in lines[item["line"] - 1]  # every mistake is on a line with its string
