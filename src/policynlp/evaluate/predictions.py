"""Evaluate predicted output records against labelled records (SPEC section 7).

:func:`evaluate_predictions` pairs gold and predicted records by id and computes, per language
and overall: sectors micro/macro P/R/F1 and per label, risk accuracy / macro-F1 / mean absolute
error on the ordinal scale and its confusion matrix, risk channels micro/macro F1, dual-use
P/R/F1 and AUROC, expected calibration error of every head whose probabilities the predictions
carry, targets P/R/F1 with deadline accuracy, key-date accuracy, and summary scores. A gold
record without a prediction counts as an empty prediction (every gold label missed); a label id
outside the schema is an error that names the record. Headline figures get bootstrap 95%
confidence intervals (documents resampled, fixed seed).

Example:
    >>> gold = [{"id": "1", "lang": "en", "text": "MIIT plan.", "sectors": ["ai_software"],
    ...          "risk": {"level": "low", "channels": []}, "dual_use": {"relevant": False},
    ...          "targets": [], "key_dates": [], "summary": {"at_a_glance": "MIIT plan."}}]
    >>> pred = [{"id": "1", "sectors": [{"label": "ai_software", "score": 0.9}],
    ...          "risk": {"level": "low", "scores": {"low": 0.8, "medium": 0.1, "high": 0.1}},
    ...          "dual_use": {"relevant": False, "score": 0.1}}]
    >>> m = evaluate_predictions(gold, pred, bootstrap=0)
    >>> m["all"]["sectors"]["micro_f1"], m["all"]["risk"]["accuracy"], m["missing_predictions"]
    (1.0, 1.0, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    precision_recall_fscore_support,
    roc_auc_score,
)

from policynlp.data import Analysis, KeyDate, Target
from policynlp.errors import UnknownLabelError
from policynlp.evaluate.classification import calibration
from policynlp.evaluate.summaries import score_summaries
from policynlp.evaluate.targets import match_targets, score_targets

HEADLINES = (("sectors", "micro_f1"), ("risk", "macro_f1"), ("dual_use", "f1"),
             ("targets", "f1"), ("summaries", "rougeL"))


def _space() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    from policynlp.schema import load_schema

    s = load_schema()
    return s.sector_ids, s.risk_level_ids, s.risk_channel_ids


def _check(ids: Sequence[str], allowed: Sequence[str], what: str, rid: str, side: str) -> None:
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        raise UnknownLabelError(f"{side} record {rid!r} has unknown {what} {unknown}; the label "
                                f"ids are those of `policynlp schema`", record_id=rid)


def _pred_dict(p: dict[str, Any] | Analysis) -> dict[str, Any]:
    return p.to_dict() if isinstance(p, Analysis) else p


def _multilabel(gold: np.ndarray, pred: np.ndarray, names: Sequence[str]) -> dict[str, Any]:
    p, r, f, support = precision_recall_fscore_support(gold, pred, average=None,
                                                       zero_division=0)
    mp, mr, mf, _ = precision_recall_fscore_support(gold, pred, average="micro",
                                                    zero_division=0)
    present = support > 0
    return {"micro_precision": round(float(mp), 4), "micro_recall": round(float(mr), 4),
            "micro_f1": round(float(mf), 4),
            "macro_f1": round(float(f[present].mean()) if present.any() else 0.0, 4),
            "per_label": {n: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                              "f1": round(float(f[i]), 4), "support": int(support[i])}
                          for i, n in enumerate(names)}}


def _key_date_accuracy(gold: Sequence[KeyDate], pred: Sequence[KeyDate]) -> tuple[int, int]:
    want = [(k.type, k.date) for k in gold]
    have = [(k.type, k.date) for k in pred]
    hit = 0
    for item in want:
        if item in have:
            have.remove(item)
            hit += 1
    return hit, len(want)


def _block(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> dict[str, Any]:
    """Every metric over aligned gold and predicted records."""
    sectors, levels, channels = _space()
    n = len(gold)
    out: dict[str, Any] = {"documents": n}
    if n == 0:
        return out
    gs = np.zeros((n, len(sectors)), int)
    ps = np.zeros((n, len(sectors)), int)
    prob_s = np.full((n, len(sectors)), np.nan)
    gc = np.zeros((n, len(channels)), int)
    pc = np.zeros((n, len(channels)), int)
    prob_c = np.full((n, len(channels)), np.nan)
    g_level, p_level, p_conf = [], [], []
    g_dual, p_dual, s_dual = [], [], []
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        for s in g.get("sectors") or []:
            gs[i, sectors.index(s)] = 1
        for item in p.get("sectors") or []:
            ps[i, sectors.index(item["label"])] = 1
        for label, score in (p.get("sector_scores") or {}).items():
            prob_s[i, sectors.index(label)] = score
        grisk, prisk = g.get("risk") or {}, p.get("risk") or {}
        for c in grisk.get("channels") or []:
            gc[i, channels.index(c)] = 1
        for c in prisk.get("channels") or []:
            pc[i, channels.index(c["label"] if isinstance(c, dict) else c)] = 1
        for label, score in (prisk.get("channel_scores") or {}).items():
            prob_c[i, channels.index(label)] = score
        if grisk.get("level"):
            g_level.append(levels.index(grisk["level"]))
            p_level.append(levels.index(prisk["level"]) if prisk.get("level") else -1)
            scores = prisk.get("scores") or {}
            p_conf.append(max(scores.values()) if scores else np.nan)
        gdual, pdual = g.get("dual_use") or {}, p.get("dual_use") or {}
        if gdual.get("relevant") is not None:
            g_dual.append(int(gdual["relevant"]))
            p_dual.append(int(bool(pdual.get("relevant"))))
            s_dual.append(pdual.get("score", np.nan) if pdual.get("score") is not None
                          else np.nan)
    out["sectors"] = _multilabel(gs, ps, sectors)
    if not np.isnan(prob_s).any():
        out["sectors"].update(calibration(prob_s, gs))
    out["channels"] = _multilabel(gc, pc, channels)
    if not np.isnan(prob_c).any():
        out["channels"].update(calibration(prob_c, gc))
    if g_level:
        gl, pl = np.array(g_level), np.array(p_level)
        missing = pl < 0  # no prediction: counted wrong, as the farthest level
        pl_mae = np.where(missing, np.where(gl == 0, len(levels) - 1, 0), pl)
        out["risk"] = {
            "accuracy": round(float(accuracy_score(gl, pl)), 4),
            "macro_f1": round(float(f1_score(gl, pl, labels=list(range(len(levels))),
                                             average="macro", zero_division=0)), 4),
            "mae": round(float(mean_absolute_error(gl, pl_mae)), 4),
            "confusion": confusion_matrix(gl, pl, labels=[*range(len(levels)), -1])[
                :len(levels)].tolist(),
            "labels": list(levels),
        }
        conf = np.array(p_conf, float)
        if not np.isnan(conf).any():
            out["risk"].update(calibration(conf, (gl == pl).astype(float)))
    if g_dual:
        gd, pd_, sd = np.array(g_dual), np.array(p_dual), np.array(s_dual, float)
        p, r, f, _ = precision_recall_fscore_support(gd, pd_, average="binary", zero_division=0)
        out["dual_use"] = {"precision": round(float(p), 4), "recall": round(float(r), 4),
                           "f1": round(float(f), 4)}
        if not np.isnan(sd).any():
            out["dual_use"].update(calibration(sd, gd))
            if len(set(g_dual)) == 2:
                out["dual_use"]["auroc"] = round(float(roc_auc_score(gd, sd)), 4)
    t = score_targets(([Target.from_dict(x) for x in g.get("targets") or []],
                       [Target.from_dict(x) for x in p.get("targets") or []])
                      for g, p in zip(gold, pred, strict=True))
    out["targets"] = t.to_dict()
    out["target_errors"] = _error_types(t.errors)
    hit = total = 0
    for g, p in zip(gold, pred, strict=True):
        h, n_kd = _key_date_accuracy([KeyDate.from_dict(k) for k in g.get("key_dates") or []],
                                     [KeyDate.from_dict(k) for k in p.get("key_dates") or []])
        hit, total = hit + h, total + n_kd
    out["key_dates"] = {"gold": total, "correct": hit,
                        "accuracy": round(hit / total, 4) if total else 1.0}
    with_ref = [(p.get("summary") or {}, g) for g, p in zip(gold, pred, strict=True)
                if (g.get("summary") or {}).get("at_a_glance")]
    if with_ref:
        s = score_summaries(((ps_.get("at_a_glance"), g["summary"]["at_a_glance"], g["text"])
                             for ps_, g in with_ref), [str(g.get("lang")) for _, g in with_ref])
        out["summaries"] = {**s["rouge"], **{k: v for k, v in s.items() if k != "rouge"}}
    return out


def _error_types(errors: list[dict[str, Any]]) -> dict[str, int]:
    """Target errors by type. A missed gold target and a spurious predicted one whose spans
    overlap in the same document are one error: a wrong value, unit or comparator (first
    that differs); a match with another deadline is a wrong deadline.

    Example:
        >>> g = {"start": 0, "end": 9, "value": 30.0, "unit": "percent", "comparator": "exact"}
        >>> _error_types([{"doc": "1", "type": "missed", "gold": g},
        ...               {"doc": "1", "type": "spurious", "pred": dict(g, value=35.0)}])
        {'missed': 0, 'spurious': 0, 'value': 1, 'unit': 0, 'comparator': 0, 'deadline': 0}
    """
    from policynlp.evaluate.targets import unit_class

    counts = {"missed": 0, "spurious": 0, "value": 0, "unit": 0, "comparator": 0, "deadline": 0}
    spurious = [e for e in errors if e["type"] == "spurious"]
    used: set[int] = set()
    for e in errors:
        if e["type"] == "deadline":
            counts["deadline"] += 1
        elif e["type"] == "missed":
            g = e["gold"]
            hit = next((i for i, s in enumerate(spurious) if i not in used and s["doc"] == e["doc"]
                        and s["pred"]["start"] < g["end"] and g["start"] < s["pred"]["end"]),
                       None)
            if hit is None:
                counts["missed"] += 1
                continue
            used.add(hit)
            p = spurious[hit]["pred"]
            if unit_class(p["unit"]) != unit_class(g["unit"]):
                counts["unit"] += 1
            elif p.get("comparator") != g.get("comparator"):
                counts["comparator"] += 1
            else:
                counts["value"] += 1
    counts["spurious"] = len(spurious) - len(used)
    return counts


def _headline(block: dict[str, Any], task: str, key: str) -> float | None:
    value = (block.get(task) or {}).get(key)
    return None if value is None else float(value)


def evaluate_predictions(gold: Sequence[dict[str, Any]],
                         pred: Sequence[dict[str, Any] | Analysis], *, bootstrap: int = 1000,
                         seed: int = 0) -> dict[str, Any]:
    """Metrics of ``pred`` against ``gold`` (labelled records), overall and per language.

    Raises:
        UnknownLabelError: a gold or predicted label id is not in the schema.
    """
    sectors, levels, channels = _space()
    by_id: dict[str, dict[str, Any]] = {}
    for record in pred:
        d = _pred_dict(record)
        by_id[str(d.get("id"))] = d
    golds: list[dict[str, Any]] = []
    preds: list[dict[str, Any]] = []
    missing = 0
    for g in gold:
        rid = str(g.get("id"))
        _check(g.get("sectors") or [], sectors, "sectors", rid, "gold")
        _check(((g.get("risk") or {}).get("channels") or []), channels, "risk channels", rid,
               "gold")
        found = by_id.get(rid)
        if found is None or found.get("error"):
            missing += 1
        p: dict[str, Any] = {"id": rid} if found is None or found.get("error") else found
        _check([s["label"] for s in p.get("sectors") or []], sectors, "sectors", rid, "predicted")
        _check([c["label"] if isinstance(c, dict) else c
                for c in (p.get("risk") or {}).get("channels") or []], channels,
               "risk channels", rid, "predicted")
        level = (p.get("risk") or {}).get("level")
        if level is not None and level not in levels:
            raise UnknownLabelError(f"predicted record {rid!r} has unknown risk level {level!r}",
                                    record_id=rid)
        golds.append(g)
        preds.append(p)
    result: dict[str, Any] = {"documents": len(golds), "missing_predictions": missing,
                              "extra_predictions": len(set(by_id) - {str(g.get("id"))
                                                                     for g in gold})}
    for lang in ("all", "zh", "en"):
        idx = [i for i, g in enumerate(golds) if lang == "all" or g.get("lang") == lang]
        result[lang] = _block([golds[i] for i in idx], [preds[i] for i in idx])
    if bootstrap:
        result["intervals"] = _bootstrap(golds, preds, bootstrap, seed)
    return result


def _doc_stats(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-document parts of the headline figures, computed once for the bootstrap."""
    from policynlp.evaluate.summaries import _scorer

    sectors, levels, _ = _space()
    n = len(golds)
    sec = np.zeros((n, 3))            # true positives, false positives, false negatives
    tgt = np.zeros((n, 3))            # matched, gold, predicted
    risk = np.full((n, 2), -2)        # gold level, predicted level (-1: none; -2: no gold)
    dual = np.full((n, 2), -1)        # gold, predicted (-1: no gold)
    rouge = np.full(n, np.nan)
    scorer = _scorer()
    for i, (g, p) in enumerate(zip(golds, preds, strict=True)):
        gs, ps = set(g.get("sectors") or []), {x["label"] for x in p.get("sectors") or []}
        sec[i] = (len(gs & ps), len(ps - gs), len(gs - ps))
        gt = [Target.from_dict(x) for x in g.get("targets") or []]
        pt = [Target.from_dict(x) for x in p.get("targets") or []]
        tgt[i] = (len(match_targets(gt, pt)), len(gt), len(pt))
        gl, pl = (g.get("risk") or {}).get("level"), (p.get("risk") or {}).get("level")
        if gl:
            risk[i] = (levels.index(gl), levels.index(pl) if pl else -1)
        gd = (g.get("dual_use") or {}).get("relevant")
        if gd is not None:
            dual[i] = (int(gd), int(bool((p.get("dual_use") or {}).get("relevant"))))
        ref = (g.get("summary") or {}).get("at_a_glance")
        if ref:
            draft = (p.get("summary") or {}).get("at_a_glance") or ""
            rouge[i] = scorer.score(ref, draft)["rougeL"].fmeasure if draft else 0.0
    return {"sectors": sec, "targets": tgt, "risk": risk, "dual": dual, "rouge": rouge,
            "levels": len(levels)}


