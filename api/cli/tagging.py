"""`underlag` subcommands for tagging against goal frameworks (tag, portfolio).

Registered on :data:`api.cli.common.app` when one of its commands runs (:data:`api.cli.common.COMMANDS`).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from api.cli.common import DataDirOpt, JsonOpt, app, err, notify_tagging, out, print_json, settings_for
from api.cli.parsing import parse_or_exit
from api import components, remote
from review.profile import document_profile, heatmap, portfolio_matrix
from review.table_tags import read_table, write_tagged

FrameworkOpt = Annotated[
    list[str] | None,
    typer.Option("--framework", "-f", help="Only this framework (repeatable): agenda2030, "
                 "national_strategy, rus_orebro, perspectives, or any file in corpus/taxonomies/."),
]


# -- components ------------------------------------------------------------------------------


def _check_frameworks(tagger, frameworks: list[str] | None) -> list[str] | None:
    if not frameworks:
        return None
    unknown = [f for f in frameworks if f not in tagger.frameworks]
    if unknown:
        err.print(f"error: unknown framework {', '.join(unknown)}; known: {', '.join(tagger.frameworks)}")
        raise typer.Exit(2)
    return frameworks


def _print_profile(profile: dict[str, Any]) -> None:
    out.print(f"[bold]{profile['title'] or profile['file']}[/]  [dim]{profile['passages']} stycken[/]",
              highlight=False)
    table = Table("ramverk", "mål", "titel", "andel", "stycken", "poäng", "var")
    for e in profile["labels"]:
        where = ", ".join((s["section"] or s["title"])[:24] for s in e["sections"][:4])
        ident = e["id"] if e["level"] == "goal" else f"  {e['id']}"
        table.add_row(e["framework"], ident, e["title"][:60], f"{e['share']:.0%}", str(e["passages"]),
                      f"{e['score']:.2f}", where)
    out.print(table)


def _print_tags(tags, text: str) -> None:
    if not tags:
        out.print("Inga mål eller delmål hittades.")
        return
    for t in tags:
        head = Text(f"{t.framework}:{t.id}", style="bold cyan" if t.level == "goal" else "cyan")
        head.append(f"  {t.title}  ", style="bold" if t.level == "goal" else "")
        head.append(f"{t.score:.2f}", style="dim")
        out.print(head)
        for e in t.evidence[:2]:
            body = Text("    " + e.text.replace("\n", " "))
            for a, b in e.highlights:
                body.stylize("bold yellow", a - e.start + 4, b - e.start + 4)
            out.print(body)


def _show_text_tags(tags, text: str, as_json: bool) -> None:
    """``tag --text``'s output, the same whether the tags came from a server or from here."""
    if as_json:
        print_json({"characters": len(text), "labels": [t.model_dump(mode="json") for t in tags]})
    else:
        _print_tags(tags, text)


# -- CSV batch ---------------------------------------------------------------------------------


def _read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        err.print(f"error: {path}: {e}")
        raise typer.Exit(2) from None
    return read_table(raw, str(path))


def _tag_csv(tagger, path: Path, column: str, as_json: bool, frameworks: list[str] | None,
             output: Path | None) -> None:
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


# -- commands ------------------------------------------------------------------------------------


@app.command()
def tag(
    file: Annotated[Path | None, typer.Argument(help="A report (PDF, Word, text, Markdown): its goal profile.")] = None,
    text: Annotated[str | None, typer.Option("--text", "-t", help="Tag this text instead of a file.")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Tag every row of a CSV export.")] = None,
    column: Annotated[str | None, typer.Option("--column", "-c", help="With --csv: the column with the text.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="With --csv: write here instead of stdout.")] = None,
    framework: FrameworkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tag text with Agenda 2030 goals and targets, the national strategy, the RUS and perspectives.

    FILE gives the document's profile (which goals and targets, how much of the text,
    where). JSON labels have framework, id, title, level, score (0–1) and evidence
    (sentences of the input with the words that triggered the label as highlight spans).
    With --csv FILE --column COL every row is tagged in one run and written back with
    <framework>_goals, <framework>_targets and <framework>_scores columns (JSON lines with --json).
    """
    given = [x is not None for x in (file, text, csv_file)]
    if sum(given) != 1:
        err.print("error: give one of FILE, --text or --csv")
        raise typer.Exit(2)
    if csv_file is not None and not column:
        err.print("error: --csv needs --column, the name of the column with the text")
        raise typer.Exit(2)
    settings = settings_for(None)
    doc = None
    if file is not None:
        doc = parse_or_exit(file, settings)
    if text is not None and not text.strip():
        err.print("error: --text is empty")
        raise typer.Exit(2)
    # A running server has the tagger loaded: ask it first (all frameworks only, the
    # frameworks' names are checked against the local tagger); anything amiss, work alone.
    url = remote.find_server(settings) if text is not None and not framework else None
    tags = remote.remote_tag(url, text or "") if url else None
    if tags is not None:
        _show_text_tags(tags, text or "", as_json)
        return
    tagger = components.load_tagger(settings, components.build_embedder(settings), components.build_analyzer())
    frameworks = _check_frameworks(tagger, framework)
    if csv_file is not None:
        _tag_csv(tagger, csv_file, column or "", as_json, frameworks, output)
    elif doc is not None:
        profile = document_profile(doc, tagger, tagger.analyzer, frameworks)
        if as_json:
            print_json(profile)
        else:
            _print_profile(profile)
    else:
        _show_text_tags(tagger.tag(text or "", frameworks), text or "", as_json)


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
