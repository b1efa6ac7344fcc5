#!/usr/bin/env bash
# Serves the web app with live reload at http://127.0.0.1:8080 (see Trunk.toml), after
# installing the tools trunk needs when missing (scripts/tools.sh; a second run installs nothing).
# Arguments go to `trunk serve`, e.g. `bash scripts/serve.sh --release --port 9000`.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
ensure_web_tools
# trunk's update check would reach past the package registries.
export TRUNK_SKIP_VERSION_CHECK="${TRUNK_SKIP_VERSION_CHECK:-true}"
exec trunk serve "$@"
