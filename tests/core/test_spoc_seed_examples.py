"""The plugin-system documentation's examples, run against ``spoc``.

Each test writes the documented files into a throwaway project (plugin modules copied from the
documentation; only third-party services such as ``psycopg2`` and ``redis`` are replaced by
tiny stand-ins written next to them) and runs the documented calls.
"""

# The documentation's code is copied as it is, long lines included.
# ruff: noqa: E501

from __future__ import annotations

import logging
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pytest

from spoc.framework import Framework, Schema

MakeProject = Callable[[Mapping[str, str]], Path]


@dataclass
class FakeUser:
    permissions: set[str] = field(default_factory=set)

    def has_permission(self, name: str) -> bool:
        return name in self.permissions


@dataclass
class FakeRequest:
    """Just what the documented middleware reads from a request."""

    method: str = "GET"
    path: str = "/api/items"
    headers: dict[str, str] = field(default_factory=dict)
    remote_addr: str = "203.0.113.7"
    user: FakeUser = field(default_factory=FakeUser)


def start(root: Path, monkeypatch: pytest.MonkeyPatch) -> Framework:
    """Start the framework the way the documentation does: from the project directory."""
    monkeypatch.chdir(root)
    schema = Schema(modules=["models", "views"])
    return Framework(base_dir=Path("."), schema=schema)


def empty_packages(*names: str) -> dict[str, str]:
    return {f"{name.replace('.', '/')}/__init__.py": "" for name in names}


# --- Configuration Merging --------------------------------------------------------------------

MERGING_PROJECT = {
    "config/spoc.toml": """
        [spoc.plugins]
        middleware = ["myapp.middleware.cors"]
        hooks = ["myapp.hooks.startup"]
        """,
    "config/settings.py": """
        PLUGINS: dict = {
            "middleware": ["myapp.middleware.auth"],
            "database": ["db.backends.postgres"],
        }
        """,
    **empty_packages("myapp", "myapp.middleware", "db", "db.backends"),
    "myapp/middleware/cors.py": '"""CORS middleware."""\n',
    "myapp/middleware/auth.py": '"""Auth middleware."""\n',
    "myapp/hooks.py": "def startup():\n    return 'started'\n",
    "db/backends/postgres.py": '"""PostgreSQL backend."""\n',
}


