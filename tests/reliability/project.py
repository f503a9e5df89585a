"""The project the load tests edit: a small shop with modules to resolve against."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

MakeProject = Callable[[Mapping[str, str]], Path]

TOML = """\
[spoc]
mode = "development"

[spoc.plugins]
middleware = [
    "shopapp.middleware.auth.auth",
    "shopapp.midleware.cors",
]
hooks = ["shopapp.hooks.startup", "shopapp.db.Backend"]
"""

SETTINGS = """\
PLUGINS = {
    "middleware": ["shopapp.middleware.timing", "shopapp.middleware.auth.auth"],
    "database": ["shopapp.db.Backend", "shopapp.db.Missing"],
}
"""

MODULES = {
    "apps/shopapp/__init__.py": '"""The shop app."""\n',
    "apps/shopapp/middleware/__init__.py": "",
    "apps/shopapp/middleware/auth.py": "def auth(request):\n    return request\n",
    "apps/shopapp/middleware/cors.py": "def handle_cors(request):\n    return request\n",
    "apps/shopapp/middleware/timing.py": "def timing(request):\n    return request\n",
    "apps/shopapp/hooks.py": "def startup():\n    pass\n\ndef shutdown():\n    pass\n",
    "apps/shopapp/db.py": 'class Backend:\n    """A database backend."""\n',
    "apps/shopapp/broken.py": "def oops(:\n    pass\n",
    "apps/shopapp/importing.py": "import not_installed_anywhere\nvalue = 1\n",
}


def shop(make_project: MakeProject, toml: str = TOML, settings: str = SETTINGS) -> Path:
    return make_project({"config/spoc.toml": toml, "config/settings.py": settings, **MODULES})
