"""A portfolio table (CSV export of projects or reports) tagged row by row.

One place for what ``underlag tag --csv`` and the web page's "Tagga en tabell" do:
read the table whatever its delimiter and encoding, and write it back with
``<framework>_goals``, ``<framework>_targets`` and ``<framework>_scores`` columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from nlp.tagger import Tag
from underlag.errors import EncodingError


def read_table(raw: bytes, name: str = "tabellen") -> tuple[list[str], list[dict[str, str]]]:
    """The column names and rows of a CSV file (comma, semicolon or tab; UTF-8 or Windows-1252)."""
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes all but five byte values
        raise EncodingError(name, "neither UTF-8 nor Windows-1252")
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def tag_columns(frameworks: Sequence[str]) -> list[str]:
    """The columns tagging adds, per framework."""
    return [f"{fw}_{k}" for fw in frameworks for k in ("goals", "targets", "scores")]


def tagged_row(row: dict[str, str], tags: Sequence[Tag], frameworks: Sequence[str]) -> dict[str, str]:
    """A row with its tag columns filled: goal ids, target ids, and id:score, ';'-separated."""
    add: dict[str, str] = {}
    for fw in frameworks:
        mine = [t for t in tags if t.framework == fw]
        add[f"{fw}_goals"] = ";".join(t.id for t in mine if t.level == "goal")
        add[f"{fw}_targets"] = ";".join(t.id for t in mine if t.level == "target")
        add[f"{fw}_scores"] = ";".join(f"{t.id}:{t.score:.2f}" for t in mine)
    return {**row, **add}


def write_tagged(fields: list[str], rows: list[dict[str, str]], results: Sequence[Sequence[Tag]],
                 frameworks: Sequence[str], sink) -> None:
    """Write the table with its tag columns as CSV to ``sink``."""
    writer = csv.DictWriter(sink, fieldnames=[*fields, *tag_columns(frameworks)])
    writer.writeheader()
    for row, tags in zip(rows, results, strict=True):
        writer.writerow(tagged_row(row, tags, frameworks))
