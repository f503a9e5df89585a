"""Catalog app."""
