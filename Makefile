# Every target creates .venv and installs what it needs by itself, so a fresh clone works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: example test lint typecheck pytest dist vscode vscode-e2e bench bench-corpus clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "spoc-lsp needs Python 3.10+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## The main job on the bundled examples: every planted mistake in examples/broken, then a clean shop.
example: $(STAMP)
	@echo '$$ spoc-lsp check examples/broken    # every planted mistake: exit status 1 is expected'
	@$(BIN)/spoc-lsp check examples/broken; status=$$?; \
	  if [ $$status -eq 1 ]; then echo '(exit status 1, as expected: examples/broken has errors)'; \
	  else echo "examples/broken: expected exit status 1, got $$status" >&2; exit 1; fi
	$(BIN)/spoc-lsp check examples/shop
	$(BIN)/spoc-lsp plugins examples/shop

## The whole test suite: lint, format, types, Python tests (server over stdio, headless Neovim),
## the VS Code extension's build, checks, tests and .vsix packaging, and that .vsix in a real
## VS Code (code-server in headless Chromium).
test: lint typecheck pytest dist vscode vscode-e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or not slow"

## sdist and wheel built (python -m build), checked (twine check), the wheel installed into a
## clean venv and run on examples/broken.
dist: $(STAMP)
	bash .ci/check-dist.sh $(BIN)/python

vscode:
	cd editors/vscode && npm ci --no-audit --no-fund && npm run ci

## The .vsix built by `vscode` in a real VS Code. prepare.sh installs what it needs (Debian's
## chromium, libkrb5-dev, build-essential; Node.js 24 and code-server from npm, cached in
## $$SPOC_E2E_CACHE, default ~/.cache/spoc-lsp-e2e; playwright into .venv). Screenshots of each
## step: editors/vscode/e2e/screenshots/.
vscode-e2e: $(STAMP) vscode
	bash editors/vscode/e2e/prepare.sh $(BIN)/python $(VENV)/e2e.env
	set -a && . ./$(VENV)/e2e.env && set +a && \
	  $(BIN)/python -m pytest -q -p no:cacheprovider editors/vscode/e2e

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) editors/vscode/node_modules editors/vscode/dist editors/vscode/e2e/screenshots .pytest_cache .mypy_cache

## The agreement corpus (#14): real imports of ~7,000 URIs into 20 popular packages against the
## static resolver (bench/corpus; builds bench/workspaces/corpus-venv on first use).
bench-corpus: $(STAMP)
	$(BIN)/python -m bench.corpus.run --verify 60 --check
