"""README's command examples stay true: every command line it shows names a command and
options that the ``underlag`` command really has (datasette tests its docs the same way).

Running them all would need the whole model stack and a team's files ("projekt.csv"); what
goes stale first when the CLI changes is the names, and that is what this checks.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"
runner = CliRunner()


def readme_commands() -> list[str]:
    """Each ``underlag ...`` line of README's bash blocks, without its comment."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("underlag ")]


def test_readme_shows_the_command_line():
    assert len(readme_commands()) >= 15


@pytest.mark.parametrize("line", readme_commands())
def test_readme_example_names_real_commands_and_options(line):
    words = shlex.split(line)[1:]
    path = [words[0]] + ([words[1]] if words[0] == "template" else [])
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, f"`underlag {' '.join(path)}` is not a command: {result.output}"
    for option in (w.split("=")[0] for w in words if w.startswith("--")):
        assert re.search(re.escape(option) + r"(?![\w-])", result.output), \
            f"`underlag {' '.join(path)}` has no option {option}"
