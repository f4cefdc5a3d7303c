"""Multi-label tagging of text against goal frameworks (Agenda 2030, the national
strategy, a region's RUS, cross-cutting perspectives), at goal and target level.

Three signals, combined by a small learned model rather than trusted alone:

- **embedding similarity**: the passage (``passage:`` prefix) against every goal's and
  target's descriptions (``query:`` prefix; Swedish and English text, so English input
  and targets without official Swedish text still work with the multilingual model);
- **lexicon**: Swedish (and English) words per goal and target in
  ``nlp/data/goal_lexicon.yaml``, matched on word forms, lemmas and compound parts, so
  "bredbandsutbyggnaden" counts for "bredband";
- **classifier**: a scikit-learn one-vs-rest logistic regression per framework over the
  passage embedding and the per-goal lexicon counts, trained on the hand-labelled passages
  (``corpus/training/tagging_labels.jsonl``) plus the frameworks' own goal and target
  texts as examples (so frameworks without labelled passages still get a classifier).

A logistic regression over per-(passage, goal) features of the three signals turns them
into one calibrated probability (the combiner); a second one scores a target given its
goal, and a target's score is ``P(goal) * P(target | goal)``. Why: similarity alone
confuses neighbouring goals (8 vs 9), keywords alone miss paraphrase and fire on passing
mentions, the classifier alone only knows the goals it has seen examples of; the combiner
learns how much each signal is worth from the labelled data (see evaluations/tagging.py).

Nothing loads a model at import time: :func:`build_tagger` takes the embedder.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from nlp.analyzer import Analyzer
from nlp.embed import Embedder
from nlp.taxonomy import Framework, Label, load_taxonomies

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "goal_lexicon.yaml"
#: Bump when features or training change, so cached models are rebuilt.
MODEL_VERSION = "4"
THRESHOLD = 0.5
MAX_CHUNK = 1200
SIGNALS = ("embedding", "lexicon", "classifier")


# -- lexicon ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A lexicon term found in a text: character span and the term that matched."""

    start: int
    end: int
    term: str


class Lexicon:
    """Terms per (framework, label id); matching over word forms, lemmas and compound parts."""

    def __init__(self, terms: dict[str, dict[str, list[str]]], analyzer: Analyzer):
        self.analyzer = analyzer
        self.terms = {fw: {str(k): [str(t).lower() for t in v] for k, v in labels.items()}
                      for fw, labels in terms.items()}
        self._exact: dict[str, list[tuple[str, str, str]]] = {}
        self._prefix: dict[str, list[tuple[str, str, str, str]]] = {}
        self._phrases: list[tuple[re.Pattern[str], str, str, str]] = []
        for fw, labels in self.terms.items():
            for lid, ts in labels.items():
                for t in ts:
                    if " " in t or "-" in t.strip("*"):
                        body = re.escape(t.rstrip("*"))
                        self._phrases.append((re.compile(r"(?<!\w)" + body + r"\w*"), fw, lid, t))
                    elif t.endswith("*"):
                        stem = t[:-1]
                        self._prefix.setdefault(stem[:3], []).append((stem, fw, lid, t))
                    else:
                        self._exact.setdefault(t, []).append((fw, lid, t))

    @classmethod
    def load(cls, analyzer: Analyzer, path: Path = LEXICON_PATH) -> Lexicon:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, analyzer)

    def _forms(self, lower: str) -> set[str]:
        return {lower, *self.analyzer.word_terms(lower)}

    def match(self, text: str) -> dict[tuple[str, str], list[Hit]]:
        """Every (framework, label id) with the places its terms occur in ``text``."""
        found: dict[tuple[str, str], list[Hit]] = {}
        for tok in self.analyzer.tokens(text):
            lower = tok.text.lower()
            if not any(c.isalpha() for c in lower):
                continue
            for form in self._forms(lower):
                for fw, lid, term in self._exact.get(form, ()):
                    found.setdefault((fw, lid), []).append(Hit(tok.start, tok.end, term))
                for stem, fw, lid, term in self._prefix.get(form[:3], ()):
                    if form.startswith(stem):
                        found.setdefault((fw, lid), []).append(Hit(tok.start, tok.end, term))
        lowered = text.lower()
        for pattern, fw, lid, term in self._phrases:
            for m in pattern.finditer(lowered):
                found.setdefault((fw, lid), []).append(Hit(m.start(), m.end(), term))
        return {k: sorted(set(v), key=lambda h: h.start) for k, v in found.items()}


