"""Orders app: orders, payment gateways and order events."""
