# Every target creates .venv and installs what it needs by itself, so a fresh clone works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: example test lint typecheck pytest vscode bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "spoc-lsp needs Python 3.10+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## The main job on the bundled examples: every planted mistake in examples/broken, then a clean shop.
example: $(STAMP)
	-$(BIN)/spoc-lsp check examples/broken
	$(BIN)/spoc-lsp check examples/shop
	$(BIN)/spoc-lsp plugins examples/shop

## The whole test suite: lint, format, types, Python tests (server over stdio, headless Neovim),
## and the VS Code extension's build, checks, tests and .vsix packaging.
test: lint typecheck pytest vscode

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

vscode:
	cd editors/vscode && npm ci --no-audit --no-fund && npm run ci

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) editors/vscode/node_modules editors/vscode/dist .pytest_cache .mypy_cache

## The agreement corpus (#14): real imports of ~7,000 URIs into 20 popular packages against the
## static resolver (bench/corpus; builds bench/workspaces/corpus-venv on first use).
bench-corpus: $(STAMP)
	$(BIN)/python -m bench.corpus.run --verify 60 --check