def keyword_baseline(text: str, lexicon: Lexicon, framework: str) -> set[str]:
    """The plain keyword tool the tagger is measured against: a goal is assigned when any of
    its (or its targets') terms occurs as a lower-case substring; no lemmas, no weighting."""
    lowered = text.lower()
    out = set()
    for lid, terms in lexicon.terms.get(framework, {}).items():
        if any(re.search(r"(?<!\w)" + re.escape(t.rstrip("*")), lowered) for t in terms):
            out.add(lid.split(".")[0] if framework == "agenda2030" else lid)
    return out


# -- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """A sentence of the input that supports a tag; spans index the input text."""

    text: str
    start: int
    end: int
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end,
                "highlights": [list(h) for h in self.highlights]}


@dataclass(frozen=True)
class Tag:
    """One goal or target a text concerns, with a calibrated score in [0, 1]."""

    framework: str
    id: str
    title: str
    level: str  # "goal" or "target"
    score: float
    evidence: list[Evidence] = field(default_factory=list)
    parent: str | None = None
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.framework}:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {"framework": self.framework, "id": self.id, "title": self.title, "level": self.level,
                "score": round(self.score, 4), "parent": self.parent,
                "evidence": [e.to_json() for e in self.evidence],
                "signals": {k: round(v, 4) for k, v in self.signals.items()}}


# -- signals ---------------------------------------------------------------------------


@dataclass
class FrameworkSignals:
    """Raw signal matrices for n texts against one framework."""

    goal_sim: np.ndarray      # (n, G) best cosine over the goal's and its targets' descriptions
    goal_lex: np.ndarray      # (n, G) distinct lexicon terms of the goal and its targets
    target_sim: np.ndarray    # (n, T)
    target_lex: np.ndarray    # (n, T)


def _zscore(m: np.ndarray) -> np.ndarray:
    if m.shape[1] < 2:
        return np.zeros_like(m)
    return (m - m.mean(axis=1, keepdims=True)) / (m.std(axis=1, keepdims=True) + 1e-6)


def _rank_feature(m: np.ndarray) -> np.ndarray:
    """1 for the best column of a row, 1/2 for the second ..."""
    order = np.argsort(-m, axis=1)
    ranks = np.empty_like(order)
    rows = np.arange(m.shape[0])[:, None]
    ranks[rows, order] = np.arange(m.shape[1])[None, :]
    return 1.0 / (1.0 + ranks)


def goal_features(sig: FrameworkSignals, clf: np.ndarray, use: Sequence[str] = SIGNALS,
                  centre: np.ndarray | None = None) -> np.ndarray:
    """Per (text, goal) feature rows, (n*G, f), for the combiner; ``use`` picks the signals.

    ``centre`` is each goal's mean similarity over the training passages: some goal
    texts are close to everything, so a similarity only means something relative to the
    goal's usual level (and to the passage's other goals).
    """
    cols = []
    if "embedding" in use:
        c = sig.goal_sim - (centre if centre is not None else sig.goal_sim.mean(axis=0))
        cols += [sig.goal_sim, _zscore(sig.goal_sim), _rank_feature(sig.goal_sim),
                 c * 10, _zscore(c), _rank_feature(c)]
    if "lexicon" in use:
        lex = np.log1p(sig.goal_lex)
        share = sig.goal_lex / (sig.goal_lex.sum(axis=1, keepdims=True) + 1e-6)
        cols += [lex, (sig.goal_lex > 0).astype(float), share]
    if "classifier" in use:
        p = np.clip(clf, 1e-4, 1 - 1e-4)
        cols += [np.log(p / (1 - p))]
    return np.stack([c.reshape(-1) for c in cols], axis=1)


def target_features(sig: FrameworkSignals, fw: Framework, goal_prob: np.ndarray,
                    use: Sequence[str] = SIGNALS) -> np.ndarray:
    """Per (text, target) rows: the target's signals relative to its sibling targets."""
    goal_index = {g.id: i for i, g in enumerate(fw.goals)}
    n, t = sig.target_sim.shape
    rel = np.zeros((n, t))
    z = np.zeros((n, t))
    lex_share = np.zeros((n, t))
    parent = np.array([goal_index[x.parent] for x in fw.targets], dtype=int)  # type: ignore[index]
    for gi in set(parent.tolist()):
        cols = np.where(parent == gi)[0]
        block = sig.target_sim[:, cols]
        rel[:, cols] = block - block.max(axis=1, keepdims=True)
        z[:, cols] = _zscore(block) if len(cols) > 1 else 0.0
        lb = sig.target_lex[:, cols]
        lex_share[:, cols] = lb / (lb.sum(axis=1, keepdims=True) + 1e-6)
    gp = np.clip(goal_prob[:, parent], 1e-4, 1 - 1e-4)
    feats = [np.log(gp / (1 - gp))]
    if "embedding" in use:
        feats += [sig.target_sim, rel, z]
    if "lexicon" in use:
        feats += [np.log1p(sig.target_lex), (sig.target_lex > 0).astype(float), lex_share]
    return np.stack([f.reshape(-1) for f in feats], axis=1)


