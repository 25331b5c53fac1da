"""Target extraction metrics (SPEC section 7).

A predicted target matches a gold one when value, value_high, comparator and unit class
agree; among candidates the one whose span overlaps most is taken, each gold target at most
once. Deadline accuracy is measured over the matched pairs.

Example:
    >>> from policynlp.data import Target
    >>> g = [Target("增长5%左右", 0, 7, 5.0, "percent", "approx", deadline="2024-12-31")]
    >>> p = [Target("增长5%左右", 0, 7, 5.0, "percent", "approx", deadline="2024-12-31")]
    >>> s = score_targets([(g, p)])
    >>> (s.precision, s.recall, s.f1, s.deadline_accuracy)
    (1.0, 1.0, 1.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from policynlp.data import Target


def unit_class(unit: str) -> str:
    """Currencies form one class (CNY, USD, …); every other unit code is its own class.

    Example:
        >>> unit_class("USD"), unit_class("percent")
        ('currency', 'percent')
    """
    return "currency" if len(unit) == 3 and unit.isupper() else unit


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _agree(g: Target, p: Target) -> bool:
    return (_close(g.value, p.value) and _close(g.value_high, p.value_high)
            and g.comparator == p.comparator and unit_class(g.unit) == unit_class(p.unit))


def _overlap(g: Target, p: Target) -> int:
    return max(0, min(g.end, p.end) - max(g.start, p.start))


def match_targets(gold: Sequence[Target], pred: Sequence[Target]) -> list[tuple[int, int]]:
    """Pairs (gold index, predicted index) of matching targets, one-to-one.

    Agreeing pairs are taken in order of decreasing span overlap, then text order.
    """
    candidates = sorted(
        ((-_overlap(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)
         if _agree(g, p)))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


@dataclass
class TargetScores:
    """Counts and scores of target extraction over a set of documents."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    deadline_correct: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def deadline_accuracy(self) -> float:
        return self.deadline_correct / self.matched if self.matched else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "deadline_accuracy": round(self.deadline_accuracy, 4)}


def score_targets(docs: Iterable[tuple[Sequence[Target], Sequence[Target]]],
                  doc_ids: Sequence[str] | None = None) -> TargetScores:
    """Score (gold, predicted) target lists of many documents; keeps the errors for review."""
    scores = TargetScores()
    for n, (gold, pred) in enumerate(docs):
        pairs = match_targets(gold, pred)
        scores.gold += len(gold)
        scores.predicted += len(pred)
        scores.matched += len(pairs)
        doc = doc_ids[n] if doc_ids else str(n)
        for gi, pi in pairs:
            if gold[gi].deadline == pred[pi].deadline:
                scores.deadline_correct += 1
            else:
                scores.errors.append({"doc": doc, "type": "deadline", "gold": gold[gi].to_dict(),
                                      "pred": pred[pi].to_dict()})
        mg = {gi for gi, _ in pairs}
        mp = {pi for _, pi in pairs}
        scores.errors += [{"doc": doc, "type": "missed", "gold": g.to_dict()}
                          for i, g in enumerate(gold) if i not in mg]
        scores.errors += [{"doc": doc, "type": "spurious", "pred": p.to_dict()}
                          for i, p in enumerate(pred) if i not in mp]
    return scores


__all__ = ["TargetScores", "match_targets", "score_targets", "unit_class"]
