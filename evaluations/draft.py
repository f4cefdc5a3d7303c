"""Leave-one-out: a whole first draft of the 2023 report from the other three documents.

The three other seeds go into an index with the real model (as in
``evaluations/suggest.py``); the 2023 report is left out. ``draft_report`` drafts
every question of the 2023 template; the draft is checked as a whole (questions
answered, every limit kept at once, every part citing a stored passage, tables
within their rows) and, question by question, compared with the region's real
2023 answers beside the per-question suggestion (``suggest`` with the
question's even share of its limit, each question on its own):

- *element coverage* of the required elements (the scorer of evaluations/suggest.py);
- *ROUGE-1* lemma recall and precision (``Analyzer.terms``, stop words removed) and
  *ROUGE-L* F1 (longest common subsequence over the same lemmas; our own, since
  rouge-score's tokenizer drops å, ä and ö);
- *passages reused across questions*: how many passages are cited by more than one
  question (per-question suggestions do not see each other; the draft uses each once).

Run: ``python evaluations/draft.py [--data-dir DIR]`` (DIR: an index of the three
documents to reuse; without it one is built in a temporary folder, 10–20 minutes on two
shared cores).

Last run (2026-12-02): 34 of 35 questions drafted (10.3 left for the writer), every limit
kept, every citation stored; over the 26 compared questions element coverage 0.747
(per-question suggestion 0.821), ROUGE-1 recall 0.250 (0.329), ROUGE-L F1 0.096 (0.129);
0 passages used by two questions (suggestions: 26). See evaluations/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluations.suggest import CORPUS, LEFT_OUT, OTHERS, element_coverage, rouge1  # noqa: E402
from ingest.pipeline import parse_file  # noqa: E402
from review.coverage import answer_sections, answer_text, map_sections  # noqa: E402
from review.draft import draft_report  # noqa: E402
from review.suggest import question_elements, suggest  # noqa: E402
from review.templates import load_template  # noqa: E402
from underlag.settings import Settings  # noqa: E402


def rouge_l(draft_terms: list[str], ref_terms: list[str]) -> float:
    """ROUGE-L F1: the longest common subsequence of the two term lists."""
    if not draft_terms or not ref_terms:
        return 0.0
    prev = [0] * (len(ref_terms) + 1)
    for a in draft_terms:
        cur = [0]
        for j, b in enumerate(ref_terms):
            cur.append(prev[j] + 1 if a == b else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    if not lcs:
        return 0.0
    r, p = lcs / len(ref_terms), lcs / len(draft_terms)
    return 2 * r * p / (r + p)


def _scores(text: str, ref: str, elements, index) -> dict:
    terms, ref_terms = index.analyzer.terms(text), index.analyzer.terms(ref)
    rec, prec = rouge1(terms, ref_terms)
    return {"element_coverage": round(element_coverage(text, elements, index), 3),
            "rouge1_recall": round(rec, 3), "rouge1_precision": round(prec, 3),
            "rougeL_f": round(rouge_l(terms, ref_terms), 3), "chars": len(text)}


def run(data_dir: Path | None) -> dict:
    from api.components import open_index

    t0 = time.time()
    template = load_template("aterrapportering-2023", Settings().templates_dir)
    real = parse_file(CORPUS / LEFT_OUT)
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(Settings(data_dir=data_dir or Path(tmp)))
        if not index.documents():
            for name in OTHERS:
                index.add(parse_file(CORPUS / name))
        t_index = time.time() - t0
        d = draft_report(template, index)
        t_draft = time.time() - t0 - t_index
        stored = {p.id for _, p in index.all_passages()}
        matches = map_sections(real, template, index.embedder)
        by_q = {q.id: q for q in d.questions}
        rows, suggestion_cites = [], Counter()
        for q in template.questions:
            if q.answer_type != "prose":
                continue
            s = suggest(q, template, index)
            suggestion_cites.update({c.passage_id for c in s.citations})
            if q.id not in matches:
                continue
            ref = answer_text(answer_sections(real, matches[q.id].start))
            if len(ref) < 200:
                continue
            elements = question_elements(q, template)
            dq = by_q[q.id]
            rows.append({"question": q.id, "draft": _scores(dq.text, ref, elements, index),
                         "suggestion": _scores(s.draft, ref, elements, index),
                         "real_answer_coverage": round(element_coverage(ref, elements, index), 3)})
        draft_cites = Counter()
        for dq in d.questions:
            draft_cites.update({p_id for p_id in {d.citations[p.citation - 1].passage_id for p in dq.parts}
                                | {d.citations[r.citation - 1].passage_id for r in dq.rows}})
        index.close()

    def mean(who: str, key: str) -> float:
        vals = [r[who][key] for r in rows if r[who][key] == r[who][key]]
        return round(float(np.mean(vals)), 3) if vals else float("nan")

    keys = ("element_coverage", "rouge1_recall", "rouge1_precision", "rougeL_f", "chars")
    return {
        "questions": d.summary.questions,
        "answered": d.summary.drafted,
        "left_for_writer": d.summary.writer,
        "empty": [q.id for q in d.questions if q.status == "empty"],
        "all_limits_kept": all(lim.used <= lim.max_chars for lim in d.limits)
        and d.coverage.summary.limits_exceeded == 0,
        "tables_within_rows": all(len(q.rows) <= (q.max_items or 5) for q in d.questions),
        "every_part_cited": all(1 <= p.citation <= len(d.citations) for q in d.questions for p in q.parts),
        "all_citations_stored": all(c.passage_id in stored for c in d.citations),
        "limits": [{"questions": f"{lim.questions[0]}–{lim.questions[-1]}", "max": lim.max_chars,
                    "used": lim.used, "shares": lim.shares} for lim in d.limits],
        "gaps": len(d.gaps),
        "draft_coverage_summary": d.coverage.summary.model_dump(),
        "passages_in_two_or_more_questions": {"draft": sum(n > 1 for n in draft_cites.values()),
                                              "suggestion": sum(n > 1 for n in suggestion_cites.values())},
        "compared_questions": len(rows),
        "mean": {who: {k: mean(who, k) for k in keys} for who in ("draft", "suggestion")},
        "mean_real_answer_coverage": round(float(np.nanmean([r["real_answer_coverage"] for r in rows])), 3),
        "per_question": rows,
        "seconds": {"index": round(t_index, 1), "draft": round(t_draft, 1), "total": round(time.time() - t0, 1)},
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, help="An index of the three other documents to reuse.")
    print(json.dumps(run(ap.parse_args().data_dir), ensure_ascii=False, indent=2))
