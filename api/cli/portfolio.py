"""`underlag portfolio`: documents x goals over everything indexed, as a table, CSV, JSON or heatmap.

Registered on :data:`api.cli.common.app` when the command runs (:data:`api.cli.common.COMMANDS`).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import DataDirOpt, JsonOpt, app, err, notify_tagging, out, print_json, settings_for
from api import components
from review.profile import heatmap, portfolio_matrix


@app.command()
def portfolio(
    framework: Annotated[str, typer.Option("--framework", "-f", help="Which framework's goals.")] = "agenda2030",
    targets: Annotated[bool, typer.Option("--targets", help="Targets (delmål) instead of goals.")] = False,
    csv_path: Annotated[str | None, typer.Option("--csv", help="Write the matrix as CSV here ('-' = stdout).")] = None,
    png: Annotated[Path | None, typer.Option("--png", help="Write a heatmap picture (PNG).")] = None,
    svg: Annotated[Path | None, typer.Option("--svg", help="Write a heatmap picture (SVG).")] = None,
    as_json: JsonOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Documents x goals over everything indexed: how much of each document concerns each goal.

    Cells are the share of the document's text in passages tagged with the goal.
    Documents indexed before tagging existed are tagged first (and the tags stored).
    """
    settings = settings_for(data_dir)
    with components.open_tagged_index(settings, notify_tagging) as index:
        if framework not in index.tagger.frameworks:
            err.print(f"error: unknown framework '{framework}'; known: {', '.join(index.tagger.frameworks)}")
            raise typer.Exit(2)
        matrix = portfolio_matrix(index, framework, "target" if targets else "goal")
    if not matrix["documents"]:
        err.print(f"error: the index in {settings.index_dir} holds no documents; add some with `underlag ingest`")
        raise typer.Exit(1)
    ids = [lab["id"] for lab in matrix["labels"]]
    if csv_path:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["document", "filename", "years", *ids])
        for d in matrix["documents"]:
            w.writerow([d["title"] or d["filename"], d["filename"], " ".join(map(str, d["years"])),
                        *[d["share"][i] for i in ids]])
        if csv_path == "-":
            sys.stdout.write(buf.getvalue())
        else:
            Path(csv_path).write_text(buf.getvalue(), encoding="utf-8")
    for path in (png, svg):
        if path is not None:
            heatmap(matrix, path)
            err.print(f"Värmekarta: {path}")
    if as_json:
        print_json(matrix)
    elif not csv_path or csv_path != "-":
        if not (png or svg or csv_path):
            table = Table("dokument", *ids)
            for d in matrix["documents"]:
                table.add_row((d["title"] or d["filename"])[:40],
                              *[f"{d['share'][i]:.0%}" if d["share"][i] else "" for i in ids])
            out.print(table)