def _f1(tp: float, fp: float, fn: float) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _bootstrap(golds: list[dict[str, Any]], preds: list[dict[str, Any]], rounds: int,
               seed: int) -> dict[str, list[float]]:
    """95% percentile intervals of the headline figures, documents resampled (the figures
    are recomputed from per-document counts, so a thousand rounds take a moment)."""
    stats = _doc_stats(golds, preds)
    rng = np.random.default_rng(seed)
    n = len(golds)
    samples: dict[str, list[float]] = {f"{t}.{k}": [] for t, k in HEADLINES}
    labels = list(range(stats["levels"]))
    for _ in range(rounds):
        idx = rng.integers(0, n, n)
        tp, fp, fn = stats["sectors"][idx].sum(0)
        samples["sectors.micro_f1"].append(_f1(tp, fp, fn))
        r = stats["risk"][idx]
        r = r[r[:, 0] >= 0]
        if len(r):
            samples["risk.macro_f1"].append(float(f1_score(
                r[:, 0], r[:, 1], labels=labels, average="macro", zero_division=0)))
        d = stats["dual"][idx]
        d = d[d[:, 0] >= 0]
        if len(d):
            samples["dual_use.f1"].append(_f1(float(((d[:, 0] == 1) & (d[:, 1] == 1)).sum()),
                                              float(((d[:, 0] == 0) & (d[:, 1] == 1)).sum()),
                                              float(((d[:, 0] == 1) & (d[:, 1] == 0)).sum())))
        m, g, p = stats["targets"][idx].sum(0)
        samples["targets.f1"].append(_f1(m, p - m, g - m))
        rouge = stats["rouge"][idx]
        if not np.isnan(rouge).all():
            samples["summaries.rougeL"].append(float(np.nanmean(rouge)))
    return {name: [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)),
                                                                  4)]
            for name, v in samples.items() if v}