def test_configuration_merging_gives_the_documented_dict(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = start(make_project(MERGING_PROJECT), monkeypatch)

    documented = {
        "middleware": [
            "myapp.middleware.cors",  # From TOML
            "myapp.middleware.auth",  # From settings.py
        ],
        "hooks": [
            "myapp.hooks.startup",  # From TOML
        ],
        "database": [
            "db.backends.postgres",  # From settings.py
        ],
    }
    assert framework.plan.as_dict() == documented
    assert list(framework.plan.as_dict()) == list(documented)
    assert {group: list(loaded) for group, loaded in framework.plugins.items()} == documented
    assert list(framework.plugins) == list(documented)


def test_configuration_merging_loads_modules_and_functions(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = start(make_project(MERGING_PROJECT), monkeypatch)

    cors = framework.plugins["middleware"]["myapp.middleware.cors"]
    assert isinstance(cors, ModuleType)
    assert cors.__name__ == "myapp.middleware.cors"
    assert framework.plugins["hooks"]["myapp.hooks.startup"]() == "started"
    assert framework.plugins["database"]["db.backends.postgres"].__doc__ == "PostgreSQL backend."
    sources = [(entry.uri, entry.provenance.source) for entry in framework.plan.entries()]
    assert sources == [
        ("myapp.middleware.cors", "toml"),
        ("myapp.middleware.auth", "settings"),
        ("myapp.hooks.startup", "toml"),
        ("db.backends.postgres", "settings"),
    ]


# --- TOML + Python configuration, Basic Access, Iterating, Using Plugin Data -----------------

FULL_TOML = """
    [spoc]
    mode = "development"
    debug = true

    # Plugin groups organized by function
    [spoc.plugins]
    # Middleware plugins (request/response processing)
    middleware = [
        "myapp.middleware.auth",
        "myapp.middleware.logging",
        "myapp.middleware.cors"
    ]

    # Lifecycle hooks
    hooks = [
        "myapp.hooks.startup",
        "myapp.hooks.shutdown"
    ]

    # Database backends
    database = [
        "db.backends.postgresql",
        "db.backends.redis"
    ]

    # Cache backends
    cache = [
        "cache.backends.memory",
        "cache.backends.redis"
    ]

    # Custom plugin groups
    validators = [
        "myapp.validators.email",
        "myapp.validators.phone"
    ]
    """

FULL_SETTINGS = '''
    """Application Settings"""

    from pathlib import Path

    BASE_DIR: Path = Path(__file__).resolve().parent.parent

    # Apps
    INSTALLED_APPS: list = [
        "core",
        "auth",
        "api",
    ]

    # Plugins organized by group
    PLUGINS: dict = {
        "middleware": [
            "core.middleware.request_id",
            "core.middleware.timing",
            "auth.middleware.authentication",
        ],

        "hooks": [
            "core.hooks.database_connect",
            "core.hooks.cache_warmup",
        ],

        "database": [
            "db.backends.sqlite3",
        ],

        "validators": [
            "core.validators.required",
            "core.validators.email",
        ],
    }

    # Other settings...
    DEBUG = True
    '''


def recording_functions(module: str, *names: str) -> str:
    """Source of a module whose zero-argument functions record their calls in ``calls.CALLS``."""
    lines = ["import calls", ""]
    for name in names:
        lines += [f"def {name}():", f"    calls.CALLS.append('{module}.{name}')", ""]
    return "\n".join(lines)


def backend_classes(module: str, *names: str) -> str:
    """Source of a module of backend classes (lower-case names, as the URIs spell them)."""
    lines = []
    for name in names:
        lines += [
            f"class {name}:",
            "    def connect(self):",
            f"        return 'connected:{module}.{name}'",
            "",
        ]
    return "\n".join(lines)


FULL_PROJECT = {
    "config/spoc.toml": FULL_TOML,
    "config/settings.py": FULL_SETTINGS,
    "calls.py": "CALLS: list = []\n",
    **empty_packages("myapp", "core", "auth", "api", "db", "cache"),
    "myapp/middleware.py": recording_functions("myapp.middleware", "auth", "logging", "cors"),
    "myapp/hooks.py": recording_functions("myapp.hooks", "startup", "shutdown"),
    "myapp/validators.py": recording_functions("myapp.validators", "email", "phone"),
    "core/middleware.py": recording_functions("core.middleware", "request_id", "timing"),
    "core/hooks.py": recording_functions("core.hooks", "database_connect", "cache_warmup"),
    "core/validators.py": recording_functions("core.validators", "required", "email"),
    "auth/middleware.py": recording_functions("auth.middleware", "authentication"),
    "db/backends.py": backend_classes("db.backends", "postgresql", "redis", "sqlite3"),
    "cache/backends.py": backend_classes("cache.backends", "memory", "redis"),
    "core/models.py": "MODELS = ['core']\n",
    "api/views.py": "VIEWS = ['api']\n",
}

FULL_MERGED = {
    "middleware": [
        "myapp.middleware.auth",
        "myapp.middleware.logging",
        "myapp.middleware.cors",
        "core.middleware.request_id",
        "core.middleware.timing",
        "auth.middleware.authentication",
    ],
    "hooks": [
        "myapp.hooks.startup",
        "myapp.hooks.shutdown",
        "core.hooks.database_connect",
        "core.hooks.cache_warmup",
    ],
    "database": ["db.backends.postgresql", "db.backends.redis", "db.backends.sqlite3"],
    "cache": ["cache.backends.memory", "cache.backends.redis"],
    "validators": [
        "myapp.validators.email",
        "myapp.validators.phone",
        "core.validators.required",
        "core.validators.email",
    ],
}


@pytest.fixture
def full_framework(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> Framework:
    return start(make_project(FULL_PROJECT), monkeypatch)


def calls_so_far() -> list[str]:
    import calls  # the project's recorder, importable once the framework has set up sys.path

    return list(calls.CALLS)


def test_toml_and_python_configuration_merge_and_load(full_framework: Framework) -> None:
    assert full_framework.plan.as_dict() == FULL_MERGED
    assert list(full_framework.plugins) == list(FULL_MERGED)
    for group, uris in FULL_MERGED.items():
        assert list(full_framework.plugins[group]) == uris
    assert full_framework.config.project["debug"] is True
    assert full_framework.config.settings.DEBUG is True
    assert full_framework.installed_apps == ["core", "auth", "api"]
    assert set(full_framework.components["models"]) == {"core"}
    assert set(full_framework.components["views"]) == {"api"}


def test_basic_access(full_framework: Framework, capsys: pytest.CaptureFixture[str]) -> None:
    framework = full_framework

    # Access plugin groups
    middleware_plugins = framework.plugins.get("middleware", {})
    hook_plugins = framework.plugins.get("hooks", {})
    database_plugins = framework.plugins.get("database", {})

    # Plugins are stored as OrderedDict[uri, loaded_object]
    for uri, plugin_obj in middleware_plugins.items():
        print(f"Plugin: {uri} -> {plugin_obj}")

    printed = capsys.readouterr().out.splitlines()
    assert [line.split(" -> ")[0] for line in printed] == [
        f"Plugin: {uri}" for uri in FULL_MERGED["middleware"]
    ]
    assert list(hook_plugins) == FULL_MERGED["hooks"]
    assert list(database_plugins) == FULL_MERGED["database"]
    assert framework.plugins.get("no-such-group", {}) == {}


def test_iterating_plugins_by_group(
    full_framework: Framework, capsys: pytest.CaptureFixture[str]
) -> None:
    framework = full_framework
    backends = []

    # Get all middleware plugins
    if "middleware" in framework.plugins:
        for uri, middleware_func in framework.plugins["middleware"].items():
            print(f"Loaded middleware: {uri}")
            # Use the middleware function
            middleware_func()

    # Get all database backends
    if "database" in framework.plugins:
        for uri, backend_class in framework.plugins["database"].items():
            print(f"Database backend: {uri}")
            # Instantiate the backend
            backend = backend_class()
            backends.append(backend)

    assert calls_so_far() == FULL_MERGED["middleware"]
    assert [backend.connect() for backend in backends] == [
        f"connected:{uri}" for uri in FULL_MERGED["database"]
    ]
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Loaded middleware: myapp.middleware.auth"
    assert printed[-1] == "Database backend: db.backends.sqlite3"


# The two functions of "Using Plugin Data", as documented.
def execute_startup_hooks(framework):  # type: ignore[no-untyped-def]
    """Run all registered startup hooks."""
    if "hooks" not in framework.plugins:
        return

    for uri, hook_func in framework.plugins["hooks"].items():
        try:
            print(f"Executing startup hook: {uri}")
            hook_func()
        except Exception as e:
            print(f"Hook {uri} failed: {e}")


def initialize_databases(framework):  # type: ignore[no-untyped-def]
    """Initialize all database backends."""
    if "database" not in framework.plugins:
        return

    connections = {}
    for uri, backend_class in framework.plugins["database"].items():
        backend = backend_class()
        connections[uri] = backend.connect()

    return connections


def test_using_plugin_data(full_framework: Framework) -> None:
    execute_startup_hooks(full_framework)
    assert calls_so_far() == FULL_MERGED["hooks"]
    assert initialize_databases(full_framework) == {
        uri: f"connected:{uri}" for uri in FULL_MERGED["database"]
    }


PLUGIN_LOADER = '''
    """Dynamic plugin loader."""

    from pathlib import Path
    import importlib
    from typing import Any, Dict, List

    class PluginLoader:
        """Load plugins dynamically from configuration."""

        def __init__(self, framework):
            self.framework = framework
            self.loaded_plugins: Dict[str, Any] = {}

        def load_plugin(self, uri: str) -> Any:
            """Load a single plugin from URI."""
            if uri in self.loaded_plugins:
                return self.loaded_plugins[uri]

            # Use framework's importer
            plugin = self.framework.importer.load_from_uri(uri)
            self.loaded_plugins[uri] = plugin
            return plugin

        def load_group(self, group: str) -> List[Any]:
            """Load all plugins in a group."""
            plugins = []

            if group in self.framework.plugins:
                for uri, plugin_obj in self.framework.plugins[group].items():
                    plugins.append(plugin_obj)

            return plugins
    '''


def test_dynamic_plugin_loader_uses_the_framework_importer(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({**FULL_PROJECT, "myapp/plugins/loader.py": PLUGIN_LOADER})
    framework = start(root, monkeypatch)
    from myapp.plugins.loader import PluginLoader  # type: ignore[import-not-found]

    loader = PluginLoader(framework)
    timing = loader.load_plugin("core.middleware.timing")
    assert timing is framework.plugins["middleware"]["core.middleware.timing"]
    assert loader.load_plugin("core.middleware.timing") is timing
    assert loader.load_group("cache") == list(framework.plugins["cache"].values())
    assert loader.load_group("missing") == []


# --- Simple Function Plugin -------------------------------------------------------------------

LOGGING_MIDDLEWARE = '''
    """Logging middleware plugin."""

    import logging
    from datetime import datetime

    logger = logging.getLogger(__name__)

    def log_request(request):
        """Log incoming requests."""
        timestamp = datetime.now().isoformat()
        logger.info(f"[{timestamp}] {request.method} {request.path}")
        return request
    '''


def test_simple_function_plugin(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = make_project(
        {
            "config/spoc.toml": """
                [spoc.plugins]
                middleware = ["myapp.middleware.logging.log_request"]
                """,
            **empty_packages("myapp", "myapp.middleware"),
            "myapp/middleware/logging.py": LOGGING_MIDDLEWARE,
        }
    )
    framework = start(root, monkeypatch)

    log_request = framework.plugins["middleware"]["myapp.middleware.logging.log_request"]
    assert isinstance(log_request, FunctionType)
    request = FakeRequest(method="POST", path="/orders")
    with caplog.at_level(logging.INFO, logger="myapp.middleware.logging"):
        assert log_request(request) is request
    [record] = caplog.records
    assert record.name == "myapp.middleware.logging"
    assert record.getMessage().endswith("] POST /orders")


# --- Class-Based Plugin -----------------------------------------------------------------------

POSTGRES_BACKEND = '''
    """PostgreSQL database plugin."""

    import psycopg2
    from typing import Any, Dict

    class PostgreSQLBackend:
        """PostgreSQL database backend."""

        def __init__(self):
            self.connection = None
            self.config = {}

        def configure(self, **kwargs):
            """Configure the backend."""
            self.config = kwargs
            return self

        def connect(self):
            """Establish database connection."""
            self.connection = psycopg2.connect(**self.config)
            return self.connection

        def disconnect(self):
            """Close database connection."""
            if self.connection:
                self.connection.close()
                self.connection = None

        def execute(self, query: str) -> Any:
            """Execute a query."""
            cursor = self.connection.cursor()
            cursor.execute(query)
            return cursor.fetchall()
    '''

PSYCOPG2_STANDIN = '''
    """Stand-in for psycopg2: records what it is asked and answers one canned row."""

    class _Cursor:
        def execute(self, query):
            self.query = query

        def fetchall(self):
            return [("alice", "alice@example.com")]

    class _Connection:
        def __init__(self, **params):
            self.params = params
            self.closed = False

        def cursor(self):
            return _Cursor()

        def close(self):
            self.closed = True

    def connect(**params):
        return _Connection(**params)
    '''


def test_class_based_plugin(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(
        {
            "config/spoc.toml": """
                [spoc.plugins]
                database = ["myapp.database.postgres.PostgreSQLBackend"]
                """,
            "psycopg2.py": PSYCOPG2_STANDIN,
            **empty_packages("myapp", "myapp.database"),
            "myapp/database/postgres.py": POSTGRES_BACKEND,
        }
    )
    framework = start(root, monkeypatch)

    # Access the backend class
    backend_class = framework.plugins["database"]["myapp.database.postgres.PostgreSQLBackend"]

    # Instantiate and configure
    backend = backend_class()
    backend.configure(host="localhost", database="myapp", user="postgres", password="secret")

    # Connect and use
    connection = backend.connect()
    results = backend.execute("SELECT * FROM users")

    assert isinstance(backend_class, type)
    assert backend_class.__name__ == "PostgreSQLBackend"
    assert connection.params == {
        "host": "localhost",
        "database": "myapp",
        "user": "postgres",
        "password": "secret",
    }
    assert results == [("alice", "alice@example.com")]
    backend.disconnect()
    assert connection.closed
    assert backend.connection is None


# --- Plugin with Configuration ----------------------------------------------------------------

REDIS_BACKEND = '''
    """Redis cache backend plugin."""

    import redis
    from typing import Any, Optional

    class RedisCacheBackend:
        """Redis-based cache backend."""

        def __init__(self, framework=None):
            """
            Initialize Redis backend.

            Args:
                framework: Optional framework instance for config access
            """
            self.framework = framework
            self.client = None

            # Load config from framework if available
            if framework:
                redis_config = framework.config.settings.REDIS_CONFIG
                self.configure(**redis_config)

        def configure(self, host="localhost", port=6379, db=0, **kwargs):
            """Configure Redis connection."""
            self.client = redis.Redis(
                host=host,
                port=port,
                db=db,
                decode_responses=True,
                **kwargs
            )

        def get(self, key: str) -> Optional[str]:
            """Get value from cache."""
            return self.client.get(key)

        def set(self, key: str, value: str, ttl: int = 3600):
            """Set value in cache."""
            self.client.setex(key, ttl, value)

        def delete(self, key: str):
            """Delete key from cache."""
            self.client.delete(key)
    '''

REDIS_STANDIN = '''
    """Stand-in for redis: a dict that remembers how it was configured."""

    class Redis:
        def __init__(self, **options):
            self.options = options
            self.data = {}
            self.ttls = {}

        def get(self, key):
            return self.data.get(key)

        def setex(self, key, ttl, value):
            self.data[key] = value
            self.ttls[key] = ttl

        def delete(self, key):
            self.data.pop(key, None)
    '''


def test_plugin_with_configuration(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {
            "config/settings.py": """
                # Redis configuration
                REDIS_CONFIG = {
                    "host": "localhost",
                    "port": 6379,
                    "db": 0,
                    "max_connections": 10,
                }

                PLUGINS = {
                    "cache": ["myapp.cache.redis_backend.RedisCacheBackend"],
                }
                """,
            "redis.py": REDIS_STANDIN,
            **empty_packages("myapp", "myapp.cache"),
            "myapp/cache/redis_backend.py": REDIS_BACKEND,
        }
    )
    framework = start(root, monkeypatch)

    backend_class = framework.plugins["cache"]["myapp.cache.redis_backend.RedisCacheBackend"]
    cache = backend_class(framework)
    assert cache.client.options == {
        "host": "localhost",
        "port": 6379,
        "db": 0,
        "decode_responses": True,
        "max_connections": 10,
    }
    cache.set("greeting", "hello", ttl=60)
    assert cache.get("greeting") == "hello"
    assert cache.client.ttls == {"greeting": 60}
    cache.delete("greeting")
    assert cache.get("greeting") is None


# --- Plugin Factory Pattern -------------------------------------------------------------------

VALIDATOR_FACTORIES = '''
    """Validator plugins using factory pattern."""

    from typing import Callable, Any
    import re

    def create_email_validator(domain_whitelist=None) -> Callable:
        """
        Create an email validator with optional domain whitelist.

        Args:
            domain_whitelist: List of allowed domains (e.g., ['example.com'])

        Returns:
            Validator function
        """
        email_pattern = re.compile(r'^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$')

        def validate_email(email: str) -> bool:
            """Validate email address."""
            if not email_pattern.match(email):
                return False

            if domain_whitelist:
                domain = email.split('@')[1]
                return domain in domain_whitelist

            return True

        return validate_email

    def create_phone_validator(country_code="+1") -> Callable:
        """
        Create a phone number validator for a specific country.

        Args:
            country_code: Country code prefix

        Returns:
            Validator function
        """
        def validate_phone(phone: str) -> bool:
            """Validate phone number."""
            if not phone.startswith(country_code):
                return False

            # Remove country code and check length
            number = phone[len(country_code):].replace("-", "").replace(" ", "")
            return number.isdigit() and len(number) == 10

        return validate_phone
    '''


def test_plugin_factory_pattern(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(
        {
            "config/spoc.toml": """
                [spoc.plugins]
                validator_factories = [
                    "myapp.plugins.validators.create_email_validator",
                    "myapp.plugins.validators.create_phone_validator",
                ]
                """,
            **empty_packages("myapp", "myapp.plugins"),
            "myapp/plugins/validators.py": VALIDATOR_FACTORIES,
        }
    )
    framework = start(root, monkeypatch)

    # In your application code
    from myapp.plugins.validators import (  # type: ignore[import-not-found]
        create_email_validator,
        create_phone_validator,
    )

    # Create configured validators
    email_validator = create_email_validator(domain_whitelist=["company.com"])
    phone_validator = create_phone_validator(country_code="+1")

    assert email_validator("user@company.com") is True
    assert email_validator("user@other.com") is False
    assert email_validator("not an address") is False
    assert phone_validator("+1-555-123-4567") is True
    assert phone_validator("+44 20 7946 0958") is False

    factories = framework.plugins["validator_factories"]
    assert list(factories.values()) == [create_email_validator, create_phone_validator]


# --- Module-Level Plugins (package __init__ re-exports) and the Plugin Registry Pattern -------

MIDDLEWARE_INIT = '''
    """Middleware plugins."""

    from .auth import authenticate
    from .logging import log_request
    from .cors import handle_cors

    # Export all middleware
    __all__ = ["authenticate", "log_request", "handle_cors"]
    '''

REGISTRY = '''
    """Plugin registry system."""

    from typing import Dict, List, Any, Callable

    class PluginRegistry:
        """Central registry for plugins."""

        def __init__(self):
            self._plugins: Dict[str, List[Any]] = {}

        def register(self, group: str):
            """Decorator to register a plugin."""
            def decorator(plugin_obj):
                if group not in self._plugins:
                    self._plugins[group] = []
                self._plugins[group].append(plugin_obj)
                return plugin_obj
            return decorator

        def get_plugins(self, group: str) -> List[Any]:
            """Get all plugins in a group."""
            return self._plugins.get(group, [])

        def execute_all(self, group: str, *args, **kwargs):
            """Execute all plugins in a group."""
            results = []
            for plugin in self.get_plugins(group):
                if callable(plugin):
                    results.append(plugin(*args, **kwargs))
            return results

    # Global registry instance
    registry = PluginRegistry()
    '''

AUTH_MIDDLEWARE = '''
    """Authentication middleware."""

    from myapp.plugins.registry import registry

    @registry.register("middleware")
    def authenticate(request):
        """Authenticate incoming requests."""
        # Authentication logic
        token = request.headers.get("Authorization")
        if not token:
            raise ValueError("Missing authentication token")
        return request

    @registry.register("middleware")
    def authorize(request):
        """Check user permissions."""
        # Authorization logic
        user = request.user
        if not user.has_permission("access_api"):
            raise PermissionError("User lacks required permissions")
        return request
    '''

CORS_MIDDLEWARE = '''
    """CORS middleware (not shown in the documentation; any function will do)."""

    def handle_cors(request):
        request.headers.setdefault("Access-Control-Allow-Origin", "*")
        return request
    '''

REEXPORT_PROJECT = {
    "config/spoc.toml": """
        [spoc.plugins]
        middleware = [
            "myapp.middleware.authenticate",
            "myapp.middleware.log_request",
            "myapp.middleware.handle_cors",
        ]
        """,
    "config/settings.py": """
        PLUGINS = {"registries": ["myapp.plugins.registry.registry"]}
        """,
    **empty_packages("myapp", "myapp.plugins"),
    "myapp/plugins/registry.py": REGISTRY,
    "myapp/middleware/__init__.py": MIDDLEWARE_INIT,
    "myapp/middleware/auth.py": AUTH_MIDDLEWARE,
    "myapp/middleware/logging.py": LOGGING_MIDDLEWARE,
    "myapp/middleware/cors.py": CORS_MIDDLEWARE,
}


def test_module_level_plugins_reexported_by_the_package(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = start(make_project(REEXPORT_PROJECT), monkeypatch)

    middleware = framework.plugins["middleware"]
    assert list(middleware) == [
        "myapp.middleware.authenticate",
        "myapp.middleware.log_request",
        "myapp.middleware.handle_cors",
    ]
    defined_in = [function.__module__ for function in middleware.values()]
    assert defined_in == [
        "myapp.middleware.auth",
        "myapp.middleware.logging",
        "myapp.middleware.cors",
    ]
    request = FakeRequest(headers={"Authorization": "Bearer t"})
    for function in middleware.values():
        request = function(request)
    assert request.headers["Access-Control-Allow-Origin"] == "*"


def test_plugin_registry_pattern(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = start(make_project(REEXPORT_PROJECT), monkeypatch)

    registry: Any = framework.plugins["registries"]["myapp.plugins.registry.registry"]
    assert type(registry).__name__ == "PluginRegistry"
    from myapp.plugins.registry import registry as imported  # type: ignore[import-not-found]

    assert registry is imported

    # Get all middleware plugins
    middleware_plugins = registry.get_plugins("middleware")
    assert [plugin.__name__ for plugin in middleware_plugins] == ["authenticate", "authorize"]
    assert middleware_plugins[0] is framework.plugins["middleware"]["myapp.middleware.authenticate"]

    # Execute all middleware on a request
    request = FakeRequest(headers={"Authorization": "Bearer t"}, user=FakeUser({"access_api"}))
    for middleware in middleware_plugins:
        request = middleware(request)
    assert request.user.permissions == {"access_api"}

    with pytest.raises(ValueError, match="Missing authentication token"):
        registry.execute_all("middleware", FakeRequest())
    with pytest.raises(PermissionError):
        registry.execute_all("middleware", FakeRequest(headers={"Authorization": "Bearer t"}))


# --- Complete Plugin Example: rate limiting ---------------------------------------------------

RATE_LIMITER = '''
    """Rate limiting plugin for API requests."""

    from datetime import datetime, timedelta
    from typing import Dict, Optional
    import hashlib

    class RateLimiter:
        """Rate limiting plugin."""

        def __init__(self):
            self.limits: Dict[str, dict] = {}
            self.max_requests = 100
            self.window_seconds = 3600

        def configure(self, max_requests=100, window_seconds=3600):
            """Configure rate limits."""
            self.max_requests = max_requests
            self.window_seconds = window_seconds
            return self

        def get_client_key(self, request) -> str:
            """Generate unique key for client."""
            # Use IP address or API key
            client_id = request.headers.get("X-API-Key") or request.remote_addr
            return hashlib.sha256(client_id.encode()).hexdigest()

        def is_allowed(self, request) -> bool:
            """Check if request is allowed."""
            key = self.get_client_key(request)
            now = datetime.now()

            # Initialize tracking for new clients
            if key not in self.limits:
                self.limits[key] = {
                    "count": 0,
                    "window_start": now,
                }

            # Reset window if expired
            window_start = self.limits[key]["window_start"]
            if now - window_start > timedelta(seconds=self.window_seconds):
                self.limits[key] = {
                    "count": 0,
                    "window_start": now,
                }

            # Check limit
            if self.limits[key]["count"] >= self.max_requests:
                return False

            # Increment counter
            self.limits[key]["count"] += 1
            return True

        def get_limit_info(self, request) -> dict:
            """Get current limit information for client."""
            key = self.get_client_key(request)

            if key not in self.limits:
                return {
                    "remaining": self.max_requests,
                    "limit": self.max_requests,
                    "reset": int((datetime.now() + timedelta(seconds=self.window_seconds)).timestamp()),
                }

            return {
                "remaining": max(0, self.max_requests - self.limits[key]["count"]),
                "limit": self.max_requests,
                "reset": int((self.limits[key]["window_start"] + timedelta(seconds=self.window_seconds)).timestamp()),
            }
    '''

RATE_LIMIT_SETTINGS = """
    # Rate limiting configuration
    RATE_LIMIT_CONFIG = {
        "max_requests": 3,
        "window_seconds": 3600,
    }

    PLUGINS = {
        "middleware": ["myapp.plugins.rate_limiter.RateLimiter"],
    }
    """

MAIN = '''
    """Main application with rate limiting."""

    from pathlib import Path
    from spoc.framework import Framework, Schema

    # Initialize framework
    schema = Schema(modules=["models", "views"])
    framework = Framework(base_dir=Path("."), schema=schema)

    # Get rate limiter plugin
    rate_limiter_class = framework.plugins["middleware"]["myapp.plugins.rate_limiter.RateLimiter"]
    rate_limiter = rate_limiter_class()

    # Configure from settings
    config = framework.config.settings.RATE_LIMIT_CONFIG
    rate_limiter.configure(**config)

    # Use in request handling
    def handle_request(request):
        """Handle an API request with rate limiting."""

        # Check rate limit
        if not rate_limiter.is_allowed(request):
            limit_info = rate_limiter.get_limit_info(request)
            return {
                "error": "Rate limit exceeded",
                "limit": limit_info["limit"],
                "reset": limit_info["reset"],
            }, 429

        # Add rate limit headers to response
        limit_info = rate_limiter.get_limit_info(request)
        response_headers = {
            "X-RateLimit-Limit": str(limit_info["limit"]),
            "X-RateLimit-Remaining": str(limit_info["remaining"]),
            "X-RateLimit-Reset": str(limit_info["reset"]),
        }

        # Process request normally
        result = process_api_request(request)

        return result, 200, response_headers

    def process_api_request(request):
        """Process the actual API request."""
        return {"status": "success", "data": {}}
    '''


def test_complete_rate_limiter_example(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {
            "config/settings.py": RATE_LIMIT_SETTINGS,
            **empty_packages("myapp", "myapp.plugins"),
            "myapp/plugins/rate_limiter.py": RATE_LIMITER,
            "main.py": MAIN,
        }
    )
    monkeypatch.chdir(root)
    app: dict[str, Any] = runpy.run_path(str(root / "main.py"))
    handle_request = app["handle_request"]
    assert isinstance(app["rate_limiter"], app["rate_limiter_class"])
    assert app["rate_limiter"].max_requests == 3

    client = FakeRequest(headers={"X-API-Key": "key-1"})
    for remaining in (2, 1, 0):
        result, status, headers = handle_request(client)
        assert status == 200
        assert result == {"status": "success", "data": {}}
        assert headers["X-RateLimit-Limit"] == "3"
        assert headers["X-RateLimit-Remaining"] == str(remaining)

    body, status = handle_request(client)
    assert status == 429
    assert body["error"] == "Rate limit exceeded"
    assert body["limit"] == 3
    assert isinstance(body["reset"], int)

    # Another client (no API key: keyed by address) has its own window.
    other = FakeRequest(remote_addr="198.51.100.1")
    assert handle_request(other)[1] == 200
