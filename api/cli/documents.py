"""`underlag` subcommands for documents: parse, ingest, delete, reindex (`documents` is in
:mod:`api.cli.catalog`, which needs no index opened).

Registered on :data:`api.cli.common.app` when one of its commands runs (:data:`api.cli.common.COMMANDS`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from api.cli.common import DataDirOpt, JsonOpt, app, err, out, print_json, settings_for
from api.cli.parsing import document_json, parse_or_exit
from api import components
from ingest import repair
from ingest.pipeline import ingest_files, iter_files
from underlag.model import Document


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
        print_json(document_json(doc))
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
    settings = settings_for(data_dir)
    files = list(iter_files(paths))
    if not files:
        err.print("error: no files found in " + ", ".join(map(str, paths)))
        raise typer.Exit(1)
    results: dict[str, list[dict[str, Any]]] = {"ingested": [], "unchanged": [], "failed": []}
    lexicon = repair.default_lexicon()
    with components.open_index(settings) as index, Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, disable=as_json or not err.is_terminal, transient=True,
    ) as progress:
        task = progress.add_task("Läser in", total=len(files))

        def announce(f: Path) -> set[str]:
            progress.update(task, description=f"Läser in {f.name}")
            return index.ids_for_source(f)

        for o in ingest_files(files, settings, lexicon, index.add, announce):
            f = o.path
            if o.status == "unchanged":
                results["unchanged"].append({"file": str(f), "id": o.id})
                if not as_json:
                    out.print(f"  [dim]oförändrad[/]  {f}", highlight=False)
            elif o.status == "failed":
                assert o.error is not None
                results["failed"].append({"file": str(f), "error": str(o.error), "code": o.error.code})
                err.print(f"  [red]misslyckades[/]  {o.error}", highlight=False)
            else:
                doc, change = o.document, o.stored
                assert doc is not None and change is not None
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
            progress.advance(task)
    if as_json:
        print_json(results)
    else:
        n = {k: len(v) for k, v in results.items()}
        out.print(f"{len(files)} filer: {n['ingested']} inlästa, {n['unchanged']} oförändrade, "
                  f"{n['failed']} misslyckades. Index: {settings.index_dir}", highlight=False)
    if results["failed"]:
        raise typer.Exit(1)


@app.command()
def delete(
    document: Annotated[str, typer.Argument(help="Document id (or unique prefix) or file name.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Remove a document from the index."""
    with components.open_index(settings_for(data_dir), dense=False) as index:
        doc_id = index.resolve(document)
        if doc_id is None or index.delete(doc_id) is None:
            err.print(f"error: no single document matches '{document}' (see `underlag documents`)")
            raise typer.Exit(1)
    out.print(f"Borttaget: {doc_id}")




@app.command()
def reindex(as_json: JsonOpt = False, data_dir: DataDirOpt = None) -> None:
    """Embed what the index lacks: the sentence vectors of passages stored before them (or by
    another model). Searches work without, ranking those passages by their passage vector only."""
    with components.open_index(settings_for(data_dir)) as index:
        done = index.embed_missing_sentences()
    if as_json:
        print_json({"passages": done})
    else:
        out.print(f"Meningsvektorer beräknade för {done} stycken." if done
                  else "Inget att göra: alla stycken har sina meningsvektorer.", highlight=False)
