"""Ingest speed: pages per second for PDF (pdfplumber) and DOCX, with repair and structure.

The files are generated like ``tests/docgen.py`` does (its fonts, layout,
running header, "Sida N av M" footer and page number), from the prose of the
whole sample corpus: a report of ``--pages`` A4 pages with numbered headings,
and a Word file with the same text. A Word file has no pages; its rate is given
in the PDF's pages of the same text, so the two rates compare.

Stages are timed apart: the reader, ``clean_raw`` (repair of split Swedish
letters + running header/footer removal) and ``structure.build``.

    python evaluations/bench_ingest.py [--pages 40] [--runs 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench_common import ROOT, Row, machine, print_rows

from ingest import repair, structure
from ingest.pipeline import clean_raw, content_id, read_raw

sys.path.insert(0, str(ROOT / "tests"))  # tests/ is not a package: import its generator from there
import docgen  # noqa: E402


def corpus_paragraphs() -> list[str]:
    """Prose paragraphs of every sample report (no tables, lists or footnote marks)."""
    paras = []
    for f in sorted((ROOT / "corpus").glob("0*.txt")):
        for p in f.read_text(encoding="utf-8").split("\n\n"):
            p = " ".join(p.split())
            if len(p) > 200 and not p.startswith(("-", "|", "#")) and "\t" not in p:
                paras.append(p)
    return paras


def make_pdf(path: Path, pages: int, paras: list[str]) -> list[tuple[str, str]]:
    """A ``pages``-page report; returns the (heading, paragraph) pairs it holds."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    regular, bold = docgen.register_fonts()
    width = A4[0] - 2 * docgen.MARGIN
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle(docgen.TITLE)
    c.setAuthor(docgen.AUTHOR)
    written: list[tuple[str, str]] = []
    i = 0
    for page in range(1, pages + 1):
        c.setFont(regular, 9)
        c.drawString(docgen.MARGIN, A4[1] - 50, docgen.HEADER)
        c.drawString(docgen.MARGIN, 45, f"Sida {page} av {pages}")
        c.drawCentredString(A4[0] / 2, 28, str(page))
        y = docgen._TOP
        while True:
            heading = f"{1 + i // 4}.{1 + i % 4} Avsnitt om arbetet {i + 1}"
            para = paras[i % len(paras)]
            lines = docgen.wrap(para, regular, docgen.BODY_SIZE, width)
            if y - docgen.HEADING_SIZE * 1.8 - len(lines) * docgen.BODY_SIZE * 1.3 < docgen._BOTTOM:
                break
            c.setFont(bold, docgen.HEADING_SIZE)
            c.drawString(docgen.MARGIN, y, heading)
            y -= docgen.HEADING_SIZE * 1.8
            c.setFont(regular, docgen.BODY_SIZE)
            for line in lines:
                c.drawString(docgen.MARGIN, y, line)
                y -= docgen.BODY_SIZE * 1.3
            y -= docgen.BODY_SIZE
            written.append((heading, para))
            i += 1
        c.showPage()
    c.save()
    return written


def make_docx(path: Path, content: list[tuple[str, str]]) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = docgen.TITLE
    d.add_heading(docgen.TITLE, 0)
    for heading, para in content:
        d.add_heading(heading, 2)
        d.add_paragraph(para)
    d.save(str(path))


def time_stages(path: Path, lexicon: repair.Lexicon) -> dict[str, float]:
    t0 = time.perf_counter()
    raw, data = read_raw(path)
    t1 = time.perf_counter()
    clean = clean_raw(raw, lexicon)
    t2 = time.perf_counter()
    doc = structure.build(clean, doc_id=content_id(data), lexicon=lexicon)
    t3 = time.perf_counter()
    assert doc.sections, f"{path.name} parsed to nothing"
    return {"read": t1 - t0, "repair+boilerplate": t2 - t1, "structure": t3 - t2, "total": t3 - t0}


def main_rows(pages: int = 40, runs: int = 2) -> list[Row]:
    lexicon = repair.default_lexicon()  # loaded once, as the CLI does for a batch
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pdf, docx_path = Path(tmp) / "rapport.pdf", Path(tmp) / "rapport.docx"
        content = make_pdf(pdf, pages, corpus_paragraphs())
        make_docx(docx_path, content)
        chars = sum(len(h) + len(p) for h, p in content)
        for fmt, path in (("pdf", pdf), ("docx", docx_path)):
            best = min((time_stages(path, lexicon) for _ in range(runs)), key=lambda s: s["total"])
            rows.append(Row("ingest", f"{fmt}, {pages} pages", {
                "pages/s": f"{pages / best['total']:.1f}",
                "read s": f"{best['read']:.2f}", "repair+boilerplate s": f"{best['repair+boilerplate']:.2f}",
                "structure s": f"{best['structure']:.2f}",
            }, f"{chars // 1000}k characters; best of {runs}" + ("; pages = the PDF's pages of the same text"
                                                               if fmt == "docx" else "")))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    print(machine())
    print_rows(main_rows(args.pages, args.runs), "Ingest")


if __name__ == "__main__":
    main()
