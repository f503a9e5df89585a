"""The opt-in runtime check: really import each plugin, in a subprocess of the project's Python.

- :mod:`spoc_lsp.runtime.agent`: the script run by the project's interpreter (stdlib only);
- :mod:`spoc_lsp.runtime.runner`: :func:`probe_uris` (and ``probe_uris_async``) driving it, a
  deadline per plugin; :mod:`spoc_lsp.runtime.agent_process` its pipes and process group;
- :mod:`spoc_lsp.runtime.results`: :class:`ProbeResult`, what one import did;
- :mod:`spoc_lsp.runtime.diagnostics`: SPOC008 diagnostics from the results, and the runtime's
  verdict made final over the static one (:func:`runtime_verdict`).
"""

from spoc_lsp.runtime.diagnostics import probe_targets, runtime_diagnostics, runtime_verdict
from spoc_lsp.runtime.results import ProbeResult
from spoc_lsp.runtime.runner import probe_uris, probe_uris_async

__all__ = [
    "ProbeResult",
    "probe_targets",
    "probe_uris",
    "probe_uris_async",
    "runtime_diagnostics",
    "runtime_verdict",
]
