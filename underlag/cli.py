"""The ``underlag`` command line: one entry point, one subcommand per task.

Every command prints readable tables for people and, with ``--json``, JSON
for scripts (the field names are a public interface: extend, never rename).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

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


def _settings(data_dir: Path | None) -> Settings:
    base = get_settings()
    return base.model_copy(update={"data_dir": data_dir}) if data_dir else base


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def parse_or_exit(path: Path, settings: Settings | None = None) -> Document:
    """Parse one file for a command, or print why it cannot be read and exit with 1."""
    from ingest.pipeline import parse_file

    try:
        return parse_file(path, settings or get_settings())
    except IngestError as e:
        err.print(f"[red]error:[/] {e}", highlight=False)
        raise typer.Exit(1) from None


def document_json(doc: Document) -> dict[str, Any]:
    """The JSON shape of a parsed document (``underlag parse --json``)."""
    return doc.model_dump(mode="json")


def _describe(doc: Document) -> str:
    m = doc.metadata
    bits = [m.title or doc.filename]
    if m.doc_type:
        bits.append(m.doc_type)
    if m.years:
        bits.append("–".join(str(y) for y in (m.years[0], m.years[-1]) if y) if len(m.years) > 1
                    else str(m.years[0]))
    bits.append(f"{len(doc.sections)} avsnitt")
    return " · ".join(bits)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A PDF, Word (.docx), text or Markdown report.")],
    as_json: JsonOpt = False,
) -> None:
    """Parse one report and show its metadata and sections (nothing is stored)."""
    doc = parse_or_exit(file)
    for w in doc.warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False)
    if as_json:
        _print_json(document_json(doc))
        return
    m = doc.metadata
    meta = Table.grid(padding=(0, 2))
    for label, value in [
        ("Titel", m.title), ("Organisation", m.organisation), ("Typ", m.doc_type),
        ("År", ", ".join(map(str, m.years))), ("Datum", m.date),
        ("Diarienummer", ", ".join(m.diarienummer)), ("Sidor", doc.page_count),
        ("Fotnoter", len(doc.footnotes) or None),
    ]:
        if value:
            meta.add_row(f"[bold]{label}[/]", str(value))
    out.print(meta)
    tree = Tree(f"[bold]{doc.filename}[/] ({len(doc.sections)} avsnitt)")
    stack: list[tuple[int, Tree]] = [(0, tree)]
    for s in doc.sections:
        while len(stack) > 1 and stack[-1][0] >= s.level:
            stack.pop()
        label = f"{s.number} {s.title}" if s.number else s.title
        extra = f"  [dim]{len(s.text)} tecken" + (f", s. {s.page}" if s.page else "") + "[/]"
        if s.question:
            label = f"[cyan]{label}[/]"
        node = stack[-1][1].add(f"{label}{extra}", highlight=False)
        stack.append((s.level, node))
    out.print(tree)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively).")],
    as_json: JsonOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Parse reports and add them to the index; unchanged files are skipped.

    A file that fails is reported on one line and the others still go in; the
    exit code is 1 when any file failed.
    """
    from ingest import repair
    from ingest.pipeline import file_id, iter_files, parse_file
    from underlag.services import open_index

    settings = _settings(data_dir)
    files = list(iter_files(paths))
    if not files:
        err.print("error: no files found in " + ", ".join(map(str, paths)))
        raise typer.Exit(1)
    results: dict[str, list[dict[str, Any]]] = {"ingested": [], "unchanged": [], "failed": []}
    lexicon = repair.default_lexicon()
    with open_index(settings) as index, Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, disable=as_json or not err.is_terminal, transient=True,
    ) as progress:
        task = progress.add_task("Läser in", total=len(files))
        for f in files:
            progress.update(task, description=f"Läser in {f.name}")
            try:
                if f.is_file() and (doc_id := file_id(f)) in index.store.ids_for_source(f):
                    results["unchanged"].append({"file": str(f), "id": doc_id})
                    if not as_json:
                        out.print(f"  [dim]oförändrad[/]  {f}", highlight=False)
                    continue
                doc = parse_file(f, settings, lexicon)
                change = index.add(doc)
            except IngestError as e:
                results["failed"].append({"file": str(f), "error": str(e), "code": e.code})
                err.print(f"  [red]misslyckades[/]  {e}", highlight=False)
            except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
                msg = f"{f}: could not be read: {type(e).__name__}: {e}"
                results["failed"].append({"file": str(f), "error": msg, "code": "internal"})
                err.print(f"  [red]misslyckades[/]  {msg}", highlight=False)
            else:
                results["ingested"].append({
                    "file": str(f), "id": doc.id, "title": doc.metadata.title,
                    "doc_type": doc.metadata.doc_type, "years": doc.metadata.years,
                    "sections": len(doc.sections), "passages": len(change.added_rowids),
                    "replaced": change.replaced, "warnings": doc.warnings,
                })
                for w in doc.warnings:
                    err.print(f"  [yellow]varning[/]  {w}", highlight=False)
                if not as_json:
                    out.print(f"  [green]inläst[/]  {f}  [dim]{_describe(doc)}[/]", highlight=False)
            finally:
                progress.advance(task)
    if as_json:
        _print_json(results)
    else:
        n = {k: len(v) for k, v in results.items()}
        out.print(f"{len(files)} filer: {n['ingested']} inlästa, {n['unchanged']} oförändrade, "
                  f"{n['failed']} misslyckades. Index: {settings.index_dir}", highlight=False)
    if results["failed"]:
        raise typer.Exit(1)


