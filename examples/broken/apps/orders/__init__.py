"""Orders app."""
