"""Plugin interfaces checked statically (SPOC011): each plugin of a group that ``[spoc.interfaces]``
declares, read from source (``index.shapes``) and judged by ``spoc.interfaces`` — the rules the
runtime applies, so both say the same sentence. Where the source does not settle it, nothing is
said (unverifiable): so too when another project module may set on the plugin what it lacks
(``index.attribute_writes``). An interface value that does not resolve is SPOC001/002/003.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from spoc.interfaces import (
    KINDS,
    Interface,
    Shape,
    failure_message,
    interface_value_problem,
    is_kind,
    kind_problem,
    members_at_stake,
    problems,
)
from spoc.plugins import PluginEntry, PluginPlan
from spoc.uri import uri_problem
from spoc_lsp.analysis.entry_diagnostics import safe_resolve
from spoc_lsp.analysis.interface_fixes import stub_fix
from spoc_lsp.analysis.model import Diagnostic, Fix, Resolving
from spoc_lsp.analysis.rules import rule
from spoc_lsp.index.attribute_writes import AttributeWrites
from spoc_lsp.index.model import Definition, Resolution, Status
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.shapes import ReadClass, ShapeReader, Unverifiable
from spoc_lsp.syntax.model import InterfaceEntry, ParsedConfig, Span


@dataclass(frozen=True)
class InterfaceVerdict:
    """What the static check says of one plugin entry against its group's interface."""

    group: str
    value: str  # the ``[spoc.interfaces]`` value: a kind or a class URI
    interface: str  # its display name: the kind, or the class's qualified name
    problems: tuple[str, ...] = ()  # empty: it satisfies it (when ``unverifiable`` is None)
    unverifiable: str | None = None  # why it cannot be told
    definition: Definition | None = None  # of the interface class (0-based line)

    @property
    def satisfied(self) -> bool:
        return self.unverifiable is None and not self.problems


@dataclass(frozen=True)
class InterfaceCheck:
    """Everything the interface check found: diagnostics per file, verdicts per entry, and
    the files it read (editing one of them re-checks)."""

    diagnostics: Mapping[Path, tuple[Diagnostic, ...]]
    verdicts: Mapping[PluginEntry, InterfaceVerdict]
    files: frozenset[Path]


EMPTY = InterfaceCheck({}, {}, frozenset())


def check_interfaces(
    parsed: Mapping[Path, ParsedConfig],
    plan: PluginPlan,
    resolutions: Mapping[str, Resolution],
    resolver: Resolving,
    overlays: Mapping[Path, str],
) -> InterfaceCheck:
    """SPOC011 (and SPOC001-003 on interface values) for every declared group."""
    declared = [(path, entry) for path, config in parsed.items() for entry in config.interfaces]
    if not declared:
        return EMPTY
    search_path = getattr(resolver, "search_path", None)
    if search_path is None:  # a resolver that cannot say where modules come from
        return EMPTY
    reader = ShapeReader(lambda uri: safe_resolve(resolver, uri), search_path, overlays)
    writes = AttributeWrites(search_path, overlays, getattr(resolver, "generation", None))
    spans = {
        entry: (path, span)
        for path, config in parsed.items()
        for entry, span in config.entry_spans.items()
    }
    diagnostics: dict[Path, list[Diagnostic]] = {}
    verdicts: dict[PluginEntry, InterfaceVerdict] = {}
    seen_groups: set[str] = set()
    for path, declaration in declared:
        if declaration.group in seen_groups:
            continue
        seen_groups.add(declaration.group)
        value_problem, interface, definition = _interface_of(declaration, resolver, reader)
        if value_problem is not None:
            diagnostics.setdefault(path, []).append(_diagnostic(path, declaration, *value_problem))
            continue
        name = interface.name if isinstance(interface, Interface) else declaration.value
        for entry in plan.group(declaration.group):
            resolution = resolutions.get(entry.uri) or safe_resolve(resolver, entry.uri)
            verdict, shape = _verdict(
                entry, declaration, interface, name, definition, resolution, reader, writes
            )
            verdicts[entry] = verdict
            where = spans.get(entry)
            if not verdict.problems or verdict.unverifiable is not None or where is None:
                continue
            fixes: tuple[Fix, ...] = ()
            if isinstance(interface, Interface) and isinstance(shape, Shape):
                fix = _stub_fix(declaration, interface, shape, resolution, reader, search_path)
                fixes = () if fix is None else (fix,)
            message = failure_message(entry.uri, name, declaration.group, verdict.problems)
            diagnostics.setdefault(where[0], []).append(
                Diagnostic(
                    where[0],
                    where[1],
                    rule("SPOC011").severity,
                    "SPOC011",
                    message,
                    uri=entry.uri,
                    group=entry.group,
                    source=entry.provenance.source,
                    fixes=fixes,
                )
            )
    return InterfaceCheck(
        {path: tuple(items) for path, items in diagnostics.items()},
        verdicts,
        frozenset(reader.files_read | writes.files_read),
    )