# -- the trained part ----------------------------------------------------------------------


@dataclass
class TaggerModel:
    """Everything learned: label vectors, one classifier per framework, the two combiners."""

    embedder: str
    fingerprint: str
    label_vectors: dict[str, list[np.ndarray]]  # label key -> description vectors (rows)
    classifiers: dict[str, Any]                 # framework -> fitted OneVsRest classifier
    goal_combiner: GoalCombiner
    target_combiner: Any
    centre: dict[str, np.ndarray] = field(default_factory=dict)  # framework -> mean goal similarity
    threshold: float = THRESHOLD                # decision threshold on the calibrated score
    trained_on: int = 0                         # labelled passages used

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(self, f)
        tmp.replace(path)

    @staticmethod
    def load(path: Path) -> TaggerModel | None:
        try:
            with open(path, "rb") as f:
                model = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        return model if isinstance(model, TaggerModel) else None


@dataclass(frozen=True)
class LabelledExample:
    """A hand-labelled passage: goal ids and target ids per framework."""

    id: str
    file: str
    text: str
    labels: dict[str, list[str]]
    targets: dict[str, list[str]]


def load_labelled(path: Path) -> list[LabelledExample]:
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                text = f"{d.get('section_title') or ''}\n{d['text']}".strip()
                out.append(LabelledExample(d["passage"], d["file"], text, d.get("labels", {}),
                                           d.get("targets", {})))
    return out


