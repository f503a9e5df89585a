"""Module ``__getattr__`` decided where its body decides it (#14 item 4), against real imports."""

from __future__ import annotations

from pathlib import Path

from dynamic_cases import verdicts

from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status

FILES = {
    "apps/lazy/__init__.py": "",
    # A chain of == tests that return, then raise.
    "apps/lazy/chain.py": (
        "import warnings\n"
        "def __getattr__(name):\n"
        "    if name == 'Old':\n"
        "        warnings.warn('deprecated', DeprecationWarning)\n"
        "        return 1\n"
        "    if name in ('A', 'B'):\n"
        "        return 2\n"
        "    raise AttributeError(name)\n"
    ),
    # Keys of a module-level literal dict, through .get() ... is None.
    "apps/lazy/table.py": (
        "_lazy = {'Model': 'm', 'Field': 'f'}\n"
        "def __getattr__(name):\n"
        "    target = _lazy.get(name)\n"
        "    if target is None:\n"
        "        raise AttributeError(name)\n"
        "    return target\n"
    ),
    # A factory in another module, with formatted keys.
    "apps/lazy/helpers.py": (
        "MOVED = {'lazy.made:Moved': 'x', 'other:Gone': 'y'}\n"
        "def make(module):\n"
        "    def wrapper(name):\n"
        "        key = f'{module}:{name}'\n"
        "        if key in MOVED:\n"
        "            return MOVED[key]\n"
        "        raise AttributeError(name)\n"
        "    return wrapper\n"
    ),
    "apps/lazy/made.py": ("from .helpers import make\nREAL = 1\n__getattr__ = make(__name__)\n"),
    # Negated test: anything but the listed names raises.
    "apps/lazy/negated.py": (
        "def __getattr__(name):\n"
        "    if name not in ('__version__',):\n"
        "        raise AttributeError(name)\n"
        "    return '1.0'\n"
    ),
    # Undecidable: the table is changed at runtime.
    "apps/lazy/mutated.py": (
        "_names = {'A': 1}\n"
        "_names['B'] = 2\n"
        "def __getattr__(name):\n"
        "    if name in _names:\n"
        "        return _names[name]\n"
        "    raise AttributeError(name)\n"
    ),
    # Undecidable: falls back to something computed.
    "apps/lazy/computed.py": ("def __getattr__(name):\n    return name.upper()\n"),
}


def test_decidable_getattr_agrees_with_real_imports(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path
) -> None:
    accepted = ["lazy.chain.Old", "lazy.chain.A", "lazy.chain.B", "lazy.table.Model"]
    accepted += ["lazy.made.Moved", "lazy.made.REAL", "lazy.negated.__version__"]
    rejected = ["lazy.chain.C", "lazy.chain.old", "lazy.table.Modle", "lazy.made.Gone"]
    rejected += ["lazy.negated.version"]
    undecidable = ["lazy.mutated.C", "lazy.computed.anything"]
    uris = accepted + rejected + undecidable + ["lazy.mutated.B"]
    result = verdicts(tmp_path, FILES, uris, interpreter_info, spoc_dir)
    result.agree()
    for uri in accepted:
        assert result.real[uri].ok, uri
        assert result.static[uri].status is Status.RESOLVED, (uri, result.static[uri])
    for uri in rejected:
        assert not result.real[uri].ok, uri
        resolution = result.static[uri]
        assert resolution.status is Status.UNRESOLVED, (uri, resolution)
        assert resolution.failure is not None and resolution.failure.code == "SPOC002"
    for uri in undecidable:
        assert result.static[uri].status is Status.UNVERIFIABLE, uri
    assert result.static["lazy.chain.old"].failure is not None
    assert result.static["lazy.chain.old"].failure.suggestions[0] == "Old"
    assert result.static["lazy.table.Modle"].failure is not None
    assert "Model" in result.static["lazy.table.Modle"].failure.suggestions


def test_accepted_names_are_marked_and_listed(
    tmp_path: Path, interpreter_info: InterpreterInfo, spoc_dir: Path
) -> None:
    result = verdicts(tmp_path, FILES, ["lazy.table.Field"], interpreter_info, spoc_dir)
    symbol = result.static["lazy.table.Field"].symbol
    assert symbol is not None
    assert symbol.doc == "provided by __getattr__ at line 2"
    assert symbol.definition is not None and symbol.definition.line == 1
    children = {child.name: child for child in result.resolver.children("lazy.table")}
    assert children["Field"].detail == "provided by __getattr__ at line 2"
    assert "Model" in children and "_lazy" in children
