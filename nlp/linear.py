"""The tagger's fitted logistic regressions as plain arrays, so tagging needs no scikit-learn.

Training fits scikit-learn's ``LogisticRegression`` (goal and target heads, combiners) and
``OneVsRestClassifier``; predicting with them is a matrix product and a logistic or
softmax. Unpickling the fitted estimators imported scikit-learn and SciPy: 1.0-1.2 s of a
3.3 s ``underlag tag --text`` from the terminal. :func:`compact` turns each into a
:class:`Logistic` or :class:`OneVsRest` holding only its coefficients, with the same
``predict_proba`` (equal to scikit-learn's to rounding, ``tests/test_linear.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # the two branches keep exp() from overflowing, as scipy's expit does
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic regression: binary (one row of coefficients) or multinomial."""

    coef: np.ndarray       # (1, d) binary, (k, d) multinomial
    intercept: np.ndarray  # (1,) or (k,)
    classes_: np.ndarray

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        z = np.asarray(x) @ self.coef.T + self.intercept
        return z[:, 0] if len(self.coef) == 1 else z

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = self.decision_function(x)
        if len(self.coef) == 1:
            p = _sigmoid(z)
            return np.column_stack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class OneVsRest:
    """A fitted one-vs-rest multi-label classifier: P(label) per column, each its own logistic.

    A column trained on one class only predicts that class's constant (``constant``, NaN
    for the fitted columns), as scikit-learn's one-vs-rest does.
    """

    coef: np.ndarray       # (L, d)
    intercept: np.ndarray  # (L,)
    constant: np.ndarray   # (L,)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = _sigmoid(np.asarray(x) @ self.coef.T + self.intercept)
        fixed = ~np.isnan(self.constant)
        if fixed.any():
            p[:, fixed] = self.constant[fixed]
        return p


def compact(estimator: Any) -> Any:
    """The array form of a fitted scikit-learn logistic regression or one-vs-rest classifier of
    them (anything else, and an already compact one, is returned as it is)."""
    if isinstance(estimator, (Logistic, OneVsRest)) or estimator is None:
        return estimator
    kind = type(estimator).__name__
    if kind == "LogisticRegression":
        coef = np.asarray(estimator.coef_, dtype=np.float64)
        if len(estimator.classes_) > 2 and len(coef) != len(estimator.classes_):
            raise ValueError("a multi-class logistic regression without one row per class (one-vs-rest?)")
        return Logistic(coef, np.asarray(estimator.intercept_, dtype=np.float64), np.asarray(estimator.classes_))
    if kind == "OneVsRestClassifier":
        if not estimator.multilabel_ or len(estimator.estimators_) < 2:
            raise ValueError("only multi-label one-vs-rest classifiers are compacted")
        rows, bias, constant = [], [], []
        width = estimator.n_features_in_
        for e in estimator.estimators_:
            if type(e).__name__ == "_ConstantPredictor":
                rows.append(np.zeros(width))
                bias.append(0.0)
                constant.append(float(np.asarray(e.y_, dtype=np.float64).ravel()[0]))
            else:
                part = compact(e)
                if len(part.coef) != 1:
                    raise ValueError("a one-vs-rest column that is not a binary logistic regression")
                rows.append(part.coef[0])
                bias.append(float(part.intercept[0]))
                constant.append(np.nan)
        return OneVsRest(np.vstack(rows), np.asarray(bias), np.asarray(constant))
    return estimator
