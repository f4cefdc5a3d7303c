"""Stage 4: from repaired raw lines to sections, blocks and footnotes.

The passes, each a small function over a list of :class:`~ingest.structure.patterns.Para` (a paragraph
candidate with its layout facts):

1. drop the front matter (title, date, letterhead; see ``ingest.metadata``)
   and the table of contents;
2. lift footnotes out of the body: PDF text has them inline at page breaks
   ("4 Villkorsbeslut 2023:1.1, 1.3, 2.") with their marks glued to a word
   ("utvecklingsstrategin4"), Word text has superscripts ("RUS¹");
3. cut the lines into paragraphs: hard-wrapped PDF lines are joined, Word
   lines are paragraphs already; numbered headings, template questions, list
   items, Ja/Nej lines and table rows always start a new paragraph;
4. rejoin paragraphs that a page break split in two, build the insats tables
   of PDF templates, fold Ja/Nej lines into CHOICE blocks, tell the template's
   instructions from the region's answer, find unnumbered headings;
5. nest the headings into sections.

Heuristics prefer precision: a paragraph is an instruction only on a clear
template cue (imperative opening, "ni/er", "Observera!", italics in Word
exports) and never when it speaks as the region ("vi", "vår", "Regionen").
"""

from __future__ import annotations

from ingest import metadata as meta
from ingest.raw import RawDocument
from ingest.structure.footnotes import extract_footnotes
from ingest.structure.forms import build_insats_tables, fold_choices
from ingest.structure.headings import classify, find_headings
from ingest.structure.paragraphs import (
    finish_text,
    is_wrapped,
    merge_page_splits,
    split_paragraphs,
)
from ingest.structure.sections import nest_sections
from ingest.structure.toc import drop_front_matter, drop_toc
from underlag.model import Document


def build(raw: RawDocument, *, doc_id: str, lexicon) -> Document:
    """Structure a repaired, boilerplate-free raw document into a :class:`Document`."""
    md = meta.extract(raw)
    lines = drop_toc(drop_front_matter(list(raw.lines)))
    lines, notes = extract_footnotes(lines)
    wrapped = is_wrapped(lines)
    paras = split_paragraphs(lines, lexicon, wrapped)
    finish_text(paras)
    paras = build_insats_tables(paras, wrapped)
    paras = merge_page_splits(paras, lexicon)
    paras = fold_choices(paras)
    classify(paras)
    find_headings(paras)
    sections = nest_sections(paras, md.title, bool(notes))
    if md.title is None:
        md = meta.extract(raw, sections)  # no title line: the first heading names the document
    path = raw.path
    return Document(
        id=doc_id,
        source=path,
        filename=path.replace("\\", "/").rsplit("/", 1)[-1],
        format=raw.format,
        metadata=md,
        sections=sections,
        footnotes=notes,
        page_count=raw.page_count,
        warnings=list(raw.warnings),
    )
