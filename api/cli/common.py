"""What every ``underlag`` command module shares: the app, consoles, options and output helpers."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ingest.pipeline import parse_file
from underlag.errors import IngestError, UnderlagError
from underlag.model import Document
from underlag.settings import Settings, get_settings

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


def parse_or_exit(path: Path, settings: Settings | None = None) -> Document:
    """Parse one file for a command, or print why it cannot be read and exit with 1."""
    try:
        return parse_file(path, settings or get_settings())
    except IngestError as e:
        err.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from None


def document_json(doc: Document) -> dict[str, Any]:
    """The JSON shape of a parsed document (``underlag parse --json``)."""
    return doc.model_dump(mode="json")


def notify_tagging(count: int) -> None:
    """Tell the user why a command waits: documents in the index are being tagged first."""
    err.print(f"Taggar {count} dokument i indexet …", highlight=False)
