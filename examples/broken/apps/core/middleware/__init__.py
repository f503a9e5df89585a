"""Middleware of the core app."""
