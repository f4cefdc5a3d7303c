"""`underlag search --offset` pages through the same ranking; `--with-total` counts the
relevant hits on stderr, so `--json` stays a list of hits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def small_model(monkeypatch):
    from api import components as services
    from nlp.embed import HashingEmbedder

    monkeypatch.setattr(services, "build_embedder", lambda settings: HashingEmbedder())


@pytest.fixture()
def data(tmp_path: Path, corpus_dir: Path) -> str:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(next(corpus_dir.glob("002_*.txt")), folder)
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["ingest", str(folder), "--data-dir", data]).exit_code == 0
    return data


def search(data: str, *args: str):
    return runner.invoke(app, ["search", "samverkan", "--data-dir", data, "--json", *args])


def test_offset_continues_the_ranking_and_json_stays_a_list(data):
    first = json.loads(search(data, "-k", "5").stdout)
    second = json.loads(search(data, "-k", "5", "--offset", "5").stdout)
    both = json.loads(search(data, "-k", "10").stdout)
    assert isinstance(second, list) and len(second) == 5
    assert [h["id"] for h in first + second] == [h["id"] for h in both]


def test_with_total_counts_on_stderr(data):
    result = search(data, "-k", "3", "--with-total")
    assert len(json.loads(result.stdout)) == 3
    total = int(result.stderr.split()[0])
    assert total > 3 and result.stderr.strip().endswith("träffar")
    made_up = runner.invoke(app, ["search", "xylofonorkester", "--data-dir", data, "--json", "--with-total"])
    assert made_up.stderr.strip() == "0 träffar"
