"""A small, fast slice of the agreement corpus (bench/corpus) on real packages installed in the
test environment: every static verdict that predicts something must be the real import's, and
a URI that imports is never flagged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import attr
from spoc_index_testlib import clean_environ, current_python

from bench.corpus.generate import corpus
from spoc_lsp.index.interpreter import InterpreterInfo
from spoc_lsp.index.model import Status
from spoc_lsp.index.resolver import Resolver
from spoc_lsp.index.search_path import SearchPath

REPO = Path(__file__).resolve().parents[2]
TRUTH = REPO / "bench" / "corpus" / "truth.py"
PACKAGES = ("attr", "attrs", "cattrs", "pygments", "pluggy")


def test_corpus_slice_agrees_with_real_imports(
    tmp_path: Path, interpreter_info: InterpreterInfo
) -> None:
    site = Path(attr.__file__).resolve().parents[1]
    items = corpus(site, packages=PACKAGES, modules_per_package=4, names_per_module=3)
    assert len(items) > 100
    uris = [item.uri for item in items]
    listing, out = tmp_path / "uris.txt", tmp_path / "truth.tsv"
    listing.write_text("\n".join(uris) + "\n")
    project = tmp_path / "project"
    project.mkdir()
    command = [str(current_python()), "-I", "-B", str(TRUTH), "tree", str(REPO)]
    subprocess.run(
        [*command, str(project), str(listing), str(out), "1"],
        env=clean_environ(),
        timeout=300,
        check=True,
    )
    real = {}
    for line in out.read_text().splitlines():
        uri, verdict, *_ = line.split("\t")
        real[uri] = verdict
    resolver = Resolver(SearchPath.build(project, interpreter_info))
    wrong = []
    for item in items:
        verdict = real.get(item.uri)
        if verdict not in ("ok", "fail"):
            continue
        resolution = resolver.resolve(item.uri)
        flagged = resolution.status is Status.UNRESOLVED or bool(resolution.import_problems)
        if verdict == "ok" and flagged:
            wrong.append(("false error", item, resolution))
        elif verdict == "fail" and resolution.status is Status.RESOLVED and not flagged:
            wrong.append(("miss", item, resolution))
    assert len(real) >= 0.95 * len(uris)
    assert wrong == []
