"""The web page (static HTML, JS and CSS) and the document view, one page per document.

The document view is rendered here, on the server, so every section has an
anchor (``#avsnitt-<index>``) that a search hit links to and that works
without JavaScript.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse

from api import deps
from api.security import PAGE_HEADERS
from api.service import IndexService
from underlag.model import BlockKind, Document

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def index_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – Underlag</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<a class="skip" href="#innehall">Hoppa till innehållet</a>
<header class="site"><p><a href="/">Underlag</a> · Region Örebro län</p></header>
<main id="innehall">
{body}
</main>
</body>
</html>"""
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


MIN_BLOCK_CHARS = 40


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


def opened_blocks(section_blocks: list, passage_text: str) -> set[int]:
    """The blocks of a section that hold the opened passage: those whose text the passage
    contains, or the one that contains the whole passage (a passage cut from a long paragraph)."""
    passage = _words(passage_text)
    # short blocks ("Kompetensförsörjning") occur inside many passages: only blocks of a
    # sentence or more count as the passage's own
    inside = {i for i, b in enumerate(section_blocks)
              if len(b.text.strip()) >= MIN_BLOCK_CHARS and _words(b.text) in passage}
    if inside:
        return inside
    return {i for i, b in enumerate(section_blocks) if passage[:200] in _words(b.text)}


def render_document(doc: Document, opened: tuple[int, str] | None = None) -> str:
    """The body of a document's page: metadata, a table of contents and every section with its anchor.

    ``opened`` (section index, passage text) marks the paragraphs of the passage a search hit opened.
    """
    m = doc.metadata
    facts = [("Fil", doc.filename), ("Typ", m.doc_type), ("Organisation", m.organisation),
             ("År", ", ".join(map(str, m.years))), ("Datum", m.date), ("Diarienummer", ", ".join(m.diarienummer))]
    out = [f"<h1>{escape(m.title or doc.filename)}</h1>", '<dl class="facts">']
    out += [f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in facts if v]
    out.append("</dl>")
    out.append('<nav aria-labelledby="toc-rubrik"><h2 id="toc-rubrik">Innehåll</h2><ol class="toc">')
    for i, s in enumerate(doc.sections):
        label = f"{s.number} {s.title}" if s.number else s.title
        out.append(f'<li class="toc-l{min(s.level, 4)}"><a href="#avsnitt-{i}">{escape(label)}</a></li>')
    out.append("</ol></nav>")
    for i, s in enumerate(doc.sections):
        h = min(max(s.level, 1) + 1, 6)
        label = f"{s.number} {s.title}" if s.number else s.title
        page = f' <span class="muted">s. {s.page}</span>' if s.page else ""
        out.append(f'<section id="avsnitt-{i}" class="doc-section" tabindex="-1">')
        out.append(f"<h{h}>{escape(label)}{page}</h{h}>")
        if s.question and s.question != s.title:
            out.append(f'<p class="question">{escape(s.question)}</p>')
        marked = opened_blocks(s.blocks, opened[1]) if opened and opened[0] == i else set()
        if marked:
            out.append('<p class="opened-note muted small">Det markerade stycket är träffen du öppnade.</p>')
        elif opened and opened[0] == i:
            out.append('<span id="stycke"></span>')  # the hit's link ends in #stycke: at least its section
        first = min(marked, default=None)
        for j, b in enumerate(s.blocks):
            if j in marked:
                out.append('<div class="opened-passage"' + (' id="stycke" tabindex="-1"' if j == first else "") + ">")
            if b.kind is BlockKind.TABLE and b.rows:
                rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in b.rows)
                out.append(f'<div class="table-wrap"><table>{rows}</table></div>')
            elif b.kind is BlockKind.INSTRUCTION:
                out.append(f'<p class="instruction"><span class="label">Mallens instruktion:</span> '
                           f"{escape(b.text)}</p>")
            elif b.kind is BlockKind.LIST_ITEM:
                out.append(f'<p class="list-item">{escape(b.text)}</p>')
            else:
                out.append(f"<p>{escape(b.text)}</p>")
            if j in marked:
                out.append("</div>")
        out.append("</section>")
    if doc.footnotes:
        out.append('<section><h2>Fotnoter</h2><ol class="footnotes">')
        out += [f'<li value="{escape(f.number)}">{escape(f.text)}</li>' if f.number.isdigit()
                else f"<li>{escape(f.number)} {escape(f.text)}</li>" for f in doc.footnotes]
        out.append("</ol></section>")
    return "\n".join(out)


@router.get("/dokument/{ref}", response_class=HTMLResponse)
async def document_page(ref: str, stycke: str | None = Query(None, max_length=100),
                        svc: IndexService = Depends(deps.service)) -> HTMLResponse:
    """A document's page; ``?stycke=<passage id>`` marks the passage a search hit opened."""
    try:
        doc = await deps.get_document(svc, ref)
    except HTTPException:
        return _page("Dokumentet finns inte",
                     '<h1>Dokumentet finns inte</h1><p>Inget dokument i indexet matchar adressen. '
                     '<a href="/">Tillbaka till sökningen</a>.</p>', status=404)
    opened = None
    if stycke and stycke.startswith(doc.id + ":"):
        found = await svc.read(lambda ix: ix.passages_by_id([stycke]))
        if stycke in found:
            opened = (int(stycke.split(":")[1]), found[stycke][1].text)
    return _page(doc.metadata.title or doc.filename, render_document(doc, opened))
