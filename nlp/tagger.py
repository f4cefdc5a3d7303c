"""Multi-label tagging of text against goal frameworks (Agenda 2030, the national
strategy, a region's RUS, cross-cutting perspectives), at goal and target level: the
runtime part (training is in :mod:`nlp.tagger_training`).

Signals, combined by small learned models rather than trusted alone:

- **embedding similarity**: the text (``passage:`` prefix) against every goal's and
  target's descriptions (``query:`` prefix; Swedish and English);
- **lexicon**: Swedish and English words per goal and target in
  ``nlp/data/goal_lexicon.yaml``, matched on word forms, lemmas and compound parts
  ("bredbandsutbyggnaden" counts for "bredband"), phrases on lemmas token by token
  ("biologiska mångfalden" for "biologisk mångfald"), stop words never lemmatised into
  terms ("ska" is not "skola"), generic words ("mångfald") only beside another term of
  the same goal. The evidence is absolute: distinct terms per goal, not a share of the
  text's hits, so a sentence that names two goals keeps both; each term's learned
  reliability (how often it meant its goal in the labelled texts) beside the counts;
- **heads**: per framework a one-vs-rest logistic regression over the text embedding (and
  its lexicon counts and goal similarities) for goals, and a softmax logistic regression
  over the embedding for targets, trained on the frameworks' own goal/target (and UN
  indicator) texts, written example sentences per goal and target in Swedish and English,
  and the hand-labelled passages.

A logistic regression over per-(text, goal) features (head logit, lexicon evidence,
similarity, text length) gives one calibrated probability (the combiner); each goal has its
own decision threshold, tuned on out-of-fold data. A second combiner scores a target given
its goal: a target's score is ``P(goal) * P(target | goal)``. Texts of LONG_TEXT words or
more (report passages) have combiners and thresholds of their own, fitted on the labelled
passages with features relative to the text's strongest goal; short texts' goal thresholds
favour recall (``nlp.tagger_training.SHORT_BETA``).

Long texts are cut into chunks the model can read, and each chunk with more than one
sentence window is also scored window by window: a label is kept at its best score over the
chunk and its windows, so a paragraph about broadband, energy and youth jobs keeps all
three topics instead of the dominant one. A window adds at most its own strongest goal
(``WINDOW_TOP_ONLY``): its other goals were mostly words in passing.

Nothing loads a model at import time: :func:`nlp.tagger_training.build_tagger` takes the
embedder.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from nlp.analyzer import Analyzer, Token
from nlp.aurora import AuroraQueries
from nlp.embed import Embedder
from nlp.taxonomy import Framework, Label
from underlag import yamlfile
from underlag.model import Tag, TagEvidence


LEXICON_PATH = Path(__file__).resolve().parent / "data" / "goal_lexicon.yaml"
THRESHOLD = 0.5
MAX_CHUNK = 1200
#: Sentence windows of a chunk: sentences joined until at least this long (a heading or a
#: three-word sentence alone says little) and at most WINDOW_MAX characters.
WINDOW_MIN, WINDOW_MAX = 60, 400
SIGNALS = ("embedding", "lexicon", "aurora", "classifier")
#: Texts of at least this many words are decided by a combiner of their own, trained on the
#: labelled texts that long (the report passages, and since Follow-up 5 the written English
#: paragraphs of corpus/training; no written sentence has more than 35 words).
#: One combiner for both, fitted mostly on the 2,000 short examples, scored goal µF1 0.688 and
#: target µF1 0.559 on the passages (leave-one-document-out), below the lexicon alone (0.707 /
#: 0.616); split at 40 words, 0.734 / 0.669 (at 30: 0.731 / 0.652, at 50: 0.749 / 0.689).
LONG_TEXT = 40
#: A sentence window of a longer text adds at most its own strongest goal (with its targets):
#: the window is there so a paragraph's minor topic is not drowned by its main one, and each
#: topic is a window's main goal; a window's other goals above threshold were mostly words in
#: passing. On the English paragraphs' tune split (85 texts, 67-107 words) the windows added
#: 9 true and 83 false goals to the whole text's 87 / 11 (goal µF1 0.671 with every window
#: goal, 0.897 with none, average accuracy 0.965 / 0.949); with the top goal only 0.787 and
#: 0.981, every gold goal still found. See evaluations/README.md, Follow-up 4.
WINDOW_TOP_ONLY = True
#: ... and only a goal the whole chunk (of LONG_TEXT words or more) gives at least this share
#: of its long-text threshold: a window's main goal that the whole text scores near zero was
#: a word in passing. On the English paragraphs' tune split (Follow-up 5, the model trained
#: with written English paragraphs) the top goal alone gave goal µF1 0.782 and average
#: accuracy 0.977 (95 of 96 gold goals, 52 false); shares 0.075-0.2 all kept 94 gold goals
#: with 33-26 false ones (0.843-0.870, 0.978-0.980), 0.25 kept 92; 0.15, the middle of that
#: range, gave 0.858 / 0.979 (29 false).
WINDOW_GATE = 0.15
#: The framework the Aurora queries (Agenda 2030 targets) serve.
AURORA_FRAMEWORK = "agenda2030"


# -- lexicon ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A lexicon term found in a text: character span and the term that matched."""

    start: int
    end: int
    term: str


