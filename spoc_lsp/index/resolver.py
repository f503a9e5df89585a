"""The static resolver: what ``spoc.importer.Importer.load_from_uri`` would do with a URI, decided
without importing or executing anything of the project or its environment.

The runtime rule (CONTRACT §1): for ``a.b.c`` import module ``a.b`` and take attribute ``c``;
if there is no such attribute, import ``a.b.c`` as a module. A URI with no dot is a module.
An attribute wins over a submodule of the same name.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path

from spoc.uri import split_uri, uri_problem
from spoc_lsp.index.chain import Chain, ChainWalker
from spoc_lsp.index.children import ChildLister
from spoc_lsp.index.conditions import ConditionFacts
from spoc_lsp.index.environment_facts import choice_for_path, inspect_interpreter
from spoc_lsp.index.finder import FoundModule, ModuleFinder
from spoc_lsp.index.interpreter import InterpreterChoice
from spoc_lsp.index.listing import DirectoryCache
from spoc_lsp.index.model import (
    Child,
    Definition,
    Failure,
    ImportProblem,
    Resolution,
    Status,
    Symbol,
)
from spoc_lsp.index.namespace import Found, Namespaces, Unknown, module_origin
from spoc_lsp.index.parallel import (
    MAX_PROCESSES,
    MIN_URIS,
    can_fork,
    groups,
    run_groups,
    usable_cpus,
)
from spoc_lsp.index.problems import ProblemChecker
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.store import PersistedResolutions, Store, open_store
from spoc_lsp.index.suggest import close_names
from spoc_lsp.index.summaries import SummaryCache
from spoc_lsp.index.tracking import Clock, Tracker


class Resolver:
    """Resolves plugin URIs against one project's search path.

    Everything is cached by file identity or directory mtime; ``invalidate`` starts a new cache
    generation (each file or directory is then re-checked with one ``stat`` when next needed)
    and a repeated ``resolve`` of the same URI in the same generation is a dictionary lookup.
    """

    def __init__(
        self,
        search_path: SearchPath,
        *,
        summary_limit: int = 20_000,
        memo_limit: int = 100_000,
        store: Store | None = None,
    ) -> None:
        self.search_path = search_path
        info = search_path.interpreter
        self._clock = Clock()
        self._tracker = Tracker()
        self._lock = threading.RLock()
        self._listings = DirectoryCache(self._clock, self._tracker)
        self._summaries = SummaryCache(
            ConditionFacts(info.version, info.platform, info.os_name),
            self._clock,
            self._tracker,
            summary_limit,
            store,
        )
        # Answers kept between runs (``store``): each checked against what it read.
        self._persisted = (
            PersistedResolutions(store, search_path, self._clock) if store is not None else None
        )
        self._finder = ModuleFinder(search_path, self._listings, self._clock, self._tracker)
        self._namespaces = Namespaces(self._finder, self._summaries, self._clock, self._tracker)
        self._chains = ChainWalker(self._namespaces)
        self._problems = ProblemChecker(search_path, self._namespaces, self._clock, self._tracker)
        self._children = ChildLister(
            search_path, self._namespaces, self._chains, self._clock, self._tracker
        )
        self._memo_limit = memo_limit
        self._memo: OrderedDict[str, tuple[int, Resolution]] = OrderedDict()
        # What each URI's last answer read; kept across invalidate() for affected().
        self._deps: OrderedDict[str, frozenset[str]] = OrderedDict()

    # --- public API -----------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """The cache generation: it moves whenever files may have changed (``refresh``)."""
        return self._clock.value

    def resolve(self, uri: str) -> Resolution:
        """What ``uri`` resolves to, why it does not, or why that cannot be told.

        An invalid URI (see ``spoc.uri.uri_problem``) is UNRESOLVED with ``reason`` set and no
        ``failure``: its syntax is reported elsewhere (SPOC003).
        """
        cached = self._memo.get(uri)
        if cached is not None and cached[0] == self._clock.value:
            return cached[1]
        with self._lock:
            generation = self._clock.value
            stored = self._persisted.get(uri, Resolution) if self._persisted else None
            if stored is not None:
                resolution, paths = stored
            else:
                started_ns = time.time_ns()
                self._tracker.start()
                try:
                    resolution = self._resolve(uri)
                finally:
                    paths = self._tracker.stop()
                if self._persisted is not None:
                    self._persisted.put(uri, resolution, paths, started_ns)
            self._remember(uri, generation, resolution, paths)
            self._trim()
            return resolution

    def prefetch(self, uris: Iterable[str], processes: int | None = None) -> None:
        """Resolve ``uris`` ahead of the ``resolve`` calls that will ask for them, on several
        cores when that is safe and worth it (see ``parallel``); the later calls are memo
        hits. ``processes`` defaults to the usable CPUs. Answers are the same either way."""
        with self._lock:
            generation = self._clock.value
            pending = [
                uri
                for uri in dict.fromkeys(uris)
                if (cached := self._memo.get(uri)) is None or cached[0] != generation
            ]
            # Stored answers first: reading one is cheaper than handing it back from a
            # worker, so a warm start forks nothing, and a partly warm one only for the rest.
            if self._persisted is not None:
                unanswered = []
                for uri in pending:
                    stored = self._persisted.get(uri, Resolution)
                    if stored is None:
                        unanswered.append(uri)
                    else:
                        self._remember(uri, generation, *stored)
                pending = unanswered
            count = min(usable_cpus() if processes is None else processes, MAX_PROCESSES)
            if count < 2 or len(pending) < MIN_URIS or not can_fork():
                return  # resolved one by one when asked, as always
            self._summaries.flush()  # a forked worker must not write the parent's buffer again
            results = run_groups(
                self._resolve_share, groups(pending, count), count, self._summaries.flush
            )
            if self._clock.value != generation:
                return
            for uri, resolution, paths in results:
                self._remember(uri, generation, resolution, paths)
            self._trim()

    def _remember(
        self, uri: str, generation: int, resolution: Resolution, paths: frozenset[str]
    ) -> None:
        self._memo[uri] = (generation, resolution)
        self._deps[uri] = paths
        self._deps.move_to_end(uri)

    def _trim(self) -> None:
        """Forget the oldest answers beyond ``memo_limit``."""
        while len(self._memo) > self._memo_limit:
            self._memo.popitem(last=False)
        while len(self._deps) > self._memo_limit:
            self._deps.popitem(last=False)

    def _resolve_share(self, uris: list[str]) -> list[tuple[str, Resolution, frozenset[str]]]:
        done: list[tuple[str, Resolution, frozenset[str]]] = []
        for uri in uris:
            try:
                done.append((uri, self.resolve(uri), self._deps.get(uri, frozenset())))
            except Exception:  # asked again by the caller, which handles failures
                continue
        return done

    def children(self, module: str | None) -> list[Child]:
        """Completion candidates: top-level modules (``None``), or a module's submodules and
        top-level names. Project entries are marked and sorted first."""
        with self._lock:
            return self._children.children(module)

    def invalidate(self, paths: Iterable[Path]) -> None:
        """Forget what was read from ``paths`` (changed, created or deleted files and
        directories) and re-validate everything else lazily."""
        with self._lock:
            for path in paths:
                text = str(path)
                self._listings.forget(text)
                self._summaries.forget(text)
            self.refresh()

    def refresh(self) -> None:
        """Start a new cache generation: every cached fact is re-checked before reuse."""
        with self._lock:
            self._clock.tick()
            self._memo.clear()

    def depends_on(self, uri: str) -> frozenset[Path]:
        """The files and directories the answer for ``uri`` was computed from."""
        self.resolve(uri)
        return frozenset(Path(path) for path in self._deps.get(uri, ()))

    def affected(self, uris: Iterable[str], paths: Iterable[Path]) -> set[str]:
        """Which of ``uris`` read any of ``paths`` (or their directories) when last resolved;
        URIs never resolved count as affected. Works before or after ``invalidate``."""
        paths = [Path(path) for path in paths]
        changed = {str(path) for path in paths}
        changed |= {str(path.parent) for path in paths}
        # A file created in a new directory (a new package, a rebuilt venv) also changes the
        # listing of a directory further up: the first one that existed, which now shows a new
        # name. URIs that read that directory and have a segment of that name are affected.
        listed: dict[str, set[str]] = {}  # new name -> directories that now list it
        for path in paths:
            for ancestor in list(path.parents)[1:]:
                name = path.relative_to(ancestor).parts[0].split(".")[0]
                listed.setdefault(name, set()).add(str(ancestor))
        affected = set()
        for uri in uris:
            deps = self._deps.get(uri)
            if (
                deps is None
                or deps & changed
                or any(deps & listed.get(segment, set()) for segment in uri.split("."))
            ):
                affected.add(uri)
        return affected

    def cached_summaries(self) -> int:
        """How many module summaries are held (bounded by ``summary_limit``)."""
        return len(self._summaries)

    # --- resolution -----------------------------------------------------------------------

    def _resolve(self, uri: str) -> Resolution:
        problem = uri_problem(uri)
        if problem is not None:
            return Resolution(uri, Status.UNRESOLVED, reason=problem.message)
        module_name, attribute = split_uri(uri)
        if module_name is None:
            return self._module_uri(uri)
        chain = self._chains.walk(module_name)
        if chain.failure is not None or chain.unknown is not None:
            return self._chain_failed(uri, chain, is_module_part=True)
        module = chain.modules[-1]
        problems = self._chain_problems(chain.modules)
        definitions = self._definitions(chain.modules)
        lookup = self._namespaces.lookup(module, attribute)
        if isinstance(lookup, Found):
            origin = self._namespaces.origin(lookup)
            if origin.module is not None and origin.module.name == uri:
                problems += self._problems.problems(origin.module)
            symbol = Symbol(uri, origin.kind, origin.definition, details=origin.details)
            return Resolution(
                uri,
                Status.RESOLVED,
                symbol=symbol,
                import_problems=_unique(problems),
                segment_definitions=(*definitions, origin.definition),
            )
        # No such attribute: the runtime imports ``uri`` as a submodule.
        sub_chain = self._chains.walk(uri)
        if sub_chain.failure is None and sub_chain.unknown is None:
            return self._module_resolution(uri, sub_chain.modules, problems)
        if isinstance(lookup, Unknown):
            seen, _complete = self._namespaces.attribute_names(module)
            summary = self._namespaces.attribute_summary(module)
            if summary is not None:  # a rebuilt module's own bindings were seen too
                seen |= set(summary.bindings)
            if module.is_package:
                seen |= self._finder.submodule_names(module)
            unseen = attribute not in seen
            return Resolution(
                uri,
                Status.UNVERIFIABLE,
                reason=lookup.reason,
                import_problems=_unique(problems),
                segment_definitions=definitions,
                unseen_in=module.name if unseen else None,
                unseen_suggestions=close_names(attribute, (n for n in seen if not _is_dunder(n)))
                if unseen
                else (),
            )
        if sub_chain.unknown is not None:
            return self._unverifiable(uri, sub_chain.unknown, problems, definitions)
        failure = sub_chain.failure
        assert failure is not None
        if failure.uncertain is not None:
            reason = f"cannot tell whether {uri!r} exists: {failure.uncertain}"
            return self._unverifiable(uri, reason, problems, definitions)
        names, _complete = self._namespaces.attribute_names(module)
        if module.is_package:
            names |= self._finder.submodule_names(module)
        message = f"module {module.name!r} has no attribute or submodule {attribute!r}"
        evidence = self._namespaces.compiled_evidence(module)
        if evidence is not None:
            what = "stub" if evidence.suffix == ".pyi" else "pure-Python twin"
            message += f" (a compiled module, read through its {what} {evidence.name!r})"
        return Resolution(
            uri,
            Status.UNRESOLVED,
            failure=Failure(
                "SPOC002",
                len(chain.modules),
                attribute,
                module.name,
                message,
                close_names(attribute, (n for n in names if not _is_dunder(n))),
            ),
            import_problems=_unique(problems),
            segment_definitions=definitions,
        )

    def _module_uri(self, uri: str) -> Resolution:
        chain = self._chains.walk(uri)
        if chain.failure is not None or chain.unknown is not None:
            return self._chain_failed(uri, chain, is_module_part=False)
        return self._module_resolution(uri, chain.modules, ())

    def _module_resolution(
        self,
        uri: str,
        modules: tuple[FoundModule, ...],
        problems: tuple[ImportProblem, ...],
    ) -> Resolution:
        module = modules[-1]
        origin = module_origin(module, self._namespaces.summary(module))
        problems = problems + self._chain_problems(modules)
        return Resolution(
            uri,
            Status.RESOLVED,
            symbol=Symbol(uri, "module", origin.definition, details=origin.details),
            import_problems=_unique(problems),
            segment_definitions=self._definitions(modules),
        )

    def _chain_failed(self, uri: str, chain: Chain, *, is_module_part: bool) -> Resolution:
        problems = self._chain_problems(chain.modules)
        definitions = self._definitions(chain.modules)
        if chain.unknown is not None:
            return self._unverifiable(uri, chain.unknown, problems, definitions)
        failure = chain.failure
        assert failure is not None
        segments = uri.split(".")
        fullname = ".".join(segments[: failure.segment + 1])
        if failure.uncertain is not None:
            reason = f"cannot tell whether module {fullname!r} exists: {failure.uncertain}"
            return self._unverifiable(uri, reason, problems, definitions)
        parent = failure.parent
        if parent is None:
            message = f"no module named {failure.missing!r}"
            candidates = self._children.top_level_names()
        elif failure.not_a_package:
            message = f"no module named {fullname!r}: {parent.name!r} is a module, not a package"
            candidates = set()
        else:
            message = (
                f"no module named {fullname!r}: package {parent.name!r} has no submodule "
                f"{failure.missing!r}"
            )
            candidates = self._finder.submodule_names(parent)
        if (
            parent is not None
            and is_module_part
            and isinstance(self._namespaces.lookup(parent, failure.missing), Found)
        ):
            message += (
                f" ({parent.name!r} has an attribute {failure.missing!r}, but every part "
                "of a URI before the last must be a module)"
            )
        return Resolution(
            uri,
            Status.UNRESOLVED,
            failure=Failure(
                "SPOC001",
                failure.segment,
                failure.missing,
                parent.name if parent is not None else None,
                message,
                close_names(failure.missing, candidates),
            ),
            import_problems=_unique(problems),
            segment_definitions=definitions,
        )

    def _unverifiable(
        self,
        uri: str,
        reason: str,
        problems: tuple[ImportProblem, ...],
        definitions: tuple[Definition | None, ...],
    ) -> Resolution:
        return Resolution(
            uri,
            Status.UNVERIFIABLE,
            reason=reason,
            import_problems=_unique(problems),
            segment_definitions=definitions,
        )

    def _chain_problems(self, modules: Iterable[FoundModule]) -> tuple[ImportProblem, ...]:
        """Facts of each module executed in turn (a module that changes sys.path makes later
        "not installed" facts unprovable)."""
        found: list[ImportProblem] = []
        hooks = False
        for module in modules:
            found.extend(self._problems.problems(module, hooks))
            summary = self._namespaces.summary(module)
            hooks = hooks or (summary is not None and summary.import_hooks)
        return tuple(found)

    @staticmethod
    def _definitions(modules: Iterable[FoundModule]) -> tuple[Definition | None, ...]:
        return tuple(
            Definition(module.where, 0, 0) if module.where is not None else None
            for module in modules
        )


def open_resolver(
    root: Path,
    python: Path | InterpreterChoice,
    extra_paths: Iterable[str | Path] = (),
    environ: Mapping[str, str] | None = None,
    workspace: Iterable[Path] = (),
    *,
    cache: bool = True,
) -> Resolver:
    """A resolver for the project at ``root`` run by interpreter ``python`` (asked once; an
    interpreter inside the project or ``workspace`` is read from its files, never run), with
    the persistent cache (``store``) unless ``cache`` is false."""
    choice = python if isinstance(python, InterpreterChoice) else choice_for_path(root, python)
    info = inspect_interpreter(choice, root, environ, cwd=root, workspace=workspace)
    store = open_store(root, environ, enabled=cache)
    return Resolver(SearchPath.build(root, info, extra_paths), store=store)


def _unique(problems: Iterable[ImportProblem]) -> tuple[ImportProblem, ...]:
    return tuple(dict.fromkeys(problems))


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")
