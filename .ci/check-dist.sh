#!/usr/bin/env bash
# The distributions as users get them: build the sdist and the wheel (the wheel from the sdist),
# check their metadata, install the wheel into a clean venv and run the checker from there.
# Usage: .ci/check-dist.sh PYTHON   (an interpreter that can pip-install build and twine)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${1:?usage: .ci/check-dist.sh PYTHON}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/spoc-lsp-dist.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

say() { echo "check-dist: $*"; }
fail() { echo "check-dist: FAILED: $*" >&2; exit 1; }

"$PYTHON" -m pip install --quiet build twine
"$PYTHON" -m build --outdir "$OUT/dist" . >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; fail "python -m build"; }
"$PYTHON" -m twine check --strict "$OUT"/dist/*
wheel=$(ls "$OUT"/dist/*.whl)
sdist=$(ls "$OUT"/dist/*.tar.gz)
say "built $(basename "$sdist") and $(basename "$wheel")"

# What must ship inside the wheel: the rule pages linked from diagnostics, and py.typed.
"$PYTHON" - "$wheel" <<'EOF'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
rules = sorted(n for n in names if n.startswith("spoc_lsp/docs/rules/") and n.endswith(".md"))
missing = [n for n in ("spoc/py.typed", "spoc_lsp/py.typed") if n not in names]
codes = [f"spoc_lsp/docs/rules/SPOC00{i}.md" for i in range(1, 10)]
missing += [n for n in codes if n not in names]
if missing:
    sys.exit(f"check-dist: the wheel lacks {missing}")
print(f"check-dist: the wheel has py.typed (spoc, spoc_lsp) and {len(rules)} rule pages")
EOF

# A clean venv with nothing but the wheel and its dependencies.
"$PYTHON" -m venv "$OUT/venv"
"$OUT/venv/bin/python" -m pip install --quiet "$wheel"
version=$("$OUT/venv/bin/spoc-lsp" --version)
say "installed: $version"
# Run from outside the checkout, so that only the installed package can be imported.
location=$(cd "$OUT" && "$OUT/venv/bin/python" -I -c 'import spoc_lsp; print(spoc_lsp.__file__)')
case "$location" in
  "$OUT/venv/"*) ;;
  *) fail "spoc_lsp imported from $location, not from the venv" ;;
esac
(cd "$OUT" && "$OUT/venv/bin/python" -I -c '
from importlib.resources import files
assert files("spoc_lsp").joinpath("py.typed").is_file(), "py.typed not installed"
assert files("spoc_lsp").joinpath("docs/rules/SPOC001.md").is_file(), "rule docs not installed"
')

set +e
"$OUT/venv/bin/spoc-lsp" check examples/broken >"$OUT/check.txt" 2>&1
status=$?
set -e
cat "$OUT/check.txt"
[ "$status" -eq 1 ] || fail "spoc-lsp check examples/broken exited $status, expected 1 (errors found)"
grep -q "SPOC002 module 'core.middleware.timing' has no attribute or submodule 'TimingMidleware'" \
  "$OUT/check.txt" || fail "the installed checker did not report the planted SPOC002"
"$OUT/venv/bin/spoc-lsp" check examples/shop >/dev/null || fail "spoc-lsp check examples/shop failed"
say "OK: the wheel installs into a clean venv and checks examples/broken (exit 1, as expected)"
