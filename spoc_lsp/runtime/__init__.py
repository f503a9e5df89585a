"""The opt-in runtime check: really import each plugin, in a subprocess of the project's Python.

- :mod:`spoc_lsp.runtime.agent`: the script run by the project's interpreter (stdlib only);
- :mod:`spoc_lsp.runtime.probe`: :func:`probe_uris` (and ``probe_uris_async``) driving it;
- :mod:`spoc_lsp.runtime.diagnostics`: SPOC008 diagnostics from the results.
"""

from spoc_lsp.runtime.diagnostics import probe_targets, runtime_diagnostics
from spoc_lsp.runtime.probe import ProbeResult, probe_uris, probe_uris_async

__all__ = [
    "ProbeResult",
    "probe_targets",
    "probe_uris",
    "probe_uris_async",
    "runtime_diagnostics",
]
