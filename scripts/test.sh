#!/usr/bin/env bash
# The one command that runs every test of distlab; CI runs it through .ci/run.
#
#   0. rules    cargo fmt --check; cargo clippy -D warnings natively (every target) and for the
#               four browser bundles' features on wasm32-unknown-unknown
#   1. native   cargo test --all-targets, then the doc tests
#   2. wasm     the tests built for wasm32-unknown-unknown, run in Node.js by
#               wasm-bindgen-test-runner (integration tests that can't run in wasm start with
#               #![cfg(not(target_arch = "wasm32"))])
#   3. browser  trunk build --release, dist/ served on 127.0.0.1 (a free port), then
#               tests/browser/run.mjs in headless Chromium; screenshots in tests/browser/artifacts/
#
# Each section first installs, through scripts/tools.sh, whatever it needs and is missing (on a
# fresh clone: everything, under .tools/). It stops at the first failure with a non-zero exit;
# the last line adds up the tests of all sections.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh

# Colours at a terminal, plain text in logs (CI reads the summary lines).
if [ -z "${CARGO_TERM_COLOR:-}" ]; then
  if [ -t 1 ]; then export CARGO_TERM_COLOR=always; else export CARGO_TERM_COLOR=never; fi
fi
# trunk's update check would reach past the package registries.
export TRUNK_SKIP_VERSION_CHECK=true

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
section() { printf '\n%s==== %s ====%s\n' "$bold" "$*" "$plain"; }
# Every test runner's output also goes to this log, to add up the counts at the end.
summary_log="$work/summary.log"
touch "$summary_log"

section "house rules: cargo fmt --check, cargo clippy -D warnings (native, and the four wasm bundles)"
ensure_lint_tools
cargo fmt --check
cargo clippy --all-targets -- -D warnings
ensure_wasm_target
# The features of each bundle in index.html: code behind a feature is linted where it builds.
for features in "raft fetch-scenarios" "commit fetch-scenarios" "paxos raft fetch-scenarios" "balancer fetch-scenarios"; do
  cargo clippy --target wasm32-unknown-unknown --no-default-features --features "$features" --lib --bins -- -D warnings
done

section "native: cargo test --all-targets"
cargo test --all-targets 2>&1 | tee -a "$summary_log"

section "native: doc tests"
cargo test --doc 2>&1 | tee -a "$summary_log"

section "wasm: cargo test --target wasm32-unknown-unknown --tests (wasm-bindgen-test-runner, Node.js)"
ensure_wasm_target
ensure_wasm_bindgen
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --tests 2>&1 | tee -a "$summary_log"

section "browser: trunk build --release"
ensure_web_tools
trunk build --release
for wasm in dist/*.wasm; do
  printf 'built %s: %s bytes, %s bytes gzipped\n' "$wasm" "$(wc -c <"$wasm")" "$(gzip -9c "$wasm" | wc -c)"
done
# Rust's float formatting (an f64 written with {} or {:.1}) adds some 8 KB gzipped to a page: the
# page writes numbers with src/num.rs. The bundles as cargo built them still carry their names.
if grep -l 'float_to_decimal\|float_to_exponential' "${CARGO_TARGET_DIR:-target}"/wasm32-unknown-unknown/web-release/distlab-web*.wasm; then
  echo "the bundles above format an f64 with Rust's formatter: write it with crate::num::fixed or short" >&2
  exit 1
fi

section "browser: headless Chromium (tests/browser/run.mjs)"
ensure_chromium
ensure_cjk_font
ensure_playwright
port_file="$work/port"
# A static server on a free port of 127.0.0.1; it writes the port once it listens.
python3 - "$repo/dist" "$port_file" <<'PY' &
import functools, http.server, os, sys

class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript"}
    def log_message(self, *args):
        pass

dist, port_file = sys.argv[1], sys.argv[2]
with http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=dist)) as httpd:
    with open(port_file + ".tmp", "w") as f:
        f.write(str(httpd.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    httpd.serve_forever()
PY
server_pid=$!
for _ in $(seq 100); do
  [ -s "$port_file" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the static server for dist/ did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$port_file" ] || { echo "the static server for dist/ did not start within 10 s" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$port_file")/"
echo "serving dist/ at $url"
node tests/browser/run.mjs "$url" 2>&1 | tee -a "$summary_log"

section "summary"
# libtest and wasm-bindgen-test-runner: "test result: ok. 3 passed; 0 failed; ...";
# run.mjs: "5 passed, 0 failed".
awk '
  match($0, /[0-9]+ passed[;,] [0-9]+ failed/) {
    split(substr($0, RSTART, RLENGTH), n, /[^0-9]+/); passed += n[1]; failed += n[2]
  }
  END { printf "all: %d passed, %d failed\n", passed, failed; exit (failed > 0) }
' "$summary_log"
