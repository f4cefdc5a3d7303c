#!/usr/bin/env bash
# Debian's Chromium for the end-to-end web test (Playwright drives it by path;
# Playwright's own browser download is never used), and axe-core from the npm
# registry for its accessibility check (tests/axe/node_modules, git-ignored).
# Quiet; a no-op when both are present.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    # fonts-liberation so screenshots show real letters; the other recommends are desktop services
    $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
if [ ! -f tests/axe/node_modules/axe-core/axe.min.js ]; then
    command -v npm >/dev/null || { echo "npm is needed for axe-core (apt-get install npm)" >&2; exit 1; }
    npm install --prefix tests/axe --no-audit --no-fund --silent >/dev/null
fi
