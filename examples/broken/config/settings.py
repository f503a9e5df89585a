"""Settings of the broken example: see EXPECTED.md for the mistakes planted here."""

from pathlib import Path

BASE_DIR: Path = Path(__file__).resolve().parent.parent

INSTALLED_APPS: list[str] = [
    "core",
]

PLUGINS = {
    "middleware": [
        "core.middleware.timing.TimingMidleware",
        "core.middleware.cors.CorsMiddleware",
    ],
    "notifications": [
        "orders.notifications.send_receipt",
    ],
    "audit": "core.hooks.log_event",
    "storage": [
        "core.storage.MemoryStorage",
    ],
}

DEBUG = True
