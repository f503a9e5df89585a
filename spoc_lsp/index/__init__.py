"""The static import resolver: decides whether a plugin URI resolves, without running code.

Entry points: ``choose_environment`` picks the project's Python (and says whether it may run),
``open_resolver`` learns its import facts once (probing it when chosen by the user, reading it
when found in the workspace) and returns a ``Resolver`` (``resolve``, ``children``,
``invalidate``).
"""

from spoc_lsp.index.interpreter import (
    InterpreterChoice,
    InterpreterError,
    InterpreterInfo,
    choose_environment,
    choose_interpreter,
    query_interpreter,
)
from spoc_lsp.index.resolver import Resolver, open_resolver
from spoc_lsp.index.search_path import SearchPath

__all__ = [
    "InterpreterChoice",
    "InterpreterError",
    "InterpreterInfo",
    "Resolver",
    "SearchPath",
    "choose_environment",
    "choose_interpreter",
    "open_resolver",
    "query_interpreter",
]
