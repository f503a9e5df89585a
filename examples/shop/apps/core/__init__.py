"""Core app: users, health check, and the middleware every request goes through."""
