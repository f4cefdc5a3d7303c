"""The command line asks a running server on the same data folder, and prints the same."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from api import remote
from underlag.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.slow  # a real server process with the real model

SMALL_REPORT = PROJECT_ROOT / "corpus" / "003_b61ed9f9079cac58.txt"
QUERY = "finansiering av projektet"


def cli(data_dir: Path, *args: str, env: dict[str, str]) -> str:
    env = {**env, "UNDERLAG_DATA_DIR": str(data_dir)}  # `tag --text` has no --data-dir
    out = subprocess.run([sys.executable, "-m", "api.cli", *args],
                         capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("served")
    cli(folder, "ingest", str(SMALL_REPORT), "--json", env=dict(os.environ))
    return folder


@pytest.fixture(scope="module")
def server(data_dir):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                             "--data-dir", str(data_dir)], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    announced = data_dir / remote.SERVER_FILE
    deadline = time.monotonic() + 600
    while not announced.exists():
        assert proc.poll() is None, "the server stopped"
        assert time.monotonic() < deadline, "the server never announced itself"
        time.sleep(0.2)
    yield proc, f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=60)


def alone_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("UNDERLAG_SERVER", None)
    return env


COMMANDS = {
    "search": ("search", QUERY, "--k", "5"),
    # the second page: a server asked for it must not answer with the first
    "search-page": ("search", QUERY, "--k", "3", "--offset", "2"),
    "similar": ("similar", "Projektet finansieras av regionen och kommunerna.", "--k", "3"),
    "tag": ("tag", "--text", "Regionen bygger ut bredband på landsbygden och stärker kompetensförsörjningen."),
}


@pytest.mark.parametrize("output", ["--json", "table"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_command_prints_the_same_with_and_without_a_server(data_dir, server, tmp_path, command, output):
    # alone: the same index copied to a folder no server announces itself in
    import shutil

    alone_dir = tmp_path / "alone"
    shutil.copytree(data_dir, alone_dir, ignore=shutil.ignore_patterns(remote.SERVER_FILE))
    args = (*COMMANDS[command], *(("--json",) if output == "--json" else ()))
    alone = cli(alone_dir, *args, env=alone_env())
    served = cli(data_dir, *args, env=alone_env())
    if output == "--json":
        found = json.loads(alone)
        assert found if command != "tag" else found["labels"], "nothing to compare"
    assert served == alone


def test_the_server_is_found_and_answers_what_the_commands_ask(data_dir, server):
    from index.search import Filters

    proc, url = server
    assert remote.find_server(Settings(data_dir=data_dir)) == url
    with urllib.request.urlopen(f"{url}/api/health", timeout=30) as r:
        assert r.status == 200
    # the commands' own requests are answered (else they would quietly work alone)
    assert remote.remote_search(url, QUERY, k=5, mode="hybrid", filters=Filters())
    assert remote.remote_similar(url, COMMANDS["similar"][1], k=3, filters=Filters(), exclude_document=None)
    assert remote.remote_tag(url, COMMANDS["tag"][2])


def test_a_dead_servers_announcement_is_ignored(tmp_path):
    settings = Settings(data_dir=tmp_path)
    (tmp_path / remote.SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2**22 + 1}))
    assert remote.find_server(settings) is None


def test_an_unreachable_server_means_working_alone(tmp_path):
    from index.search import Filters

    assert remote.remote_search("http://127.0.0.1:9", QUERY, k=5, mode="hybrid", filters=Filters()) is None


def test_the_server_withdraws_its_announcement_when_it_stops(data_dir, server):
    proc, _ = server
    proc.terminate()
    proc.wait(timeout=60)
    assert not (data_dir / remote.SERVER_FILE).exists()