def predict_with_model(gold: Sequence[dict[str, Any]], model: str | None = None, *,
                       device: str = "auto") -> list[Analysis]:
    """Predictions for the gold records' texts: classifier and targets through the batch
    engine, then the default summariser on the results."""
    from policynlp.data import Document
    from policynlp.engine import ScoringEngine
    from policynlp.summarize.generators import SummaryComponent

    engine = ScoringEngine.from_model_path(model, device=device,
                                           tasks=("sectors", "risk", "dual_use", "targets"))
    docs = [Document(id=str(g["id"]), text=g["text"], lang=g.get("lang"), title=g.get("title"),
                     date=g.get("date")) for g in gold]
    analyses = list(engine.score(docs))
    ok = [(d, a) for d, a in zip(docs, analyses, strict=True) if a.error is None]
    if ok:
        SummaryComponent().process([d for d, _ in ok], [a for _, a in ok])
    return analyses


def compare_results(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Headline figures of two evaluation results side by side: B − A, and whether B lies
    outside A's bootstrap interval.

    Example:
        >>> a = {"all": {"sectors": {"micro_f1": 0.70}},
        ...      "intervals": {"sectors.micro_f1": [0.6, 0.8]}}
        >>> b = {"all": {"sectors": {"micro_f1": 0.85}}}
        >>> compare_results(a, b)["sectors.micro_f1"]
        {'a': 0.7, 'b': 0.85, 'delta': 0.15, 'outside_interval': True}
    """
    out: dict[str, Any] = {}
    for task, key in HEADLINES:
        va, vb = _headline(a.get("all", {}), task, key), _headline(b.get("all", {}), task, key)
        if va is None or vb is None:
            continue
        interval = (a.get("intervals") or {}).get(f"{task}.{key}")
        outside = None if interval is None else not interval[0] <= vb <= interval[1]
        out[f"{task}.{key}"] = {"a": va, "b": vb, "delta": round(vb - va, 4),
                                "outside_interval": outside}
    return out


def interval_flag(row: dict[str, Any]) -> str:
    """'yes' / 'no' / '–' (no interval) for a row of :func:`compare_results`."""
    outside = row["outside_interval"]
    return "–" if outside is None else ("yes" if outside else "no")


__all__ = ["HEADLINES", "compare_results", "evaluate_predictions", "interval_flag",
           "predict_with_model"]