def _fingerprint(paths: Sequence[Path], embedder: str) -> str:
    h = hashlib.sha256(f"{MODEL_VERSION}|{embedder}".encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


class Tagger:
    """Tags texts against every framework; see the module docstring for the method."""

    def __init__(self, frameworks: dict[str, Framework], embedder: Embedder, analyzer: Analyzer,
                 lexicon: Lexicon, model: TaggerModel | None = None, threshold: float = THRESHOLD):
        self.frameworks = frameworks
        self.embedder = embedder
        self.analyzer = analyzer
        self.lexicon = lexicon
        self.model = model
        self._threshold = threshold

    @property
    def threshold(self) -> float:
        """Labels at or above this calibrated score are assigned (tuned for F1 in training)."""
        return self.model.threshold if self.model is not None else self._threshold

    # -- label vectors -------------------------------------------------------------------

    def encode_labels(self) -> dict[str, list[np.ndarray]]:
        labels = [label for fw in self.frameworks.values() for label in fw.labels]
        texts, owners = [], []
        for label in labels:
            for d in label.descriptions():
                texts.append(d)
                owners.append(label.key)
        vecs = self.embedder.encode_queries(texts) if texts else np.zeros((0, self.embedder.dim))
        out: dict[str, list[np.ndarray]] = {}
        for key, v in zip(owners, vecs, strict=True):
            out.setdefault(key, []).append(v)
        return out

    def use_label_vectors(self, vectors: dict[str, list[np.ndarray]]) -> None:
        """Use these label description vectors (from :meth:`encode_labels`)."""
        self.__dict__["_label_matrices"] = {k: np.vstack(v) for k, v in vectors.items() if len(v)}

    @cached_property
    def _label_matrices(self) -> dict[str, np.ndarray]:
        """Per label key: its description vectors stacked, from the model or encoded now."""
        vectors = self.model.label_vectors if self.model is not None else self.encode_labels()
        missing = [label for fw in self.frameworks.values() for label in fw.labels
                   if label.key not in vectors]
        if missing:  # a framework file added after training: encode just its labels
            texts = [d for label in missing for d in label.descriptions()]
            enc = self.embedder.encode_queries(texts)
            i = 0
            for label in missing:
                k = len(label.descriptions())
                vectors[label.key] = list(enc[i:i + k])
                i += k
        return {k: np.vstack(v) for k, v in vectors.items() if len(v)}

    def _sims(self, vectors: np.ndarray, labels: Sequence[Label]) -> np.ndarray:
        out = np.zeros((len(vectors), len(labels)), dtype=np.float32)
        for j, label in enumerate(labels):
            out[:, j] = (vectors @ self._label_matrices[label.key].T).max(axis=1)
        return out

    # -- signals ---------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode_passages(list(texts))

    def signals(self, texts: Sequence[str], vectors: np.ndarray | None = None,
                matches: list[dict[tuple[str, str], list[Hit]]] | None = None
                ) -> tuple[dict[str, FrameworkSignals], list[dict[tuple[str, str], list[Hit]]]]:
        if vectors is None:
            vectors = self.embed(texts)
        if matches is None:
            matches = [self.lexicon.match(t) for t in texts]
        out = {}
        for fid, fw in self.frameworks.items():
            tsim = self._sims(vectors, fw.targets) if fw.targets else np.zeros((len(texts), 0))
            gsim = self._sims(vectors, fw.goals)
            tlex = np.array([[len({h.term for h in m.get((fid, t.id), [])}) for t in fw.targets]
                             for m in matches], dtype=float).reshape(len(texts), len(fw.targets))
            glex = np.zeros((len(texts), len(fw.goals)))
            for j, g in enumerate(fw.goals):
                ids = [g.id] + [t.id for t in fw.targets_of(g.id)]
                for i, m in enumerate(matches):
                    glex[i, j] = len({h.term for lid in ids for h in m.get((fid, lid), [])})
                kids = [k for k, t in enumerate(fw.targets) if t.parent == g.id]
                if kids:
                    gsim[:, j] = np.maximum(gsim[:, j], tsim[:, kids].max(axis=1))
            out[fid] = FrameworkSignals(gsim, glex, tsim, tlex)
        return out, matches

    @staticmethod
    def classifier_input(vectors: np.ndarray, sig: FrameworkSignals) -> np.ndarray:
        """The passage embedding, its lexicon counts and its (row-centred) similarity to each
        goal, so the classifier learns per goal how far to trust words and similarity."""
        centred = sig.goal_sim - sig.goal_sim.mean(axis=1, keepdims=True)
        return np.hstack([vectors, np.log1p(sig.goal_lex), 5.0 * centred])

    def classifier_probs(self, fid: str, vectors: np.ndarray, sig: FrameworkSignals,
                         classifiers: dict[str, Any] | None = None) -> np.ndarray:
        clf = (classifiers if classifiers is not None else self.model.classifiers).get(fid)  # type: ignore[union-attr]
        n, g = sig.goal_sim.shape
        if clf is None:
            return np.full((n, g), 0.5)
        return np.asarray(clf.predict_proba(self.classifier_input(vectors, sig))).reshape(n, g)

    # -- tagging ---------------------------------------------------------------------------

    def require_model(self) -> TaggerModel:
        if self.model is None:
            raise RuntimeError("the tagger has no trained model: use build_tagger() or train_model()")
        return self.model

    def score(self, texts: Sequence[str], vectors: np.ndarray | None = None
              ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, FrameworkSignals],
                         list[dict[tuple[str, str], list[Hit]]], np.ndarray]:
        """Calibrated (goal probabilities (n, G), target probabilities (n, T)) per framework."""
        model = self.require_model()
        if vectors is None:
            vectors = self.embed(texts)
        sigs, matches = self.signals(texts, vectors)
        out = {}
        for fid, fw in self.frameworks.items():
            sig = sigs[fid]
            n, g = sig.goal_sim.shape
            clf = self.classifier_probs(fid, vectors, sig)
            gp = model.goal_combiner.predict_proba(
                goal_features(sig, clf, centre=model.centre.get(fid)), fid)[:, 1].reshape(n, g)
            tp = np.zeros((n, len(fw.targets)))
            if fw.targets:
                cond = model.target_combiner.predict_proba(target_features(sig, fw, gp))[:, 1]
                parent = [next(i for i, x in enumerate(fw.goals) if x.id == t.parent) for t in fw.targets]
                tp = gp[:, parent] * cond.reshape(n, len(fw.targets))
            out[fid] = (gp, tp)
        return out, sigs, matches, vectors

    def tag_many(self, texts: Sequence[str], vectors: np.ndarray | None = None,
                 frameworks: Sequence[str] | None = None, evidence: bool = True) -> list[list[Tag]]:
        """Tags for each text (each at most a passage long; see :meth:`tag` for long texts)."""
        texts = list(texts)
        if not texts:
            return []
        self._sentence_vectors: dict[str, tuple[list[tuple[int, int]], np.ndarray]] = {}
        probs, sigs, matches, vectors = self.score(texts, vectors)
        results: list[list[Tag]] = [[] for _ in texts]
        for fid, fw in self.frameworks.items():
            if frameworks and fid not in frameworks:
                continue
            gp, tp = probs[fid]
            sig = sigs[fid]
            levels = ((fw.goals, gp, sig.goal_sim, sig.goal_lex),
                      (fw.targets, tp, sig.target_sim, sig.target_lex))
            for i in range(len(texts)):
                for labels, p, sim, lex in levels:
                    for j, label in enumerate(labels):
                        if p[i, j] >= self.threshold:
                            results[i].append(self._tag(fid, label, float(p[i, j]), texts[i], matches[i],
                                                        vectors[i], evidence,
                                                        {"embedding": float(sim[i, j]),
                                                         "lexicon": float(lex[i, j])}))
        for r in results:
            r.sort(key=display_order)
        return results

    def tag(self, text: str, frameworks: Sequence[str] | None = None) -> list[Tag]:
        """Tags for a text of any length: long texts are tagged in chunks and merged."""
        return self.tag_texts([text], frameworks)[0]

    def tag_texts(self, texts: Sequence[str], frameworks: Sequence[str] | None = None,
                  batch: int = 64) -> list[list[Tag]]:
        """Tags for each of many texts of any length, in one run.

        Every chunk of every text is scored in batches of ``batch`` (the model
        loaded once, its batches full); a text's chunks are merged, keeping the
        best score per label with evidence offsets shifted into the whole text.
        """
        spans = [(i, s, e) for i, t in enumerate(texts) for s, e in chunk_text(t or "", self.analyzer)]
        best: list[dict[str, Tag]] = [{} for _ in texts]
        for k in range(0, len(spans), batch):
            part = spans[k:k + batch]
            tagged = self.tag_many([texts[i][s:e] for i, s, e in part], frameworks=frameworks)
            for (i, start, _), tags in zip(part, tagged, strict=True):
                for t in tags:
                    if t.key not in best[i] or t.score > best[i][t.key].score:
                        best[i][t.key] = _shift(t, start)
        # a stable sort: equal labels keep the order they were first found in
        return [sorted(b.values(), key=display_order) for b in best]

    def _tag(self, fid: str, label: Label, score: float, text: str,
             matches: dict[tuple[str, str], list[Hit]], vector: np.ndarray, evidence: bool,
             signals: dict[str, float]) -> Tag:
        ev = self.evidence(fid, label, text, matches, vector) if evidence else []
        return Tag(framework=fid, id=label.id, title=label.title, level=label.level, score=score,
                   evidence=ev, parent=label.parent, signals=signals)

    def evidence(self, fid: str, label: Label, text: str, matches: dict[tuple[str, str], list[Hit]],
                 vector: np.ndarray, limit: int = 3) -> list[Evidence]:
        """The sentences that triggered a label, its words highlighted.

        Sentences with lexicon terms of the label (or, for a goal, of its targets) come
        first; a label found by meaning alone gets the sentence closest to it in the
        embedding space, with the words it shares with the label's texts highlighted.
        """
        fw = self.frameworks[fid]
        ids = [label.id] + ([t.id for t in fw.targets_of(label.id)] if label.level == "goal" else [])
        hits = sorted({h for lid in ids for h in matches.get((fid, lid), [])}, key=lambda h: h.start)
        spans = [(s, e) for s, e in self.analyzer.sentences(text) if text[s:e].strip()]
        if not spans:
            return []
        scored = []
        for s, e in spans:
            inside = [h for h in hits if h.start >= s and h.end <= e]
            if inside:
                scored.append((len({h.term for h in inside}), s, e, inside))
        if scored:
            scored.sort(key=lambda x: (-x[0], x[1]))
            return [_evidence(text, s, e, [(h.start, h.end) for h in inside])
                    for _, s, e, inside in sorted(scored[:limit], key=lambda x: x[1])]
        if len(spans) == 1:
            s, e = spans[0]
        else:
            cache = self.__dict__.setdefault("_sentence_vectors", {})
            if text not in cache:  # one embedding of a text's sentences serves all its labels
                cache[text] = (spans, self.embed([text[s:e] for s, e in spans]))
            vecs = cache[text][1]
            mat = self._label_matrices[label.key]
            s, e = spans[int((vecs @ mat.T).max(axis=1).argmax())]
        words = {w for d in label.descriptions() for w in self.analyzer.terms(d)}
        marks = [(t.start + s, t.end + s) for t in self.analyzer.tokens(text[s:e])
                 if not t.is_stop and words.intersection({t.text.lower(), *self.analyzer.word_terms(t.text.lower())})]
        return [_evidence(text, s, e, marks)]


