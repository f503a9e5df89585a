"""A project (and an extra path) exercising every import rule the resolver models.

Each case names a URI, the static answer expected, and whether a real import can be compared
(stand-ins such as an empty ``.so`` file cannot be imported for real).
"""

from __future__ import annotations

import importlib.machinery
import py_compile
from dataclasses import dataclass
from pathlib import Path

from spoc_index_testlib import write_tree

EXT = importlib.machinery.EXTENSION_SUFFIXES[0]  # e.g. .cpython-311-x86_64-linux-gnu.so

PROJECT_FILES: dict[str, str | bytes] = {
    "app/__init__.py": '''"""The app package.

Second paragraph.
"""
from .views import index
from . import helpers as h
from .sidefx_source import produced
VALUE = 1
''',
    "app/views.py": '''
class Base:
    pass

class View(Base):
    """A view."""

def index(request, *, strict=False) -> str:
    """Show the index.

    Details here.
    """
    return "x"

def _private():
    pass
''',
    "app/helpers.py": "def helper():\n    pass\n",
    "app/sidefx_source.py": "produced = 1\n",
    "app/sub/__init__.py": "",
    "app/sub/leaf.py": "def leaf():\n    pass\n",
    "app/lazy.py": (
        "def __getattr__(name):\n    if name == 'made_up':\n        return 1\n"
        "    raise AttributeError(name)\n"
    ),
    "app/typed.py": """from typing import TYPE_CHECKING
import sys
if TYPE_CHECKING:
    from collections import OrderedDict as OnlyTyping
else:
    RuntimeName = 1
if sys.version_info < (3, 0):
    def py2_only():
        pass
else:
    def py3_only():
        pass
if sys.platform == "definitely-not-a-platform":
    odd_platform = 1
PY3 = sys.version_info[0] == 3
if not PY3:
    never = 1
temporary = 1
del temporary
declared: int
annotated: int = 3
if (walrus := 3):
    pass
for loop_var in range(2):
    inner_loop = loop_var
with open(__file__) as handle:
    in_with = 1
counter = 0
counter += 1
(ua, *ub), uc = [1, 2], 3
match 1:
    case captured:
        in_case = captured
try:
    import json as maybe_json
except ImportError:
    maybe_json = None
try:
    import not_installed_zz_pkg
    after_missing = 1
except ImportError:
    pass
def make_global():
    global late_global
    late_global = 1
""",
    "app/stars.py": "from app.views import *\n",
    "app/with_all.py": "__all__ = ['a']\n__all__ += ['b']\na = 1\nb = 2\nc = 3\n",
    "app/stars_all.py": "from app.with_all import *\n",
    "app/cycle_a.py": "__all__ = ['x']\nx = 1\nfrom app.cycle_b import *\n",
    "app/cycle_b.py": "__all__ = ['y']\ny = 2\nfrom app.cycle_a import *\n",
    "app/dyn_globals.py": "globals()['made'] = 1\n",
    "app/swapper.py": "import sys, types\nsys.modules[__name__] = types.SimpleNamespace(z=1)\n",
    "app/broken.py": "def ok():\n    pass\ndef broken(:\n",
    "app/needs_missing.py": "import not_installed_zz_pkg\ndef f():\n    pass\n",
    "app/optional.py": (
        "try:\n    import not_installed_zz_pkg\nexcept ImportError:\n"
        "    not_installed_zz_pkg = None\nif False:\n    import other_missing_zz\n"
        "def f():\n    import also_missing_zz\n"
    ),
    "app/raises.py": "raise RuntimeError('no')\n",
    # An ``except ImportError:`` handler runs when its try's import is missing: what it does
    # then counts (BENCHMARKS finding 5: Django's psycopg/psycopg2 and oracledb/cx_Oracle).
    "app/fb_both_missing.py": (
        "try:\n    import not_installed_zz_pkg\nexcept ImportError:\n"
        "    import other_missing_zz\ndef f():\n    pass\n"
    ),
    "app/fb_second_found.py": (
        "try:\n    import not_installed_zz_pkg as j\nexcept ImportError:\n"
        "    import json as j\ndef f():\n    pass\n"
    ),
    "app/fb_first_found.py": (
        "try:\n    import json\nexcept ImportError:\n    import not_installed_zz_pkg\n"
        "def f():\n    pass\n"
    ),
    "app/fb_nested_psycopg.py": (
        "try:\n    try:\n        import not_installed_zz_pkg as db\n    except ImportError:\n"
        "        import other_missing_zz as db\nexcept ImportError:\n"
        "    raise RuntimeError('no driver')\ndef f():\n    pass\n"
    ),
    "app/fb_nested_oracle.py": (
        "try:\n    import not_installed_zz_pkg\nexcept ImportError as e:\n    try:\n"
        "        import other_missing_zz\n    except ImportError:\n"
        "        raise RuntimeError(f'no driver: {e}')\ndef f():\n    pass\n"
    ),
    "app/fb_handler_raises.py": (
        "try:\n    import not_installed_zz_pkg\nexcept ImportError:\n    x = 1\n"
        "    raise RuntimeError('needed')\ndef f():\n    pass\n"
    ),
    "app/fb_handler_raises_found.py": (
        "try:\n    import json\nexcept ImportError:\n    raise RuntimeError('needed')\n"
        "def f():\n    pass\n"
    ),
    "app/fb_more_handlers.py": (
        "try:\n    import not_installed_zz_pkg\nexcept ImportError:\n"
        "    import other_missing_zz\nexcept Exception:\n    pass\ndef f():\n    pass\n"
    ),
    "app/fb_other_handler_first.py": (
        "try:\n    import not_installed_zz_pkg\nexcept ValueError:\n"
        "    import other_missing_zz\nexcept ImportError:\n    pass\ndef f():\n    pass\n"
    ),
    "app/fb_relative_ok.py": (
        "try:\n    from .no_such_fast_zz import index\nexcept ImportError:\n"
        "    from .views import index\n"
    ),
    "app/fb_relative_missing.py": (
        "try:\n    from .no_such_fast_zz import index\nexcept ImportError:\n"
        "    from .no_such_slow_zz import index\n"
    ),
    "app/fb_relative_broken.py": (
        "try:\n    from .no_such_fast_zz import ok\nexcept ImportError:\n"
        "    from .broken import ok\n"
    ),
    "app/fb_conditional.py": (
        "import sys\nif sys.argv == ['never']:\n    try:\n        import not_installed_zz_pkg\n"
        "    except ImportError:\n        import other_missing_zz\ndef f():\n    pass\n"
    ),
    "app/fb_later_statement.py": (
        "try:\n    x = int('1')\n    import not_installed_zz_pkg\nexcept ImportError:\n"
        "    import json\nexcept ValueError:\n    import other_missing_zz\ndef f():\n    pass\n"
    ),
    "app/sidefx/__init__.py": "from .inner import thing\n",
    "app/sidefx/inner.py": "thing = 1\n",
    "app/pathy/__init__.py": "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n",
    "app/pathy/real.py": "",
    "app/reexport.py": (
        "from app.views import View as Renamed\nfrom app import h\nimport app.sub.leaf\n"
    ),
    "app/rel_missing.py": "from .does_not_exist import thing\n",
    "app/fast" + EXT: b"",
    "app/compiled_src.py": "def func():\n    pass\n",
    "app/marker.py": (
        "import pathlib\npathlib.Path(__file__).with_name('MARKER').write_text('ran')\n"
        'def safe():\n    """Never run."""\n'
    ),
    "app/nsuser.py": "import nsp.a\n",
    "patched/__init__.py": "from . import _patch\n",
    "patched/target.py": "x = 1\n",
    "patched/_patch.py": (
        "from . import target\ntarget.injected = 2\nimport patched.target as t2\n"
        "setattr(t2, 'via_setattr', 3)\n"
    ),
    "hooky/__init__.py": (
        "import os, sys\n"
        "sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'vendor'))\n"
        "import vendored_zz\n"
    ),
    "hooky/vendor/vendored_zz.py": "v = 1\n",
    "apps/appmod.py": "def in_apps():\n    pass\n",
    "nsp/a.py": "def fa():\n    pass\n",
    "shadowed.py": "only_in_project = 1\n",
    "data/readme.txt": "not a module\n",
    "stubbed.pyi": "x: int\n",
}

