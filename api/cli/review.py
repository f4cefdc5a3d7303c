"""`underlag` subcommands for coverage checks and draft suggestions (coverage, suggest).

Registered on :data:`api.cli.common.app` when one of its commands runs (:data:`api.cli.common.COMMANDS`).

    underlag coverage DRAFT --template ID [--docx OUT] [--html OUT] [--json]
    underlag suggest QUESTION --template ID [--exclude DOC] [--prefer-recent]
                     [--max-chars N] [--docx OUT] [--json]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from api.cli.common import DataDirOpt, JsonOpt, app, err, out, print_json, settings_for
from api.cli.parsing import parse_or_exit
from api.cli.templates import fail, template_or_exit
from api import components
from review.coverage import check_coverage, coverage_json
from review.report import (
    answer_label, chars_label, citation_label, element_label, element_reason, items_label, render_coverage_docx,
    render_coverage_html, render_suggestion_docx,
)
from review.suggest import suggest as make_suggestion
from review.suggest import suggestion_json
from underlag.errors import UnderlagError
from underlag.settings import get_settings

TemplateOpt = Annotated[str, typer.Option("--template", "-t",
                                          help="Template id (see `underlag template list`) or a YAML file.")]


def _coverage_table(report) -> None:

    s = report.summary
    out.print(f"[bold]{report.draft}[/] mot {report.template}: {s.answered}/{s.questions} frågor besvarade, "
              f"krav {s.elements_covered} täcks / {s.elements_weak} svagt / {s.elements_missing} saknas, "
              f"{s.limits_exceeded} gränser överskridna", highlight=False)
    table = Table("fråga", "svar", "tecken", "insatser", "krav")
    colour = {"covered": "green", "weak": "yellow", "missing": "red"}
    for q in report.questions:
        els = "\n".join(_element_cell(e, colour) for e in q.elements)
        ans = answer_label(q) if q.status == "answered" else f"[red]{answer_label(q)}[/]"
        chars = chars_label(q)
        table.add_row(q.id, ans, f"[red]{chars}[/]" if q.limit and q.limit.over else chars,
                      items_label(q), els)
    out.print(table)
    for sh in report.shared:
        out.print(f"Frågorna {', '.join(sh.questions)} tillsammans:", highlight=False)
        for e in sh.elements:
            out.print("  " + _element_cell(e, colour).replace("\n", "\n  "), highlight=False)


def _element_cell(e, colour: dict[str, str]) -> str:
    """An element's verdict, with its reason (what was found, or what is missing) under it."""
    reason = element_reason(e)
    cell = f"[{colour[e.status]}]{escape(element_label(e))}[/]"
    return cell + (f"\n  [dim]{escape(reason)}[/]" if reason else "")


@app.command()
def coverage(
    draft: Annotated[Path, typer.Argument(help="The draft: .docx, .pdf, .txt or .md.")],
    template: TemplateOpt,
    docx: Annotated[Path | None, typer.Option("--docx", help="Also write a Word report here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write an HTML report here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a draft against a template: answers, required elements, character limits, table sizes."""

    t = template_or_exit(template)
    doc = parse_or_exit(draft)
    report = check_coverage(doc, t, components.build_embedder(get_settings()), components.build_analyzer())
    if docx:
        render_coverage_docx(report, docx, t)
        err.print(f"wrote {docx}")
    if html:
        html.write_text(render_coverage_html(report, t), encoding="utf-8")
        err.print(f"wrote {html}")
    if as_json:
        print_json(coverage_json(report))
    else:
        _coverage_table(report)


@app.command()
def suggest(
    question: Annotated[str, typer.Argument(help="The question's id in the template, e.g. 3.1.")],
    template: TemplateOpt,
    exclude: Annotated[str | None, typer.Option("--exclude", help="Leave this document out "
                                                "(id, id prefix or file name).")] = None,
    prefer_recent: Annotated[bool, typer.Option("--prefer-recent", help="Prefer later years.")] = False,
    max_chars: Annotated[int | None, typer.Option("--max-chars", help="Budget instead of the "
                                                  "question's share of its limit.")] = None,
    docx: Annotated[Path | None, typer.Option("--docx", help="Write a Word document here.")] = None,
    as_json: JsonOpt = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Suggest a draft answer to a template question from earlier reports, with citations."""

    t = template_or_exit(template)
    with components.open_index(settings_for(data_dir)) as index:
        try:
            s = make_suggestion(question, t, index, exclude_document=exclude, prefer_recent=prefer_recent,
                                max_chars=max_chars)
        except UnderlagError as e:
            raise fail(e) from None
    if docx:
        render_suggestion_docx(s, docx)
        err.print(f"wrote {docx}")
    if as_json:
        print_json(suggestion_json(s))
        return
    out.print(f"[bold]{s.question} {s.question_text}[/]", highlight=False)
    out.print(f"[dim]{s.chars} av {s.budget} tecken[/]")
    for p in s.parts:
        out.print(f"{p.text} [cyan][{p.citation}][/]", highlight=False)
        out.print()
    if s.uncovered:
        labels = {e.id: e.label for e in s.elements}
        out.print("[yellow]Inget tidigare avsnitt täcker:[/] " + ", ".join(labels.get(e, e) for e in s.uncovered),
                  highlight=False)
    out.print("[bold]Källor[/]")
    for c in s.citations:
        out.print(citation_label(c), highlight=False, markup=False)
