"""Agenda 2030 tags for a JSONL file of texts, from the tagger of any checkout of the project.

Prints one JSON line per input text: ``{"id", "goals", "targets"}``. ``--root`` names the
checkout whose code is imported (default: this one), so the same run scores the pre-redesign
tagger (a worktree of an older commit) and the current one on the same texts:

    python evaluations/tagging_predict.py --root /work/wt/orig evaluations/data/tagging_sentences.jsonl

The checkout's own composition root builds the tagger (``api.components.load_tagger`` or,
in older checkouts, ``underlag.services.load_tagger``), with its settings and its cache.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", type=Path)
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = ap.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from nlp.analyzer import default_analyzer
    from underlag.settings import get_settings

    settings = get_settings()
    try:
        from api.components import build_embedder, load_tagger
    except ImportError:  # checkouts before the api/ layer
        from underlag.services import build_embedder, load_tagger
    t0 = time.time()
    tagger = load_tagger(settings, build_embedder(settings), default_analyzer())
    rows = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines() if line.strip()]
    t1 = time.time()
    tagged = tagger.tag_texts([r["text"] for r in rows], frameworks=["agenda2030"])
    for r, tags in zip(rows, tagged, strict=True):
        a = [t for t in tags if t.framework == "agenda2030"]
        print(json.dumps({"id": r["id"], "goals": sorted({t.id for t in a if t.level == "goal"}),
                          "targets": sorted({t.id for t in a if t.level == "target"})}))
    print(f"loaded in {t1 - t0:.1f} s, tagged {len(rows)} texts in {time.time() - t1:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
