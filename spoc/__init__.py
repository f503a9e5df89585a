"""SPOC: a small application framework whose plugins are listed as dotted import paths.

The plugin system lives in four small modules:

- :mod:`spoc.uri`: what a plugin URI is, and how it splits;
- :mod:`spoc.config`: finding, reading and validating ``spoc.toml`` and the settings module;
- :mod:`spoc.plugins`: the pure merge of both plugin sources, with provenance;
- :mod:`spoc.importer`: the import path and the resolution of a URI to an object;
- :mod:`spoc.framework`: ``Framework`` tying them together at start-up.
"""

from spoc.errors import (
    ConfigError,
    PluginImportError,
    PluginLoadError,
    PluginShapeError,
    SpocError,
    UriError,
)

__all__ = [
    "ConfigError",
    "PluginImportError",
    "PluginLoadError",
    "PluginShapeError",
    "SpocError",
    "UriError",
]
__version__ = "0.1.0"
