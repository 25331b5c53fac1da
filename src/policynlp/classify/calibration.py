"""Temperature scaling and per-label thresholds, fitted on the dev split.

Temperature scaling divides a head's logits by one number T chosen to minimise the negative
log-likelihood on dev (a 1-D search; it keeps the ranking and fixes over- or under-confidence).
Thresholds are chosen per label to maximise dev F1, falling back to 0.5 for labels dev lacks.

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


def fit_thresholds(prob: np.ndarray, gold: np.ndarray, *, default: float = 0.5,
                   floor: float = 0.05) -> np.ndarray:
    """Per-column thresholds that maximise dev F1 (``default`` where dev has no positive)."""
    prob, gold = np.atleast_2d(np.asarray(prob, float)), np.atleast_2d(np.asarray(gold))
    if prob.shape[0] == 1 and prob.shape[1] != gold.shape[1]:
        prob, gold = prob.T, gold.T
    out = np.full(prob.shape[1], default)
    for j in range(prob.shape[1]):
        g = gold[:, j]
        if g.sum() == 0:
            continue
        cands = np.unique(np.concatenate([prob[:, j], [default]]))
        best_f, best_t = -1.0, default
        for t in cands[cands >= floor]:
            pred = prob[:, j] >= t
            tp = float((pred & (g > 0)).sum())
            f = 2 * tp / max(1.0, pred.sum() + g.sum())
            if f > best_f or (f == best_f and abs(t - default) < abs(best_t - default)):
                best_f, best_t = f, float(t)
        out[j] = best_t
    return out


__all__ = ["fit_temperature", "fit_thresholds", "sigmoid", "softmax"]
