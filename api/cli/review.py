"""`underlag` subcommands for templates, coverage checks and draft suggestions (template, coverage, suggest).

Registered on :data:`api.cli.common.app` when :mod:`api.cli` is imported.

    underlag template list                      # the templates in corpus/templates
    underlag template show ID                   # questions, limits and elements
    underlag template extract FILE [--id ID] [--out FILE.yaml]
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

from api.cli.common import Commands, DataDirOpt, JsonOpt, app, err, out, parse_or_exit, print_json, settings_for
from api import components
from review.coverage import check_coverage, coverage_json
from review.report import (
    answer_label, chars_label, citation_label, element_label, element_reason, items_label, render_coverage_docx,
    render_coverage_html, render_suggestion_docx,
)
from review.suggest import suggest as make_suggestion
from review.suggest import suggestion_json
from review.templates import extract_template, list_templates, load_template, save_template, template_json
from underlag.errors import UnderlagError
from underlag.settings import get_settings

template_app = Commands(help="Report templates: list, show and extract them.", no_args_is_help=True)
app.add_typer(template_app, name="template")

TemplateOpt = Annotated[str, typer.Option("--template", "-t",
                                          help="Template id (see `underlag template list`) or a YAML file.")]


def _fail(e: Exception, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/] {e}", highlight=False)
    return typer.Exit(code)


def _load(template_id: str):
    try:
        return load_template(template_id, get_settings().templates_dir)
    except UnderlagError as e:
        raise _fail(e) from None


@template_app.command("list")
def template_list(as_json: JsonOpt = False) -> None:
    """The templates in corpus/templates."""

    templates = list_templates(get_settings().templates_dir)
    if as_json:
        print_json([{k: v for k, v in template_json(t).items() if k in ("id", "title", "year", "source")}
                     | {"questions": len(t.questions)} for t in templates])
        return
    table = Table("id", "titel", "år", "frågor", "källa")
    for t in templates:
        table.add_row(t.id, t.title, str(t.year or ""), str(len(t.questions)), t.source or "")
    out.print(table)


def _print_template(t) -> None:
    out.print(f"[bold]{t.title}[/] ({t.id}, {len(t.questions)} frågor)", highlight=False)
    table = Table("fråga", "typ", "gräns", "krav", "frågetext")
    for q in t.questions:
        lim = t.limit_for(q.id)
        limit = ""
        if lim:
            limit = f"{lim.max_chars:,}".replace(",", " ") + (
                f" ({lim.questions[0]}–{lim.questions[-1]})" if len(lim.questions) > 1 else "")
        kind = q.answer_type + (f" max {q.max_items}" if q.max_items else "")
        shared = [e for sh in t.shared_elements if q.id in sh.questions for e in sh.elements]
        req = ", ".join([*q.elements, *(f"{e}*" for e in shared if e not in q.elements),
                         *(f"({e})" for e in q.optional_elements)])
        table.add_row(q.id, kind, limit, req, q.text[:90])
    out.print(table)
    out.print("[dim]* gemensamt för gruppens frågor, (frivilligt)[/]")


@template_app.command("show")
def template_show(template_id: Annotated[str, typer.Argument(help="Template id or YAML file.")],
                  as_json: JsonOpt = False) -> None:
    """A template's questions, limits and required elements."""

    t = _load(template_id)
    if as_json:
        print_json(template_json(t))
    else:
        _print_template(t)


@template_app.command("extract")
def template_extract(
    file: Annotated[Path, typer.Argument(help="A report or blank form written on the template.")],
    template_id: Annotated[str | None, typer.Option("--id", help="Id of the new template.")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Write the YAML here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract the questions, limits and instructions of a template from a document.

    Review the YAML afterwards (corpus/templates/README.md) and save it in
    corpus/templates/ to use it with `coverage` and `suggest`.
    """

    t = extract_template(parse_or_exit(file), template_id)
    if not t.questions:
        raise _fail(UnderlagError(f"{file.name}: no template questions found (numbered questions or "
                                  f"numbered sections with instructions)"), 1)
    if out_path:
        save_template(t, out_path)
        err.print(f"wrote {out_path} ({len(t.questions)} questions, {len(t.limits)} limits)")
    if as_json:
        print_json(template_json(t))
    elif not out_path:
        import yaml
        out.print(yaml.safe_dump(template_json(t), allow_unicode=True, sort_keys=False, width=100),
                  highlight=False, markup=False)


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

    t = _load(template)
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

    t = _load(template)
    with components.open_index(settings_for(data_dir)) as index:
        try:
            s = make_suggestion(question, t, index, exclude_document=exclude, prefer_recent=prefer_recent,
                                max_chars=max_chars)
        except UnderlagError as e:
            raise _fail(e) from None
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
