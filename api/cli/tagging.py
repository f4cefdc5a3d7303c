"""`underlag tag`: tag a text, a report or a CSV export against the goal frameworks.

Registered on :data:`api.cli.common.app` when the command runs (:data:`api.cli.common.COMMANDS`).
A text is sent to a running server first; the tagger and what it needs are loaded only when
none answers (:mod:`api.cli.tagging_local`). ``portfolio`` is in :mod:`api.cli.portfolio`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from api.cli.common import JsonOpt, app, err, lazy, out, print_json, settings_for
from api import remote

FrameworkOpt = Annotated[
    list[str] | None,
    typer.Option("--framework", "-f", help="Only this framework (repeatable): agenda2030, "
                 "national_strategy, rus_orebro, perspectives, or any file in corpus/taxonomies/."),
]


# -- output (the same whichever path answered) ---------------------------------------------------


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
    if text is not None and not text.strip():
        err.print("error: --text is empty")
        raise typer.Exit(2)
    # A running server has the tagger loaded: ask it first (all frameworks only, the
    # frameworks' names are checked against the local tagger); anything amiss, work alone.
    # Only then is the tagging code imported (api.cli.tagging_local).
    url = remote.find_server(settings) if text is not None and not framework else None
    tags = remote.remote_tag(url, text or "") if url else None
    if tags is not None:
        _show_text_tags(tags, text or "", as_json)
        return
    local = lazy("api.cli.tagging_local")
    doc = local.parse_or_exit(file, settings) if file is not None else None
    tagger, frameworks = local.load_tagger(settings, framework)
    if csv_file is not None:
        local.tag_csv(tagger, csv_file, column or "", as_json, frameworks, output)
    elif doc is not None:
        profile = local.document_profile(doc, tagger, tagger.analyzer, frameworks)
        if as_json:
            print_json(profile)
        else:
            _print_profile(profile)
    else:
        _show_text_tags(tagger.tag(text or "", frameworks), text or "", as_json)