@dataclass(frozen=True)
class _Term:
    framework: str
    label: str
    term: str          # as written in the lexicon, without the generic mark
    words: tuple[str, ...]
    prefix: bool       # the last word ends in *
    generic: bool      # counts only beside another term of the same goal


def _family(label_id: str) -> str:
    """The goal a label belongs to ("9.c" -> "9", "S4.1" -> "S4")."""
    return label_id.split(".")[0]


class Lexicon:
    """Terms per (framework, label id); matching over word forms, lemmas and compound parts.

    Term syntax: ``word`` (a form, lemma or compound part equals it), ``stem*`` (a form,
    lemma or compound part starts with it), ``"two words"`` (a phrase: matched token by
    token on forms and lemmas, each word allowing a short inflection ending, the last one
    a prefix when it ends in *), ``~word`` (generic: counts only when another term of the
    same goal occurs in the text; "mångfald" alone is not SDG 10 or 15).
    """

    def __init__(self, terms: dict[str, dict[str, list[str]]], analyzer: Analyzer):
        self.analyzer = analyzer
        self.terms = {fw: {str(k): [str(t).lower().lstrip("~") for t in v] for k, v in labels.items()}
                      for fw, labels in terms.items()}
        self._exact: dict[str, list[_Term]] = {}
        self._prefix: dict[str, list[_Term]] = {}
        self._phrases: dict[str, list[_Term]] = {}
        for fw, labels in terms.items():
            for lid, ts in labels.items():
                for raw in ts:
                    raw = str(raw).lower().strip()
                    generic = raw.startswith("~")
                    t = raw.lstrip("~")
                    prefix = t.endswith("*")
                    words = tuple(tok.text.lower().rstrip("-") for tok in analyzer.tokens(t.rstrip("*")))
                    words = tuple(w for w in words if w)
                    if not words:
                        continue
                    term = _Term(fw, str(lid), t, words, prefix, generic)
                    if len(words) > 1:
                        self._phrases.setdefault(words[0][:3], []).append(term)
                    elif prefix:
                        self._prefix.setdefault(words[0][:3], []).append(term)
                    else:
                        self._exact.setdefault(words[0], []).append(term)

    @classmethod
    def load(cls, analyzer: Analyzer, path: Path = LEXICON_PATH) -> Lexicon:
        return cls(yamlfile.safe_load(path.read_text(encoding="utf-8")) or {}, analyzer)

    def _forms(self, lower: str) -> set[str]:
        forms = {lower, *self.analyzer.word_terms(lower)}
        if len(lower) > 4 and lower.endswith("s") and lower.isascii():
            forms.add(lower[:-1])  # English plurals ("forests", "waters"); Swedish genitives
        return forms

    @staticmethod
    def _word_matches(tok: Token, word: str, last_prefix: bool, stop: bool) -> bool:
        low = tok.text.lower().rstrip("-")
        if low == word or tok.lemma == word:
            return True
        if stop:  # "och", "till", "of": literally
            return False
        # a short inflection ending: "biologiska", "mångfalden", "areas"
        return low.startswith(word) and (last_prefix or len(low) - len(word) <= 3)

    def match(self, text: str) -> dict[tuple[str, str], list[Hit]]:
        """Every (framework, label id) with the places its terms occur in ``text``."""
        found: dict[tuple[str, str], set[tuple[Hit, bool]]] = {}

        def add(term: _Term, start: int, end: int) -> None:
            found.setdefault((term.framework, term.label), set()).add((Hit(start, end, term.term), term.generic))

        toks = self.analyzer.tokens(text)
        stops = self.analyzer.stop_words
        for i, tok in enumerate(toks):
            lower = tok.text.lower()
            if not any(c.isalpha() for c in lower):
                continue
            keys = {lower[:3], tok.lemma[:3]}
            for key in keys:
                for term in self._phrases.get(key, ()):
                    n = len(term.words)
                    if i + n <= len(toks) and all(
                            self._word_matches(toks[i + k], w, term.prefix and k == n - 1, w in stops)
                            for k, w in enumerate(term.words)):
                        add(term, tok.start, toks[i + n - 1].end)
            if tok.is_stop:
                continue  # "ska" is lemmatised "skola", "var" "vara": a stop word is no term
            forms = self._forms(lower)
            for form in forms:
                for term in self._exact.get(form, ()):
                    add(term, tok.start, tok.end)
                for term in self._prefix.get(form[:3], ()):
                    if form.startswith(term.words[0]):
                        add(term, tok.start, tok.end)
        # a generic term counts only beside a specific term of the same goal
        specific = {(fw, _family(lid)) for (fw, lid), hs in found.items() if any(not g for _, g in hs)}
        out = {}
        for (fw, lid), hs in found.items():
            keep = [h for h, g in hs if not g or (fw, _family(lid)) in specific]
            if keep:
                out[(fw, lid)] = sorted(set(keep), key=lambda h: (h.start, h.end, h.term))
        return out


