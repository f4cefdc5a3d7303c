"""`underlag` subcommands for finding earlier wording: search, similar.

A running server is asked first (api.remote); only when none answers does the command open
the index and the model itself (:mod:`api.cli.searching`, imported then), so a search a
server answers costs the interpreter, the options and one HTTP request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.common import DataDirOpt, JsonOpt, app, err, lazy, out, print_json, settings_for
from api import remote
from index.filters import MAX_RESULTS, Filters
from underlag.errors import QueryError, UnknownDocumentError


def _filters(document: str | None, doc_type: str | None, year: int | None,
             organisation: str | None, section: str | None, goal: str | None = None):
    return Filters(document=document, doc_type=doc_type, year=year, organisation=organisation,
                   section=section, goal=goal)


DocumentOpt = Annotated[str | None, typer.Option("--document", "-d", help="Only this document (id or file name).")]
TypeOpt = Annotated[str | None, typer.Option("--type", help="Only this document type, e.g. återrapportering.")]
YearOpt = Annotated[int | None, typer.Option("--year", "-y", help="Only documents covering this year.")]
OrgOpt = Annotated[str | None, typer.Option("--organisation", help="Only this organisation.")]
SectionOpt = Annotated[str | None, typer.Option("--section", "-s", help="Only this section and its subsections, e.g. 1.3.")]
KOpt = Annotated[int, typer.Option("--k", "-k", min=1, max=200, help="How many hits.")]
GoalOpt = Annotated[str | None, typer.Option(
    "--goal", "-g", help="Only passages tagged with this goal or target: 8.5, agenda2030:8.5, S4.1, inkludering.")]


def _hit_json(hit) -> dict[str, Any]:
    return hit.model_dump(mode="json")


def _print_hits(hits, query: str) -> None:
    from rich.text import Text

    if not hits:
        out.print(f"Inga träffar för “{query}”.")
        return
    for rank, h in enumerate(hits, start=1):
        where = " · ".join(x for x in [h.document, f"avsnitt {h.section}" if h.section else None,
                                       str(h.year) if h.year else None,
                                       f"s. {h.page}" if h.page else None] if x)
        head = Text(f"{rank:>2}. ", style="bold")
        head.append(where, style="bold cyan")
        head.append(f"   {h.score:.4f}" + (f"  överlapp {h.overlap:.0%}" if h.overlap is not None else ""),
                    style="dim")
        out.print(head)
        if h.heading_path:
            out.print(Text("    " + " › ".join(h.heading_path), style="dim"))
        body = Text("    " + h.text.replace("\n", "\n    "))
        shift = 4
        for start, end in h.highlights:
            # account for the indentation inserted after each newline before the span
            extra = shift + 4 * h.text.count("\n", 0, start)
            body.stylize("bold yellow", start + extra, end + extra)
        out.print(body)
        out.print()


def _run_search(fn, as_json: bool, query: str):
    try:
        hits = fn()
    except (QueryError, UnknownDocumentError) as e:
        err.print(f"error: {e}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        print_json([_hit_json(h) for h in hits])
    else:
        _print_hits(hits, query)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    k: KOpt = 10,
    document: DocumentOpt = None, doc_type: TypeOpt = None, year: YearOpt = None,
    organisation: OrgOpt = None, section: SectionOpt = None, goal: GoalOpt = None,
    mode: Annotated[str, typer.Option(help="hybrid (default), lexical, dense or rrf (the older rank fusion).")] = "hybrid",
    offset: Annotated[int, typer.Option("--offset", min=0, max=MAX_RESULTS,
                                        help="Skip this many hits (the next page).")] = 0,
    with_total: Annotated[bool, typer.Option(
        "--with-total", help="Also count the relevant hits (a query word, or a meaning above the "
        "similarity floor; copies counted once): on stderr with --json, so the JSON stays a list.")] = False,
    as_json: JsonOpt = False, data_dir: DataDirOpt = None,
) -> None:
    """Search earlier reports for passages about a topic.

    JSON hits have text, document, section, heading_path, year, page and score
    (and highlights: character spans of the words that match). --goal keeps the
    passages tagged with a goal or target ("passages about mål 8.5 in 2021").
    """
    if mode not in ("hybrid", "lexical", "dense", "rrf"):
        err.print(f"error: --mode must be hybrid, lexical, dense or rrf, not '{mode}'")
        raise typer.Exit(2)
    filters = _filters(document, doc_type, year, organisation, section, goal)
    settings = settings_for(data_dir)
    # A running server has the model and the index loaded: ask it first (the same hits
    # in a tenth of a second instead of seconds); anything amiss, and we work alone. Its
    # search answers the first page of hits only: a later page (--offset) or the total
    # is worked out here, else a server would print the first page and no total.
    url = None if goal or offset or with_total else remote.find_server(settings)
    hits = remote.remote_search(url, query, k=k, mode=mode, filters=filters) if url else None
    if hits is not None:
        _run_search(lambda: hits, as_json, query)
        return
    local = lazy("api.cli.searching")
    total: list[str] = []
    _run_search(lambda: local.search_alone(settings, query, filters, mode, k=k, offset=offset,
                                           goal=goal, total=total if with_total else None),
                as_json, query)
    for line in total:
        err.print(line, highlight=False)


@app.command()
def similar(
    text: Annotated[str | None, typer.Argument(help="A sentence or paragraph (or use --file).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the text from this file.")] = None,
    exclude: Annotated[str | None, typer.Option("--exclude", help="Leave this document out (id or file name).")] = None,
    k: KOpt = 10,
    document: DocumentOpt = None, doc_type: TypeOpt = None, year: YearOpt = None,
    organisation: OrgOpt = None, section: SectionOpt = None,
    as_json: JsonOpt = False, data_dir: DataDirOpt = None,
) -> None:
    """Find earlier wording of the same thing: near-identical passages first.

    Each hit has ``overlap``: the share of your text's words the passage repeats in order.
    """
    if (text is None) == (file is None):
        err.print("error: give the text as an argument or with --file, not both")
        raise typer.Exit(2)
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            err.print(f"error: {file}: {e}")
            raise typer.Exit(2) from None
    filters = _filters(document, doc_type, year, organisation, section)
    settings = settings_for(data_dir)
    url = remote.find_server(settings)
    hits = remote.remote_similar(url, text or "", k=k, filters=filters, exclude_document=exclude) if url else None
    if hits is not None:
        _run_search(lambda: hits, as_json, (text or "")[:60])
        return
    local = lazy("api.cli.searching")
    _run_search(lambda: local.similar_alone(settings, text or "", filters, k=k, exclude_document=exclude),
                as_json, (text or "")[:60])
