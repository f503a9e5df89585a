"""Catalog app: products, their cache and their search index.

This package deliberately imports none of its submodules: ``catalog.search`` is loaded only
because it is configured as a plugin.
"""
