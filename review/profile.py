"""Document and portfolio views of goal tags: a document's goal profile, the
documents x goals matrix over an index, and its heatmap picture.

Used by ``underlag tag FILE`` / ``underlag portfolio`` and by the web service; the
JSON shapes are theirs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.passages import indexed_text
from index.passages import passages as cut_passages


def document_profile(doc, tagger, analyzer, frameworks: list[str] | None = None) -> dict[str, Any]:
    """Which goals and targets a document concerns, how much of its text, and where.

    Per label: ``score`` (the best passage's calibrated score), ``share`` (the part of the
    document's passage text, in characters, in passages tagged with it), ``passages``
    (how many), ``sections`` (where, best first) and ``evidence`` (the best sentences).
    """
    ps = cut_passages(doc, sentences=analyzer.sentences)
    texts = [indexed_text(p) for p in ps]
    tagged = tagger.tag_many(texts, frameworks=frameworks) if texts else []
    total = sum(len(p.text) for p in ps) or 1
    labels: dict[str, dict[str, Any]] = {}
    for p, text, tags in zip(ps, texts, tagged, strict=True):
        for t in tags:
            entry = labels.setdefault(t.key, {
                "framework": t.framework, "id": t.id, "title": t.title, "level": t.level,
                "parent": t.parent, "score": 0.0, "share": 0.0, "passages": 0, "sections": {},
                "_evidence": []})
            entry["score"] = max(entry["score"], t.score)
            entry["share"] += len(p.text) / total
            entry["passages"] += 1
            where = p.section or p.section_title
            sec = entry["sections"].setdefault(where, {"section": p.section, "title": p.section_title,
                                                       "page": p.page, "passages": 0, "score": 0.0})
            sec["passages"] += 1
            sec["score"] = max(sec["score"], round(t.score, 4))
            for e in t.evidence:
                entry["_evidence"].append((t.score, {**e.to_json(), "passage": p.id, "section": p.section,
                                                     "section_title": p.section_title, "page": p.page,
                                                     "passage_text_offset": len(text) - len(p.text)}))
    result = []
    for entry in labels.values():
        evidence = [e for _, e in sorted(entry.pop("_evidence"), key=lambda x: -x[0])[:3]]
        entry["sections"] = sorted(entry["sections"].values(), key=lambda s: -s["score"])
        entry["score"] = round(entry["score"], 4)
        entry["share"] = round(entry["share"], 4)
        entry["evidence"] = evidence
        result.append(entry)
    result.sort(key=lambda e: (e["framework"] != "agenda2030", e["framework"], e["level"] != "goal",
                               -e["share"], -e["score"]))
    m = doc.metadata
    return {"file": doc.filename, "id": doc.id, "title": m.title, "doc_type": m.doc_type, "years": m.years,
            "passages": len(ps), "characters": total, "labels": result,
            "passage_tags": [{"passage": p.id, "section": p.section, "page": p.page,
                              "labels": [{"framework": t.framework, "id": t.id, "score": round(t.score, 4)}
                                         for t in tags]}
                             for p, tags in zip(ps, tagged, strict=True)]}


def portfolio_matrix(index, framework: str = "agenda2030", level: str = "goal") -> dict[str, Any]:
    """Documents x goals over everything indexed: the share of each document's passage text
    (characters) in passages tagged with the goal, and the number of such passages."""
    assert index.tagger is not None
    fw = index.tagger.frameworks[framework]
    labels = fw.goals if level == "goal" else fw.targets
    docs = []
    for d in index.documents():
        rows = index.document_passages(d.id)
        tags = index.passage_tags([r for r, _ in rows])
        total = sum(len(p.text) for _, p in rows) or 1
        share = {lab.id: 0.0 for lab in labels}
        count = {lab.id: 0 for lab in labels}
        for rowid, p in rows:
            for fwid, lid, _, _ in tags.get(rowid, []):
                if fwid == framework and lid in share:
                    share[lid] += len(p.text) / total
                    count[lid] += 1
        docs.append({"id": d.id, "filename": d.filename, "title": d.title, "years": d.years,
                     "share": {k: round(v, 4) for k, v in share.items()}, "passages": count})
    return {"framework": framework, "level": level, "measure": "share of the document's text",
            "labels": [{"id": lab.id, "title": lab.title} for lab in labels], "documents": docs}


def heatmap(matrix: dict[str, Any], path: Path) -> None:
    """Write the documents x goals matrix as a heatmap picture (PNG or SVG by suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    ids = [lab["id"] for lab in matrix["labels"]]
    names = [(d["title"] or d["filename"])[:48] for d in matrix["documents"]]
    values = np.array([[d["share"][i] for i in ids] for d in matrix["documents"]]) if names else np.zeros((0, len(ids)))
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(ids) + 4), max(2.5, 0.5 * len(names) + 1.5)))
    im = ax.imshow(values * 100, cmap="YlGnBu", vmin=0, vmax=max(1, float(values.max() * 100) if values.size else 1),
                   aspect="auto")
    ax.set_xticks(range(len(ids)), ids, rotation=90 if matrix["level"] == "target" else 0)
    ax.set_yticks(range(len(names)), names)
    for (r, c), v in np.ndenumerate(values):
        if v > 0:
            ax.text(c, r, f"{v:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if v > values.max() * 0.6 else "black")
    ax.set_xlabel(f"{matrix['framework']} ({'mål' if matrix['level'] == 'goal' else 'delmål'})")
    ax.set_title("Andel av dokumentets text per mål")
    fig.colorbar(im, ax=ax, label="% av texten")
    fig.tight_layout()
    fig.savefig(path, format=path.suffix.lstrip(".").lower() or "png", dpi=150)
    plt.close(fig)