@app.command()
def documents(as_json: JsonOpt = False, data_dir: DataDirOpt = None) -> None:
    """List the documents in the index."""
    from index.store import DocumentStore

    with DocumentStore(_settings(data_dir).index_dir) as store:
        docs = store.list()
    if as_json:
        _print_json([d.__dict__ for d in docs])
        return
    table = Table("id", "fil", "titel", "typ", "år", "avsnitt")
    for d in docs:
        table.add_row(d.id[:10], d.filename, d.title or "", d.doc_type or "",
                      ", ".join(map(str, d.years)), str(d.sections))
    out.print(table)


@app.command()
def delete(
    document: Annotated[str, typer.Argument(help="Document id (or unique prefix) or file name.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Remove a document from the index."""
    from underlag.services import open_index

    with open_index(_settings(data_dir), dense=False) as index:
        doc_id = index.store.resolve(document)
        if doc_id is None or index.delete(doc_id) is None:
            err.print(f"error: no single document matches '{document}' (see `underlag documents`)")
            raise typer.Exit(1)
    out.print(f"Borttaget: {doc_id}")


def _filters(document: str | None, doc_type: str | None, year: int | None,
             organisation: str | None, section: str | None, goal: str | None = None):
    from index.search import Filters

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
    from index.search import QueryError, UnknownDocumentError

    try:
        hits = fn()
    except (QueryError, UnknownDocumentError) as e:
        err.print(f"error: {e}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        _print_json([_hit_json(h) for h in hits])
    else:
        _print_hits(hits, query)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    k: KOpt = 10,
    document: DocumentOpt = None, doc_type: TypeOpt = None, year: YearOpt = None,
    organisation: OrgOpt = None, section: SectionOpt = None, goal: GoalOpt = None,
    mode: Annotated[str, typer.Option(help="hybrid (default), lexical or dense.")] = "hybrid",
    as_json: JsonOpt = False, data_dir: DataDirOpt = None,
) -> None:
    """Search earlier reports for passages about a topic.

    JSON hits have text, document, section, heading_path, year, page and score
    (and highlights: character spans of the words that match). --goal keeps the
    passages tagged with a goal or target ("passages about mål 8.5 in 2021").
    """
    from underlag.services import open_index

    if mode not in ("hybrid", "lexical", "dense"):
        err.print(f"error: --mode must be hybrid, lexical or dense, not '{mode}'")
        raise typer.Exit(2)
    filters = _filters(document, doc_type, year, organisation, section, goal)
    settings = _settings(data_dir)
    if goal:
        from underlag.cli_tag import open_tagged_index

        index = open_tagged_index(settings)
    else:
        index = open_index(settings)
    with index:
        if goal and index.tagger is not None:
            from nlp.taxonomy import resolve

            if not resolve(index.tagger.frameworks, goal):
                err.print(f"error: no goal or target '{goal}' in any framework (e.g. 8.5, agenda2030:8.5, S4.1)")
                raise typer.Exit(2)
        _run_search(lambda: index.search(query, k=k, filters=filters, mode=mode), as_json, query)  # type: ignore[arg-type]


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
    from underlag.services import open_index

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
    with open_index(_settings(data_dir)) as index:
        _run_search(lambda: index.prior_wording(text or "", k=k, filters=filters, exclude_document=exclude),
                    as_json, (text or "")[:60])


# Further subcommands live in their own modules, which register themselves on ``app``.
from underlag import cli_review, cli_serve, cli_tag  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    app()
