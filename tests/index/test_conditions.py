"""Static conditions agree with Python's own evaluation for the target interpreter."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from spoc_lsp.index.conditions import ConditionFacts, evaluate

OPERATORS = ["<", "<=", ">", ">=", "==", "!="]


@given(
    version=st.tuples(st.integers(2, 4), st.integers(0, 14), st.integers(0, 20)),
    other=st.lists(st.integers(0, 14), min_size=1, max_size=3).map(tuple),
    op=st.sampled_from(OPERATORS),
    slice_to=st.sampled_from([None, 1, 2, 3]),
)
def test_version_comparisons(
    version: tuple[int, int, int], other: tuple[int, ...], op: str, slice_to: int | None
) -> None:
    target = ConditionFacts(version, "linux", "posix")
    left = "sys.version_info" if slice_to is None else f"sys.version_info[:{slice_to}]"
    source = f"{left} {op} {other!r}"
    full = (*version, "final", 0)
    value = full if slice_to is None else full[:slice_to]
    expected = eval(f"value {op} other", {"value": value, "other": other})
    assert evaluate(ast.parse(source, mode="eval").body, target, {}) is expected


@given(
    platform=st.sampled_from(["linux", "win32", "darwin", "cygwin"]),
    prefix=st.sampled_from(["linux", "win", "dar", "cyg", "x"]),
    negate=st.booleans(),
)
def test_platform_tests(platform: str, prefix: str, negate: bool) -> None:
    target = ConditionFacts((3, 11, 0), platform, "nt" if platform == "win32" else "posix")
    source = f"{'not ' if negate else ''}sys.platform.startswith({prefix!r})"
    expected = platform.startswith(prefix) != negate
    assert evaluate(ast.parse(source, mode="eval").body, target, {}) is expected


def test_unknowns_and_type_checking() -> None:
    target = ConditionFacts((3, 11, 0), "linux", "posix")

    def check(source: str, constants: dict[str, bool] | None = None) -> bool | None:
        return evaluate(ast.parse(source, mode="eval").body, target, constants or {})

    assert check("TYPE_CHECKING") is False
    assert check("typing.TYPE_CHECKING") is False
    assert check("not TYPE_CHECKING") is True
    assert check("flag") is None
    assert check("flag and TYPE_CHECKING") is False
    assert check("flag or not TYPE_CHECKING") is True
    assert check("PY3", {"PY3": True}) is True
    assert check("os.name == 'posix'") is True
    assert check("sys.version_info.major == 3") is True
    assert check("sys.maxsize > 2**32") is None