def keyword_baseline(text: str, lexicon: Lexicon, framework: str) -> set[str]:
    """The plain keyword tool the tagger is measured against: a goal is assigned when any of
    its (or its targets') terms occurs as a lower-case substring; no lemmas, no weighting."""
    return {_family(lid) if framework == "agenda2030" else lid
            for lid in keyword_labels(text, lexicon, framework)}


def keyword_labels(text: str, lexicon: Lexicon, framework: str) -> set[str]:
    """The label ids (goals and targets) of ``framework`` one of whose terms occurs in
    ``text`` as a lower-case substring at a word start."""
    lowered = text.lower()
    return {lid for lid, terms in lexicon.terms.get(framework, {}).items()
            if any(re.search(r"(?<!\w)" + re.escape(t.rstrip("*")), lowered) for t in terms)}


# -- signals ---------------------------------------------------------------------------


@dataclass
class FrameworkSignals:
    """Raw signal matrices for n texts against one framework."""

    goal_sim: np.ndarray      # (n, G) best cosine over the goal's and its targets' descriptions
    goal_lex: np.ndarray      # (n, G) distinct lexicon terms of the goal and its targets
    target_sim: np.ndarray    # (n, T)
    target_lex: np.ndarray    # (n, T)
    length: np.ndarray        # (n,) words in the text
    goal_aurora: np.ndarray   # (n, G) Aurora query lines matched, of the goal's targets
    target_aurora: np.ndarray  # (n, T)
    #: per text, the lexicon terms found per goal column (for the terms' learned reliability)
    goal_terms: list[dict[int, frozenset[str]]] | None = None

    def take(self, idx: np.ndarray) -> FrameworkSignals:
        """The rows ``idx``."""
        terms = [self.goal_terms[int(i)] for i in idx] if self.goal_terms is not None else None
        return FrameworkSignals(self.goal_sim[idx], self.goal_lex[idx], self.target_sim[idx],
                                self.target_lex[idx], self.length[idx], self.goal_aurora[idx],
                                self.target_aurora[idx], terms)


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


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def goal_features(sig: FrameworkSignals, clf: np.ndarray, use: Sequence[str] = SIGNALS,
                  centre: np.ndarray | None = None, relative: bool = False,
                  reliability: np.ndarray | None = None) -> np.ndarray:
    """Per (text, goal) feature rows, (n*G, f), for the combiner; ``use`` picks the signals.

    ``centre`` is each goal's mean similarity over the training texts: some goal texts are
    close to everything, so a similarity only means something relative to the goal's usual
    level (and to the text's other goals). Lexicon evidence is absolute (distinct terms, and
    whether there are any, also scaled by the text's length: one term in a sentence says more
    than one term in a page), never a share of the text's hits.

    ``relative`` adds each goal's evidence relative to the text's strongest goal (lexicon
    share and distance to the top lexicon count, head logit minus the text's best): for long
    passages only, where a labeller names the main goals, not every goal a page touches in
    passing (the long combiner's goal µF1 0.734 -> 0.751, target 0.669 -> 0.693).

    ``reliability`` is the best learned reliability of the goal's lexicon terms in the text
    (:class:`TermWeights`), as a logit where the goal has a term.
    """
    n, g = sig.goal_sim.shape
    loglen = np.repeat(np.log1p(sig.length.astype(float))[:, None], g, axis=1)
    cols = [loglen]
    if "embedding" in use:
        # no rank among the text's goals: with it, the best-ranked goal got +0.94 and the
        # second half that, so "poverty and hunger" kept hunger and lost poverty
        # a framework added after training has no centre: its goals' mean for this text (the
        # mean over the batch made a text's score depend on what was tagged with it)
        c = sig.goal_sim - (centre if centre is not None else sig.goal_sim.mean(axis=1, keepdims=True))
        cols += [sig.goal_sim, _zscore(sig.goal_sim), c * 10, _zscore(c)]
    if "lexicon" in use:
        lex = sig.goal_lex
        cols += [np.log1p(lex), (lex > 0).astype(float), (lex > 1).astype(float), (lex > 0) * loglen]
    if "aurora" in use:
        cols += [np.log1p(sig.goal_aurora), (sig.goal_aurora > 0).astype(float)]
    if "lexicon" in use and reliability is not None:
        has = sig.goal_lex > 0
        cols += [np.where(has, _logit(reliability), 0.0)]
    if "classifier" in use:
        cols += [_logit(clf)]
    if relative and "lexicon" in use:
        lex, loglex = sig.goal_lex, np.log1p(sig.goal_lex)
        cols += [lex / np.maximum(lex.sum(axis=1, keepdims=True), 1), loglex - loglex.max(axis=1, keepdims=True)]
    if relative and "classifier" in use:
        logit = _logit(clf)
        cols += [logit - logit.max(axis=1, keepdims=True)]
    return np.stack([c.reshape(-1) for c in cols], axis=1)


