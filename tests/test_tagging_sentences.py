"""evaluations/check_tagging_sentences.py: the held-out goal-tagging set and its validator."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location(
    "check_tagging_sentences", ROOT / "evaluations" / "check_tagging_sentences.py")
check_mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_mod)

GOOD = {"id": "sv001", "lang": "sv", "text": "Dricksvattnet håller god kvalitet.",
        "source": "written", "goals": ["6"], "targets": ["6.1"], "note": ""}


@pytest.fixture(scope="module")
def taxonomy():
    return check_mod.load_taxonomy()


def test_shipped_set_passes():
    assert check_mod.check(check_mod.DEFAULT_PATH) == 0


def test_valid_record_has_no_errors(taxonomy):
    assert check_mod.record_errors(GOOD, *taxonomy) == []


@pytest.mark.parametrize("change, message", [
    ({"targets": ["7.1"]}, "belongs to goal 7"),
    ({"goals": ["18"], "targets": []}, "unknown goal"),
    ({"targets": ["6.9"]}, "unknown target"),
    ({"lang": "de"}, "lang"),
    ({"source": "web"}, "source"),
    ({"source": "corpus:nosuchfile.txt"}, "not in corpus"),
])
def test_bad_record_is_reported(taxonomy, change, message):
    errors = check_mod.record_errors({**GOOD, **change}, *taxonomy)
    assert any(message in e for e in errors), errors


def test_set_below_minimum_fails(tmp_path):
    path = tmp_path / "few.jsonl"
    path.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    assert check_mod.check(path) == 1


def test_duplicate_id_fails(tmp_path):
    lines = [json.dumps(json.loads(line)) for line in
             check_mod.DEFAULT_PATH.read_text(encoding="utf-8").splitlines()]
    first = json.loads(lines[0])
    lines.append(json.dumps({**first, "text": first["text"] + " Igen."}))
    path = tmp_path / "dup.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert check_mod.check(path) == 1
