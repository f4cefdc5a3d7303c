"""evaluations/check_queries.py: the judged retrieval queries and the rules per file."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_queries", ROOT / "evaluations" / "check_queries.py")
cq = importlib.util.module_from_spec(spec)
# dataclasses look their module up in sys.modules while the class is created.
sys.modules[spec.name] = cq
spec.loader.exec_module(cq)

FRESH = cq.PROFILES[cq.FRESH.name]
BLOCKS = {"a.txt": ["Rådet ses tre gånger per år och samlar länets kommuner."],
          "b.txt": ["Nätverket träffas cirka fyra gånger per år."]}


def row(qid: str, split: str, kind: str = "multi") -> dict:
    return {"id": qid, "query": "hur ofta träffas råden", "kind": kind, "split": split,
            "relevant": [{"doc": "a.txt", "phrase": "Rådet ses tre gånger per år", "grade": 2},
                         {"doc": "b.txt", "phrase": "träffas cirka fyra gånger per år", "grade": 2}]}


def test_fresh_ids_start_at_h201_and_skip_the_count_rules():
    rows = [row("h201", "test2"), row("h202", "test2")]
    assert cq.check(rows, BLOCKS, FRESH) == []


@pytest.mark.parametrize("rows, message", [
    ([row("h001", "test2")], "expected h201"),
    ([row("h201", "test2"), row("h203", "test2")], "expected h202"),
    ([row("h201", "test")], "split 'test'"),
])
def test_fresh_ids_and_split_are_checked(rows, message):
    errors = cq.check(rows, BLOCKS, FRESH)
    assert any(message in e for e in errors), errors


def test_fresh_keeps_the_per_query_rules():
    one_doc = row("h201", "test2")
    one_doc["relevant"] = one_doc["relevant"][:1]
    missing = row("h202", "test2")
    missing["relevant"][1]["phrase"] = "träffas varannan vecka hela året"
    errors = cq.check([one_doc, missing], BLOCKS, FRESH)
    assert any("multi with relevant entries in one document" in e for e in errors), errors
    assert any("not in any body block of b.txt" in e for e in errors), errors


def test_main_profile_applies_the_count_rules():
    errors = cq.check([row("h001", "tune")], BLOCKS)
    assert any("queries (at least 30)" in e for e in errors), errors
    assert any("year cue" in e for e in errors), errors


@pytest.fixture(scope="module")
def corpus_blocks():
    return {p.name: cq.body_blocks(p) for p in sorted(cq.CORPUS.glob("*.txt")) if p.name[0].isdigit()}


@pytest.mark.parametrize("path", [cq.HARD, cq.FRESH])
def test_shipped_files_pass(corpus_blocks, path):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert cq.check(rows, corpus_blocks, cq.PROFILES[path.name]) == []


def test_fresh_file_has_its_mix():
    rows = [json.loads(line) for line in cq.FRESH.read_text(encoding="utf-8").splitlines() if line.strip()]
    kinds = [r["kind"] for r in rows]
    assert (kinds.count("multi"), kinds.count("fact")) == (24, 12)
    assert all(r["split"] == "test2" for r in rows)
    assert all(r.get("note") for r in rows if r["kind"] == "fact")
