"""Multinomial logistic regression on a sparse block and a dense block kept apart.

scikit-learn's ``LogisticRegression`` wants one matrix, so the 384-wide sentence
embedding had to be stored as sparse entries beside the n-gram counts: four in
five of the non-zeros, multiplied entry by entry on every L-BFGS step. Kept as a
dense array it is one BLAS call. The objective is scikit-learn's (1.1), the
summed log loss plus the squared weights over 2C with the intercept free, with
the same stopping rules (largest gradient entry below ``tol``, or a step that
lowers the loss by less than 2.2e-9 of it), so ``C`` and ``tol`` keep their meaning.

It is minimised by a plain L-BFGS written here rather than scipy's L-BFGS-B:
with millions of weights and no bounds, L-BFGS-B's Fortran bookkeeping cost
more than the loss itself. The rows are split into blocks multiplied in threads:
scipy's sparse products and numpy's dense ones release the GIL, so both cores work.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, List, Tuple

import numpy as np
import scipy.sparse
from scipy.linalg.blas import saxpy


@dataclass
class SoftmaxWeights:
    """Weights of the sparse columns and of the dense columns (one column per class), and an intercept."""

    sparse: np.ndarray  # (sparse columns, classes)
    dense: np.ndarray  # (dense columns, classes)
    intercept: np.ndarray  # (classes,)
    iterations: int = 0


@dataclass
class _Block:
    """A slice of the training rows, with its sparse part transposed once for the gradient."""

    sparse: scipy.sparse.csr_matrix
    sparse_t: scipy.sparse.csr_matrix
    dense: np.ndarray
    onehot: np.ndarray


def _blocks(
    sparse: scipy.sparse.csr_matrix, dense: np.ndarray, labels: np.ndarray, classes: int, count: int
) -> List[_Block]:
    bounds = np.linspace(0, sparse.shape[0], count + 1).astype(int)
    blocks = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        part = sparse[start:stop].astype(np.float32)
        onehot = np.zeros((stop - start, classes), dtype=np.float32)
        onehot[np.arange(stop - start), labels[start:stop]] = 1.0
        blocks.append(_Block(part, part.T.tocsr(), np.ascontiguousarray(dense[start:stop], dtype=np.float32), onehot))
    return blocks


def _block_loss_and_gradients(
    block: _Block, sparse_w: np.ndarray, dense_w: np.ndarray, intercept: np.ndarray
) -> Tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Summed log loss of the block, and its gradients for the three weight groups.
    Weights are (columns, classes), so every product reads them contiguously."""
    scores = np.asarray(block.sparse @ sparse_w)
    scores += block.dense @ dense_w
    scores += intercept
    scores -= scores.max(axis=1, keepdims=True)
    log_p = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -float((block.onehot * log_p).sum(dtype=np.float64))
    residual = np.exp(log_p)
    residual -= block.onehot
    return (
        loss,
        np.asarray(block.sparse_t @ residual),
        block.dense.T @ residual,
        residual.sum(axis=0, dtype=np.float64),
    )