def _evidence(text: str, s: int, e: int, highlights: list[tuple[int, int]]) -> Evidence:
    # trim the sentence's surrounding whitespace so the evidence is exactly a substring
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Evidence(text[s:e], s, e, merge_spans([(a, b) for a, b in highlights if s <= a and b <= e]))


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans (overlapping and touching ones joined)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def display_order(t: Tag) -> tuple:
    """How tags are listed: Agenda 2030 first, then by framework; goals before targets; best first."""
    return (t.framework != "agenda2030", t.framework, t.level != "goal", -t.score)


def _shift(tag: Tag, offset: int) -> Tag:
    if not offset:
        return tag
    ev = [Evidence(e.text, e.start + offset, e.end + offset,
                   [(a + offset, b + offset) for a, b in e.highlights]) for e in tag.evidence]
    return Tag(tag.framework, tag.id, tag.title, tag.level, tag.score, ev, tag.parent, tag.signals)


def chunk_text(text: str, analyzer: Analyzer, max_chars: int = MAX_CHUNK) -> list[tuple[int, int]]:
    """Spans of ``text`` of at most about ``max_chars``, cut at sentence ends (the model reads 512 tokens)."""
    if not text.strip():
        return []
    if len(text) <= max_chars:
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    start = end = None
    for s, e in analyzer.sentences(text):
        if start is None:
            start, end = s, e
        elif e - start > max_chars:
            out.append((start, end))  # type: ignore[arg-type]
            start, end = s, e
        else:
            end = e
        while end - start > max_chars:  # type: ignore[operator]
            out.append((start, start + max_chars))  # type: ignore[operator]
            start += max_chars  # type: ignore[operator]
    if start is not None:
        out.append((start, end))  # type: ignore[arg-type]
    return out


