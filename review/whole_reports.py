"""Word and HTML for whole-report work: the first draft and the reuse report.

Public API::

    render_draft_docx(draft: Draft, path: Path) -> Path
    render_reuse_docx(r: ReuseReport, path: Path) -> Path
    render_reuse_html(r: ReuseReport) -> str

The draft's Word file is meant to be edited: the template's headings (groups
as level 1, questions as level 2, in the template's order), the draft text
with a citation number after each part, the sources listed at the end, and
what is left to write highlighted in yellow (questions without earlier text,
Ja/Nej questions, required elements the draft lacks). The text is Swedish.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from review.draft import Draft, DraftQuestion
from review.report import citation_label
from review.reuse import ReuseReport

STATUS_REUSE_SV = {"repeated": "mest upprepad", "partly": "delvis upprepad", "new": "mest ny"}
GAP_SV = {"weak": "svagt", "missing": "saknas"}


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def limit_note(dq: DraftQuestion, draft: Draft) -> str:
    """"Utkast 1 234 tecken; 1.1–1.3 tillsammans 4 321 av 4 500": the draft's length and its limit."""
    text = f"Utkast {_fmt(dq.chars)} tecken"
    for lim in draft.limits:
        if dq.id in lim.questions:
            span = f"{lim.questions[0]}–{lim.questions[-1]} tillsammans " if len(lim.questions) > 1 else "gräns: "
            return f"{text}; {span}{_fmt(lim.used)} av {_fmt(lim.max_chars)}."
    return text + " (ingen teckengräns)."


def _highlight(paragraph, text: str):
    from docx.enum.text import WD_COLOR_INDEX

    run = paragraph.add_run(text)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return run


def render_draft_docx(draft: Draft, path: Path) -> Path:
    """Write the draft as a Word document a writer can start editing."""
    from docx import Document as Docx

    d = Docx()
    d.add_heading(f"Utkast: {draft.title}", 0)
    s = draft.summary
    intro = d.add_paragraph(
        f"Första utkast ur tidigare rapporter: {s.drafted} av {s.questions} frågor har text, "
        f"{s.writer} Ja/Nej-frågor lämnas till skribenten, {s.empty} saknar underlag. "
        f"Varje stycke har sin källa [n] (förteckning sist). ")
    _highlight(intro, "Gulmarkerat är det som återstår att skriva.")
    gaps: dict[str, list[str]] = {}
    for g in draft.gaps:
        gaps.setdefault(g.question, []).append(f"{g.label} ({GAP_SV.get(g.status, g.status)})")
    group = None
    for dq in draft.questions:
        if dq.group and dq.group != group:
            group = dq.group
            d.add_heading(f"{dq.group} {dq.group_title or ''}".strip(), 1)
        d.add_heading(f"{dq.id} {dq.title}" if dq.group else dq.title, 2)
        d.add_paragraph(dq.question_text).runs[0].italic = True
        if dq.status == "writer":
            p = d.add_paragraph()
            _highlight(p, "Ja ☐  Nej ☐  – att besvara av skribenten.")
            for c in dq.earlier_choices:
                d.add_paragraph(f"Tidigare svar ({c.document}, {c.year or 'år okänt'}): ”{c.text}” → "
                                f"{c.choice or 'inget markerat'}", style="List Bullet")
            continue
        if dq.status == "empty":
            _highlight(d.add_paragraph(), "Inget tidigare underlag hittades – skriv nytt.")
        elif dq.answer_type == "table":
            table = d.add_table(rows=1, cols=len(dq.columns) + 1)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, [*dq.columns, "Källa"]):
                cell.text = text
            for r in dq.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, [*r.cells, f"[{r.citation}]"]):
                    cell.text = text
            if dq.max_items:
                d.add_paragraph(f"{len(dq.rows)} av högst {dq.max_items} insatser.").runs[0].italic = True
        else:
            for part in dq.parts:
                p = d.add_paragraph(part.text + " ")
                p.add_run(f"[{part.citation}]").font.superscript = True
            d.add_paragraph(limit_note(dq, draft)).runs[0].italic = True
        if dq.id in gaps:
            _highlight(d.add_paragraph(), "Saknas i utkastet: " + "; ".join(gaps[dq.id]) + ".")
        # Elements shared by a group are reported after the group's last question.
        for span, labels in gaps.items():
            if "–" in span and span.endswith(f"–{dq.id}"):
                _highlight(d.add_paragraph(), f"Saknas i frågorna {span} tillsammans: " + "; ".join(labels) + ".")
    d.add_heading("Utkastets täckning", 1)
    cov = draft.coverage.summary if draft.coverage else None
    if cov:
        d.add_paragraph(f"{cov.answered} av {cov.questions} frågor besvarade; krav: {cov.elements_covered} täcks, "
                        f"{cov.elements_weak} svagt, {cov.elements_missing} saknas; "
                        f"{cov.limits_exceeded} teckengränser överskridna.")
    for g in draft.gaps:
        d.add_paragraph(f"{g.question}: {g.label} ({GAP_SV.get(g.status, g.status)})", style="List Bullet")
    d.add_heading("Källor", 1)
    for c in draft.citations:
        d.add_paragraph(citation_label(c))
    path = Path(path)
    d.save(path)
    return path


