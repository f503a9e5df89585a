"""Core app."""
