"""Reports people can send back: coverage checks and draft suggestions as Word or HTML.

Public API::

    render_coverage_docx(report: CoverageReport, path: Path, template: Template | None = None) -> Path
    render_coverage_html(report: CoverageReport, template: Template | None = None) -> str
    render_suggestion_docx(s: Suggestion, path: Path) -> Path
    render_suggestion_html(s: Suggestion) -> str

The text is Swedish (the reports go to Swedish reviewers and writers).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from review.coverage import CoverageReport, ElementResult, QuestionCoverage
from review.suggest import Citation, Suggestion
from review.templates import Template

STATUS_SV = {"covered": "täcks", "weak": "svagt", "missing": "saknas",
             "answered": "besvarad", "missing_answer": "obesvarad"}
STATUS_MARK = {"covered": "✔", "weak": "~", "missing": "✘"}


def answer_label(q: QuestionCoverage) -> str:
    return STATUS_SV["answered"] if q.status == "answered" else STATUS_SV["missing_answer"]


def chars_label(q: QuestionCoverage) -> str:
    """"139 (1.1–1.3: 4 612 / 4 500 ÖVER)": the question's characters, and its limit's use."""
    fmt = lambda n: f"{n:,}".replace(",", " ")  # noqa: E731
    if q.limit is None:
        return fmt(q.chars)
    over = " ÖVER" if q.limit.over else ""
    if len(q.limit.questions) == 1:
        return f"{fmt(q.chars)} / {fmt(q.limit.max_chars)}{over}"
    span = f"{q.limit.questions[0]}–{q.limit.questions[-1]}"
    return f"{fmt(q.chars)} ({span}: {fmt(q.limit.used)} / {fmt(q.limit.max_chars)}{over})"


def items_label(q: QuestionCoverage) -> str:
    if q.items is None:
        return ""
    text = f"{q.items} insatser" + (f" / max {q.max_items}" if q.max_items else "")
    return text + (" ÖVER" if q.max_items and q.items > q.max_items else "")


def element_label(e: ElementResult) -> str:
    opt = "" if e.required else " (frivilligt)"
    return f"{STATUS_MARK[e.status]} {e.label}{opt}: {STATUS_SV[e.status]}"


def element_reason(e: ElementResult) -> str:
    """Why the verdict: "nämner samverkan men inga namngivna aktörer", "aktörer: Örebro universitet, ..."."""
    return e.reason or ""


def element_line(e: ElementResult) -> str:
    """The verdict and its reason on one line ("✘ Samverkande aktörer: saknas – ingenting om samverkan")."""
    reason = element_reason(e)
    return element_label(e) + (f" – {reason}" if reason else "")


def citation_label(c: Citation) -> str:
    where = f"avsnitt {c.section} {c.section_title}" if c.section else c.section_title
    bits = [c.document, where]
    if c.year:
        bits.append(str(c.year))
    if c.page:
        bits.append(f"s. {c.page}")
    return f"[{c.n}] " + ", ".join(bits) + f" ({c.filename}, {c.passage_id})"


# -- coverage ---------------------------------------------------------------------------

def render_coverage_docx(report: CoverageReport, path: Path, template: Template | None = None) -> Path:
    """Write the coverage report as a Word document a reviewer can send back."""
    from docx import Document as Docx

    d = Docx()
    d.add_heading(f"Granskning av {report.draft}", 0)
    s = report.summary
    d.add_paragraph(
        f"Mall: {template.title if template else report.template} ({report.template}). "
        f"{s.answered} av {s.questions} frågor besvarade; krav: {s.elements_covered} täcks, "
        f"{s.elements_weak} svagt, {s.elements_missing} saknas; "
        f"{s.limits_exceeded} teckengränser överskridna; {s.tables_over} tabeller med för många insatser.")
    table = d.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Fråga", "Svar", "Tecken", "Insatser", "Krav"]):
        cell.text = text
    for q in report.questions:
        row = table.add_row().cells
        row[0].text = f"{q.id} {q.title}"
        row[1].text = answer_label(q)
        row[2].text = chars_label(q)
        row[3].text = items_label(q)
        row[4].text = "\n".join(element_line(e) for e in q.elements)
    if report.shared:
        d.add_heading("Krav som gäller flera frågor tillsammans", 1)
        for sh in report.shared:
            d.add_paragraph(f"Frågorna {', '.join(sh.questions)}", style="List Bullet")
            for e in sh.elements:
                d.add_paragraph(element_line(e), style="List Bullet 2")
    d.add_heading("Belägg", 1)
    for qid, e in [*((q.id, e) for q in report.questions for e in q.elements),
                   *((e.question or "+".join(sh.questions), e) for sh in report.shared for e in sh.elements)]:
        if e.sentence or e.reason:
            d.add_paragraph(evidence_text(qid, e))
    path = Path(path)
    d.save(path)
    return path


def evidence_text(qid: str, e: ElementResult) -> str:
    """One line of the report's evidence: question, element, verdict, reason and the cited sentence."""
    text = f"{qid} – {e.label} ({STATUS_SV[e.status]})"
    if e.reason:
        text += f": {e.reason}"
    if e.sentence:
        text += f". Mening: ”{e.sentence}”"
    return text


