"""Tagging quality on the hand-labelled passages (evaluations/data/tagging_labels.jsonl).

Leave-one-document-out cross-validation: for each of the four sample documents, every
learned part (the per-framework classifiers and the combiners) is trained on the other
documents' labelled passages plus the frameworks' own goal/target texts, and scored on
the held-out document's passages. The held-out document is never seen in training.

Reported for Agenda 2030 and the national strategy, at goal and target level, micro and
macro F1 (macro over the labels that occur in the gold labels), for:

- each signal alone (embedding similarity, lexicon, classifier), each calibrated by the
  same kind of combiner as the full tagger but fed only that signal's features;
- the combined tagger;
- the keyword-only baseline: a goal (target) is assigned when any of its lexicon terms
  occurs in the text, no lemmas or learning.

Target level is scored on the passages the labeller gave at least one target of that
framework (targets were labelled where clear, so elsewhere absence is not evidence).

Result (multilingual-e5-small, 240 passages, 2026-11-23; goal µF1 / MF1, target µF1 / MF1):

    agenda2030         embedding .334/.277 .000/.000   lexicon .636/.506 .648/.632
                       classifier .628/.556 –          combined .686/.574 .656/.600
                       keyword baseline .449/.477 .480/.588
    national_strategy  embedding .651/.627 .146/.069   lexicon .773/.759 .757/.739
                       classifier .825/.818 –          combined .816/.814 .764/.745
                       keyword baseline .582/.585 .608/.633

The combined tagger beats the keyword baseline on every figure and each signal alone on
most; the classifier alone is slightly better at national-strategy goal level, and the lexicon
alone has a higher target-level macro F1 for Agenda 2030. The classifier has no
target-level output (targets come from the combiner's P(target | goal)).

Run: ``python evaluations/tagging.py [--hashing] [--json]`` (``--hashing`` uses the
instant test embedder instead of multilingual-e5-small, to check the pipeline only).
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
from nlp.tagger import (  # noqa: E402
    SIGNALS, Lexicon, Tagger, _take, fit_centre, fit_classifiers, fit_combiners, gold_matrix,
    goal_features, groups_of, keyword_baseline, load_labelled, out_of_fold_classifier, prepare,
    target_features,
)
from nlp.taxonomy import load_taxonomies  # noqa: E402
from underlag.settings import get_settings  # noqa: E402

FRAMEWORKS = ("agenda2030", "national_strategy")
SYSTEMS = {"embedding": ("embedding",), "lexicon": ("lexicon",), "classifier": ("classifier",),
           "combined": SIGNALS}


def f1s(gold: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """(micro F1, macro F1 over labels present in gold)."""
    tp = (gold * pred).sum(axis=0)
    fp = ((1 - gold) * pred).sum(axis=0)
    fn = (gold * (1 - pred)).sum(axis=0)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
    present = gold.sum(axis=0) > 0
    per = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    return float(micro), float(per[present].mean()) if present.any() else 0.0


def evaluate(embedder) -> dict:
    analyzer = default_analyzer()
    frameworks = load_taxonomies(get_settings().taxonomies_dir)
    tagger = Tagger(frameworks, embedder, analyzer, Lexicon.load(analyzer))
    t0 = time.time()
    tagger.use_label_vectors(tagger.encode_labels())
    tr = prepare(tagger, load_labelled(get_settings().tagging_labels))
    res = cross_validate(tagger, tr)
    res["seconds"] = round(time.time() - t0, 1)
    return res


def cross_validate(tagger: Tagger, tr) -> dict:
    """Leave-one-document-out scores of every system on prepared training data."""
    frameworks, examples = tagger.frameworks, tr.examples
    groups = groups_of(tr)
    n = len(examples)
    preds = {s: {fid: {"goal": np.zeros((n, len(frameworks[fid].goals))),
                       "target": np.zeros((n, len(frameworks[fid].targets)))} for fid in FRAMEWORKS}
             for s in [*SYSTEMS, "keyword baseline"]}
    for doc in sorted(set(groups)):
        train = np.where(groups != doc)[0]
        test = np.where(groups == doc)[0]
        clfs = fit_classifiers(tagger, tr, train)
        oof = out_of_fold_classifier(tagger, tr, train)
        centre = fit_centre(tr, train)
        for system, use in SYSTEMS.items():
            goal_comb, target_comb, threshold = fit_combiners(tagger, tr, train, oof, use, centre)
            for fid in FRAMEWORKS:
                fw = frameworks[fid]
                sig = _take(tr.signals[fid], test)
                clf = tagger.classifier_probs(fid, tr.vectors[test], sig, clfs)
                gp = goal_comb.predict_proba(goal_features(sig, clf, use, centre.get(fid)), fid)[:, 1].reshape(len(test), -1)
                cond = target_comb.predict_proba(target_features(sig, fw, gp, use))[:, 1]
                parent = [next(i for i, g in enumerate(fw.goals) if g.id == t.parent) for t in fw.targets]
                tp = gp[:, parent] * cond.reshape(len(test), -1)
                preds[system][fid]["goal"][test] = gp >= threshold
                preds[system][fid]["target"][test] = tp >= threshold
    for fid in FRAMEWORKS:
        fw = frameworks[fid]
        gidx = {g.id: i for i, g in enumerate(fw.goals)}
        tidx = {t.id: i for i, t in enumerate(fw.targets)}
        for i, ex in enumerate(examples):
            for lid in keyword_baseline(ex.text, tagger.lexicon, fid):
                if lid in gidx:
                    preds["keyword baseline"][fid]["goal"][i, gidx[lid]] = 1
            lowered_hits = tagger.lexicon.terms.get(fid, {})
            for lid in lowered_hits:
                if lid in tidx and keyword_baseline_target(ex.text, tagger.lexicon, fid, lid):
                    preds["keyword baseline"][fid]["target"][i, tidx[lid]] = 1
                    # a target implies its goal
                    preds["keyword baseline"][fid]["goal"][i, gidx[fw.targets[tidx[lid]].parent]] = 1
    results: dict = {"passages": n, "documents": len(set(groups)), "embedder": tagger.embedder.name,
                     "scores": {}}
    for fid in FRAMEWORKS:
        fw = frameworks[fid]
        rows = np.array([i for i, e in enumerate(examples) if fid in e.labels])
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


def keyword_baseline_target(text: str, lexicon: Lexicon, fid: str, lid: str) -> bool:
    import re

    lowered = text.lower()
    return any(re.search(r"(?<!\w)" + re.escape(t.rstrip("*")), lowered) for t in lexicon.terms[fid][lid])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hashing", action="store_true", help="use the instant test embedder")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.hashing:
        from nlp.embed import HashingEmbedder

        embedder = HashingEmbedder()
    else:
        from api.components import build_embedder

        embedder = build_embedder(get_settings())
    res = evaluate(embedder)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return
    print(f"{res['passages']} labelled passages, {res['documents']} documents, leave-one-document-out; "
          f"embedder {res['embedder']}; {res['seconds']} s")
    for fid, sc in res["scores"].items():
        print(f"\n{fid}  (goal level: {sc['goal_passages']} passages; target level: {sc['target_passages']})")
        print(f"  {'system':<18} {'goal µF1':>9} {'goal MF1':>9} {'target µF1':>11} {'target MF1':>11}")
        for system, s in sc.items():
            if isinstance(s, dict):
                print(f"  {system:<18} {s['goal_micro_f1']:>9.3f} {s['goal_macro_f1']:>9.3f} "
                      f"{s['target_micro_f1']:>11.3f} {s['target_macro_f1']:>11.3f}")


if __name__ == "__main__":
    main()
