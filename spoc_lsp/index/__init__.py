"""The static import resolver: decides whether a plugin URI resolves, without running code.

Entry points: ``choose_interpreter`` picks the project's Python, ``open_resolver`` asks it once
for its import facts and returns a ``Resolver`` (``resolve``, ``children``, ``invalidate``).
"""

from spoc_lsp.index.interpreter import (
    InterpreterError,
    InterpreterInfo,
    choose_interpreter,
    query_interpreter,
)
from spoc_lsp.index.resolver import Resolver, open_resolver
from spoc_lsp.index.search_path import SearchPath

__all__ = [
    "InterpreterError",
    "InterpreterInfo",
    "Resolver",
    "SearchPath",
    "choose_interpreter",
    "open_resolver",
    "query_interpreter",
]