# -- training --------------------------------------------------------------------------------


def _classifier():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000))


def _combiner():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=2000)


def taxonomy_examples(fw: Framework) -> tuple[list[str], np.ndarray]:
    """The framework's own goal and target texts as labelled examples of their goal."""
    texts, rows = [], []
    index = {g.id: i for i, g in enumerate(fw.goals)}
    for label in fw.labels:
        gi = index[label.parent if label.level == "target" else label.id]  # type: ignore[index]
        for d in label.descriptions():
            y = np.zeros(len(fw.goals))
            y[gi] = 1
            texts.append(d)
            rows.append(y)
    return texts, np.array(rows)


def gold_matrix(examples: Sequence[LabelledExample], fw: Framework, level: str = "goal") -> np.ndarray:
    labels = fw.goals if level == "goal" else fw.targets
    idx = {x.id: i for i, x in enumerate(labels)}
    y = np.zeros((len(examples), len(labels)))
    for i, ex in enumerate(examples):
        for lid in (ex.labels if level == "goal" else ex.targets).get(fw.id, []):
            if lid in idx:
                y[i, idx[lid]] = 1
    return y


@dataclass
class Training:
    """Precomputed inputs for fitting (so cross-validation embeds everything once)."""

    examples: list[LabelledExample]
    vectors: np.ndarray
    signals: dict[str, FrameworkSignals]
    tax_texts: dict[str, list[str]]
    tax_y: dict[str, np.ndarray]
    tax_vectors: dict[str, np.ndarray]
    tax_signals: dict[str, FrameworkSignals]


def prepare(tagger: Tagger, examples: Sequence[LabelledExample]) -> Training:
    """Embed and match the labelled passages and every framework's own texts, once."""
    vectors = tagger.embed([e.text for e in examples])
    sigs, _ = tagger.signals([e.text for e in examples], vectors)
    parts = {fid: taxonomy_examples(fw) for fid, fw in tagger.frameworks.items()}
    all_texts = [t for texts, _ in parts.values() for t in texts]
    # embedded as passages, like the texts the classifier will see
    all_vectors = tagger.embed(all_texts)
    all_sigs, _ = tagger.signals(all_texts, all_vectors)
    tt, ty, tv, ts = {}, {}, {}, {}
    start = 0
    for fid, (texts, y) in parts.items():
        rows = np.arange(start, start + len(texts))
        start += len(texts)
        tt[fid], ty[fid], tv[fid] = texts, y, all_vectors[rows]
        ts[fid] = _take(all_sigs[fid], rows)
    return Training(list(examples), vectors, sigs, tt, ty, tv, ts)


