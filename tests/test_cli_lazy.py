"""The command line imports a command's code only when that command runs.

Each ``underlag`` call is a process of its own; these tests run the real entry point in a
fresh interpreter and look at what it imported, so they fail when a light path (``--help``,
``documents``, ``template list``, a search a server answers) starts loading the index or the
model stack again.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from api.cli import app
from api.cli.common import COMMANDS, lazy

ROOT = Path(__file__).resolve().parent.parent
#: What a light command must not import: the index and its libraries, the model stack.
HEAVY = ["index.search", "faiss", "tantivy", "nlp.embed", "nlp.tagger", "onnxruntime", "spacy", "torch",
         "api.components"]

PROBE = textwrap.dedent("""
    import json, sys
    from api.cli import app
    try:
        app(sys.argv[1:], standalone_mode=False)
    finally:
        sys.stdout.flush()
        sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
""")


def run_cli(args: list[str], data_dir: Path, **env: str) -> tuple[str, set[str]]:
    """Run ``underlag ARGS`` in a fresh interpreter; its output and the modules it imported."""
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "UNDERLAG_DATA_DIR": str(data_dir), **env}, timeout=120)
    marker = proc.stderr.rindex("MODULES ")
    return proc.stdout, set(json.loads(proc.stderr[marker + len("MODULES "):]))


def heavy_in(modules: set[str]) -> list[str]:
    return [m for m in HEAVY if m in modules]


def test_help_lists_every_command_without_importing_any(tmp_path):
    out, modules = run_cli(["--help"], tmp_path)
    for name in COMMANDS:
        assert f" {name} " in out
    assert sorted(m for m in modules if m.startswith("api.cli.")) == ["api.cli.common"]
    assert heavy_in(modules) == []


def test_documents_and_template_list_load_no_index_and_no_model(tmp_path):
    out, modules = run_cli(["documents", "--json"], tmp_path)
    assert json.loads(out) == []
    assert heavy_in(modules) == []
    out, modules = run_cli(["template", "list", "--json"], tmp_path)
    assert "aterrapportering-2021" in {t["id"] for t in json.loads(out)}
    assert heavy_in(modules) == []


SERVER = textwrap.dedent("""
    import json
    from http.server import BaseHTTPRequestHandler, HTTPServer
    HIT = {"id": "d:0:0", "document_id": "d", "filename": "r.txt", "document": "Rapport",
           "section_title": "Bredband", "heading_path": ["Bredband"], "text": "Fibernät på landsbygden.",
           "score": 0.5}
    TAG = {"framework": "agenda2030", "id": "9", "title": "Hållbar industri, innovationer och infrastruktur",
           "level": "goal", "score": 0.96}
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.answer({"labels": [TAG]})
        def do_GET(self):
            self.answer({"hits": [HIT]})
        def answer(self, obj):
            body = json.dumps(obj).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    server = HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
""")


@pytest.fixture(scope="module")
def stand_in_server():
    """A server that answers every search with one hit and every tagging with goal 9."""
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{proc.stdout.readline().strip()}"  # type: ignore[union-attr]
    finally:
        proc.kill()
        proc.wait()


def test_a_search_a_server_answers_opens_no_index(tmp_path, stand_in_server):
    """The server path costs the interpreter, the options and one request."""
    out, modules = run_cli(["search", "fibernät", "--json"], tmp_path, UNDERLAG_SERVER=stand_in_server)
    assert [h["text"] for h in json.loads(out)] == ["Fibernät på landsbygden."]
    assert heavy_in(modules) == []
    assert "api.cli.searching" not in modules


def test_a_text_a_server_tags_loads_no_tagger(tmp_path, stand_in_server):
    out, modules = run_cli(["tag", "--text", "Bredband på landsbygden", "--json"], tmp_path,
                           UNDERLAG_SERVER=stand_in_server)
    assert [label["id"] for label in json.loads(out)["labels"]] == ["9"]
    assert heavy_in(modules) == []
    assert "api.cli.tagging_local" not in modules


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_table_lists_each_command_with_its_own_help(name):
    module, line = COMMANDS[name]
    lazy(module)
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    own = inspect.cleandoc(command.help or "").split("\n\n")[0]
    assert " ".join(own.split()) == line


def test_a_mistyped_command_gets_the_command_it_resembles():
    result = CliRunner().invoke(app, ["serch", "bredband"])
    assert result.exit_code == 2
    assert "No such command 'serch'. Did you mean 'search'" in result.output


def test_lazy_loads_only_the_command_line_own_modules():
    with pytest.raises(ValueError):
        lazy("index.search")
