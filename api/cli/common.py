"""What every ``underlag`` command module shares: the app, consoles, options and output helpers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ingest.pipeline import parse_file
from underlag.errors import IngestError
from underlag.model import Document
from underlag.settings import Settings, get_settings

app = typer.Typer(
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