def fit_softmax_regression(
    sparse: scipy.sparse.csr_matrix,
    dense: np.ndarray,
    labels: np.ndarray,
    classes: int,
    C: float,
    max_iter: int = 3000,
    tol: float = 1e-4,
    threads: int = 2,
) -> SoftmaxWeights:
    """Weights minimising sum(log loss) + |W|^2 / (2C); ``labels`` are class indices."""
    sparse_end = sparse.shape[1] * classes
    dense_end = sparse_end + dense.shape[1] * classes
    blocks = _blocks(scipy.sparse.csr_matrix(sparse), dense, np.asarray(labels), classes, max(1, threads))

    def unpack(flat: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (flat[:sparse_end].reshape(-1, classes), flat[sparse_end:dense_end].reshape(-1, classes),
                flat[dense_end:])

    def objective(flat: np.ndarray) -> Tuple[float, np.ndarray]:
        weights = unpack(flat.astype(np.float32))
        results = list(pool.map(lambda block: _block_loss_and_gradients(block, *weights), blocks))
        loss, grad_sparse, grad_dense, grad_intercept = results[0]
        for other in results[1:]:
            loss += other[0]
            grad_sparse += other[1]
            grad_dense += other[2]
            grad_intercept += other[3]
        penalised = flat[:dense_end]
        gradient = flat / C
        gradient[:sparse_end] += grad_sparse.ravel()
        gradient[sparse_end:dense_end] += grad_dense.ravel()
        gradient[dense_end:] = grad_intercept  # the intercept is not penalised
        return loss + float(penalised @ penalised) / (2.0 * C), gradient

    with ThreadPoolExecutor(max_workers=len(blocks)) as pool:
        solution, iterations = minimise_lbfgs(objective, np.zeros(dense_end + classes), max_iter=max_iter, gtol=tol)
    sparse_w, dense_w, intercept = unpack(solution)
    return SoftmaxWeights(sparse_w.astype(np.float32), dense_w.astype(np.float32), intercept.copy(), iterations)


def minimise_lbfgs(
    objective: Callable[[np.ndarray], Tuple[float, np.ndarray]],
    start: np.ndarray,
    max_iter: int = 3000,
    gtol: float = 1e-4,
    ftol: float = 2.2e-9,
    memory: int = 10,
) -> Tuple[np.ndarray, int]:
    """The minimum of a smooth convex ``objective`` (returning value and gradient) by
    L-BFGS with a backtracking (Armijo) line search; returns it and the iterations.

    The step history is kept in float32: ten pairs of millions of weights would
    otherwise take most of a gigabyte, and only steer the direction."""
    x = np.asarray(start, dtype=np.float64).copy()
    value, gradient = objective(x)
    steps: List[np.ndarray] = []
    changes: List[np.ndarray] = []
    curvatures: List[float] = []
    iteration = 0
    while iteration < max_iter and np.abs(gradient).max() > gtol:
        iteration += 1
        direction = -_two_loop(gradient, steps, changes, curvatures)
        slope = float(direction @ gradient)
        if slope >= 0:  # not downhill (rounding): forget the history, follow the gradient
            steps, changes, curvatures = [], [], []
            direction, slope = -gradient, -float(gradient @ gradient)
        length = 1.0 if steps else min(1.0, 1.0 / float(np.abs(gradient).sum()))
        while True:
            candidate = x + length * direction
            new_value, new_gradient = objective(candidate)
            if new_value <= value + 1e-4 * length * slope:
                break
            length *= 0.5
            if length < 1e-20:
                return x, iteration
        step, change = candidate - x, new_gradient - gradient
        curvature = float(step @ change)
        if curvature > 1e-10 * float(change @ change):
            steps.append(step.astype(np.float32))
            changes.append(change.astype(np.float32))
            curvatures.append(curvature)
            if len(steps) > memory:
                steps.pop(0), changes.pop(0), curvatures.pop(0)
        stalled = value - new_value <= ftol * max(abs(value), abs(new_value), 1.0)
        x, value, gradient = candidate, new_value, new_gradient
        if stalled:
            break
    return x, iteration


def _two_loop(
    gradient: np.ndarray, steps: List[np.ndarray], changes: List[np.ndarray], curvatures: List[float]
) -> np.ndarray:
    """The inverse-Hessian estimate from the last steps, applied to the gradient."""
    q = gradient.astype(np.float32)
    alphas = []
    for step, change, curvature in zip(reversed(steps), reversed(changes), reversed(curvatures)):
        alpha = float(step @ q) / curvature
        q = saxpy(change, q, a=-alpha)  # in place: no temporary of millions of floats
        alphas.append(alpha)
    if steps:
        q *= curvatures[-1] / float(changes[-1] @ changes[-1])
    for step, change, curvature, alpha in zip(steps, changes, curvatures, reversed(alphas)):
        beta = float(change @ q) / curvature
        q = saxpy(step, q, a=alpha - beta)
    return q.astype(np.float64)
