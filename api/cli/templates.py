"""`underlag template`: list, show and extract report templates.

Registered on :data:`api.cli.common.app` when the command runs; it reads YAML only, so
``underlag template list`` answers without the index or any model.

    underlag template list                      # the templates in corpus/templates
    underlag template show ID                   # questions, limits and elements
    underlag template extract FILE [--id ID] [--out FILE.yaml]
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from api.cli.common import Commands, JsonOpt, app, err, out, print_json
from api.cli.parsing import parse_or_exit
from review.templates import extract_template, list_templates, load_template, save_template, template_json
from underlag.errors import UnderlagError
from underlag.settings import get_settings

template_app = Commands(help="Report templates: list, show and extract them.", no_args_is_help=True)
app.add_typer(template_app, name="template")


def fail(e: Exception, code: int = 2) -> typer.Exit:
    """The exit of a command that cannot go on, after one line on why."""
    err.print(f"[red]error:[/] {e}", highlight=False)
    return typer.Exit(code)


def template_or_exit(template_id: str):
    """The template by id or YAML file, or exit with 2 and why (also for coverage and suggest)."""
    try:
        return load_template(template_id, get_settings().templates_dir)
    except UnderlagError as e:
        raise fail(e) from None


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

    t = template_or_exit(template_id)
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
        raise fail(UnderlagError(f"{file.name}: no template questions found (numbered questions or "
                                  f"numbered sections with instructions)"), 1)
    if out_path:
        save_template(t, out_path)
        err.print(f"wrote {out_path} ({len(t.questions)} questions, {len(t.limits)} limits)")
    if as_json:
        print_json(template_json(t))
    elif not out_path:
        out.print(yaml.safe_dump(template_json(t), allow_unicode=True, sort_keys=False, width=100),
                  highlight=False, markup=False)