def target_parents(fw: Framework) -> np.ndarray:
    """For each target of ``fw``, the index of its goal."""
    goal_index = {g.id: i for i, g in enumerate(fw.goals)}
    return np.array([goal_index[t.parent] for t in fw.targets], dtype=int)  # type: ignore[index]


def target_features(sig: FrameworkSignals, fw: Framework, goal_prob: np.ndarray,
                    use: Sequence[str] = SIGNALS, head: np.ndarray | None = None) -> np.ndarray:
    """Per (text, target) rows: the target's signals relative to its sibling targets.

    ``head`` is the target head's probability per target, (n, T), or None.
    """
    n, t = sig.target_sim.shape
    parent = target_parents(fw)
    rel = np.zeros((n, t))
    z = np.zeros((n, t))
    sib_lex = np.zeros((n, t))
    head_rel = np.zeros((n, t))
    head_rank = np.zeros((n, t))
    for gi in set(parent.tolist()):
        cols = np.where(parent == gi)[0]
        block = sig.target_sim[:, cols]
        rel[:, cols] = block - block.max(axis=1, keepdims=True)
        z[:, cols] = _zscore(block) if len(cols) > 1 else 0.0
        sib_lex[:, cols] = sig.target_lex[:, cols].max(axis=1, keepdims=True) > 0
        if head is not None:
            hb = head[:, cols]
            head_rel[:, cols] = hb / (hb.sum(axis=1, keepdims=True) + 1e-9)
            head_rank[:, cols] = _rank_feature(hb)
    feats = [_logit(goal_prob[:, parent])]
    if "embedding" in use:
        feats += [sig.target_sim, rel, z]
    if "lexicon" in use:
        has = (sig.target_lex > 0).astype(float)
        feats += [np.log1p(sig.target_lex), has, sib_lex * (1 - has)]
    if "aurora" in use:
        feats += [np.log1p(sig.target_aurora), (sig.target_aurora > 0).astype(float)]
    if "classifier" in use:
        feats += [np.log(head_rel + 1e-3), head_rank]
    return np.stack([f.reshape(-1) for f in feats], axis=1)


# -- the trained part ----------------------------------------------------------------------


#: Pseudo-counts at the overall rate when a lexicon term's reliability is estimated: a term
#: seen once with its goal and once without gets (1 + 4 * rate) / (2 + 4).
TERM_PRIOR = 4.0


