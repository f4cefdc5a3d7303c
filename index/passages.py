"""Cut documents into passages for retrieval, along the document's structure.

A passage never crosses a section. Blocks of a section are packed into
passages of up to ``max_chars`` characters at block boundaries; a block longer
than that is cut at sentence boundaries. Tables become passages of their own,
a group of rows at a time. The template's instruction text is not indexed:
writers search for what the region wrote, not for the government's questions.

Sizes: multilingual-e5-small reads at most 512 tokens; Swedish report prose
runs at about 4 to 5 characters a token, so 1 200 characters (some 250 to 300
tokens) fits with room for the "passage: " prefix and the heading context.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from underlag.model import Block, BlockKind, Document, Passage, Section, render_rows

MAX_CHARS = 1200
# A last piece shorter than this is merged back into the passage before it.
MIN_CHARS = 200

SentenceSplitter = Callable[[str], list[tuple[int, int]]]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”–-])")


def regex_sentences(text: str) -> list[tuple[int, int]]:
    """A dependency-free sentence splitter (the default; spaCy's can be passed instead)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _split_long(text: str, max_chars: int, sentences: SentenceSplitter) -> list[str]:
    """Cut a long text at sentence boundaries into pieces of at most ``max_chars``."""
    pieces: list[str] = []
    current = ""
    for s, e in sentences(text):
        sentence = text[s:e].strip()
        while len(sentence) > max_chars:  # a run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def _table_pieces(block: Block, max_chars: int) -> list[str]:
    rows = block.rows or [[line] for line in block.text.splitlines()]
    header, body = rows[0], rows[1:] or []
    pieces, current = [], [header]
    for row in body:
        if len(render_rows(current + [row])) > max_chars and len(current) > 1:
            pieces.append(render_rows(current))
            current = [header]  # repeat the header so each piece reads on its own
        current.append(row)
    pieces.append(render_rows(current))
    return pieces


def section_pieces(section: Section, max_chars: int = MAX_CHARS,
                   sentences: SentenceSplitter = regex_sentences) -> list[tuple[str, str, int | None]]:
    """The passages of one section as (kind, text, page) triples."""
    out: list[tuple[str, str, int | None]] = []
    current: list[str] = []
    page: int | None = None

    def flush() -> None:
        nonlocal current, page
        if current:
            out.append(("text", "\n".join(current), page))
        current, page = [], None

    for block in section.blocks:
        if block.kind is BlockKind.INSTRUCTION:
            continue
        if block.kind is BlockKind.TABLE:
            if not block.rows and not block.text.strip():
                continue
            flush()
            out.extend(("table", piece, block.page) for piece in _table_pieces(block, max_chars))
            continue
        text = block.text.strip()
        if not text:
            continue
        if block.kind is BlockKind.LIST_ITEM and not text.startswith(("-", "•", "–")):
            text = f"- {text}"
        for piece in _split_long(text, max_chars, sentences) if len(text) > max_chars else [text]:
            if current and len("\n".join(current)) + 1 + len(piece) > max_chars:
                flush()
            if page is None:
                page = block.page if block.page is not None else section.page
            current.append(piece)
    flush()
    # merge a short last text piece into the one before when they fit together
    if len(out) >= 2 and out[-1][0] == out[-2][0] == "text" and len(out[-1][1]) < MIN_CHARS \
            and len(out[-2][1]) + len(out[-1][1]) + 1 <= max_chars * 1.25:
        kind, text, page = out[-2]
        out[-2:] = [(kind, text + "\n" + out[-1][1], page)]
    return out


def passages(doc: Document, max_chars: int = MAX_CHARS,
             sentences: SentenceSplitter = regex_sentences) -> list[Passage]:
    """All passages of a document, in reading order."""
    m = doc.metadata
    result = []
    for si, section in enumerate(doc.sections):
        for pi, (kind, text, page) in enumerate(section_pieces(section, max_chars, sentences)):
            result.append(Passage(
                id=f"{doc.id}:{si}:{pi}", document_id=doc.id, filename=doc.filename,
                document=m.title or doc.filename, doc_type=m.doc_type, organisation=m.organisation,
                years=m.years, section=section.number, section_title=section.title,
                heading_path=section.heading_path, page=page, kind=kind, text=text,
            ))
    return result


def indexed_text(p: Passage) -> str:
    """What is indexed of a passage, for both indexes and the tagger: its heading gives it
    its context ("1.3 ... territoriella perspektiv")."""
    return f"{p.section_title}\n{p.text}"


#: A sentence shorter than this ("Ja.", a bare list bullet) says too little to be weighed alone.
SENTENCE_MIN_CHARS = 15
#: Passages shorter than this keep their passage vector only (0: every passage with two
#: sentences or more; see evaluations/README.md, "Sentence evidence", for the ingest cost).
SENTENCE_MIN_PASSAGE = 0


def sentence_texts(p: Passage, sentences: SentenceSplitter = regex_sentences) -> list[str]:
    """What is embedded of each sentence of a passage for re-ranking by its best sentence: the
    sentence alone. Empty when the passage has fewer than two sentences worth weighing (its
    passage vector then says it all).

    Not under its heading, as :func:`indexed_text` puts the passage: the heading, repeated
    before each of the 2 510 sentences of the sample corpus, made them 113 839 tokens against
    81 628 alone (the passages: 77 145), and ranked no better (tune-split MRR@10 0.780 both
    at weight 0.6; the passage score carries the heading)."""
    if len(p.text) < SENTENCE_MIN_PASSAGE:
        return []
    found = [p.text[s:e].strip() for s, e in sentences(p.text)]
    found = [s for s in found if len(s) >= SENTENCE_MIN_CHARS]
    return found if len(found) >= 2 else []
