"""`underlag` subcommands for whole-report work: a first draft and the reuse report (draft, reuse).

Registered on :data:`api.cli.common.app` when one of its commands runs (:data:`api.cli.common.COMMANDS`).

    underlag draft --template ID [--exclude DOC ...] [--prefer-recent] [--docx FILE] [--json]
    underlag reuse REPORT (--against DOC | --year Y) [--json] [--docx FILE] [--html FILE]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api import components
from api.cli.common import DataDirOpt, JsonOpt, app, err, out, print_json, settings_for
from api.cli.parsing import parse_or_exit
from review.draft import draft_json, draft_report
from review.reuse import reuse_json, reuse_report
from review.templates import load_template
from review.whole_reports import STATUS_REUSE_SV, limit_note, render_draft_docx, render_reuse_docx, render_reuse_html
from underlag.errors import UnknownDocumentError
from underlag.model import Document

TemplateOpt = Annotated[str, typer.Option("--template", "-t",
                                          help="Template id (see `underlag template list`) or a YAML file.")]


@app.command()
def draft(
    template: TemplateOpt,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Leave this document out "
                                                      "(id, id prefix or file name); repeatable.")] = None,
    prefer_recent: Annotated[bool, typer.Option("--prefer-recent", help="Prefer later years.")] = False,
    docx: Annotated[Path | None, typer.Option("--docx", help="Write the draft as a Word document here.")] = None,
    as_json: JsonOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """A first draft of every question of a template from earlier reports, within every limit, cited."""

    settings = settings_for(data_dir)
    t = load_template(template, settings.templates_dir)
    with components.open_index(settings) as index:
        d = draft_report(t, index, exclude_documents=exclude or [], prefer_recent=prefer_recent)
    if docx:
        render_draft_docx(d, docx)
        err.print(f"wrote {docx}")
    if as_json:
        print_json(draft_json(d))
        return
    s = d.summary
    out.print(f"[bold]Utkast: {d.title}[/] ({d.template}): {s.drafted} av {s.questions} frågor med text, "
              f"{s.writer} Ja/Nej till skribenten, {s.empty} utan underlag; {s.citations} källor, "
              f"{s.gaps} krav saknas eller är svaga.", highlight=False)
    table = Table("fråga", "utkast", "tecken", "källor", "saknas")
    gaps: dict[str, list[str]] = {}
    for g in d.gaps:
        gaps.setdefault(g.question, []).append(g.label)
    for q in d.questions:
        state = {"drafted": "[green]utkast[/]", "empty": "[red]inget underlag[/]",
                 "writer": "[yellow]Ja/Nej: skribenten[/]"}[q.status]
        if q.answer_type == "table" and q.rows:
            size = f"{len(q.rows)} insatser" + (f" / max {q.max_items}" if q.max_items else "")
        else:
            size = limit_note(q, d) if q.status == "drafted" else ""
        cites = sorted({p.citation for p in q.parts} | {r.citation for r in q.rows})
        table.add_row(q.id, state, size, " ".join(f"[{n}]" for n in cites), ", ".join(gaps.get(q.id, [])))
    out.print(table)
    for span, labels in gaps.items():
        if "–" in span:
            out.print(f"Frågorna {span} tillsammans saknar: {', '.join(labels)}", highlight=False)


def _document(ref: str, index) -> Document:
    """A file to parse, or a document of the index (id, id prefix or file name)."""
    p = Path(ref)
    if p.is_file():
        return parse_or_exit(p)
    doc_id = index.resolve(ref)
    doc = index.document(doc_id) if doc_id else None
    if doc is None:
        raise UnknownDocumentError(f"no file or indexed document {ref!r}; see `underlag documents`")
    return doc


@app.command()
def reuse(
    report: Annotated[str, typer.Argument(help="The report: a file, or a document of the index.")],
    against: Annotated[list[str] | None, typer.Option("--against", help="An earlier report (file or indexed "
                                                      "document); may be repeated.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Every indexed document of this year.")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", help="Also write a Word report here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write an HTML report here.")] = None,
    as_json: JsonOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """How much of each answer of a report repeats earlier reports, and which answers are new."""

    if not against and year is None:
        raise typer.BadParameter("give --against DOC or --year Y", param_hint="--against/--year")
    with components.open_index(settings_for(data_dir), dense=False) as index:
        doc = _document(report, index)
        earlier = [_document(ref, index) for ref in against or []]
        if year is not None:
            for summary in index.documents():
                d = index.document(summary.id)
                if d is not None and year in d.metadata.years and d.id != doc.id:
                    earlier.append(d)
    if not earlier:
        raise UnknownDocumentError(f"no earlier document to compare with (year {year} has none in the index)")
    r = reuse_report(doc, earlier)
    if docx:
        render_reuse_docx(r, docx)
        err.print(f"wrote {docx}")
    if html:
        html.write_text(render_reuse_html(r), encoding="utf-8")
        err.print(f"wrote {html}")
    if as_json:
        print_json(reuse_json(r))
        return
    s = r.summary
    out.print(f"[bold]{r.report}[/] mot {', '.join(a.filename for a in r.against)}: "
              f"{round(100 * s.share)} % upprepad text; {s.repeated} svar mest upprepade, {s.partly} delvis, "
              f"{s.new} mest nya.", highlight=False)
    table = Table("fråga", "upprepat", "bedömning", "längsta upprepning")
    colour = {"repeated": "red", "partly": "yellow", "new": "green"}
    for q in r.questions:
        top = q.spans[0] if q.spans else None
        longest = f"{top.chars} tecken ur {top.filename} ({top.year}) {top.section}" if top else ""
        table.add_row(q.id, f"{round(100 * q.share)} %", f"[{colour[q.status]}]{STATUS_REUSE_SV[q.status]}[/]",
                      longest)
    out.print(table)
