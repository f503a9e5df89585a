"""Settings of the example shop.

``PLUGINS`` is merged with ``[spoc.plugins]`` in ``config/spoc.toml``: the TOML groups come
first, and a group listed in both (``middleware``) gets the TOML entries, then these.
"""

from pathlib import Path

BASE_DIR: Path = Path(__file__).resolve().parent.parent

# Apps installed in every mode; spoc.toml's [spoc.apps] adds more per mode.
INSTALLED_APPS: list[str] = [
    "core",
]

PLUGINS: dict[str, list[str]] = {
    # Shared with spoc.toml: runs after the TOML middleware.
    "middleware": [
        "core.middleware.timing.TimingMiddleware",
    ],
    # Only configured here.
    "payments": [
        "orders.payments.CardGateway",
    ],
    "events": [
        "orders.events.registry",
    ],
}

# Plugin configuration, read by the application when it sets the plugins up.
PAYMENT_CONFIG: dict[str, str] = {
    "currency": "EUR",
    "statement_descriptor": "SPOC SHOP",
}

DEBUG = True
