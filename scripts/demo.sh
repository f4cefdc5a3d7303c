#!/usr/bin/env bash
# Install everything, ingest the sample corpus into a demo index, show what was found
# and run example searches (a second run skips the unchanged files).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export UNDERLAG_DATA_DIR=${UNDERLAG_DATA_DIR:-data/demo}
echo "== underlag ingest corpus/"
underlag ingest corpus/
echo
echo "== underlag documents"
underlag documents
echo
echo "== underlag parse corpus/002_aee3b258286ac5e7.txt (the 2023 återrapportering, repaired)"
underlag parse corpus/002_aee3b258286ac5e7.txt | head -60
echo
echo '== underlag search "kompetensförsörjning och bredband" --k 3'
underlag search "kompetensförsörjning och bredband" --k 3
echo
echo '== underlag search "fibernät på glesbygden" --year 2021 --k 2   (no word in common: the embedding model)'
underlag search "fibernät på glesbygden" --year 2021 --k 2