class CachingEmbedder:
    """Wraps an embedder and remembers vectors by text in a file, so retraining after a
    small change (a new label text, a few more labelled passages) embeds only what is new."""

    def __init__(self, inner: Embedder, path: Path):
        self.inner, self.path = inner, path
        self.name, self.dim = inner.name, inner.dim
        self._cache: dict[str, np.ndarray] = {}
        if path.exists():
            try:
                with open(path, "rb") as f:
                    self._cache = pickle.load(f)
            except (OSError, pickle.UnpicklingError, EOFError):
                self._cache = {}

    def _encode(self, texts: Sequence[str], kind: str, fn) -> np.ndarray:
        keys = [hashlib.sha1(f"{kind}|{t}".encode()).hexdigest() for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        if todo:
            vecs = fn([t for _, t in todo])
            self._cache.update({k: v for (k, _), v in zip(todo, vecs, strict=True)})
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._cache[k] for k in keys]).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "q", self.inner.encode_queries)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "p", self.inner.encode_passages)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(self._cache, f)
        tmp.replace(self.path)


def _take(sig: FrameworkSignals, idx: np.ndarray) -> FrameworkSignals:
    return FrameworkSignals(sig.goal_sim[idx], sig.goal_lex[idx], sig.target_sim[idx], sig.target_lex[idx])


def fit_classifiers(tagger: Tagger, tr: Training, idx: np.ndarray) -> dict[str, Any]:
    """One classifier per framework on the taxonomy texts plus the labelled passages ``idx``."""
    out = {}
    for fid, fw in tagger.frameworks.items():
        ex = [tr.examples[i] for i in idx]
        labelled = [k for k, e in zip(idx, ex, strict=True) if fid in e.labels]
        x = [tagger.classifier_input(tr.tax_vectors[fid], tr.tax_signals[fid])]
        y = [tr.tax_y[fid]]
        if labelled:
            li = np.array(labelled)
            x.append(tagger.classifier_input(tr.vectors[li], _take(tr.signals[fid], li)))
            y.append(gold_matrix([tr.examples[i] for i in li], fw))
        clf = _classifier()
        clf.fit(np.vstack(x), np.vstack(y))
        out[fid] = clf
    return out


def labelled_frameworks(tr: Training, tagger: Tagger) -> list[str]:
    return [f for f in tagger.frameworks if any(f in e.labels for e in tr.examples)]


def groups_of(tr: Training) -> np.ndarray:
    return np.array([e.file for e in tr.examples])