@dataclass
class TermWeights:
    """How often a lexicon term found for a goal meant that goal in the labelled texts
    (smoothed toward the rate over all terms): in the shipped training data "fattigdom" meant
    goal 1 in 0.85 of the texts it was found in, "poverty" 0.78, "poor" 0.21 (all terms
    0.58). Per goal column, a text's evidence is its most reliable term; the combiner gets
    its logit beside the term counts. Fitted per regime and framework on the combiner's own
    texts, out of group (document or example fold) for the rows it learns from. Measured on
    cached out-of-fold head outputs, passages leave-one-document-out: goal µF1 0.738 ->
    0.744 (target 0.702 -> 0.701)."""

    weights: dict[tuple[int, str], float]
    prior: float

    @staticmethod
    def fit(terms: Sequence[dict[int, frozenset[str]]], y: np.ndarray) -> TermWeights:
        """From the texts' terms per goal column and their gold goals ``y`` (n, G)."""
        seen: dict[tuple[int, str], list[float]] = {}
        for i, per_goal in enumerate(terms):
            for j, ts in per_goal.items():
                for t in ts:
                    seen.setdefault((j, t), []).append(float(y[i, j] > 0))
        total = sum(len(v) for v in seen.values())
        prior = (sum(sum(v) for v in seen.values()) + 1.0) / (total + 2.0)
        return TermWeights({k: (sum(v) + TERM_PRIOR * prior) / (len(v) + TERM_PRIOR) for k, v in seen.items()},
                           prior)

    def feature(self, sig: FrameworkSignals) -> np.ndarray:
        """(n, G): the best reliability among each goal's terms in the text, 0 without a term."""
        out = np.zeros(sig.goal_lex.shape)
        for i, per_goal in enumerate(sig.goal_terms or []):
            for j, ts in per_goal.items():
                out[i, j] = max(self.weights.get((j, t), self.prior) for t in ts)
        return out


class GoalCombiner:
    """The goal-level combiner: one fitted on every labelled framework together (used for
    frameworks without labelled texts) and one per labelled framework."""

    def __init__(self, shared: Any, per_framework: dict[str, Any]):
        self.shared, self.per_framework = shared, per_framework

    def predict_proba(self, x: np.ndarray, framework: str | None = None) -> np.ndarray:
        return self.per_framework.get(framework, self.shared).predict_proba(x)


