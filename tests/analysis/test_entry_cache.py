"""A keystroke re-diagnoses only the entries it touched (#16 item 3): the others keep their
diagnostics, as long as the resolver's answer for them is the same answer."""

from __future__ import annotations

from pathlib import Path

from spoc_lsp.analysis.analyze import analyze
from spoc_lsp.analysis.project import take_snapshot
from spoc_lsp.index.model import Failure, Resolution, Status
from tests.analysis.test_analyze import ScriptedResolver


def missing(uri: str) -> Resolution:
    name = uri.rpartition(".")[2]
    failure = Failure("SPOC002", 2, name, "core.hooks", f"no attribute {name!r}")
    return Resolution(uri, Status.UNRESOLVED, failure=failure)


def toml(uris: list[str]) -> str:
    return "[spoc.plugins]\nhooks = [\n" + "".join(f'    "{uri}",\n' for uri in uris) + "]\n"


def test_an_edit_rediagnoses_only_the_entry_it_touched(tmp_path: Path) -> None:
    uris = [f"core.hooks.gone{i}" for i in range(50)]
    resolver = ScriptedResolver({uri: missing(uri) for uri in [*uris, "core.hooks.gone7x"]})
    path = tmp_path / "config" / "spoc.toml"
    path.parent.mkdir()
    path.write_text(toml(uris))
    before = analyze(take_snapshot(tmp_path), resolver).diagnostics[path]

    edited = [*uris[:7], "core.hooks.gone7x", *uris[8:]]  # same length: spans stay put
    after = analyze(take_snapshot(tmp_path, {path: toml(edited)}), resolver).diagnostics[path]

    assert len(before) == len(after) == 50
    reused = [old is new for old, new in zip(before, after, strict=True)]
    assert reused == [index != 7 for index in range(50)]
    assert after[7].uri == "core.hooks.gone7x"


def test_a_new_answer_from_the_resolver_makes_a_new_diagnostic(tmp_path: Path) -> None:
    uri = "core.hooks.later"
    resolver = ScriptedResolver({uri: missing(uri)})
    path = tmp_path / "config" / "spoc.toml"
    path.parent.mkdir()
    path.write_text(toml([uri]))
    (first,) = analyze(take_snapshot(tmp_path), resolver).diagnostics[path]
    resolver.answers[uri] = Resolution(uri, Status.RESOLVED)  # the module gained the name
    assert analyze(take_snapshot(tmp_path), resolver).diagnostics[path] == ()
    resolver.answers[uri] = missing(uri)  # and lost it again: an equal but new answer
    (again,) = analyze(take_snapshot(tmp_path), resolver).diagnostics[path]
    assert again == first and again is not first
