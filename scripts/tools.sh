#!/usr/bin/env bash
# Installs, idempotently, every tool that building the web app and running the browser tests
# needs, under a git-ignored folder of the project ($DISTLAB_TOOLS, default .tools/).
#
# Source it (it exports PATH) or run it. Each tool is checked at the exact version first and
# installed only when missing. Nothing downloads a prebuilt binary from a release page: these
# machines reach only the package registries (see ../shared/TOOLCHAIN.md).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DISTLAB_TOOLS="${DISTLAB_TOOLS:-$repo/.tools}"
TRUNK_VERSION="0.21.14"
# trunk 0.21.14 asks for this exact wasm-opt release.
BINARYEN_VERSION="123"
TERSER_VERSION="5.51.2"

log() {
  if [ -t 2 ]; then printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; else printf '[tools] %s\n' "$*" >&2; fi
}

# The wasm-bindgen CLI must equal the wasm-bindgen library version that Cargo.lock pins.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_lint_tools() {
  local c
  for c in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
      log "adding the $c component"
      rustup component add "$c"
    fi
  done
}

ensure_trunk() {
  if "$DISTLAB_TOOLS/bin/trunk" --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then return; fi
  log "installing trunk $TRUNK_VERSION (a one-time build of about 10 minutes on 2 cores)"
  cargo install --locked --root "$DISTLAB_TOOLS" "trunk@$TRUNK_VERSION"
}

ensure_wasm_bindgen() {
  local want; want="$(wasm_bindgen_version)"
  if [ -z "$want" ]; then log "Cargo.lock names no wasm-bindgen"; exit 2; fi
  if "$DISTLAB_TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q " $want\$"; then return; fi
  log "installing wasm-bindgen-cli $want (a one-time build of about 5 minutes)"
  # Not --locked: a dependency locked by the CLI's own lockfile is missing from the registry.
  cargo install --force --root "$DISTLAB_TOOLS" "wasm-bindgen-cli@$want"
}

# An npm package's command under .tools/npm, installed unless `BIN --version` already says
# WANT: ensure_npm_tool BIN PACKAGE@VERSION WANT.
ensure_npm_tool() {
  local bin="$DISTLAB_TOOLS/npm/node_modules/.bin/$1"
  if "$bin" --version 2>/dev/null | grep -q "$3"; then return; fi
  log "installing $1 ($2 from npm)"
  mkdir -p "$DISTLAB_TOOLS/npm"
  npm install --silent --no-audit --no-fund --prefix "$DISTLAB_TOOLS/npm" "$2"
}

ensure_wasm_opt() {
  ensure_npm_tool wasm-opt "binaryen@$BINARYEN_VERSION" "version $BINARYEN_VERSION"
}

# terser minifies the wasm-bindgen glue of release builds (Trunk.toml's post-build hook): trunk's
# own minifier cannot parse it (trunk issue #1044), and minified it is about 2 KB smaller gzipped
# on every page.
ensure_terser() {
  ensure_npm_tool terser "terser@$TERSER_VERSION" "terser $TERSER_VERSION"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  log "installing Debian's chromium for the browser tests"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

# Chinese glyphs for the browser tests' screenshots (the pages in Chinese): Debian's Noto CJK.
# Without it the tests still pass, but the screenshots show boxes where the words are.
ensure_cjk_font() {
  if fc-list :lang=zh 2>/dev/null | grep -q .; then return; fi
  log "installing Debian's fonts-noto-cjk for the pages in Chinese"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null
}

ensure_playwright() {
  local dir="$repo/tests/browser"
  if [ -d "$dir/node_modules/playwright-core" ] \
     && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then return; fi
  log "installing playwright-core (npm ci in tests/browser)"
  npm ci --silent --no-audit --no-fund --prefix "$dir"
}

ensure_web_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_wasm_opt
  ensure_terser
  ensure_trunk
}

export PATH="$DISTLAB_TOOLS/bin:$DISTLAB_TOOLS/npm/node_modules/.bin:$PATH"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_web_tools
  if [ "${1:-}" = "--browser" ]; then ensure_chromium; ensure_cjk_font; fi
fi
