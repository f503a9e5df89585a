"""Benchmarks of spoc-lsp: synthetic and real workspaces, the LSP driver, and comparisons.

``make bench`` (``python -m bench.run``) runs everything; see ``BENCHMARKS.md``.
"""
