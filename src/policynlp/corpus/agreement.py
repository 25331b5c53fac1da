"""Inter-annotator agreement between two labellings of the same documents.

Cohen's kappa (scikit-learn) for the risk level, dual use and each sector (present/absent,
then averaged over the sectors that occur); the F1 of the second labelling scored against the
first as gold, on the measures the classifiers are judged by (sector and channel micro-F1,
risk macro-F1, dual-use F1), so a model's figures can be read beside how far two people agree;
and the exact-match rate of targets: a target
of the first labelling counts as matched when the second has one with the same value,
value_high, comparator and unit class (the SPEC section 7 rule).

Example:
    >>> a = [{"id": "1", "sectors": ["energy"], "risk": {"level": "low"},
    ...       "dual_use": {"relevant": False}, "targets": []},
    ...      {"id": "2", "sectors": ["defense"], "risk": {"level": "high"},
    ...       "dual_use": {"relevant": True}, "targets": []}]
    >>> agreement(a, a)["risk_kappa"]
    1.0
    >>> b = [a[0], {**a[1], "sectors": ["defense", "aerospace"]}]
    >>> agreement(a, b)["f1_second_against_first"]["sectors_micro_f1"]
    0.8
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policynlp.data import Target
from policynlp.evaluate.targets import match_targets


def _kappa(x: Sequence[Any], y: Sequence[Any]) -> float | None:
    from sklearn.metrics import cohen_kappa_score

    if len(set(x) | set(y)) < 2:
        return None  # one class only: kappa is undefined
    return round(float(cohen_kappa_score(x, y)), 3)


def _f1(first: Sequence[dict[str, Any]], second: Sequence[dict[str, Any]]
        ) -> dict[str, float | None]:
    """The second labelling's F1 against the first, scored as the classifiers are
    (:func:`~policynlp.evaluate.classification.headline_f1`); None for a multi-label task where
    neither labelling has a label."""
    from policynlp.classify.labels import LabelSpace
    from policynlp.classify.scores import Decisions
    from policynlp.evaluate.classification import headline_f1

    space = LabelSpace.from_schema()
    gold, other = space.encode(first), space.encode(second)
    f1 = headline_f1(gold, Decisions(other.sectors, other.risk, other.channels, other.dual_use))
    empty = {"sectors_micro_f1": not (gold.sectors.any() or other.sectors.any()),
             "channels_micro_f1": not (gold.channels.any() or other.channels.any())}
    return {k: None if empty.get(k) else round(v, 3) for k, v in f1.items()}


def _targets(rec: dict[str, Any]) -> list[Target]:
    """Targets for matching: only value, value_high, comparator and unit count, so a second
    annotator's targets need no spans."""
    return [Target(text=t.get("text") or t.get("quote") or "", start=int(t.get("start", 0)),
                   end=int(t.get("end", 1)), value=float(t["value"]),
                   value_high=None if t.get("value_high") is None else float(t["value_high"]),
                   unit=t["unit"], comparator=t.get("comparator") or "exact")
            for t in rec.get("targets", [])]


def agreement(first: Sequence[dict[str, Any]], second: Sequence[dict[str, Any]]
              ) -> dict[str, Any]:
    """Agreement of two labellings, paired by record id (records in one only are ignored)."""
    by_id = {str(r["id"]): r for r in second}
    pairs = [(a, by_id[str(a["id"])]) for a in first if str(a["id"]) in by_id]
    risk = _kappa([a["risk"]["level"] for a, _ in pairs], [b["risk"]["level"] for _, b in pairs])
    dual = _kappa([bool(a["dual_use"]["relevant"]) for a, _ in pairs],
                  [bool(b["dual_use"]["relevant"]) for _, b in pairs])
    sectors = sorted({s for a, b in pairs for s in a["sectors"] + b["sectors"]})
    per_sector = {s: _kappa([s in a["sectors"] for a, _ in pairs],
                            [s in b["sectors"] for _, b in pairs]) for s in sectors}
    defined = [k for k in per_sector.values() if k is not None]
    gold = matched = 0
    for a, b in pairs:
        ta, tb = _targets(a), _targets(b)
        gold += len(ta)
        matched += len(match_targets(ta, tb))
    return {
        "documents": len(pairs),
        "risk_kappa": risk,
        "dual_use_kappa": dual,
        "sector_kappa_mean": round(sum(defined) / len(defined), 3) if defined else None,
        "sector_kappa": per_sector,
        "f1_second_against_first": _f1([a for a, _ in pairs], [b for _, b in pairs]),
        "target_exact_match": round(matched / gold, 3) if gold else None,
        "targets_first": gold,
        "targets_second": sum(len(b.get("targets", [])) for _, b in pairs),
    }


__all__ = ["agreement"]
