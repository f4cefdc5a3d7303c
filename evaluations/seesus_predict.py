"""Goals and targets from ``seesus`` (a GPL-3 regex SDG classifier) for a JSONL file of texts,
as a comparison for the tagger in evaluations/tagging.py.

seesus is never a dependency of this project: install it into a separate environment and
run this script with that environment's Python, e.g.

    python3 -m venv /tmp/seesus-venv && /tmp/seesus-venv/bin/pip install seesus
    /tmp/seesus-venv/bin/python evaluations/seesus_predict.py evaluations/data/tagging_sentences.jsonl

Prints one JSON line per text: ``{"id", "goals", "targets"}`` ("SDG6_1" -> goal "6", target "6.1").
"""

from __future__ import annotations

import json
import sys

import regex
from seesus.SDG_keys import SDG_keys


def main() -> None:
    # seesus.id_sus searches its 557 patterns by source string, and the regex module's
    # pattern cache is smaller than that, so every text recompiles them all (15 s a text
    # here); the same search with each pattern compiled once gives the same matches.
    patterns = [(item["SDG_id"], regex.compile(item["SDG_keywords"], regex.IGNORECASE)) for item in SDG_keys]
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            ids = {sdg_id for sdg_id, p in patterns if p.search(row["text"])}
            goals = sorted({i.split("_")[0].replace("SDG", "") for i in ids})
            targets = sorted(t for t in {i.replace("SDG", "").replace("_", ".") for i in ids}
                             if regex.fullmatch(r"\d+\.(\d+|[a-z])", t))  # not "1.general"
            print(json.dumps({"id": row["id"], "goals": goals, "targets": targets}))


if __name__ == "__main__":
    main()
