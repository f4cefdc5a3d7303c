"""Tagging quality: the labelled report passages (cross-validated) and the held-out sentence set.

**Passages** (``corpus/training/tagging_labels.jsonl``, 240 Swedish report passages from four
documents): leave-one-document-out cross-validation. For each document, every learned part
(heads, combiners, thresholds) is trained on the other documents' passages plus everything
that is not a passage (framework texts, UN indicator texts, the written examples of
``corpus/training/agenda2030_examples.jsonl``), and scored on the held-out document.
Systems: each signal alone (embedding, lexicon, Aurora queries, classifier: calibrated by the same kind of
combiner fed only that signal's features), the combined tagger on the whole passage (as the
index tags passages), the combined tagger as ``tag_texts`` reads a pasted text (the passage
and its sentence windows, best score per label), and the
keyword baseline (a goal or target is assigned when any of its lexicon terms occurs as a
substring). Target level is scored on passages with a labelled target of that framework.

**Sentences** (``evaluations/data/tagging_sentences.jsonl``: short Swedish and English
texts written or taken from the corpus, kept apart from all training and tuning; labelled
at goal level and at target level where clear): the tagger as shipped (trained on all its
training data, cached like the product's) tags each text through ``Tagger.tag_texts``.
Reported per language: goal-level micro/macro F1, per-goal precision and recall, and the
**average accuracy**: per goal the mean of recall and specificity ("does this text address
SDG n?"), averaged over the 17 goals, the measure published SDG classifiers report; and
target-level micro F1 over the texts with a labelled target. Beside it, on the same texts:

- the pre-redesign tagger (``--old PATH``: predictions made by ``tagging_predict.py
  --root`` on a worktree of the old commit, stored in
  ``data/predictions/old_tagger_sentences.jsonl``);
- ``seesus`` (GPL-3 regex rules; predictions from ``seesus_predict.py`` run in a separate
  environment, ``data/predictions/seesus_sentences.jsonl``; English rules, so its Swedish
  figures show only what survives in shared words);
- the keyword baseline over the current lexicon.

**English paragraphs** (``evaluations/data/tagging_paragraphs_en.jsonl``, ``--paragraphs
tune|test``: 170 paragraphs of 67-107 words in the register of research abstracts and policy
briefs, each labelled with every goal it treats in substance, split half tune, half test): the
shipped tagger tags each whole paragraph as ``underlag tag --text`` does (``Tagger.tag``: the
text and its sentence windows, Agenda 2030 goals). Reported beside the keyword baseline, the
pre-redesign tagger and seesus (``data/predictions/old_tagger_paragraphs.jsonl`` and
``seesus_paragraphs.jsonl``, made as for the sentences): goal micro/macro F1, per-goal recall
and precision, average accuracy and the share of paragraphs left with no goal. The sentence
set has no text of LONG_TEXT words, so this is the measure of the long-text regime on English.

Run: ``python evaluations/tagging.py [--hashing] [--json] [--skip-passages] [--paragraphs tune|test]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.analyzer import default_analyzer  # noqa: E402
from nlp.aurora import AuroraQueries  # noqa: E402
from nlp.tagger import (  # noqa: E402
    SIGNALS, Lexicon, Tagger, by_length, keyword_baseline, keyword_labels, text_units, window_gate,
    with_windows,
)
from nlp.tagger_training import (  # noqa: E402
    CachingEmbedder, build_tagger, fit_centre, fit_heads, fit_regimes,
    gold_matrix, groups_of, load_examples, load_indicators, load_labelled, out_of_fold_heads,
    prepare,
)
from nlp.taxonomy import load_taxonomies  # noqa: E402
from underlag.settings import get_settings  # noqa: E402

HERE = Path(__file__).resolve().parent
SENTENCES = HERE / "data" / "tagging_sentences.jsonl"
PARAGRAPHS = HERE / "data" / "tagging_paragraphs_en.jsonl"
PREDICTIONS = HERE / "data" / "predictions"
FRAMEWORKS = ("agenda2030", "national_strategy")
SYSTEMS = {"embedding": ("embedding",), "lexicon": ("lexicon",), "aurora": ("aurora",),
           "classifier": ("classifier",),
           "combined (whole passage)": SIGNALS}
GOALS = [str(g) for g in range(1, 18)]


def f1s(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """(micro F1, macro F1 over labels present in gold)."""
    tp = (gold * pred).sum(axis=0)
    fp = ((1 - gold) * pred).sum(axis=0)
    fn = (gold * (1 - pred)).sum(axis=0)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
    present = gold.sum(axis=0) > 0
    per = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    return float(micro), float(per[present].mean()) if present.any() else 0.0


# -- passages ----------------------------------------------------------------------------------


def cross_validate(tagger: Tagger, tr, n_passages: int) -> dict:
    """Leave-one-document-out scores on the first ``n_passages`` texts of ``tr`` (the
    passages); the rest (written examples) are always in training."""
    frameworks, examples = tagger.frameworks, tr.examples
    groups = groups_of(tr)
    docs = sorted(set(groups[:n_passages]))
    n = n_passages
    systems = [*SYSTEMS, "combined (passage + windows, as tag_texts)", "keyword baseline"]
    preds = {s: {fid: {"goal": np.zeros((n, len(frameworks[fid].goals))),
                       "target": np.zeros((n, len(frameworks[fid].targets)))} for fid in FRAMEWORKS}
             for s in systems}
    # the windows each passage is also scored on at run time
    units = [text_units(ex.text, tagger.analyzer)[1:] for ex in examples[:n]]
    unit_texts = [examples[i].text[s:e] for i in range(n) for s, e, _ in units[i]]
    unit_window = np.array([w for i in range(n) for _, _, w in units[i]], dtype=bool)
    unit_owner = np.array([i for i in range(n) for _ in units[i]], dtype=int)
    unit_vectors = tagger.embed(unit_texts)
    unit_sigs, _ = tagger.signals(unit_texts, unit_vectors)
    for doc in docs:
        train = np.where(groups != doc)[0]
        test = np.where(groups == doc)[0]
        heads = fit_heads(tagger, tr, train)
        outs = out_of_fold_heads(tagger, tr, train)
        centre = fit_centre(tr, train)
        for system, use in SYSTEMS.items():
            regimes = fit_regimes(tagger, tr, train, outs, use, centre)
            short, long, window = regimes.short, regimes.long, regimes.window
            for fid in FRAMEWORKS:
                fw = frameworks[fid]

                def score(vectors, sig):
                    clf = tagger.classifier_probs(fid, vectors, sig, heads.goal)
                    head = tagger.target_head_probs(fid, vectors, heads.target)
                    c = centre.get(fid)
                    return by_length(sig.length, short.probs(fid, fw, sig, clf, head, c, use),
                                     long.probs(fid, fw, sig, clf, head, c, use) if long else None)

                def decide(sig, gp, tp, win=None, gate=None):
                    s_ok = short.decide(fid, fw, gp, tp)
                    if win is not None:  # as Tagger.tag_many decides a longer text's windows
                        s_ok = with_windows(s_ok, window, fid, fw, gp, tp, win, gate)
                    return by_length(sig.length, s_ok, long.decide(fid, fw, gp, tp) if long else None)

                sig = tr.signals[fid].take(test)
                gp, tp = score(tr.vectors[test], sig)
                ok, tok = decide(sig, gp, tp)
                variants = [(system, ok, tok)]
                if system == "combined (whole passage)":
                    # a label is kept where the passage or one of its windows assigns it
                    u = np.where(np.isin(unit_owner, test))[0]
                    ok2, tok2 = ok.copy(), tok.copy()
                    if len(u):
                        usig = unit_sigs[fid].take(u)
                        ugp, utp = score(unit_vectors[u], usig)
                        pos = {int(i): k for k, i in enumerate(test)}
                        # each window's chunk (the passage itself for the first): its goal
                        # probabilities and length, for the window gate (nlp.tagger.WINDOW_GATE)
                        ogp, olen, chunk = np.zeros_like(ugp), np.zeros(len(u)), None
                        for k, uu in enumerate(u):
                            if not unit_window[uu]:
                                chunk = k
                            elif chunk is None or unit_owner[u[chunk]] != unit_owner[uu]:
                                chunk = None
                            if chunk is not None and unit_window[uu]:
                                ogp[k], olen[k] = ugp[chunk], usig.length[chunk]
                            else:
                                ogp[k], olen[k] = gp[pos[unit_owner[uu]]], sig.length[pos[unit_owner[uu]]]
                        gate = (window_gate(ogp, np.arange(len(u)), olen, long.goal_thresholds(fid, len(fw.goals)))
                                if long else None)
                        uok, utok = decide(usig, ugp, utp, win=unit_window[u], gate=gate)
                        for k, owner in enumerate(unit_owner[u]):
                            ok2[pos[owner]] |= uok[k]
                            tok2[pos[owner]] |= utok[k]
                    variants.append(("combined (passage + windows, as tag_texts)", ok2, tok2))
                for name, g, t in variants:
                    preds[name][fid]["goal"][test] = g
                    preds[name][fid]["target"][test] = t
    for fid in FRAMEWORKS:
        fw = frameworks[fid]
        gidx = {g.id: i for i, g in enumerate(fw.goals)}
        tidx = {t.id: i for i, t in enumerate(fw.targets)}
        for i, ex in enumerate(examples[:n]):
            for lid in keyword_baseline(ex.text, tagger.lexicon, fid):
                if lid in gidx:
                    preds["keyword baseline"][fid]["goal"][i, gidx[lid]] = 1
            for lid in keyword_labels(ex.text, tagger.lexicon, fid):
                if lid in tidx:
                    preds["keyword baseline"][fid]["target"][i, tidx[lid]] = 1
                    preds["keyword baseline"][fid]["goal"][i, gidx[fw.targets[tidx[lid]].parent]] = 1
    results: dict = {"passages": n, "documents": len(docs), "embedder": tagger.embedder.name, "scores": {}}
    for fid in FRAMEWORKS:
        fw = frameworks[fid]
        rows = np.array([i for i in range(n) if fid in examples[i].labels])
        trows = np.array([i for i in rows if examples[i].targets.get(fid)])
        gold_g = gold_matrix([examples[i] for i in rows], fw)
        gold_t = gold_matrix([examples[i] for i in trows], fw, "target")
        results["scores"][fid] = {"goal_passages": len(rows), "target_passages": len(trows)}
        for system in preds:
            g = f1s(gold_g, preds[system][fid]["goal"][rows])
            t = f1s(gold_t, preds[system][fid]["target"][trows]) if len(trows) else (0.0, 0.0)
            results["scores"][fid][system] = {"goal_micro_f1": round(g[0], 3), "goal_macro_f1": round(g[1], 3),
                                              "target_micro_f1": round(t[0], 3), "target_macro_f1": round(t[1], 3)}
    return results


def evaluate_passages(embedder, cache_dir: Path | None) -> dict:
    settings = get_settings()
    analyzer = default_analyzer()
    if cache_dir is not None:
        embedder = CachingEmbedder(embedder, cache_dir / f"vectors-{embedder.name}.pkl")
    tagger = Tagger(load_taxonomies(settings.taxonomies_dir), embedder, analyzer, Lexicon.load(analyzer),
                    aurora=AuroraQueries.load(settings.taxonomies_dir / "aurora"))
    t0 = time.time()
    tagger.use_label_vectors(tagger.encode_labels())
    passages = load_labelled(settings.tagging_labels)
    written = load_examples(settings.training_dir / "agenda2030_examples.jsonl")
    tr = prepare(tagger, passages + written, load_indicators(settings.taxonomies_dir / "un" / "agenda2030_indicators_en.yml"))
    res = cross_validate(tagger, tr, len(passages))
    if isinstance(embedder, CachingEmbedder):
        embedder.save()
    res["seconds"] = round(time.time() - t0, 1)
    return res


# -- sentences ---------------------------------------------------------------------------------


def load_sentences(path: Path = SENTENCES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_predictions(path: Path) -> dict[str, dict] | None:
    if not path.exists():
        return None
    return {r["id"]: r for r in load_sentences(path)}


def sentence_scores(rows: list[dict], pred: dict[str, dict]) -> dict:
    """Goal- and target-level scores of predictions ``pred`` (by id) on ``rows``."""
    gold = np.array([[g in r["goals"] for g in GOALS] for r in rows], dtype=float)
    got = np.array([[g in pred[r["id"]]["goals"] for g in GOALS] for r in rows], dtype=float)
    micro, macro = f1s(gold, got)
    tp = (gold * got).sum(axis=0)
    pos, neg = gold.sum(axis=0), (1 - gold).sum(axis=0)
    recall = np.where(pos > 0, tp / np.maximum(pos, 1), np.nan)
    precision = np.where(got.sum(axis=0) > 0, tp / np.maximum(got.sum(axis=0), 1), np.nan)
    specificity = ((1 - gold) * (1 - got)).sum(axis=0) / np.maximum(neg, 1)
    avg_acc = float(np.nanmean((recall + specificity) / 2))
    with_t = [r for r in rows if r["targets"]]
    targets = sorted({t for r in with_t for t in r["targets"]} | {t for r in with_t for t in pred[r["id"]]["targets"]})
    tg = np.array([[t in r["targets"] for t in targets] for r in with_t], dtype=float)
    tpd = np.array([[t in pred[r["id"]]["targets"] for t in targets] for r in with_t], dtype=float)
    t_micro = f1s(tg, tpd)[0] if len(with_t) else 0.0
    return {"texts": len(rows), "goal_micro_f1": round(micro, 3), "goal_macro_f1": round(macro, 3),
            "avg_accuracy": round(avg_acc, 3), "target_micro_f1": round(t_micro, 3),
            "no_goal_share": round(float((got.sum(axis=1) == 0).mean()), 3),
            "recall": {g: (None if np.isnan(r) else round(float(r), 2)) for g, r in zip(GOALS, recall, strict=True)},
            "precision": {g: (None if np.isnan(p) else round(float(p), 2)) for g, p in zip(GOALS, precision, strict=True)}}


def evaluate_sentences(tagger: Tagger, rows: list[dict]) -> dict:
    t0 = time.time()
    tagged = tagger.tag_texts([r["text"] for r in rows], frameworks=["agenda2030"])
    seconds = time.time() - t0
    ours = {}
    for r, tags in zip(rows, tagged, strict=True):
        ours[r["id"]] = {"goals": sorted({t.id for t in tags if t.level == "goal"}),
                         "targets": sorted({t.id for t in tags if t.level == "target"})}
    keyword = {}
    for r in rows:
        labels = keyword_labels(r["text"], tagger.lexicon, "agenda2030")
        keyword[r["id"]] = {"goals": sorted({x.split(".")[0] for x in labels}),
                            "targets": sorted(x for x in labels if "." in x)}
    systems = {"tagger": ours, "old tagger": load_predictions(PREDICTIONS / "old_tagger_sentences.jsonl"),
               "seesus": load_predictions(PREDICTIONS / "seesus_sentences.jsonl"), "keyword baseline": keyword}
    out: dict = {"seconds": round(seconds, 1), "by_language": {}}
    for lang in ("sv", "en"):
        part = [r for r in rows if r["lang"] == lang]
        out["by_language"][lang] = {name: sentence_scores(part, pred) for name, pred in systems.items()
                                    if pred is not None and all(r["id"] in pred for r in part)}
    return out


# -- English paragraphs ----------------------------------------------------------------------


def evaluate_paragraphs(tagger: Tagger, split: str, path: Path = PARAGRAPHS) -> dict:
    """The tagger and the keyword baseline on the paragraphs of ``split`` (goal level only)."""
    records = [r for r in load_sentences(path) if r["split"] == split]
    rows = [{"id": r["id"], "goals": r["labels"], "targets": []} for r in records]
    texts = {r["id"]: r["text"] for r in records}
    t0 = time.time()
    tagged = tagger.tag_texts([texts[r["id"]] for r in rows], frameworks=["agenda2030"])
    seconds = time.time() - t0
    ours = {r["id"]: {"goals": sorted({t.id for t in tags if t.level == "goal"}, key=int), "targets": [],
                      "scores": {t.id: round(t.score, 3) for t in tags if t.level == "goal"}}
            for r, tags in zip(rows, tagged, strict=True)}
    keyword = {r["id"]: {"goals": sorted(keyword_baseline(texts[r["id"]], tagger.lexicon, "agenda2030"), key=int),
                         "targets": []} for r in rows}
    stored = {name: load_predictions(PREDICTIONS / f"{stem}_paragraphs.jsonl")
              for name, stem in (("old tagger", "old_tagger"), ("seesus", "seesus"))}
    systems = {"tagger": ours, **{name: pred for name, pred in stored.items()
                                  if pred is not None and all(r["id"] in pred for r in rows)},
               "keyword baseline": keyword}
    return {"split": split, "texts": len(rows), "seconds": round(seconds, 1),
            "scores": {name: sentence_scores(rows, pred) for name, pred in systems.items()},
            "predictions": {name: {k: v["goals"] for k, v in pred.items()} for name, pred in systems.items()},
            "tagger_scores": {k: v["scores"] for k, v in ours.items()}}


def print_paragraphs(p: dict) -> None:
    print(f"English paragraphs, {p['split']} split ({p['texts']} texts), Agenda 2030 goals; tagged in {p['seconds']} s")
    print(f"  {'system':<18} {'goal µF1':>9} {'goal MF1':>9} {'avg acc':>8} {'no goal':>8}")
    for name, sc in p["scores"].items():
        print(f"  {name:<18} {sc['goal_micro_f1']:>9.3f} {sc['goal_macro_f1']:>9.3f} {sc['avg_accuracy']:>8.3f} "
              f"{sc['no_goal_share']:>8.3f}")
    print("  recall / precision per goal:")
    print(f"  {'goal':>4} " + " ".join(f"{name:>18}" for name in p["scores"]))
    for g in GOALS:
        cells = []
        for sc in p["scores"].values():
            r, pr = sc["recall"][g], sc["precision"][g]
            cells.append(f"{'-' if r is None else f'{r:.2f}':>8} / {'-' if pr is None else f'{pr:.2f}':<7}")
        print(f"  {g:>4} " + " ".join(f"{c:>18}" for c in cells))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hashing", action="store_true", help="use the instant test embedder (pipeline check only)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--skip-passages", action="store_true")
    ap.add_argument("--skip-sentences", action="store_true")
    ap.add_argument("--paragraphs", choices=("tune", "test"),
                    help="only the English paragraphs of this split (never tune on test)")
    args = ap.parse_args()
    settings = get_settings()
    if args.hashing:
        from nlp.embed import HashingEmbedder

        embedder, cache_dir = HashingEmbedder(), None
    else:
        from api.components import build_embedder

        embedder, cache_dir = build_embedder(settings), settings.tagger_dir
    res: dict = {}
    if args.paragraphs:
        args.skip_sentences = args.skip_passages = True
    if not args.skip_sentences or args.paragraphs:
        tagger = build_tagger(embedder, default_analyzer(), labels_path=settings.tagging_labels,
                              examples_path=settings.training_dir / "agenda2030_examples.jsonl",
                              taxonomy_dir=settings.taxonomies_dir,
                              indicators_path=settings.taxonomies_dir / "un" / "agenda2030_indicators_en.yml",
                              aurora_dir=settings.taxonomies_dir / "aurora", cache_dir=cache_dir)
    if args.paragraphs:
        res["paragraphs"] = evaluate_paragraphs(tagger, args.paragraphs)
    if not args.skip_sentences:
        res["sentences"] = evaluate_sentences(tagger, load_sentences())
    if not args.skip_passages:
        res["passages"] = evaluate_passages(embedder, cache_dir)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return
    if "paragraphs" in res:
        print_paragraphs(res["paragraphs"])
    if "sentences" in res:
        s = res["sentences"]
        print(f"Sentence set (held out), Agenda 2030; tagged in {s['seconds']} s")
        for lang, systems in s["by_language"].items():
            print(f"\n  {lang}  {'system':<18} {'texts':>5} {'goal µF1':>9} {'goal MF1':>9} {'avg acc':>8} "
                  f"{'target µF1':>11} {'no goal':>8}")
            for name, sc in systems.items():
                print(f"      {name:<18} {sc['texts']:>5} {sc['goal_micro_f1']:>9.3f} {sc['goal_macro_f1']:>9.3f} "
                      f"{sc['avg_accuracy']:>8.3f} {sc['target_micro_f1']:>11.3f} {sc['no_goal_share']:>8.3f}")
            for name in ("tagger",):
                sc = systems[name]
                print(f"      {name} recall/precision per goal: " + " ".join(
                    f"{g}:{sc['recall'][g]}/{sc['precision'][g]}" for g in GOALS))
    if "passages" in res:
        p = res["passages"]
        print(f"\nPassages: {p['passages']} labelled, {p['documents']} documents, leave-one-document-out; "
              f"embedder {p['embedder']}; {p['seconds']} s")
        for fid, sc in p["scores"].items():
            print(f"\n{fid}  (goal level: {sc['goal_passages']} passages; target level: {sc['target_passages']})")
            print(f"  {'system':<38} {'goal µF1':>9} {'goal MF1':>9} {'target µF1':>11} {'target MF1':>11}")
            for system, x in sc.items():
                if isinstance(x, dict):
                    print(f"  {system:<38} {x['goal_micro_f1']:>9.3f} {x['goal_macro_f1']:>9.3f} "
                          f"{x['target_micro_f1']:>11.3f} {x['target_macro_f1']:>11.3f}")


if __name__ == "__main__":
    main()
