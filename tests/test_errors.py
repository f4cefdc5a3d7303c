"""User errors leave as one clear line (CLI) or one JSON answer (API), never a traceback.

Each error class carries its code, exit code and HTTP status (underlag/errors.py); these
tests hold both interfaces to them with a missing embedding model, the first thing a
newcomer meets when setup did not finish.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from underlag import errors
from underlag.settings import Settings

from conftest import LOCAL

ROOT = Path(__file__).resolve().parent.parent


def test_cli_without_the_model_says_what_is_missing_in_one_line(tmp_path):
    env = {**os.environ, "UNDERLAG_MODEL_DIR": str(tmp_path / "nowhere"), "UNDERLAG_DATA_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "api.cli", "search", "bredband"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "nowhere" in lines[0] and "python -m nlp.model_setup" in lines[0]
    assert "Traceback" not in run.stderr


def test_api_without_the_model_answers_503_with_the_same_message(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", model_dir=tmp_path / "nowhere")
    with TestClient(create_app(settings, seed_corpus=None), base_url=LOCAL) as client:
        r = client.get("/api/search", params={"q": "bredband"})
    assert r.status_code == 503
    body = r.json()
    assert body["code"] == "model_missing" and "python -m nlp.model_setup" in body["detail"]


@pytest.mark.parametrize("cls", [c for c in vars(errors).values()
                                 if isinstance(c, type) and issubclass(c, errors.UnderlagError)])
def test_every_user_error_says_how_each_interface_reports_it(cls):
    assert cls.code and cls.code.isidentifier()
    assert cls.exit_code in (1, 2)
    assert 400 <= cls.http_status < 600