def out_of_fold_classifier(tagger: Tagger, tr: Training, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Classifier probabilities for the passages ``idx``, each from a model that did not see
    its document (so the combiner learns from honest classifier outputs)."""
    groups = groups_of(tr)[idx]
    out = {fid: np.zeros((len(idx), len(fw.goals))) for fid, fw in tagger.frameworks.items()}
    for doc in sorted(set(groups)):
        inner_train = idx[groups != doc]
        held = np.where(groups == doc)[0]
        clfs = fit_classifiers(tagger, tr, inner_train)
        for fid in tagger.frameworks:
            rows = idx[held]
            out[fid][held] = tagger.classifier_probs(fid, tr.vectors[rows], _take(tr.signals[fid], rows), clfs)
    return out


class GoalCombiner:
    """The goal-level combiner: one fitted on every labelled framework together (used for
    frameworks without labelled passages) and one per labelled framework."""

    def __init__(self, shared: Any, per_framework: dict[str, Any]):
        self.shared, self.per_framework = shared, per_framework

    def predict_proba(self, x: np.ndarray, framework: str | None = None) -> np.ndarray:
        return self.per_framework.get(framework, self.shared).predict_proba(x)


def fit_centre(tr: Training, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Each goal's mean similarity over the passages ``idx`` (no labels needed)."""
    return {fid: sig.goal_sim[idx].mean(axis=0) for fid, sig in tr.signals.items()}


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The decision threshold with the best micro F1 (searched 0.2–0.6)."""
    best, arg = -1.0, THRESHOLD
    for t in np.arange(0.2, 0.61, 0.025):
        pred = p >= t
        tp = (pred & (y > 0)).sum()
        f1 = 2 * tp / max(pred.sum() + (y > 0).sum(), 1)
        if f1 > best + 1e-9:
            best, arg = f1, float(round(t, 3))
    return arg


def fit_combiners(tagger: Tagger, tr: Training, idx: np.ndarray, clf_probs: dict[str, np.ndarray],
                  use: Sequence[str] = SIGNALS, centre: dict[str, np.ndarray] | None = None
                  ) -> tuple[GoalCombiner, Any, float]:
    """The goal combiner (over ``use`` signals), the target combiner and the decision
    threshold, on passages ``idx``."""
    xs, ys, txs, tys, fids = [], [], [], [], []
    for fid in labelled_frameworks(tr, tagger):
        fw = tagger.frameworks[fid]
        rows = np.array([i for i in idx if fid in tr.examples[i].labels])
        if not len(rows):
            continue
        pos = np.searchsorted(idx, rows)
        sig = _take(tr.signals[fid], rows)
        y = gold_matrix([tr.examples[i] for i in rows], fw)
        xs.append(goal_features(sig, clf_probs[fid][pos], use, (centre or {}).get(fid)))
        ys.append(y.reshape(-1))
        fids.append(fid)
        if fw.targets:
            # target combiner: P(target | goal), learned where the labeller named targets for a goal
            yt = gold_matrix([tr.examples[i] for i in rows], fw, "target")
            feats = target_features(sig, fw, np.clip(y, 0.02, 0.98), use)
            parent = np.array([next(i for i, g in enumerate(fw.goals) if g.id == t.parent) for t in fw.targets])
            mask = np.zeros_like(yt, dtype=bool)
            for r in range(len(rows)):
                for gi in np.where(y[r] > 0)[0]:
                    kids = parent == gi
                    if yt[r, kids].any():
                        mask[r, kids] = True
            txs.append(feats[mask.reshape(-1)])
            tys.append(yt.reshape(-1)[mask.reshape(-1)])
    shared = _combiner().fit(np.vstack(xs), np.concatenate(ys))
    own = {fid: _combiner().fit(x, y) for fid, x, y in zip(fids, xs, ys, strict=True) if 0 < y.sum() < len(y)}
    goal = GoalCombiner(shared, own)
    target = _combiner().fit(np.vstack(txs), np.concatenate(tys))
    # the combiners have a handful of weights each, so their in-sample scores are a fair guide
    p = np.concatenate([goal.predict_proba(x, fid)[:, 1] for fid, x in zip(fids, xs, strict=True)])
    return goal, target, best_threshold(np.concatenate(ys), p)


def train_model(tagger: Tagger, examples: Sequence[LabelledExample], fingerprint: str = "") -> TaggerModel:
    """Fit the classifiers and combiners on ``examples`` (all of them) and the taxonomy texts."""
    label_vectors = tagger.encode_labels()
    tagger.model = None
    tagger.use_label_vectors(label_vectors)
    tr = prepare(tagger, examples)
    idx = np.arange(len(examples))
    classifiers = fit_classifiers(tagger, tr, idx)
    centre = fit_centre(tr, idx)
    goal, target, threshold = fit_combiners(tagger, tr, idx, out_of_fold_classifier(tagger, tr, idx),
                                            centre=centre)
    return TaggerModel(embedder=tagger.embedder.name, fingerprint=fingerprint,
                       label_vectors=label_vectors, classifiers=classifiers, goal_combiner=goal,
                       target_combiner=target, centre=centre, threshold=threshold,
                       trained_on=len(examples))


def build_tagger(embedder: Embedder, analyzer: Analyzer, *, labels_path: Path, taxonomy_dir: Path,
                 cache_dir: Path | None = None,
                 lexicon_path: Path = LEXICON_PATH) -> Tagger:
    """A trained tagger: loaded from ``cache_dir`` when the labelled data, frameworks, lexicon
    and embedder are unchanged, otherwise trained now (seconds to a minute) and cached."""
    frameworks = load_taxonomies(taxonomy_dir)
    tagger = Tagger(frameworks, embedder, analyzer, Lexicon.load(analyzer, lexicon_path))
    files = [labels_path, lexicon_path, *[f.path for f in frameworks.values() if f.path]]
    fp = _fingerprint(files, embedder.name)
    path = Path(cache_dir) / f"tagger-{fp}.pkl" if cache_dir else None
    model = TaggerModel.load(path) if path and path.exists() else None
    if model is None or model.fingerprint != fp:
        if cache_dir:
            tagger.embedder = CachingEmbedder(embedder, Path(cache_dir) / f"vectors-{embedder.name}.pkl")
        model = train_model(tagger, load_labelled(labels_path), fp)
        if isinstance(tagger.embedder, CachingEmbedder):
            tagger.embedder.save()
            tagger.embedder = embedder
        if path:
            model.save(path)
    tagger.model = model
    tagger.__dict__.pop("_label_matrices", None)
    return tagger