# -- reuse -------------------------------------------------------------------------------

def _against(r: ReuseReport) -> str:
    return ", ".join(f"{a.title} ({a.year})" if a.year else a.title for a in r.against)


def render_reuse_docx(r: ReuseReport, path: Path) -> Path:
    """Write the reuse report as a Word document: one row per answer, then the longest repeated spans."""
    from docx import Document as Docx

    d = Docx()
    d.add_heading(f"Återanvänd text i {r.report}", 0)
    s = r.summary
    d.add_paragraph(f"Jämfört med {_against(r)}: {round(100 * s.share)} % av texten upprepar tidigare rapporter; "
                    f"{s.repeated} svar mest upprepade, {s.partly} delvis, {s.new} mest nya.")
    table = d.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Fråga", "Upprepat", "Bedömning", "Källor"]):
        cell.text = text
    for q in r.questions:
        row = table.add_row().cells
        row[0].text = f"{q.id} {q.title}" if q.id != q.title else q.title
        row[1].text = f"{round(100 * q.share)} % ({_fmt(q.repeated_chars)} av {_fmt(q.chars)} tecken)"
        row[2].text = STATUS_REUSE_SV[q.status]
        row[3].text = "\n".join(f"{src.document} ({src.year}): {_fmt(src.chars)}" for src in q.sources)
    d.add_heading("Längsta upprepade avsnitt", 1)
    for q in r.questions:
        for sp in q.spans[:2]:
            d.add_paragraph(f"{q.id}: {_fmt(sp.chars)} tecken ur {sp.document} ({sp.year}), avsnitt {sp.section}, "
                            f"{round(100 * sp.similarity)} % ordagrant: ”{sp.text[:400]}”", style="List Bullet")
    path = Path(path)
    d.save(path)
    return path


def render_reuse_html(r: ReuseReport) -> str:
    """The reuse report as a self-contained HTML page."""
    s = r.summary
    rows = []
    for q in r.questions:
        spans = "".join(f"<li>{_fmt(sp.chars)} tecken ur {escape(sp.document)} ({sp.year}), avsnitt "
                        f"{escape(sp.section or '')}: <q>{escape(sp.text[:300])}</q></li>" for sp in q.spans[:3])
        rows.append(f'<tr class="{q.status}"><td>{escape(q.id)}</td><td>{round(100 * q.share)} %</td>'
                    f"<td>{STATUS_REUSE_SV[q.status]}</td><td><ul>{spans}</ul></td></tr>")
    title = f"Återanvänd text i {escape(r.report)}"
    return f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:Calibri,Arial,sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:4px 8px;vertical-align:top}}.repeated td:nth-child(3){{color:#cf222e}}
.new td:nth-child(3){{color:#1a7f37}}</style></head><body>
<h1>{title}</h1>
<p>Jämfört med {escape(_against(r))}: {round(100 * s.share)} % av texten upprepar tidigare rapporter;
{s.repeated} svar mest upprepade, {s.partly} delvis, {s.new} mest nya.</p>
<table><tr><th>Fråga</th><th>Upprepat</th><th>Bedömning</th><th>Längsta upprepade avsnitt</th></tr>
{''.join(rows)}</table></body></html>
"""