@dataclass
class Combiners:
    """One decision regime: the goal and target combiners, the per-goal thresholds per
    framework (``threshold`` for the rest) and the target threshold."""

    goal: GoalCombiner
    target: Any
    threshold: float
    thresholds: dict[str, np.ndarray]
    target_threshold: float
    relative: bool = False
    terms: dict[str, TermWeights] = field(default_factory=dict)  # framework -> lexicon term reliability

    def goal_thresholds(self, fid: str, n_goals: int) -> np.ndarray:
        t = self.thresholds.get(fid)
        return t if t is not None and len(t) == n_goals else np.full(n_goals, self.threshold)

    def probs(self, fid: str, fw: Framework, sig: FrameworkSignals, clf: np.ndarray, head: np.ndarray | None,
              centre: np.ndarray | None, use: Sequence[str] = SIGNALS) -> tuple[np.ndarray, np.ndarray]:
        """Goal probabilities (n, G) and target probabilities (n, T), P(goal) * P(target | goal)."""
        n, g = sig.goal_sim.shape
        terms = self.terms
        tw = terms.get(fid)
        if tw is None and terms:  # a framework without labelled texts: every term at the mean rate
            tw = TermWeights({}, float(np.mean([t.prior for t in terms.values()])))
        gp = self.goal.predict_proba(goal_features(sig, clf, use, centre, self.relative,
                                                   tw.feature(sig) if tw is not None else None),
                                     fid)[:, 1].reshape(n, g)
        tp = np.zeros((n, len(fw.targets)))
        if fw.targets and n:
            cond = self.target.predict_proba(target_features(sig, fw, gp, use, head))[:, 1]
            tp = gp[:, target_parents(fw)] * cond.reshape(n, len(fw.targets))
        return gp, tp

    def decide(self, fid: str, fw: Framework, gp: np.ndarray, tp: np.ndarray, top_only: bool = False,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Which goals and targets are assigned (a target only with its goal); ``top_only``:
        at most each text's strongest goal (see :data:`WINDOW_TOP_ONLY`); ``allowed`` (n, G):
        the goals a text may get at all (:func:`window_gate`)."""
        goal_ok = gp >= self.goal_thresholds(fid, gp.shape[1])[None, :]
        if top_only and gp.shape[1]:
            goal_ok &= gp >= gp.max(axis=1, keepdims=True)
        if allowed is not None:
            goal_ok &= allowed
        target_ok = ((tp >= self.target_threshold) & goal_ok[:, target_parents(fw)] if fw.targets
                     else np.zeros_like(tp, dtype=bool))
        return goal_ok, target_ok


def by_length(length: np.ndarray, short: tuple[np.ndarray, ...], long: tuple[np.ndarray, ...] | None
              ) -> tuple[np.ndarray, ...]:
    """Row by row, the long regime's arrays for texts of LONG_TEXT words or more."""
    if long is None:
        return short
    rows = (length >= LONG_TEXT)[:, None]
    return tuple(np.where(rows, b, a) for a, b in zip(short, long, strict=True))


def with_windows(decided: tuple[np.ndarray, np.ndarray], window: Combiners, fid: str, fw: Framework,
                 gp: np.ndarray, tp: np.ndarray, win: np.ndarray, allowed: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``decided`` (goals, targets) with the rows ``win`` marks, sentence windows of a longer
    text, decided as windows: by ``window``, at most their strongest goal, and only the goals
    ``allowed`` (:func:`window_gate`)."""
    w_ok = window.decide(fid, fw, gp, tp, top_only=WINDOW_TOP_ONLY, allowed=allowed)
    return tuple(np.where(np.asarray(win, dtype=bool)[:, None], b, a)  # type: ignore[return-value]
                 for a, b in zip(decided, w_ok, strict=True))


def window_gate(gp: np.ndarray, owners: np.ndarray, length: np.ndarray, long_thresholds: np.ndarray | None,
                share: float = WINDOW_GATE) -> np.ndarray:
    """(n, G): may row i, a sentence window, add goal j? Only where its chunk (row
    ``owners[i]`` of the same arrays; -1: none) is shorter than LONG_TEXT words or gives goal
    j at least ``share`` of its long threshold (see :data:`WINDOW_GATE`)."""
    ok = np.ones(gp.shape, dtype=bool)
    if long_thresholds is None:
        return ok
    for i, o in enumerate(owners):
        if o >= 0 and length[o] >= LONG_TEXT:
            ok[i] = gp[o] >= share * long_thresholds
    return ok


@dataclass
class TargetHead:
    """A softmax classifier over a framework's targets; ``columns`` maps its classes to
    target positions (targets without training text have none and score 0)."""

    classifier: Any
    columns: np.ndarray

    def predict(self, vectors: np.ndarray, n_targets: int) -> np.ndarray:
        out = np.zeros((len(vectors), n_targets))
        if len(vectors):
            out[:, self.columns] = self.classifier.predict_proba(vectors)
        return out


@dataclass
class TaggerModel:
    """Everything learned: label vectors, the heads per framework, the two combiners and
    the decision thresholds."""

    embedder: str
    fingerprint: str
    label_vectors: dict[str, list[np.ndarray]]  # label key -> description vectors (rows)
    classifiers: dict[str, Any]                 # framework -> fitted one-vs-rest goal head
    goal_combiner: GoalCombiner
    target_combiner: Any
    centre: dict[str, np.ndarray] = field(default_factory=dict)  # framework -> mean goal similarity
    threshold: float = THRESHOLD                # default decision threshold (frameworks not tuned)
    trained_on: int = 0                         # labelled texts used
    target_heads: dict[str, TargetHead] = field(default_factory=dict)
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)  # framework -> per goal
    target_threshold: float = THRESHOLD
    long: Combiners | None = None               # texts of LONG_TEXT words or more
    #: Sentence windows of a longer text: the short texts' combiners at F1 thresholds. At the
    #: short texts' recall-weighted thresholds the windows of a passage added so many labels
    #: that passage + windows scored goal µF1 0.505 (whole passage 0.745).
    window: Combiners | None = None
    terms: dict[str, TermWeights] = field(default_factory=dict)  # the short regime's term reliability

    @property
    def short(self) -> Combiners:
        """The regime of texts shorter than LONG_TEXT words (of all texts without ``long``)."""
        return Combiners(self.goal_combiner, self.target_combiner, self.threshold, self.thresholds,
                         self.target_threshold, terms=self.terms)

    def goal_thresholds(self, fid: str, n_goals: int) -> np.ndarray:
        return self.short.goal_thresholds(fid, n_goals)

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


class Tagger:
    """Tags texts against every framework; see the module docstring for the method."""

    def __init__(self, frameworks: dict[str, Framework], embedder: Embedder, analyzer: Analyzer,
                 lexicon: Lexicon, model: TaggerModel | None = None, threshold: float = THRESHOLD,
                 aurora: AuroraQueries | None = None):
        self.frameworks = frameworks
        self.embedder = embedder
        self.analyzer = analyzer
        self.lexicon = lexicon
        self.aurora = aurora
        self.model = model
        self._threshold = threshold

    @property
    def threshold(self) -> float:
        """The default decision threshold (frameworks and goals without their own)."""
        return self.model.threshold if self.model is not None else self._threshold

    def thresholds(self, fid: str) -> tuple[np.ndarray, float]:
        """Per-goal thresholds of framework ``fid`` and its target threshold (those of texts
        under LONG_TEXT words; longer ones have their own in ``model.long``)."""
        n = len(self.frameworks[fid].goals)
        if self.model is None:
            return np.full(n, self._threshold), self._threshold
        return self.model.goal_thresholds(fid, n), self.model.target_threshold

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
        length = np.array([len(t.split()) for t in texts], dtype=float)
        aurora = ([self.aurora.match(t) for t in texts]
                  if self.aurora is not None and AURORA_FRAMEWORK in self.frameworks else None)
        out = {}
        for fid, fw in self.frameworks.items():
            tsim = self._sims(vectors, fw.targets) if fw.targets else np.zeros((len(texts), 0))
            gsim = self._sims(vectors, fw.goals)
            tlex = np.array([[_evidence_count(text, m.get((fid, t.id), [])) for t in fw.targets]
                             for text, m in zip(texts, matches, strict=True)],
                            dtype=float).reshape(len(texts), len(fw.targets))
            glex = np.zeros((len(texts), len(fw.goals)))
            gterms: list[dict[int, frozenset[str]]] = [{} for _ in texts]
            for j, g in enumerate(fw.goals):
                ids = [g.id] + [t.id for t in fw.targets_of(g.id)]
                for i, m in enumerate(matches):
                    hits = [h for lid in ids for h in m.get((fid, lid), [])]
                    glex[i, j] = _evidence_count(texts[i], hits)
                    if hits:
                        gterms[i][j] = frozenset(h.term for h in hits)
                kids = [k for k, t in enumerate(fw.targets) if t.parent == g.id]
                if kids:
                    gsim[:, j] = np.maximum(gsim[:, j], tsim[:, kids].max(axis=1))
            taur = np.zeros((len(texts), len(fw.targets)))
            gaur = np.zeros((len(texts), len(fw.goals)))
            if aurora is not None and fid == AURORA_FRAMEWORK:
                tpos = {t.id: k for k, t in enumerate(fw.targets)}
                gpos = {g.id: k for k, g in enumerate(fw.goals)}
                for i, found in enumerate(aurora):
                    for tid, count in found.items():
                        if tid in tpos:
                            taur[i, tpos[tid]] = count
                        if _family(tid) in gpos:
                            gaur[i, gpos[_family(tid)]] += count
            out[fid] = FrameworkSignals(gsim, glex, tsim, tlex, length, gaur, taur, gterms)
        return out, matches

    @staticmethod
    def classifier_input(vectors: np.ndarray, sig: FrameworkSignals) -> np.ndarray:
        """The passage embedding, its lexicon counts and its (row-centred) similarity to each
        goal, so the classifier learns per goal how far to trust words and similarity."""
        centred = sig.goal_sim - sig.goal_sim.mean(axis=1, keepdims=True)
        return np.hstack([vectors, np.log1p(sig.goal_lex), np.log1p(sig.goal_aurora), 5.0 * centred])

    def classifier_probs(self, fid: str, vectors: np.ndarray, sig: FrameworkSignals,
                         classifiers: dict[str, Any] | None = None) -> np.ndarray:
        clf = (classifiers if classifiers is not None else self.model.classifiers).get(fid)  # type: ignore[union-attr]
        n, g = sig.goal_sim.shape
        if clf is None:
            return np.full((n, g), 0.5)
        return np.asarray(clf.predict_proba(self.classifier_input(vectors, sig))).reshape(n, g)

    def target_head_probs(self, fid: str, vectors: np.ndarray,
                          heads: dict[str, TargetHead] | None = None) -> np.ndarray | None:
        """The target head's probabilities (n, T) for framework ``fid``, or None without one."""
        head = (heads if heads is not None else self.model.target_heads).get(fid)  # type: ignore[union-attr]
        fw = self.frameworks[fid]
        if head is None or not fw.targets:
            return None
        return head.predict(vectors, len(fw.targets))

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
            clf = self.classifier_probs(fid, vectors, sig)
            head = self.target_head_probs(fid, vectors)
            centre = model.centre.get(fid)
            out[fid] = by_length(sig.length, model.short.probs(fid, fw, sig, clf, head, centre),
                                 model.long.probs(fid, fw, sig, clf, head, centre) if model.long else None)
        return out, sigs, matches, vectors

    def tag_many(self, texts: Sequence[str], vectors: np.ndarray | None = None,
                 frameworks: Sequence[str] | None = None, evidence: bool = True,
                 windows: Sequence[bool] | None = None, owners: Sequence[int] | None = None) -> list[list[Tag]]:
        """Tags for each text (each at most a passage long; see :meth:`tag` for long texts);
        ``windows`` marks the texts that are sentence windows of a longer text, ``owners``
        gives each window's chunk among ``texts`` (-1: none; :func:`window_gate`)."""
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
            model = self.require_model()
            short = model.short.decide(fid, fw, gp, tp)
            if windows is not None and model.window is not None:
                gate = (window_gate(gp, np.asarray(owners), sig.length, model.long.goal_thresholds(fid, gp.shape[1]))
                        if owners is not None and model.long is not None else None)
                short = with_windows(short, model.window, fid, fw, gp, tp, windows, gate)
            goal_ok, target_ok = by_length(sig.length, short,
                                           model.long.decide(fid, fw, gp, tp) if model.long else None)
            levels = ((fw.goals, gp, goal_ok, sig.goal_sim, sig.goal_lex),
                      (fw.targets, tp, target_ok, sig.target_sim, sig.target_lex))
            for i in range(len(texts)):
                for labels, p, ok, sim, lex in levels:
                    for j, label in enumerate(labels):
                        if ok[i, j]:
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

        Every chunk of every text, and every sentence window of a chunk with more than
        one, is scored in batches of ``batch`` (the model loaded once, its batches full);
        a text's units are merged, keeping the best score per label with evidence offsets
        shifted into the whole text.
        """
        # a chunk and its windows go in one batch, so each window is decided beside its chunk
        groups: list[list[tuple[int, int, int, bool]]] = []
        for i, t in enumerate(texts):
            for s, e, w in text_units(t or "", self.analyzer):
                if w:
                    groups[-1].append((i, s, e, w))
                else:
                    groups.append([(i, s, e, w)])
        parts: list[list[tuple[int, int, int, bool]]] = []
        for g in groups:
            if parts and len(parts[-1]) + len(g) <= batch:
                parts[-1].extend(g)
            else:
                parts.append(list(g))
        best: list[dict[str, Tag]] = [{} for _ in texts]
        for part in parts:
            owners, chunk = [], -1
            for k, (*_, w) in enumerate(part):
                chunk = chunk if w else k
                owners.append(chunk if w else -1)
            tagged = self.tag_many([texts[i][s:e] for i, s, e, _ in part], frameworks=frameworks,
                                   windows=[w for *_, w in part], owners=owners)
            for (i, start, _, _), tags in zip(part, tagged, strict=True):
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
                 vector: np.ndarray, limit: int = 3) -> list[TagEvidence]:
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


def _evidence_count(text: str, hits: Sequence[Hit]) -> int:
    """Distinct words (and phrases) found: "kvinnor" matching both "kvinna" and "kvinnor"
    is one piece of evidence, the same word repeated is one too."""
    return len({text[h.start:h.end].lower() for h in hits})


def _evidence(text: str, s: int, e: int, highlights: list[tuple[int, int]]) -> TagEvidence:
    # trim the sentence's surrounding whitespace so the evidence is exactly a substring
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return TagEvidence(text=text[s:e], start=s, end=e,
                    highlights=merge_spans([(a, b) for a, b in highlights if s <= a and b <= e]))


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
    ev = [TagEvidence(text=e.text, start=e.start + offset, end=e.end + offset,
                   highlights=[(a + offset, b + offset) for a, b in e.highlights]) for e in tag.evidence]
    return tag.model_copy(update={"evidence": ev})


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


def window_spans(text: str, analyzer: Analyzer, sentences: list[tuple[int, int]] | None = None
                 ) -> list[tuple[int, int]]:
    """Consecutive sentence windows of ``text``: sentences joined until WINDOW_MIN
    characters, never past WINDOW_MAX (a longer sentence is a window of its own)."""
    out: list[tuple[int, int]] = []
    start = end = None
    for s, e in sentences if sentences is not None else analyzer.sentences(text):
        if start is None:
            start, end = s, e
        elif e - start > WINDOW_MAX:
            out.append((start, end))  # type: ignore[arg-type]
            start, end = s, e
        else:
            end = e
        if end - start >= WINDOW_MIN:  # type: ignore[operator]
            out.append((start, end))  # type: ignore[arg-type]
            start = end = None
    if start is not None:
        if out and end - start < WINDOW_MIN and end - out[-1][0] <= WINDOW_MAX:  # type: ignore[operator]
            out[-1] = (out[-1][0], end)  # type: ignore[assignment]
        else:
            out.append((start, end))  # type: ignore[arg-type]
    return out


def text_units(text: str, analyzer: Analyzer) -> list[tuple[int, int, bool]]:
    """The spans a text is scored on, each with whether it is a window: its chunks and, for
    a chunk of several sentence windows, each window as well (so a minor topic is not
    drowned by the main one)."""
    out = []
    for s, e in chunk_text(text, analyzer):
        out.append((s, e, False))
        windows = window_spans(text[s:e], analyzer)
        if len(windows) > 1:
            out.extend((s + a, s + b, True) for a, b in windows)
    return out