def _interface_of(
    declaration: InterfaceEntry, resolver: Resolving, reader: ShapeReader
) -> tuple[tuple[str, str] | None, Interface | Unverifiable | None, Definition | None]:
    """The declared interface (``None`` for a kind), or the (code, message) of why the value
    cannot serve."""
    value = declaration.value
    if is_kind(value):
        return None, None, None
    problem = uri_problem(value)
    if problem is not None:
        message = f"invalid interface {value!r}: {problem.message}"
        close = difflib.get_close_matches(value, KINDS, n=1) if "." not in value else []
        if close:
            message += f"; did you mean {close[0]!r}?"
        return ("SPOC003", message), None, None
    resolution = safe_resolve(resolver, value)
    if resolution.status is Status.UNRESOLVED and resolution.failure is not None:
        message = resolution.failure.message
        close = difflib.get_close_matches(value, KINDS, n=1) if "." not in value else []
        if close:
            message += f"; did you mean {close[0]!r}?"
        return (resolution.failure.code, message), None, None
    if resolution.status is not Status.RESOLVED or resolution.symbol is None:
        return None, Unverifiable(resolution.reason or "it cannot be resolved"), None
    kind = resolution.symbol.kind
    if kind in ("module", "function"):
        found = interface_value_problem(value, kind)
        if found is not None:
            return ("SPOC011", f"{found} (group {declaration.group!r})"), None, None
    definition = resolution.symbol.definition
    if kind != "class":
        return None, Unverifiable(f"{value!r} may not be a class"), definition
    return None, reader.interface(resolution), definition


def _verdict(
    entry: PluginEntry,
    declaration: InterfaceEntry,
    interface: Interface | Unverifiable | None,
    name: str,
    definition: Definition | None,
    resolution: Resolution,
    reader: ShapeReader,
    writes: AttributeWrites,
) -> tuple[InterfaceVerdict, Shape | None]:
    def verdict(found: tuple[str, ...] = (), unverifiable: str | None = None) -> InterfaceVerdict:
        return InterfaceVerdict(
            entry.group, declaration.value, name, found, unverifiable, definition
        )

    if isinstance(interface, Unverifiable):
        return verdict(unverifiable=f"the interface cannot be read: {interface.reason}"), None
    if uri_problem(entry.uri) is not None:
        return verdict(unverifiable="the plugin URI is invalid"), None
    if resolution.status is not Status.RESOLVED or resolution.import_problems:
        return verdict(unverifiable="the plugin does not resolve for certain"), None
    shape = reader.kind_shape(resolution) if interface is None else reader.shape(resolution)
    if isinstance(shape, Unverifiable):
        return verdict(unverifiable=shape.reason), None
    if interface is None:
        problem = kind_problem(declaration.value, shape)
        found: tuple[str, ...] = () if problem is None else (problem,)
    else:
        found = problems(interface, shape)
    at_stake = _at_stake(declaration.value, interface, shape) if found else frozenset()
    if at_stake:  # another module may set them on the plugin before the runtime reads it
        elsewhere = writes.first(reader.written_objects(resolution), at_stake, reader.resolve)
        if elsewhere is not None:
            return verdict(unverifiable=elsewhere), shape
    return verdict(found), shape


def _at_stake(kind: str, interface: Interface | None, shape: Shape) -> frozenset[str]:
    """The names of a failing class, instance or module plugin that, bound otherwise on it by
    another module before the runtime checks it, could change the verdict."""
    if shape.kind == "function":
        return frozenset()
    if interface is None:  # only an instance's kind can change: it becomes callable
        callable_instance = kind == "callable" and shape.kind == "instance"
        return frozenset({"__call__"}) if callable_instance else frozenset()
    names = set(members_at_stake(interface, shape))
    if any(member.name not in shape.members for member in interface.members):
        names |= {"__getattr__", "__getattribute__"}  # missing names are then not told
        if shape.kind == "instance":
            names |= {"__init__", "__new__"}  # what the instance is made with
    return frozenset(names)


def _stub_fix(
    declaration: InterfaceEntry,
    interface: Interface,
    shape: Shape,
    resolution: Resolution,
    reader: ShapeReader,
    search_path: SearchPath,
) -> Fix | None:
    """Stubs for the methods a project plugin class lacks (SPOC011's quick fix)."""
    if shape.kind != "class" or not shape.complete:
        return None
    missing = sorted(m.name for m in interface.members if m.name not in shape.members)
    if not missing:
        return None
    plugin = reader.read_class(resolution)
    declared = reader.read_class(reader.resolve(declaration.value))
    if not isinstance(plugin, ReadClass) or not isinstance(declared, ReadClass):
        return None
    if not search_path.is_project_file(plugin.file):
        return None
    return stub_fix(plugin, declared, missing, reader.overlays)


def _diagnostic(path: Path, declaration: InterfaceEntry, code: str, message: str) -> Diagnostic:
    span: Span = declaration.site.span
    return Diagnostic(
        path, span, rule(code).severity, code, message, group=declaration.group, source="toml"
    )


def all_items(check: InterfaceCheck) -> Iterator[Diagnostic]:
    for items in check.diagnostics.values():
        yield from items
