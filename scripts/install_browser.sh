#!/usr/bin/env bash
# Debian's Chromium for the end-to-end web test (Playwright drives it by path;
# Playwright's own browser download is never used). Quiet; a no-op when present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# fonts-liberation so screenshots show real letters; the other recommends are desktop services
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
