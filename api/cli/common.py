"""What every ``underlag`` command module shares: the app, consoles, options and output helpers.

The app knows its commands from :data:`COMMANDS` (name, module, one line of help) and imports
a command's module only when that command runs: each ``underlag`` call is a process of its
own, and importing every command's libraries (the index, the tagger, the review code) cost
0.54 s before ``--help`` or ``documents`` could answer (evaluations/README.md, start-up).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
import typer.core
import typer.main
from rich.console import Console

from underlag.errors import UnderlagError
from underlag.settings import Settings, get_settings

#: Every command, in the order ``underlag --help`` lists them: the module that registers it
#: on :data:`app` when imported, and the first line of its help (tests/test_cli_lazy.py checks
#: that each line is the command's own).
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("api.cli.documents", "Parse one report and show its metadata and sections (nothing is stored)."),
    "ingest": ("api.cli.documents", "Parse reports and add them to the index; unchanged files are skipped."),
    "documents": ("api.cli.catalog", "List the documents in the index."),
    "delete": ("api.cli.documents", "Remove a document from the index."),
    "reindex": ("api.cli.documents", "Embed what the index lacks: the sentence vectors of passages stored "
                "before them (or by another model). Searches work without, ranking those passages by their "
                "passage vector only."),
    "search": ("api.cli.search", "Search earlier reports for passages about a topic."),
    "similar": ("api.cli.search", "Find earlier wording of the same thing: near-identical passages first."),
    "coverage": ("api.cli.review", "Check a draft against a template: answers, required elements, character "
                 "limits, table sizes."),
    "suggest": ("api.cli.review", "Suggest a draft answer to a template question from earlier reports, "
                "with citations."),
    "draft": ("api.cli.drafting", "A first draft of every question of a template from earlier reports, "
              "within every limit, cited."),
    "reuse": ("api.cli.drafting", "How much of each answer of a report repeats earlier reports, and which "
              "answers are new."),
    "serve": ("api.cli.serve", "Start the web service and its web page (API docs under /docs)."),
    "tag": ("api.cli.tagging", "Tag text with Agenda 2030 goals and targets, the national strategy, the RUS "
            "and perspectives."),
    "portfolio": ("api.cli.portfolio", "Documents x goals over everything indexed: how much of each document "
                  "concerns each goal."),
    "template": ("api.cli.templates", "Report templates: list, show and extract them."),
}


def lazy(module: str) -> ModuleType:
    """A module of the command line, imported when a command first needs it.

    Only ``api.cli`` modules: the floors of the house (tests/test_layers.py) hold for them
    like for any import, and the costly part of a command (the index and its model) can stay
    out of the paths that do not need it, e.g. a search a running server answers.
    """
    if not module.startswith("api.cli."):
        raise ValueError(f"not a module of the command line: {module}")
    return importlib.import_module(module)


class LazyCommands(typer.core.TyperGroup):
    """The root command group: lists :data:`COMMANDS` from the table and imports a command's
    module only to run it (or to show its own ``--help``)."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        # For the listing of ``underlag --help``: the name and its line of help, no import.
        return typer.core.TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        name = args[0] if args else None
        if name in COMMANDS and name not in self.commands:
            self.commands[name] = _load_command(name)
        try:
            return super().resolve_command(ctx, args)
        except Exception as e:  # click's UsageError: Typer suggests only among commands already loaded
            message = getattr(e, "message", None)
            if name and isinstance(message, str) and "Did you mean" not in message:
                matches = difflib.get_close_matches(name, list(COMMANDS))
                if matches:
                    e.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise


def _load_command(name: str) -> Any:
    """The (click) command ``name``, after importing the module that registers it."""
    lazy(COMMANDS[name][0])
    command = getattr(typer.main.get_command(app), "commands", {}).get(name)
    if command is None:
        raise RuntimeError(f"{COMMANDS[name][0]} does not register the command '{name}'")
    return command


def fail_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A command that ends on an error a user can act on with one line and the error's exit code.

    The error classes (underlag.errors) carry the exit code, so every command agrees;
    anything else that escapes is a bug and keeps its traceback.
    """

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UnderlagError as e:
            err.print(f"[red]error:[/] {e}", highlight=False)
            raise typer.Exit(e.exit_code) from None

    return run


class Commands(typer.Typer):
    """A Typer app whose commands all end on user errors through :func:`fail_cleanly`."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        register = super().command(*args, **kwargs)

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            register(fail_cleanly(fn))
            return fn

        return decorator


app = Commands(
    cls=LazyCommands,
    name="underlag",
    help="Search, tag and check Swedish regional development reports.",
    no_args_is_help=True,
    add_completion=False,
)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder with the index (default: UNDERLAG_DATA_DIR or ./data)."),
]


def settings_for(data_dir: Path | None) -> Settings:
    """The settings, with the data folder a command was given."""
    base = get_settings()
    return base.model_copy(update={"data_dir": data_dir}) if data_dir else base


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def notify_tagging(count: int) -> None:
    """Tell the user why a command waits: documents in the index are being tagged first."""
    err.print(f"Taggar {count} dokument i indexet …", highlight=False)


@app.callback()
def _root() -> None:
    """Search, tag and check Swedish regional development reports."""