EXTRA_FILES: dict[str, str | bytes] = {
    "nsp/b.py": "def fb():\n    pass\n",
    "shadowed.py": "only_in_extra = 1\n",
    "extramod.py": "def extra():\n    pass\n",
}


@dataclass(frozen=True)
class Case:
    uri: str
    status: str  # resolved / unresolved / unverifiable
    detail: str | None = None  # kind when resolved, failure code when unresolved
    problems: bool = False  # SPOC007 facts expected
    real: bool = True  # compare with a real import


CASES: list[Case] = [
    Case("app", "resolved", "module"),
    Case("app.VALUE", "resolved", "variable"),
    Case("app.index", "resolved", "function"),
    Case("app.h", "resolved", "module"),
    Case("app.helpers", "resolved", "module"),
    Case("app.helpers.helper", "resolved", "function"),
    Case("app.views.View", "resolved", "class"),
    Case("app.views._private", "resolved", "function"),
    Case("app.views.Nope", "unresolved", "SPOC002"),
    Case("app.veiws.index", "unresolved", "SPOC001"),
    Case("app.sidefx_source", "resolved", "module"),
    Case("app.produced", "resolved", "variable"),
    Case("app.sub", "resolved", "module"),
    Case("app.sub.leaf", "resolved", "module"),
    Case("app.sub.leaf.leaf", "resolved", "function"),
    Case("app.sub.nope.x", "unresolved", "SPOC001"),
    Case("app.sub.nope", "unresolved", "SPOC002"),
    Case("app.VALUE.real", "unresolved", "SPOC001"),
    Case("app.index.x", "unresolved", "SPOC001"),
    Case("app.lazy.made_up", "resolved", "unknown"),  # accepted by a decidable __getattr__
    Case("app.lazy.made_upp", "unresolved", "SPOC002"),
    Case("app.lazy.__getattr__", "resolved", "function"),
    Case("app.typed.OnlyTyping", "unresolved", "SPOC002"),
    Case("app.typed.RuntimeName", "resolved", "variable"),
    Case("app.typed.py2_only", "unresolved", "SPOC002"),
    Case("app.typed.py3_only", "resolved", "function"),
    Case("app.typed.odd_platform", "unresolved", "SPOC002"),
    Case("app.typed.never", "unresolved", "SPOC002"),
    Case("app.typed.temporary", "unresolved", "SPOC002"),
    Case("app.typed.declared", "unresolved", "SPOC002"),
    Case("app.typed.annotated", "resolved", "variable"),
    Case("app.typed.walrus", "resolved", "variable"),
    Case("app.typed.loop_var", "resolved", "variable"),
    Case("app.typed.inner_loop", "resolved", "variable"),
    Case("app.typed.handle", "resolved", "variable"),
    Case("app.typed.in_with", "resolved", "variable"),
    Case("app.typed.counter", "resolved", "variable"),
    Case("app.typed.ua", "resolved", "variable"),
    Case("app.typed.ub", "resolved", "variable"),
    Case("app.typed.uc", "resolved", "variable"),
    Case("app.typed.captured", "resolved", "variable"),
    Case("app.typed.in_case", "resolved", "variable"),
    Case("app.typed.maybe_json", "resolved", "module"),
    Case("app.typed.after_missing", "unresolved", "SPOC002"),
    Case("app.typed.late_global", "unverifiable"),
    Case("app.typed.TYPE_CHECKING", "resolved", "variable"),
    Case("app.typed.sys", "resolved", "module"),
    Case("app.typed.__name__", "resolved", "variable"),
    Case("app.typed.__file__", "resolved", "variable"),
    Case("app.stars.index", "resolved", "function"),
    Case("app.stars.View", "resolved", "class"),
    Case("app.stars._private", "unresolved", "SPOC002"),
    Case("app.stars_all.a", "resolved", "variable"),
    Case("app.stars_all.b", "resolved", "variable"),
    Case("app.stars_all.c", "unresolved", "SPOC002"),
    Case("app.cycle_a.x", "resolved", "variable"),
    Case("app.cycle_a.y", "resolved", "variable"),
    Case("app.cycle_b.x", "resolved", "variable"),
    Case("app.cycle_b.z", "unresolved", "SPOC002"),
    Case("app.dyn_globals.made", "unverifiable"),
    Case("app.swapper.z", "unverifiable"),
    Case("app.broken", "resolved", "module", problems=True),
    Case("app.broken.ok", "unverifiable", problems=True),
    Case("app.needs_missing.f", "resolved", "function", problems=True),
    Case("app.needs_missing", "resolved", "module", problems=True),
    Case("app.optional.f", "resolved", "function"),
    Case("app.raises", "resolved", "module", problems=True),
    Case("app.fb_both_missing.f", "resolved", "function", problems=True),
    Case("app.fb_second_found.f", "resolved", "function"),
    Case("app.fb_second_found.j", "resolved", "module"),
    Case("app.fb_first_found.f", "resolved", "function"),
    Case("app.fb_nested_psycopg.f", "resolved", "function", problems=True),
    Case("app.fb_nested_oracle.f", "resolved", "function", problems=True),
    Case("app.fb_handler_raises.f", "resolved", "function", problems=True),
    Case("app.fb_handler_raises_found.f", "resolved", "function"),
    Case("app.fb_more_handlers.f", "resolved", "function", problems=True),
    Case("app.fb_other_handler_first.f", "resolved", "function"),
    Case("app.fb_relative_ok.index", "resolved", "function"),
    Case("app.fb_relative_missing", "resolved", "module", problems=True),
    Case("app.fb_relative_broken", "resolved", "module", problems=True),
    Case("app.fb_conditional.f", "resolved", "function"),
    Case("app.fb_later_statement.f", "resolved", "function"),
    Case("app.rel_missing.thing", "resolved", "unknown", problems=True),
    Case("app.sidefx.inner", "resolved", "module"),
    Case("app.sidefx.inner.thing", "resolved", "variable"),
    Case("app.sidefx.thing", "resolved", "variable"),
    Case("app.pathy.real", "resolved", "module"),
    Case("app.pathy.missing", "unverifiable"),
    Case("app.reexport.Renamed", "resolved", "class"),
    Case("app.reexport.h", "resolved", "module"),
    Case("app.reexport.app", "resolved", "module"),
    Case("app.fast", "resolved", "module", real=False),
    Case("app.fast.anything", "unverifiable", real=False),
    Case("app.compiled", "resolved", "module"),
    Case("app.compiled.func", "unverifiable"),
    Case("app.stale", "resolved", "module", problems=True),
    Case("app.marker.safe", "resolved", "function", real=False),
    Case("app.nsuser", "resolved", "module"),
    Case("patched.target.injected", "resolved", "variable"),
    Case("patched.target.via_setattr", "resolved", "variable"),
    Case("patched.target.nothing", "unresolved", "SPOC002"),
    Case("hooky", "resolved", "module"),
    Case("hooky.vendored_zz", "resolved", "unknown"),
    Case("vendored_zz.v", "unresolved", "SPOC001"),
    Case("appmod.in_apps", "resolved", "function"),
    Case("apps", "resolved", "module"),
    Case("nsp", "resolved", "module"),
    Case("nsp.a.fa", "resolved", "function"),
    Case("nsp.b.fb", "resolved", "function"),
    Case("nsp.c", "unresolved", "SPOC002"),
    Case("nsp.c.d", "unresolved", "SPOC001"),
    Case("shadowed.only_in_project", "resolved", "variable"),
    Case("shadowed.only_in_extra", "unresolved", "SPOC002"),
    Case("extramod.extra", "resolved", "function"),
    Case("data", "resolved", "module"),
    Case("stubbed", "unresolved", "SPOC001"),
    Case("no_such_top_zz", "unresolved", "SPOC001"),
    Case("json.dumps", "resolved", "function"),
    Case("json.nope_zz", "unresolved", "SPOC002"),
    Case("os.path.join", "resolved", "function"),
    Case("sys.path", "unverifiable"),
    Case("__main__", "resolved", "module"),
    Case("__main__.anything_zz", "unverifiable"),
    Case("collections.abc.Mapping", "resolved", "class"),
    Case("json.decoder.JSONDecoder", "resolved", "class"),
]


def build_project(base: Path) -> tuple[Path, Path]:
    """Write the project and the extra path under ``base``; return (root, extra)."""
    root = base / "proj"
    extra = base / "extra"
    write_tree(root, PROJECT_FILES)
    write_tree(extra, EXTRA_FILES)
    # A sourceless module: compiled next to where its source was, then the source removed.
    py_compile.compile(
        str(root / "app/compiled_src.py"), cfile=str(root / "app/compiled.pyc"), doraise=True
    )
    (root / "app/compiled_src.py").unlink()
    # A .pyc for another Python: its magic number is wrong.
    (root / "app/stale.pyc").write_bytes(b"\x00\x00\x0d\x0a" + b"\x00" * 12)
    return root, extra
