"""Synthetic SPOC workspaces for the benchmarks, with their ground truth.

``python -m bench.generate [--size 1k|10k] [--seed N] [--force]`` writes
``bench/workspaces/synth-<size>/`` (git-ignored) and ``bench/workspaces/synth-<size>.truth.json``.

A workspace has packages four levels deep, under ``<ws>/apps/`` (apps) and ``<ws>/`` (libraries)::

    billing/__init__.py                      from .api import ExportHandler       (hop 3)
    billing/api/__init__.py                  from .handlers import ExportHandler  (hop 2)
    billing/api/registry.py                  a module directly in a subpackage
    billing/api/handlers/__init__.py         from .auth import ExportHandler      (hop 1)
                                             from .cache import *   (with or without __all__)
    billing/api/handlers/auth.py             20-50 functions, classes, assignments

Modules import stdlib modules, guard an optional import with ``try``/``except ImportError``,
and import names from earlier siblings (never in a cycle). A few modules are poisoned: one
imports a package that is not installed (SPOC007), one has a syntax error (SPOC007); nothing
imports them.

``config/spoc.toml`` and ``config/settings.py`` list the URIs (100 for 1k modules, 1,000 for
10k), split between both files and across groups; about 10% are broken the ways users break
them. Everything is drawn from ``random.Random`` seeded with the seed and the size, iterating
only over ordered containers, so the output is the same on every machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import venv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
WORKSPACES = BENCH_DIR / "workspaces"
DEFAULT_SEED = 20240611
GENERATOR_VERSION = "3"


@dataclass(frozen=True)
class Size:
    name: str
    modules: int
    uris: int


SIZES: dict[str, Size] = {
    "1k": Size("1k", 1_000, 100),
    "10k": Size("10k", 10_000, 1_000),
    "50k": Size("50k", 50_000, 5_000),
}

TOP_WORDS = [
    "billing", "catalog", "orders", "accounts", "shipping", "inventory", "analytics",
    "storefront", "backoffice", "loyalty", "reviews", "recommend", "crm", "ledger",
    "fulfilment", "marketing", "helpdesk", "identity", "warehouse", "checkout",
    "subscriptions", "partners", "reporting", "media", "gateway", "compliance", "tenancy",
]  # fmt: skip
LIB_WORDS = [
    "corelib", "sharedkit", "platform_kit", "integrations", "toolbox", "common_utils",
    "infra", "sdk_internal", "observability", "messaging",
]  # fmt: skip
SUB_WORDS = ["api", "services", "domain", "adapters", "jobs", "admin", "integrations", "web"]
SUBSUB_WORDS = ["handlers", "v1", "v2", "internal", "tasks", "views", "models", "utils", "hooks"]
MODULE_WORDS = [
    "auth", "cache", "payments", "invoices", "reports", "webhooks", "emails", "search",
    "exports", "ingest", "metrics", "audit", "sessions", "tokens", "uploads", "storage",
    "pricing", "stock", "delivery", "refunds", "coupons", "alerts", "scheduler", "workers",
    "throttling", "permissions", "serializers", "forms", "admin_site", "signals", "queries",
    "filters", "renderers", "parsers", "backends", "adapters_", "events", "health",
]  # fmt: skip
VERBS = [
    "process", "handle", "validate", "render", "compute", "dispatch", "sync", "fetch",
    "build", "parse", "load", "store", "notify", "refresh", "export", "ingest", "audit",
    "clean", "resolve", "schedule",
]  # fmt: skip
NOUNS = [
    "invoice", "order", "payment", "customer", "product", "session", "token", "request",
    "response", "report", "account", "profile", "message", "event", "batch", "record",
    "metric", "ticket", "shipment", "coupon", "cart", "refund", "webhook", "user", "tenant",
]  # fmt: skip
CLASS_SUFFIXES = [
    "Middleware", "Handler", "Backend", "Serializer", "Validator", "Exporter", "Hook",
    "Service", "Adapter", "Provider", "Policy", "Renderer", "Task", "Command", "Filter",
]  # fmt: skip
VAR_SUFFIXES = ["TIMEOUT", "LIMIT", "PREFIX", "RETRIES", "TTL", "BATCH_SIZE", "QUEUE"]
GROUPS = [
    "middleware", "hooks", "validators", "signals", "tasks", "commands", "serializers",
    "permissions", "exporters", "backends", "renderers", "parsers", "throttles", "filters",
    "healthchecks", "schedulers", "webhooks", "auditors",
]  # fmt: skip
MISSING_IMPORTS = [
    "import stripe_sdk",
    "from celery_compat import shared_task",
    "import redis_cluster.client as redis_client",
    "from legacy_auth.backends import LdapBackend",
]
SYNTAX_ERRORS = [
    ["<<<<<<< HEAD", "MERGE_TIMEOUT = 30", "=======", "MERGE_TIMEOUT = 60", ">>>>>>> retries"],
    ["def apply_discount(order, rate)", "    return order * (1 - rate)"],
    ["DEFAULTS = dict(", "    retries=3,", "    timeout=30,"],
    ['print "starting worker"'],
]
# Names every regular module binds before its definitions (name -> kind).
PRELUDE_NAMES = {
    "annotations": "variable",
    "functools": "module",
    "logging": "module",
    "os": "module",
    "Any": "variable",
    "TYPE_CHECKING": "variable",
    "json": "module",
    "log": "variable",
}
# Share of the URIs broken in each way (the rest are valid), and the codes accepted for each.
BROKEN_SHARES = {
    "typo_module": 0.025,
    "typo_attribute": 0.025,
    "invalid": 0.01,
    "duplicate": 0.015,
    "missing_import": 0.01,
    "syntax_error": 0.01,
    "star_hidden": 0.005,
}
BROKEN_CODES = {
    "typo_module": ["SPOC001", "SPOC002"],
    "typo_attribute": ["SPOC002"],
    "invalid": ["SPOC003"],
    "duplicate": ["SPOC004"],
    "missing_import": ["SPOC007"],
    "syntax_error": ["SPOC007"],
    "star_hidden": ["SPOC002"],
}
VALID_WEIGHTS = {
    "module": 0.12,
    "package": 0.04,
    "function": 0.30,
    "class": 0.20,
    "variable": 0.12,
    "reexport": 0.10,
    "star": 0.12,
}


@dataclass
class Module:
    """One generated file and what importing it binds."""

    name: str
    rel: str
    package: bool
    defs: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    all_names: list[str] | None = None
    star_exports: list[str] = field(default_factory=list)
    poison: str | None = None
    text: str = ""


@dataclass
class Entry:
    """One listed plugin URI."""

    uri: str
    category: str
    resolves: bool
    codes: list[str]
    file: str = ""
    group: str = ""
    line: int = 0
    column: int = 0
    edit_typo: str | None = None


@dataclass
class Tree:
    modules: dict[str, Module] = field(default_factory=dict)
    tops: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)

    def add(self, module: Module) -> Module:
        self.modules[module.name] = module
        parent, _, short = module.name.rpartition(".")
        if parent:
            self.modules[parent].children.append(short)
        else:
            self.tops.append(module.name)
        return module

    def exists(self, dotted: str) -> bool:
        """Would ``dotted`` resolve (as a module, or an attribute of its parent module)?"""
        if dotted in self.modules:
            return True
        parent, _, short = dotted.rpartition(".")
        if not parent:
            return dotted in sys.stdlib_module_names
        module = self.modules.get(parent)
        return module is not None and (short in module.attrs or short in module.children)


class Generator:
    """Builds a :class:`Tree` and the plugin lists for one size and seed."""

    def __init__(self, size: Size, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.rng = random.Random(f"{seed}-{size.name}")
        self.tree = Tree()

    # ----------------------------------------------------------------------------- names
    def _name(self, kind: str, taken: set[str]) -> str:
        rng = self.rng
        for attempt in range(100):
            if kind == "function":
                name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
            elif kind == "class":
                name = f"{rng.choice(NOUNS).capitalize()}{rng.choice(CLASS_SUFFIXES)}"
            elif rng.random() < 0.6:
                name = f"{rng.choice(NOUNS).upper()}_{rng.choice(VAR_SUFFIXES)}"
            else:
                name = f"default_{rng.choice(NOUNS)}_{rng.choice(CLASS_SUFFIXES).lower()}"
            if attempt > 20:
                name = f"{name}_{attempt}"
            if name not in taken and name not in PRELUDE_NAMES:
                taken.add(name)
                return name
        raise RuntimeError("name space exhausted")  # pragma: no cover

    @staticmethod
    def _words(words: Sequence[str], count: int, rng: random.Random) -> list[str]:
        pool = list(words)
        rng.shuffle(pool)
        names = [w.rstrip("_") for w in pool[:count]]
        for index in range(len(names), count):
            names.append(f"{pool[index % len(pool)].rstrip('_')}{index // len(pool) + 1}")
        return names

    # ----------------------------------------------------------------------------- shape
    def shape(self) -> tuple[int, int, int, int]:
        """(top packages, subpackages each, sub-subpackages each, modules per sub-subpackage)."""
        n = self.size.modules
        tops = max(4, round(n / 400))
        subs = 5 if n >= 5_000 else 4
        subsubs = 4 if n >= 5_000 else 3
        per_top = n / tops
        per_subsub = round(((per_top - 1) / subs - 2) / subsubs - 1)
        return tops, subs, subsubs, max(4, per_subsub)

    def build(self) -> Tree:
        rng = self.rng
        tops, subs, subsubs, per_subsub = self.shape()
        n_apps = max(2, round(tops * 0.7))
        top_names = self._words(TOP_WORDS, n_apps, rng) + self._words(LIB_WORDS, tops - n_apps, rng)
        poison_count = max(2, round(self.size.uris * 0.025))
        slots = [(t, s, ss) for t in range(tops) for s in range(subs) for ss in range(subsubs)]
        poisoned_slots = rng.sample(slots, min(len(slots), 2 * poison_count))
        poison_of = {
            slot: ("missing_import" if i % 2 == 0 else "syntax_error")
            for i, slot in enumerate(poisoned_slots)
        }
        for t, top in enumerate(top_names):
            base = "apps/" if t < n_apps else ""
            if t < n_apps:
                self.tree.apps.append(top)
            top_mod = self.tree.add(Module(top, f"{base}{top}/__init__.py", True))
            sub_names = self._words(SUB_WORDS, subs, rng)
            for s, sub in enumerate(sub_names):
                sub_dotted = f"{top}.{sub}"
                sub_mod = self.tree.add(Module(sub_dotted, f"{base}{top}/{sub}/__init__.py", True))
                subsub_names = self._words(SUBSUB_WORDS, subsubs, rng)
                for ss, subsub in enumerate(subsub_names):
                    dotted = f"{sub_dotted}.{subsub}"
                    pkg = self.tree.add(
                        Module(dotted, f"{base}{top}/{sub}/{subsub}/__init__.py", True)
                    )
                    mod_names = self._words(MODULE_WORDS, per_subsub, rng)
                    mods: list[Module] = []
                    for k, short in enumerate(mod_names):
                        poison = poison_of.get((t, s, ss)) if k == per_subsub - 1 else None
                        module = self.tree.add(
                            Module(
                                f"{dotted}.{short}",
                                f"{base}{top}/{sub}/{subsub}/{short}.py",
                                False,
                                poison=poison,
                            )
                        )
                        self._fill_module(module, mods)
                        mods.append(module)
                    self._fill_subsub(pkg, mods)
                registry = self.tree.add(
                    Module(f"{sub_dotted}.registry", f"{base}{top}/{sub}/registry.py", False)
                )
                self._fill_module(registry, [])
                self._fill_sub(sub_mod)
            self._fill_top(top_mod)
        return self.tree

    # ----------------------------------------------------------------------------- files
    def _fill_module(self, module: Module, earlier: list[Module]) -> None:
        rng = self.rng
        lines = [f'"""{module.name.rpartition(".")[2].capitalize()}: generated for benchmarks."""']
        lines += [
            "",
            "from __future__ import annotations",
            "",
            "import functools",
            "import logging",
            "import os",
            "from typing import TYPE_CHECKING, Any",
            "",
            "try:",
            "    import ujson as json",
            "except ImportError:  # pragma: no cover",
            "    import json",
            "",
            "if TYPE_CHECKING:",
            "    from collections.abc import Iterator",
        ]
        module.attrs.update(PRELUDE_NAMES)
        if module.poison == "missing_import":
            lines.append(rng.choice(MISSING_IMPORTS))
        taken: set[str] = set()
        healthy = [m for m in earlier if m.poison is None]
        if healthy and rng.random() < 0.5:
            source = rng.choice(healthy)
            public = sorted(n for n in source.defs if not n.startswith("_"))
            name = rng.choice(public)
            lines.append(f"from .{source.name.rpartition('.')[2]} import {name}")
            module.attrs[name] = source.defs[name]
            taken.add(name)
        lines += ["", "log = logging.getLogger(__name__)", ""]
        count = rng.randint(20, 50)
        classes: list[str] = []
        syntax_at = rng.randint(count // 3, 2 * count // 3) if module.poison else -1
        for index in range(count):
            if index == syntax_at and module.poison == "syntax_error":
                lines += ["", *rng.choice(SYNTAX_ERRORS), ""]
            roll = rng.random()
            kind = "function" if roll < 0.45 else "class" if roll < 0.75 else "variable"
            if index == 0:
                kind = "class"
            elif index == 1:
                kind = "function"
            name = self._name(kind, taken)
            if kind == "function" and rng.random() < 0.08:
                name = f"_{name}"
            module.defs[name] = kind
            module.attrs[name] = kind
            lines += self._render(kind, name, classes)
            if kind == "class":
                classes.append(name)
        if rng.random() < 0.4:
            public = [n for n in module.defs if not n.startswith("_")]
            module.all_names = sorted(rng.sample(public, max(1, round(len(public) * 0.6))))
            lines += ["", f"__all__ = {json.dumps(module.all_names)}"]
            module.attrs["__all__"] = "variable"
        if module.all_names is not None:
            module.star_exports = list(module.all_names)
        else:
            module.star_exports = sorted(n for n in module.attrs if not n.startswith("_"))
        module.text = "\n".join(lines) + "\n"

    def _render(self, kind: str, name: str, classes: list[str]) -> list[str]:
        rng = self.rng
        if kind == "function":
            decorator = ["@functools.lru_cache(maxsize=128)"] if rng.random() < 0.1 else []
            words = name.strip("_").split("_")
            return [
                "",
                *decorator,
                f"def {name}(request: Any = None, *, retries: int = {rng.randint(1, 9)}) -> Any:",
                f'    """{" ".join(words).capitalize()} for one request."""',
                f'    log.debug("{name} %s", retries)',
                f'    return {{"name": "{name}", "retries": retries, "sep": os.sep}}',
            ]
        if kind == "class":
            base = rng.choice(classes) if classes and rng.random() < 0.3 else "object"
            return [
                "",
                "",
                f"class {name}({base}):",
                f'    """{name}: a plugin class.',
                "",
                "    Configured from settings; called once per request.",
                '    """',
                "",
                f"    priority = {rng.randint(0, 100)}",
                "",
                "    def __init__(self, options: dict[str, Any] | None = None) -> None:",
                "        self.options = options or {}",
                "",
                "    def __call__(self, request: Any) -> Any:",
                "        return json.dumps({'request': repr(request)})",
            ]
        if name.startswith("default_") and classes:
            return ["", f"{name} = {rng.choice(classes)}()"]
        if name.isupper() or name[0].isupper():
            return ["", f"{name}: int = {rng.randint(1, 3600)}"]
        return ["", f"{name} = {{'enabled': True, 'level': {rng.randint(0, 5)}}}"]

    def _fill_subsub(self, pkg: Module, mods: list[Module]) -> None:
        first = mods[0]
        cls = next(n for n, k in first.defs.items() if k == "class")
        fn = next(n for n, k in first.defs.items() if k == "function" and not n.startswith("_"))
        short0 = first.name.rpartition(".")[2]
        lines = [
            f'"""The {pkg.name} package: re-exports and star imports."""',
            "",
            f"from .{short0} import {cls}",
            f"from .{short0} import {fn} as run",
        ]
        pkg.attrs.update({cls: "class", "run": "function", short0: "module"})
        pkg.defs.update({cls: "class", "run": "function"})
        for star in mods[1:3]:
            if star.poison is not None:
                continue
            short = star.name.rpartition(".")[2]
            lines.append(f"from .{short} import *  # noqa: F403")
            pkg.attrs[short] = "module"
            for name in star.star_exports:
                pkg.attrs.setdefault(name, star.attrs.get(name, "unknown"))
            pkg.star_exports += [n for n in star.star_exports if star.defs.get(n)]
        pkg.text = "\n".join(lines) + "\n"

    def _fill_sub(self, sub: Module) -> None:
        first = self.tree.modules[f"{sub.name}.{sub.children[0]}"]
        cls = next(n for n, k in first.defs.items() if k == "class")
        lines = [
            f'"""The {sub.name} package."""',
            "",
            f"from .{sub.children[0]} import {cls}",
            "",
            "VERSION = '1.0'",
        ]
        sub.attrs.update({cls: "class", sub.children[0]: "module", "VERSION": "variable"})
        sub.defs.update({cls: "class"})
        sub.text = "\n".join(lines) + "\n"

    def _fill_top(self, top: Module) -> None:
        first = self.tree.modules[f"{top.name}.{top.children[0]}"]
        cls = next(n for n, k in first.defs.items() if k == "class")
        second = self.tree.modules[f"{top.name}.{top.children[1]}"]
        lines = [
            f'"""The {top.name} application."""',
            "",
            f"from .{top.children[0]} import {cls}",
            f"from .{top.children[1]}.{second.children[0]} import run",
            "",
            f'default_app_config = "{top.name}.apps.Config"',
        ]
        top.attrs.update(
            {
                cls: "class",
                "run": "function",
                top.children[0]: "module",
                top.children[1]: "module",
                "default_app_config": "variable",
            }
        )
        top.defs.update({cls: "class", "run": "function"})
        top.text = "\n".join(lines) + "\n"

    # ----------------------------------------------------------------------------- URIs
    def _pools(self) -> dict[str, list[str]]:
        pools: dict[str, list[str]] = {k: [] for k in VALID_WEIGHTS}
        pools["reexport"] = []
        for name, module in self.tree.modules.items():
            if module.poison is not None:
                continue
            depth = name.count(".")
            if module.package:
                pools["package"].append(name)
                pools["reexport"] += [f"{name}.{attr}" for attr in module.defs]
                if depth == 2:
                    pools["star"] += [f"{name}.{n}" for n in module.star_exports]
                continue
            pools["module"].append(name)
            for attr, kind in module.defs.items():
                if not attr.startswith("_"):
                    pools[kind].append(f"{name}.{attr}")
        return pools

    def _hidden(self) -> list[str]:
        """Names of star-imported modules that the star does not export to the package."""
        found: list[str] = []
        for name, module in self.tree.modules.items():
            if not module.package or name.count(".") != 2:
                continue
            for child in module.children[1:3]:
                star = self.tree.modules[f"{name}.{child}"]
                for attr in star.defs:
                    if attr not in star.star_exports and attr not in module.attrs:
                        found.append(f"{name}.{attr}")
        return found

    def _typo(self, word: str) -> str:
        rng = self.rng
        for _ in range(50):
            chars = list(word)
            op = rng.randrange(4)
            i = rng.randrange(1, len(chars) - 1) if len(chars) > 2 else 0
            if op == 0 and len(chars) > 3:
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            elif op == 1 and len(chars) > 3:
                del chars[i]
            elif op == 2:
                chars.insert(i, chars[i])
            else:
                chars[i] = rng.choice("aeiourstnl")
            candidate = "".join(chars)
            if candidate != word and candidate.isidentifier():
                return candidate
        return word + "x"

    def _typo_uri(self, uri: str, segment: int) -> str | None:
        parts = uri.split(".")
        for _ in range(20):
            changed = [*parts]
            changed[segment] = self._typo(parts[segment])
            prefix = ".".join(changed[: segment + 1])
            if not self.tree.exists(prefix) and changed[segment] not in PRELUDE_NAMES:
                return ".".join(changed)
        return None

    def entries(self) -> list[Entry]:
        rng = self.rng
        total = self.size.uris
        counts = {k: max(1, round(total * share)) for k, share in BROKEN_SHARES.items()}
        if total >= 500:
            counts = {k: round(total * share) for k, share in BROKEN_SHARES.items()}
        valid_count = total - sum(counts.values())
        pools = self._pools()
        used: set[str] = set()
        entries: list[Entry] = []
        categories = list(VALID_WEIGHTS)
        weights = [VALID_WEIGHTS[c] for c in categories]
        while len(entries) < valid_count:
            category = rng.choices(categories, weights)[0]
            pool = pools[category]
            uri = rng.choice(pool)
            if uri in used:
                continue
            used.add(uri)
            kind = category
            if category == "reexport":
                kind = f"reexport_hop{4 - uri.count('.')}"
            elif category == "star":
                kind = "star_export"
            entries.append(Entry(uri, kind, True, []))
        deep = [e.uri for e in entries if e.uri.count(".") >= 2 and e.category != "package"]
        for _ in range(counts["typo_module"]):
            while True:
                base = rng.choice(deep)
                typo = self._typo_uri(base, rng.randrange(base.count(".")))
                if typo and typo not in used:
                    used.add(typo)
                    entries.append(Entry(typo, "typo_module", False, BROKEN_CODES["typo_module"]))
                    break
        for _ in range(counts["typo_attribute"]):
            while True:
                base = rng.choice(deep)
                typo = self._typo_uri(base, base.count("."))
                if typo and typo not in used:
                    used.add(typo)
                    entries.append(
                        Entry(typo, "typo_attribute", False, BROKEN_CODES["typo_attribute"])
                    )
                    break
        for index in range(counts["invalid"]):
            base = rng.choice(deep)
            parts = base.split(".")
            variant = index % 6
            if variant == 0:
                bad = ".".join([*parts[:2], "", *parts[2:]])
            elif variant == 1:
                bad = ".".join(parts[:-1]) + ":" + parts[-1]
            elif variant == 2:
                bad = base.replace("_", "-", 1) if "_" in base else base + "-v2"
            elif variant == 3:
                bad = ".".join(parts[:-1]) + ". " + parts[-1]
            elif variant == 4:
                bad = base + "."
            else:
                bad = "/".join(parts[:-1])
            used.add(bad)
            entries.append(Entry(bad, "invalid", False, BROKEN_CODES["invalid"]))
        poisoned = {
            kind: [m for m in self.tree.modules.values() if m.poison == kind]
            for kind in ("missing_import", "syntax_error")
        }
        for kind, modules in poisoned.items():
            for index in range(counts[kind]):
                module = modules[index % len(modules)]
                names = sorted(n for n in module.defs if not n.startswith("_"))
                uri = module.name if rng.random() < 0.3 else f"{module.name}.{rng.choice(names)}"
                while uri in used:
                    uri = f"{module.name}.{rng.choice(names)}"
                used.add(uri)
                entries.append(Entry(uri, kind, False, BROKEN_CODES[kind]))
        hidden = self._hidden()
        for uri in rng.sample(hidden, min(len(hidden), counts["star_hidden"])):
            used.add(uri)
            entries.append(Entry(uri, "star_hidden", False, BROKEN_CODES["star_hidden"]))
        rng.shuffle(entries)
        self._place(entries, counts["duplicate"])
        return entries

    def _place(self, entries: list[Entry], duplicates: int) -> None:
        """Assign files, groups and order; append the cross-file duplicates."""
        rng = self.rng
        n_groups = 8 if self.size.uris <= 200 else len(GROUPS)
        groups = GROUPS[:n_groups]
        toml_groups = groups[: n_groups * 2 // 3]
        settings_groups = groups[n_groups // 2 :]
        shared = [g for g in toml_groups if g in settings_groups]
        for entry in entries:
            if rng.random() < 0.55:
                entry.file, entry.group = "config/spoc.toml", rng.choice(toml_groups)
            else:
                entry.file, entry.group = "config/settings.py", rng.choice(settings_groups)
        candidates = [
            e
            for e in entries
            if e.file == "config/spoc.toml" and e.resolves and e.category != "duplicate"
        ]
        for original in rng.sample(candidates, duplicates):
            if original.group not in shared:
                original.group = rng.choice(shared)
            entries.append(
                Entry(
                    original.uri,
                    "duplicate",
                    True,
                    BROKEN_CODES["duplicate"],
                    "config/settings.py",
                    original.group,
                )
            )
        for entry in entries:
            if entry.resolves and entry.category != "duplicate" and "." in entry.uri:
                entry.edit_typo = self._typo_uri(entry.uri, entry.uri.count("."))

    # ----------------------------------------------------------------------------- config
    def render_config(self, entries: list[Entry]) -> tuple[str, str]:
        by_file: dict[str, dict[str, list[Entry]]] = {
            "config/spoc.toml": {},
            "config/settings.py": {},
        }
        for entry in entries:
            assert '"' not in entry.uri and "\\" not in entry.uri
            by_file[entry.file].setdefault(entry.group, []).append(entry)
        for groups in by_file.values():
            for items in groups.values():
                # Duplicates go after the first occurrence's file is read; within a file keep
                # the generated (shuffled) order.
                items.sort(key=lambda e: e.category == "duplicate")
        apps = self.tree.apps
        toml = [
            f"# Synthetic SPOC workspace {self.size.name!r} for the spoc-lsp benchmarks.",
            f"# Generated by bench/generate.py (seed {self.seed}); more plugins in settings.py.",
            "",
            "[spoc]",
            'mode = "production"',
            "debug = false",
            "",
            "[spoc.apps]",
            f"production = {json.dumps(apps[: len(apps) // 2])}",
            f"staging = {json.dumps(apps[len(apps) // 2 :])}",
            "",
            "[spoc.plugins]",
        ]
        for group in sorted(by_file["config/spoc.toml"], key=GROUPS.index):
            toml.append(f"{group} = [")
            for entry in by_file["config/spoc.toml"][group]:
                toml.append(f'    "{entry.uri}",')
                entry.line, entry.column = len(toml), 5
            toml += ["]", ""]
        settings = [
            f'"""Settings of the synthetic workspace {self.size.name!r} (bench/generate.py)."""',
            "",
            "from pathlib import Path",
            "",
            "BASE_DIR = Path(__file__).resolve().parent.parent",
            "",
            f"INSTALLED_APPS: list[str] = {json.dumps(apps[:3])}",
            "",
            "PLUGINS: dict[str, list[str]] = {",
        ]
        for group in sorted(by_file["config/settings.py"], key=GROUPS.index):
            settings.append(f'    "{group}": [')
            for entry in by_file["config/settings.py"][group]:
                settings.append(f'        "{entry.uri}",')
                entry.line, entry.column = len(settings), 9
            settings.append("    ],")
        settings += ["}", "", "DEBUG = False"]
        return "\n".join(toml) + "\n", "\n".join(settings) + "\n"


def _stamp(size: Size, seed: int) -> str:
    source = Path(__file__).read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    return json.dumps({"v": GENERATOR_VERSION, "size": size.name, "seed": seed, "src": digest})


def workspace_path(size: str) -> Path:
    return WORKSPACES / f"synth-{size}"


def truth_path(size: str) -> Path:
    return WORKSPACES / f"synth-{size}.truth.json"


def generate(size_name: str, seed: int = DEFAULT_SEED, force: bool = False) -> Path:
    """Write the workspace (unless an identical one is there) and return its root."""
    size = SIZES[size_name]
    root = workspace_path(size_name)
    stamp_file = root / ".bench-stamp"
    stamp = _stamp(size, seed)
    if (
        not force
        and stamp_file.is_file()
        and stamp_file.read_text() == stamp
        and truth_path(size_name).is_file()
    ):
        return root
    if root.exists():
        shutil.rmtree(root)
    gen = Generator(size, seed)
    tree = gen.build()
    entries = gen.entries()
    toml_text, settings_text = gen.render_config(entries)
    for module in tree.modules.values():
        path = root / module.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module.text, encoding="utf-8")
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config/spoc.toml").write_text(toml_text, encoding="utf-8")
    (root / "config/settings.py").write_text(settings_text, encoding="utf-8")
    venv.EnvBuilder(with_pip=False, symlinks=True, clear=True).create(root / ".venv")
    module_count = len(tree.modules)
    truth = {
        "name": f"synth-{size.name}",
        "seed": seed,
        "modules": module_count,
        "packages": sum(m.package for m in tree.modules.values()),
        "uris": len(entries),
        "unique_uris": len({e.uri for e in entries}),
        "shape": dict(
            zip(["tops", "subs", "subsubs", "modules_per_subsub"], gen.shape(), strict=True)
        ),
        "broken": [
            {"uri": e.uri, "file": e.file, "line": e.line, "category": e.category, "codes": e.codes}
            for e in entries
            if e.codes
        ],
        "entries": [
            {
                "uri": e.uri,
                "file": e.file,
                "group": e.group,
                "line": e.line,
                "column": e.column,
                "category": e.category,
                "resolves": e.resolves,
                "codes": e.codes,
                "edit_typo": e.edit_typo,
            }
            for e in sorted(entries, key=lambda e: (e.file, e.line))
        ],
    }
    truth_path(size_name).write_text(json.dumps(truth, indent=1), encoding="utf-8")
    stamp_file.write_text(stamp)
    return root


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), action="append")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    for size in args.size or sorted(SIZES):
        root = generate(size, args.seed, args.force)
        truth = json.loads(truth_path(size).read_text())
        print(
            f"{root}: {truth['modules']} modules, {truth['uris']} URIs, "
            f"{len(truth['broken'])} planted problems"
        )


if __name__ == "__main__":
    main()
