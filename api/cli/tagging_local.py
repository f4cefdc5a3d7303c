"""`underlag tag` when no server answers: load the tagger here and tag text, a report or a CSV.

Imported by :mod:`api.cli.tagging` only on that path (:func:`api.cli.common.lazy`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from api.cli.common import err
from api.cli.parsing import parse_or_exit
from api import components
from nlp.tagger import Tagger
from review.profile import document_profile
from review.table_tags import read_table, write_tagged
from underlag.settings import Settings

__all__ = ["document_profile", "load_tagger", "parse_or_exit", "tag_csv"]


def load_tagger(settings: Settings, frameworks: list[str] | None) -> tuple[Tagger, list[str] | None]:
    """The trained tagger, and the frameworks asked for (exit 2 naming any it does not know)."""
    tagger = components.load_tagger(settings, components.build_embedder(settings), components.build_analyzer())
    if not frameworks:
        return tagger, None
    unknown = [f for f in frameworks if f not in tagger.frameworks]
    if unknown:
        err.print(f"error: unknown framework {', '.join(unknown)}; known: {', '.join(tagger.frameworks)}")
        raise typer.Exit(2)
    return tagger, frameworks


def _read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        err.print(f"error: {path}: {e}")
        raise typer.Exit(2) from None
    return read_table(raw, str(path))


def tag_csv(tagger: Tagger, path: Path, column: str, as_json: bool, frameworks: list[str] | None,
            output: Path | None) -> None:
    """Tag every row's ``column`` and write the table back with the labels (JSON lines with ``as_json``)."""
    fields, rows = _read_table(path)
    if column not in fields:
        err.print(f"error: {path} has no column '{column}'; columns: {', '.join(fields)}")
        raise typer.Exit(2)
    results = tagger.tag_texts([r.get(column) or "" for r in rows], frameworks)
    fws = frameworks or list(tagger.frameworks)
    sink = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if as_json:
            for n, (row, tags) in enumerate(zip(rows, results, strict=True), start=1):
                sink.write(json.dumps({"row": n, **row, "labels": [t.model_dump(mode="json") for t in tags]},
                                      ensure_ascii=False) + "\n")
            return
        write_tagged(fields, rows, results, fws, sink)
    finally:
        if output:
            sink.close()
    if output:
        err.print(f"{len(rows)} rader taggade → {output}")
