"""Reading a report for a command: the parse, or one line on why it cannot be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from api.cli.common import err
from ingest.pipeline import parse_file
from underlag.errors import IngestError
from underlag.model import Document
from underlag.settings import Settings, get_settings


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
