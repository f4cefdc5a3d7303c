"""nlp.linear: the tagger's fitted estimators as arrays predict as scikit-learn's do."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from nlp.linear import Logistic, OneVsRest, compact
from underlag.settings import PROJECT_ROOT

RNG = np.random.default_rng(7)
X = RNG.normal(size=(200, 12)).astype(np.float32)
X_NEW = RNG.normal(scale=3.0, size=(50, 12)).astype(np.float32)  # far out too: large logits
# scikit-learn computes in the inputs' float32 (as the tagger's vectors are), the arrays in float64:
# they differ by float32 rounding, ~1e-7


def test_a_binary_logistic_regression_predicts_the_same():
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    fitted = LogisticRegression(C=1.0, max_iter=2000).fit(X, y)
    small = compact(fitted)
    assert isinstance(small, Logistic)
    np.testing.assert_allclose(small.predict_proba(X_NEW), fitted.predict_proba(X_NEW), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(small.classes_, fitted.classes_)


def test_a_multinomial_logistic_regression_predicts_the_same():
    y = np.argmax(X[:, :4], axis=1)
    fitted = LogisticRegression(C=4.0, max_iter=500).fit(X, y)
    small = compact(fitted)
    assert small.coef.shape == (4, 12)
    np.testing.assert_allclose(small.predict_proba(X_NEW), fitted.predict_proba(X_NEW), rtol=1e-5, atol=1e-6)


def test_a_one_vs_rest_head_with_a_column_of_one_class_predicts_the_same():
    y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.5, np.zeros(len(X), dtype=bool), X[:, 2] < 0]).astype(int)
    fitted = OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)).fit(X, y)
    small = compact(fitted)
    assert isinstance(small, OneVsRest)
    assert np.isnan(small.constant).tolist() == [True, True, False, True]  # goal 3 had no positive
    np.testing.assert_allclose(small.predict_proba(X_NEW), fitted.predict_proba(X_NEW), rtol=1e-5, atol=1e-6)


def test_compacting_twice_or_something_else_changes_nothing():
    y = (X[:, 0] > 0).astype(int)
    small = compact(LogisticRegression().fit(X, y))
    assert compact(small) is small
    assert compact(None) is None


@pytest.mark.slow
def test_the_trained_tagger_loads_and_tags_without_scikit_learn_or_scipy():
    """The shipped model (trained at setup) is all arrays: a fresh process tags with it and never
    imports scikit-learn or SciPy."""
    code = textwrap.dedent("""
        import sys
        from api.components import build_analyzer, build_embedder, load_tagger
        from underlag.settings import get_settings
        settings = get_settings()
        tagger = load_tagger(settings, build_embedder(settings), build_analyzer())
        labels = tagger.tag("Utbyggnaden av bredband på landsbygden fortsätter.")
        print(sorted({lab.id for lab in labels if lab.framework == "agenda2030"}))
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy")))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    goals, modules = out.stdout.strip().splitlines()[-2:]
    assert "'9'" in goals
    assert modules == "[]"
