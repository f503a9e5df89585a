"""Development-only tools; installed only in development mode (see [spoc.apps])."""
