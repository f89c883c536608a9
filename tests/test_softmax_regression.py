"""The intent classifier's own fitting: the same model as scikit-learn's LogisticRegression, found faster."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.linear_model import LogisticRegression

from bot.nlu.softmax_regression import fit_softmax_regression, minimise_lbfgs


def problem(seed: int, rows: int = 600, sparse_columns: int = 400, dense_columns: int = 12, classes: int = 5):
    """Labels that depend on both blocks, so neither block's weights can be wrong unnoticed."""
    rng = np.random.default_rng(seed)
    sparse = scipy.sparse.random(rows, sparse_columns, density=0.03, random_state=seed, format="csr")
    dense = rng.normal(size=(rows, dense_columns))
    truth_sparse = rng.normal(size=(sparse_columns, classes)) * 3
    truth_dense = rng.normal(size=(dense_columns, classes))
    scores = sparse @ truth_sparse + dense @ truth_dense + rng.gumbel(size=(rows, classes))
    return sparse, dense, scores.argmax(axis=1)


def probabilities(weights, sparse, dense) -> np.ndarray:
    scores = sparse @ weights.sparse + dense @ weights.dense + weights.intercept
    exps = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("C", [0.5, 20.0])
def test_the_fit_is_scikit_learns_logistic_regression(C: float) -> None:
    sparse, dense, labels = problem(seed=3)
    ours = fit_softmax_regression(sparse, dense, labels, classes=5, C=C, tol=1e-6, threads=2)
    theirs = LogisticRegression(C=C, tol=1e-6, max_iter=5000).fit(scipy.sparse.hstack([sparse, dense]).tocsr(), labels)
    expected = theirs.predict_proba(scipy.sparse.hstack([sparse, dense]).tocsr())
    assert np.abs(probabilities(ours, sparse, dense) - expected).max() < 2e-3
    assert ours.iterations > 1


def test_threads_split_the_rows_without_changing_the_model() -> None:
    sparse, dense, labels = problem(seed=5)
    one = fit_softmax_regression(sparse, dense, labels, classes=5, C=5.0, tol=1e-6, threads=1)
    three = fit_softmax_regression(sparse, dense, labels, classes=5, C=5.0, tol=1e-6, threads=3)
    assert np.abs(probabilities(one, sparse, dense) - probabilities(three, sparse, dense)).max() < 1e-3


def test_the_intercept_is_not_shrunk() -> None:
    """A class three times as common as the other, no informative features: only the
    intercept can say so, and a penalised intercept would pull it towards 50/50."""
    sparse = scipy.sparse.csr_matrix((400, 3))
    dense = np.zeros((400, 2))
    labels = np.array([0] * 300 + [1] * 100)
    weights = fit_softmax_regression(sparse, dense, labels, classes=2, C=1e-3, tol=1e-8, threads=2)
    assert probabilities(weights, sparse, dense)[0] == pytest.approx([0.75, 0.25], abs=1e-3)


def test_lbfgs_finds_the_minimum_of_an_ill_conditioned_quadratic() -> None:
    scales = np.logspace(0, 3, 50)
    centre = np.linspace(-2, 2, 50)

    def objective(x: np.ndarray):
        return float(0.5 * (scales * (x - centre) ** 2).sum()), scales * (x - centre)

    found, iterations = minimise_lbfgs(objective, np.zeros(50), gtol=1e-6, ftol=0.0)
    assert np.abs(found - centre).max() < 1e-5
    assert 1 < iterations < 1000
