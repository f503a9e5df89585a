"""SPOC007 facts: a module that exists but whose import will certainly fail.

Checked per executed module: a syntax error; an unconditional ``raise``; a sourceless ``.pyc``
compiled for another Python; an unconditional, uncaught absolute import whose top-level package
is nowhere on the search path (``__future__`` and built-in modules are always there). Imports
under ``if``, inside functions, or in a ``try:`` that catches ``ImportError`` are optional.

Executing a module also executes the modules of its own top-level package that it imports
unconditionally (``from .connection import X``), so their facts count too. Only top-level names
are checked for third-party code (deep existence checks of installed packages would be slow and
invite false alarms); for the project's own modules, relative imports and absolute imports of
project packages are checked in full.

An ``except ImportError:`` handler runs when its ``try`` body's import certainly fails (by the
same test: a top-level package that is not installed, or a missing project module); its imports
and its ``raise`` then count like any other (``try: import psycopg / except ImportError: import
psycopg2`` fails when neither is installed). Those facts rest on a package being absent, so like
"not installed" they are dropped after a module changed ``sys.path`` or the import hooks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from spoc_lsp.index.finder import FoundModule
from spoc_lsp.index.model import Guards, ImportProblem
from spoc_lsp.index.namespace import Namespaces
from spoc_lsp.index.search_path import SearchPath
from spoc_lsp.index.tracking import Clock, Memo, Tracker

_MAX_FOLLOWED = 400  # modules followed from one module, to bound the cost of huge packages

# (certain problems, "imports a package that is not installed" problems)
_Facts = tuple[tuple[ImportProblem, ...], tuple[ImportProblem, ...]]


class ProblemChecker:
    """``problems(module)``: the SPOC007 facts of executing one module, memoised."""

    def __init__(
        self,
        search_path: SearchPath,
        namespaces: Namespaces,
        clock: Clock,
        tracker: Tracker,
        *,
        follow_imports: bool = True,
    ) -> None:
        self._search_path = search_path
        self._namespaces = namespaces
        self._magic = search_path.interpreter.magic_number
        self._follow = follow_imports
        self._own: Memo[tuple[str, str], _Facts] = Memo(clock, tracker)
        self._all: Memo[tuple[str, str, bool], tuple[ImportProblem, ...]] = Memo(clock, tracker)

    def problems(self, module: FoundModule, after_hooks: bool = False) -> tuple[ImportProblem, ...]:
        """The facts of ``module`` and of the same-package modules it imports.

        ``after_hooks``: a module executed earlier changed ``sys.path`` or the import hooks,
        so a top-level name missing from the static path proves nothing any more.
        """
        key = (module.name, str(module.where), after_hooks)
        if not self._follow:
            return self._filtered(module, after_hooks)
        return self._all.get(key, lambda: self._with_imports(module, after_hooks))

    def _filtered(self, module: FoundModule, after_hooks: bool) -> tuple[ImportProblem, ...]:
        certain, missing = self._own_facts(module)
        summary = self._namespaces.summary(module)
        if after_hooks or (summary is not None and summary.import_hooks):
            return certain  # it may have put the "missing" package on sys.path itself
        return certain + missing

    def _own_facts(
        self, module: FoundModule
    ) -> tuple[tuple[ImportProblem, ...], tuple[ImportProblem, ...]]:
        key = (module.name, str(module.where))
        return self._own.get(key, lambda: self._problems(module))

    def _with_imports(self, start: FoundModule, after_hooks: bool) -> tuple[ImportProblem, ...]:
        """Breadth-first over the imports executed with ``start`` (cycle-safe, bounded)."""
        found: list[ImportProblem] = []
        seen = {start.name}
        queue = deque([start])
        hooks = after_hooks
        while queue and len(seen) < _MAX_FOLLOWED:
            module = queue.popleft()
            found.extend(self._filtered(module, hooks))
            summary = self._namespaces.summary(module)
            if summary is None or summary.syntax_error:
                continue
            hooks = hooks or summary.import_hooks
            guards_hold = None
            if summary.guarded_imports and not hooks:
                guards_hold = self._guards_checker(self._search_path.is_project_file(module.file))
            for name, target in self._namespaces.imports_of(module, summary, guards_hold):
                if name in seen:
                    continue
                seen.add(name)
                if target is not None:
                    queue.append(target)
        return tuple(dict.fromkeys(found))

    def _problems(self, module: FoundModule) -> _Facts:
        found: list[ImportProblem] = []
        missing: list[ImportProblem] = []
        if module.kind == "bytecode" and module.file is not None:
            problem = self._bytecode_problem(module)
            if problem is not None:
                found.append(problem)
        summary = self._namespaces.summary(module)
        if summary is None:
            return tuple(found), ()
        project = self._search_path.is_project_file(module.file)
        for own in summary.problems:
            if not own.guards:
                found.append(ImportProblem(module.name, module.file, own.message, own.line))
                continue
            failed = self._failing_guard(own.guards, project)
            if failed is not None:
                message = f"{own.message} ({failed!r} cannot be imported)"
                missing.append(
                    ImportProblem(module.name, module.file, message, own.line, conditional=True)
                )
        if summary.syntax_error:
            return tuple(found), ()
        finder = self._namespaces.finder
        not_installed: set[str] = set()  # a fallback into one of these adds nothing
        for required in summary.required_imports:
            top = required.module.split(".")[0]
            because = ""
            certain = found
            if required.guards:
                failed = self._failing_guard(required.guards, project)
                if failed is None:
                    continue
                if failed.split(".")[0] == top:
                    because = " (again, in the handler of the ImportError of its first import)"
                else:
                    because = f" (its fallback when {failed!r} cannot be imported)"
                certain = missing
            if not required.relative:
                if top == "__future__":
                    continue
                if finder.find(top) is None:
                    redundant = bool(required.guards) and top in not_installed
                    if (
                        not redundant
                        and finder.search_is_complete(None)
                        and finder.top_level_doubt(top) is None
                    ):
                        not_installed.add(top)
                        missing.append(
                            ImportProblem(
                                module.name,
                                module.file,
                                f"imports {top!r}{because}, which is not installed "
                                "(not found on the search path)",
                                required.line,
                                conditional=bool(required.guards),
                            )
                        )
                    continue
            checked = project and (required.relative or self._is_project_module(top))
            if checked and self._namespaces.module_certainly_missing(required.module):
                certain.append(
                    ImportProblem(
                        module.name,
                        module.file,
                        f"imports {required.module!r}{because}, which does not exist",
                        required.line,
                        conditional=bool(required.guards),
                    )
                )
        return tuple(found), tuple(missing)

    def _guards_checker(self, project: bool) -> Callable[[Guards], bool]:
        return lambda guards: self._failing_guard(guards, project) is not None

    def _failing_guard(self, guards: Guards, project: bool) -> str | None:
        """An import of the innermost guard that certainly fails, when every guard has one
        (the handlers certainly run); else ``None``."""
        failed: str | None = None
        for group in guards:
            failed = next((name for name in group if self._import_fails(name, project)), None)
            if failed is None:
                return None
        return failed

    def _import_fails(self, name: str, project: bool) -> bool:
        """``import name`` certainly fails: its top-level package is not installed, or (from
        a project module, into a project package) the module certainly does not exist."""
        top = name.split(".")[0]
        if top == "__future__":
            return False
        finder = self._namespaces.finder
        if finder.find(top) is None:
            return finder.search_is_complete(None) and finder.top_level_doubt(top) is None
        if project and self._is_project_module(top):
            return self._namespaces.module_certainly_missing(name)
        return False

    def _is_project_module(self, top: str) -> bool:
        module = self._namespaces.finder.find(top)
        return module is not None and self._search_path.is_project_file(module.where)

    def _bytecode_problem(self, module: FoundModule) -> ImportProblem | None:
        assert module.file is not None
        try:
            with module.file.open("rb") as handle:
                head = handle.read(len(self._magic))
        except OSError:
            return None
        if self._magic and head != self._magic:
            return ImportProblem(
                module.name,
                module.file,
                "the .pyc file was compiled for another Python version (bad magic number)",
                None,
            )
        return None
