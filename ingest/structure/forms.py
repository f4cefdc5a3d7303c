"""Pass 4a: the template's forms: the insats tables of PDF templates and Ja/Nej answers
folded into CHOICE blocks."""

from __future__ import annotations

import re

from ingest.structure.patterns import CHOICE_INLINE, CHOICE_LINE, TICKED, Para


def first_sentence(question: str) -> str:
    """A compact title for a question: its first sentence, parentheses left out."""
    text = re.sub(r"\s*\([^)]*\)", "", question)
    m = re.match(r"(.+?[.?!:])(?:\s|$)", text)
    title = m.group(1) if m else text
    return title.rstrip(".:").strip()


_MAL_WORD = re.compile(r"\b(?:mål|målet|programmålet|effektmål)\b|\bMål:|Prioriterat område")
_MAL_START = ("RUS övergripande", "RUS-övergripande", "EU-finansierat", "Medfinansiering",
              "Bidrar till", "PO1", "PO2", "PO3", "PO4", "PO5")


def _insats_table(region: list[Para]) -> list[Para]:
    """The "Ange max fem insatser" table of a PDF template, rebuilt from its column chunks.

    The extraction interleaves the columns; what survives is the order of the
    chunks: an insats's name, its description and achievements, "Förväntade
    effekter: ...", and last the goals ("RUS övergripande mål ..."). A row ends
    where its goal chunks end.
    """
    texts = [p.text for p in region if p.kind == "text" and p.text]
    head_end = next((i for i, t in enumerate(texts[:10]) if "ska bidra till" in t), -1)
    header = [re.split(r"\s(?:För|Ange)\s", t)[0] for t in texts[:head_end + 1] if not t.startswith("Ange")]
    # Each row collects chunks per column: name, description/achievements, effects, goals.
    rows: list[dict[str, list[str]]] = []
    state = ""
    for t in texts[head_end + 1:]:
        if rows and state == "mal" and (t.startswith(_MAL_START) or t[:1].islower() or _MAL_WORD.search(t)):
            rows[-1]["mal"].append(t)
        elif not rows or state == "mal":
            rows.append({"name": [t], "desc": [], "eff": [], "mal": []})
            state = "desc"
        elif t.startswith(_MAL_START):
            rows[-1]["mal"].append(t)
            state = "mal"
        elif t.startswith("Förväntade effekter") or state == "eff":
            rows[-1]["eff"].append(t)
            state = "eff"
        else:
            rows[-1]["desc"].append(t)
    body = [[" ".join(r[c]) for c in ("name", "desc", "eff", "mal")] for r in rows]
    page = region[0].page if region else None
    out: list[Para] = []
    if body:
        cols = ["Insats", "Beskrivning och prestationer", "Effekter", "Mål"]
        out.append(Para("table", page=page, rows=[cols, *body]))
    elif header:
        out.append(Para("text", text=" | ".join(header), page=page, instruction=True))
    return out


def build_insats_tables(paras: list[Para], wrapped: bool) -> list[Para]:
    if not wrapped:
        return paras
    out: list[Para] = []
    i = 0
    while i < len(paras):
        p = paras[i]
        out.append(p)
        i += 1
        if p.kind == "head" and p.question and re.search(r"fyll i tabellen", p.question, re.IGNORECASE):
            j = i
            while j < len(paras) and paras[j].kind != "head":
                j += 1
            region = paras[i:j]
            if region and not any(r.kind == "table" for r in region):
                out.extend(_insats_table(region))
                i = j
    return out


def _choice_of(text: str) -> str | None:
    m = CHOICE_LINE.match(text)
    if m:
        return m.group(1) if m.group(2) and m.group(2) in TICKED else None
    m = CHOICE_INLINE.match(text)
    if m:
        if m.group(2) and m.group(2) in TICKED:
            return "Ja"
        if m.group(3) and m.group(3) in TICKED:
            return "Nej"
    return None


def fold_choices(paras: list[Para]) -> list[Para]:
    """Ja/Nej lines become one CHOICE block each, with the sub-question they answer."""
    out: list[Para] = []
    labels: set[str] = set()
    i = 0
    while i < len(paras):
        p = paras[i]
        if p.kind == "choice" and CHOICE_LINE.match(p.text):
            opts = [p]
            j = i + 1
            if j < len(paras) and paras[j].kind == "choice" and CHOICE_LINE.match(paras[j].text):
                opts.append(paras[j])
                j += 1
            ticked = [CHOICE_LINE.match(o.text).group(1) for o in opts  # type: ignore[union-attr]
                      if _choice_of(o.text) is not None]
            has_glyph = any(CHOICE_LINE.match(o.text).group(2) for o in opts)  # type: ignore[union-attr]
            choice = ticked[0] if ticked else None
            if not has_glyph and len(opts) == 1:
                # Word export: "Ja" stands alone when it was the option kept; a later
                # lone "Nej" with only instructions after it is the option not taken.
                choice = opts[0].text.split()[0]
                for q in range(j, min(j + 8, len(paras))):
                    if paras[q].kind == "choice" and CHOICE_LINE.match(paras[q].text):
                        paras[q].kind = "drop"
                        break
                    if paras[q].kind == "head" or paras[q].text.endswith("?"):
                        break
            label = ""
            prev = out[-1] if out else None
            if prev is not None and prev.kind == "list" and prev.text.endswith("?"):
                label = prev.text
                out.pop()
            elif prev is not None and prev.kind == "choice" and prev.text.startswith("Ja"):
                pass
            if label:
                labels.add(label.rstrip("?.").strip())
            shown = choice if choice else "/".join(o.text.split()[0] for o in opts)
            text = f"{label} {shown}".strip()
            out.append(Para("choice", text=text, page=p.page, choice=choice))
            i = j
            continue
        if p.kind == "choice":
            p.choice = _choice_of(p.text)
        if p.kind == "drop":
            i += 1
            continue
        if p.kind == "text" and re.match(r"^Ja\s+\S", p.text) and out and out[-1].text.endswith("?"):
            # "Ja Inriktningsbeslut": the option ticked, and the answer's words after it.
            p.kind, p.choice = "choice", "Ja"
        if p.kind == "list" and p.text.rstrip("?.").strip() in labels:
            # A sub-question repeated from the Ja/Nej question above: template text.
            p.instruction = True
        out.append(p)
        i += 1
    return [p for p in out if p.kind != "drop"]
