#!/usr/bin/env bash
# Install everything and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
bash scripts/install_browser.sh  # Debian Chromium for tests/test_e2e_web.py
python -m pytest -q "$@"