def _element_html(e: ElementResult) -> str:
    reason = f'<br><small class="reason">{escape(e.reason)}</small>' if e.reason else ""
    return f'<span class="{e.status}" title="{escape(e.sentence or "")}">{escape(element_label(e))}</span>{reason}'


def render_coverage_html(report: CoverageReport, template: Template | None = None) -> str:
    """The coverage report as a self-contained HTML page."""
    s = report.summary
    rows = []
    for q in report.questions:
        els = "<br>".join(_element_html(e) for e in q.elements)
        rows.append(f"<tr><td>{escape(q.id)} {escape(q.title)}</td><td class=\"{q.status}\">"
                    f"{escape(answer_label(q))}</td><td>{escape(chars_label(q))}</td>"
                    f"<td>{escape(items_label(q))}</td><td>{els}</td></tr>")
    shared = "".join(
        f"<li>Frågorna {escape(', '.join(sh.questions))}<ul>"
        + "".join(f'<li class="{e.status}">{escape(element_line(e))}'
                  + (f" – ”{escape(e.sentence)}” ({escape(e.question or '')})" if e.sentence else "")
                  + "</li>" for e in sh.elements) + "</ul></li>" for sh in report.shared)
    evidence = "".join(
        f'<li class="{e.status}">{escape(evidence_text(qid, e))}</li>'
        for qid, e in [*((q.id, e) for q in report.questions for e in q.elements),
                       *((e.question or "+".join(sh.questions), e) for sh in report.shared for e in sh.elements)]
        if e.sentence or e.reason)
    title = f"Granskning av {escape(report.draft)}"
    return f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:Calibri,Arial,sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px 8px;vertical-align:top}}.covered{{color:#1a7f37}}
.weak{{color:#b08800}}.missing{{color:#cf222e;font-weight:bold}}.reason{{color:#444}}</style></head><body>
<h1>{title}</h1>
<p>Mall: {escape(template.title if template else report.template)} ({escape(report.template)}).
{s.answered} av {s.questions} frågor besvarade; krav: {s.elements_covered} täcks, {s.elements_weak} svagt,
{s.elements_missing} saknas; {s.limits_exceeded} teckengränser överskridna.</p>
<table><tr><th>Fråga</th><th>Svar</th><th>Tecken</th><th>Insatser</th><th>Krav</th></tr>
{''.join(rows)}</table>
{'<h2>Krav som gäller flera frågor tillsammans</h2><ul>' + shared + '</ul>' if shared else ''}
<h2>Belägg</h2><ul>{evidence}</ul>
</body></html>
"""


# -- suggestions ------------------------------------------------------------------------

def render_suggestion_docx(s: Suggestion, path: Path) -> Path:
    """Write a suggestion: the question as heading, the cited draft, the sources."""
    from docx import Document as Docx

    d = Docx()
    d.add_heading(f"{s.question} {s.question_text}", 1)
    d.add_paragraph(f"Förslag ur tidigare rapporter: {s.chars} av {s.budget} tecken.").italic = True
    for part in s.parts:
        d.add_paragraph(f"{part.text} [{part.citation}]")
    if s.uncovered:
        d.add_heading("Krav som inget tidigare avsnitt täcker", 2)
        labels = {e.id: e for e in s.elements}
        for eid in s.uncovered:
            e = labels.get(eid)
            d.add_paragraph(f"{e.label if e else eid} ({STATUS_SV[e.status] if e else 'saknas'})",
                            style="List Bullet")
    d.add_heading("Källor", 2)
    for c in s.citations:
        d.add_paragraph(citation_label(c))
    path = Path(path)
    d.save(path)
    return path


def render_suggestion_html(s: Suggestion) -> str:
    parts = "".join(f"<p>{escape(p.text)} <sup>[{p.citation}]</sup></p>" for p in s.parts)
    cites = "".join(f"<li>{escape(citation_label(c))}</li>" for c in s.citations)
    return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{escape(s.question)}</title>'
            f"</head><body><h1>{escape(s.question)} {escape(s.question_text)}</h1>{parts}"
            f"<h2>Källor</h2><ol>{cites}</ol></body></html>\n")
