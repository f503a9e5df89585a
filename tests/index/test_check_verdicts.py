"""The diagnostics ``analyze`` derives from the resolver's answers on dynamic modules, compared
with real imports of the same files (#14 items 6, 8, 9): SPOC010 only for an unseen name,
SPOC007 an error when certain and a warning when conditional, suggestions that resolve."""

from __future__ import annotations

from pathlib import Path

from spoc_index_testlib import current_python, real_imports, write_tree

from spoc.importer import project_search_roots
from spoc_lsp.analysis.analyze import analyze
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath

FILES = {
    "apps/core/__init__.py": "",
    "apps/core/hooks.py": "def on_shutdown(): ...\ndef on_startup(): ...\n",
    "apps/dyn/__init__.py": "",
    "apps/dyn/opaque.py": (
        "import sys\nKNOWN = 1\ndef __getattr__(name):\n    return getattr(sys, name)\n"
    ),
    "apps/dyn/broken.py": "import not_installed_zz\ndef task(): ...\n",
    "apps/dyn/fallback.py": (
        "try:\n    import not_installed_zz\nexcept ImportError:\n"
        "    import also_missing_zz\ndef task(): ...\n"
    ),
    "apps/dyn/near.py": "def handler(): ...\ndef handlers_bad(): ...\n",
    "apps/dyn/sub/__init__.py": "import not_installed_zz\n",
}
URIS = [
    "core.hooks.on shutdown",  # SPOC003: repaired as core.hooks.on_shutdown, which exists
    "core.hooks.on shutdwn",  # SPOC003: no repair resolves, so none is offered
    "dyn.opaque.KNOWN",  # seen statically: nothing
    "dyn.opaque.version",  # unverifiable and unseen: SPOC010, 'version' resolves for real
    "dyn.opaque.Knwon",  # unverifiable and unseen: SPOC010 suggesting 'KNOWN'
    "dyn.broken.task",  # SPOC007 error: unconditional import of a missing package
    "dyn.fallback.task",  # SPOC007 warning: only the fallback import fails
    "dyn.nera.handler",  # SPOC001 suggesting 'near': dyn.near.handler resolves
    "dyn.nera.nothing",  # SPOC001 without a suggestion: dyn.near.nothing does not resolve
]


def _analysis(root: Path, info: InterpreterInfo) -> dict[str, list[tuple[str, str, str]]]:
    toml = "[spoc.plugins]\ng = [" + ", ".join(f'"{uri}"' for uri in URIS) + "]\n"
    write_tree(root, {**FILES, "config/spoc.toml": toml})
    resolver = Resolver(SearchPath.build(root, info))
    analysis = analyze(take_snapshot(root), resolver)
    found: dict[str, list[tuple[str, str, str]]] = {uri: [] for uri in URIS}
    for diagnostic in analysis.all_diagnostics():
        if diagnostic.uri is not None:
            found[diagnostic.uri].append((diagnostic.code, diagnostic.severity, diagnostic.message))
    return found


def test_diagnostics_agree_with_real_imports(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path
) -> None:
    found = _analysis(tmp_path, interpreter_info)
    valid = [uri for uri in URIS if " " not in uri]
    real = real_imports(current_python(), project_search_roots(tmp_path.resolve()), valid, spoc_dir)
    for uri in valid:  # a URI that imports is never an error
        if real[uri].ok:
            assert all(severity != "error" for _c, severity, _m in found[uri]), (uri, found[uri])
        else:
            assert found[uri], (uri, real[uri])

    (repaired,) = found["core.hooks.on shutdown"]
    assert repaired[0] == "SPOC003" and repaired[2].endswith(
        "did you mean 'core.hooks.on_shutdown'?"
    )
    (unrepaired,) = found["core.hooks.on shutdwn"]
    assert unrepaired[0] == "SPOC003" and "did you mean" not in unrepaired[2]

    assert found["dyn.opaque.KNOWN"] == []
    (info,) = found["dyn.opaque.version"]
    assert info[:2] == ("SPOC010", "information")
    assert "defines __getattr__ (line 3)" in info[2]
    assert "'version' is not among the names seen in 'dyn.opaque'" in info[2]
    (typo,) = found["dyn.opaque.Knwon"]
    assert typo[0] == "SPOC010" and typo[2].endswith("did you mean 'KNOWN'?")

    assert [(c, s) for c, s, _m in found["dyn.broken.task"]] == [("SPOC007", "error")]
    assert [(c, s) for c, s, _m in found["dyn.fallback.task"]] == [("SPOC007", "warning")]
    assert not real["dyn.broken.task"].ok and not real["dyn.fallback.task"].ok

    (near,) = found["dyn.nera.handler"]
    assert near[0] == "SPOC001" and near[2].endswith("did you mean 'near'?")
    (nothing,) = found["dyn.nera.nothing"]
    assert nothing[0] == "SPOC001" and "did you mean" not in nothing[2]
