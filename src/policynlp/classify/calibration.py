"""Temperature scaling and per-label thresholds, fitted on the dev split.

Temperature scaling divides a head's logits by one number T chosen to minimise the negative
log-likelihood on dev (a 1-D search; it keeps the ranking and fixes over- or under-confidence).
Platt scaling (``sigmoid(logit / T + b)``) adds a bias for binary heads whose logits are shifted
as a whole, as class re-weighting in training shifts them. Thresholds are chosen per label to
maximise dev F1; labels with few dev positives share one threshold fitted on all of them.

Example:
    >>> logits = np.array([4.0, 3.0, -3.0, -4.0, 2.0, -2.0])
    >>> gold = np.array([1, 0, 0, 1, 1, 0])
    >>> fit_temperature(logits, gold) > 1.0      # over-confident logits get softened
    True
"""

from __future__ import annotations

import numpy as np

_GRID = np.exp(np.linspace(np.log(0.05), np.log(20.0), 241))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit_temperature(logits: np.ndarray, gold: np.ndarray, *, multiclass: bool = False) -> float:
    """The temperature minimising dev NLL (binary logits with 0/1 gold, or class logits)."""
    logits = np.asarray(logits, float)
    gold = np.asarray(gold)
    if logits.size == 0:
        return 1.0
    best, best_t = np.inf, 1.0
    for t in _GRID:
        if multiclass:
            p = softmax(logits / t)[np.arange(len(gold)), gold]
            nll = -np.log(np.clip(p, 1e-12, 1)).mean()
        else:
            p = sigmoid(logits / t)
            nll = -(gold * np.log(np.clip(p, 1e-12, 1))
                    + (1 - gold) * np.log(np.clip(1 - p, 1e-12, 1))).mean()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def fit_platt(logits: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """Temperature and bias ``(T, b)`` of ``sigmoid(logit / T + b)`` minimising dev NLL.

    A one-feature logistic regression (scikit-learn) on the logits; falls back to temperature
    scaling alone when the fit is degenerate (one class only, or a non-positive slope).

    Example:
        >>> logits = np.array([5.0, 4.5, 4.0, 3.5, 3.0, 2.0, 1.5, 1.0])  # shifted upwards
        >>> t, b = fit_platt(logits, np.array([1, 1, 0, 1, 0, 1, 0, 0]))
        >>> bool(t > 0 and b < 0)
        True
    """
    from sklearn.linear_model import LogisticRegression

    x, y = np.asarray(logits, float).ravel(), np.asarray(gold).ravel().astype(int)
    if x.size == 0 or y.min() == y.max():
        return fit_temperature(x, y), 0.0
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(x[:, None], y)
    slope = float(lr.coef_[0, 0])
    if slope <= 1e-3:
        return fit_temperature(x, y), 0.0
    return 1.0 / slope, float(lr.intercept_[0])


def fit_matrix_scaling(logits: np.ndarray, gold: np.ndarray) -> list[list[float]] | None:
    """Matrix scaling of class logits: ``softmax(logits @ W.T + b)`` fitted by multinomial
    logistic regression (scikit-learn, default L2 strength) on dev. Returns one row
    ``[w_1 … w_k, b]`` per class, or ``None`` when a class has no dev example (use temperature
    scaling then).

    Unlike a temperature it can correct a head that is over-confident for one level and
    under-confident for another, at the cost of k·(k + 1) parameters instead of one.

    Example:
        >>> z = np.array([[2.0, 0, -2], [1.5, 0.5, -2], [0, 2, 0], [-1, 1, 1], [-2, 0, 2],
        ...               [0.5, 1.0, -1], [-1, -1, 3], [1, 0, 0]])
        >>> wb = fit_matrix_scaling(z, np.array([0, 1, 1, 2, 2, 0, 2, 0]))
        >>> len(wb), len(wb[0])
        (3, 4)
    """
    from sklearn.linear_model import LogisticRegression

    x, y = np.asarray(logits, float), np.asarray(gold).astype(int)
    k = x.shape[1] if x.ndim == 2 else 0
    if x.size == 0 or set(np.unique(y)) != set(range(k)):
        return None
    lr = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    return np.hstack([lr.coef_, lr.intercept_[:, None]]).tolist()


def matrix_scaled(logits: np.ndarray, scaling: list[list[float]]) -> np.ndarray:
    """Class probabilities ``softmax(logits @ W.T + b)`` from :func:`fit_matrix_scaling` rows."""
    wb = np.asarray(scaling, float)
    return softmax(np.asarray(logits, float) @ wb[:, :-1].T + wb[:, -1])


def _best_threshold(prob: np.ndarray, gold: np.ndarray, default: float, floor: float) -> float:
    cands = np.unique(np.concatenate([prob, [default]]))
    best_f, best_t = -1.0, default
    for t in cands[cands >= floor]:
        pred = prob >= t
        tp = float((pred & (gold > 0)).sum())
        f = 2 * tp / max(1.0, pred.sum() + gold.sum())
        if f > best_f or (f == best_f and abs(t - default) < abs(best_t - default)):
            best_f, best_t = f, float(t)
    return best_t


def fit_thresholds(prob: np.ndarray, gold: np.ndarray, *, default: float = 0.5,
                   floor: float = 0.05, min_support: int = 1) -> np.ndarray:
    """Per-column thresholds that maximise dev F1.

    Columns with fewer than ``min_support`` dev positives take one shared threshold that
    maximises micro-F1 over all columns (a per-label threshold fitted on two or three examples
    mostly fits noise); ``default`` where dev has no positive at all.
    """
    prob, gold = np.atleast_2d(np.asarray(prob, float)), np.atleast_2d(np.asarray(gold))
    if prob.shape[0] == 1 and prob.shape[1] != gold.shape[1]:
        prob, gold = prob.T, gold.T
    shared = _best_threshold(prob.ravel(), gold.ravel(), default, floor) \
        if gold.sum() > 0 else default
    out = np.full(prob.shape[1], default)
    for j in range(prob.shape[1]):
        g = gold[:, j]
        if g.sum() == 0:
            continue
        out[j] = _best_threshold(prob[:, j], g, default, floor) if g.sum() >= min_support \
            else shared
    return out


__all__ = ["fit_matrix_scaling", "fit_platt", "fit_temperature", "fit_thresholds",
           "matrix_scaled", "sigmoid", "softmax"]
