"""A self-contained HTML evaluation report (charts embedded as PNG data URIs).

Sections: headline figures with bootstrap intervals, per-label precision/recall/F1 bars (sectors
and risk channels), the risk confusion matrix, reliability diagrams of every probabilistic head
the predictions carry (sectors, risk, risk channels, dual use), target errors by type, summary
scores, and the 20 documents with the most errors, their text and highlighted spans (gold targets
the prediction missed, predicted targets that are spurious).

Example:
    >>> import tempfile, pathlib
    >>> from policynlp.evaluate.predictions import evaluate_predictions
    >>> gold = [{"id": "1", "lang": "en", "text": "MIIT plan.", "sectors": ["ai_software"],
    ...          "risk": {"level": "low", "channels": []}, "dual_use": {"relevant": False}}]
    >>> pred = [{"id": "1", "sectors": [{"label": "energy", "score": 0.9}]}]
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> write_report(evaluate_predictions(gold, pred, bootstrap=0), gold, pred, out)
    >>> "data:image/png;base64," in out.read_text(encoding="utf-8")
    True
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policynlp.data import Analysis, Target
from policynlp.evaluate.classification import bin_index, calibration
from policynlp.evaluate.predictions import HEADLINES, _pred_dict, _space, interval_flag
from policynlp.evaluate.targets import match_targets


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(fig_id: str, title: str, uri: str) -> str:
    return (f'<figure id="{fig_id}"><img alt="{html.escape(title)}" src="{uri}">'
            f"<figcaption>{html.escape(title)}</figcaption></figure>")


def _bars(per_label: dict[str, dict[str, float]], title: str) -> str:
    import matplotlib.pyplot as plt

    names = [n for n, v in per_label.items() if v["support"] > 0] or list(per_label)
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(names) + 1.2))
    for k, (metric, color) in enumerate((("precision", "#4c72b0"), ("recall", "#dd8452"),
                                         ("f1", "#55a868"))):
        ax.barh(y + (k - 1) * 0.27, [per_label[n][metric] for n in names], 0.27,
                label=metric, color=color)
    ax.set_yticks(y, [f"{n} ({per_label[n]['support']})" for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def _confusion(matrix: list[list[int]], labels: list[str]) -> str:
    import matplotlib.pyplot as plt

    m = np.array(matrix)
    cols = [*labels, "none"][:m.shape[1]]
    fig, ax = plt.subplots(figsize=(4.2, 3.4))
    ax.imshow(m, cmap="Blues")
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, str(m[i, j]), ha="center", va="center",
                    color="white" if m[i, j] > m.max() / 2 else "black")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("Risk level confusion matrix")
    return _png(fig)


def _reliability(prob: np.ndarray, gold: np.ndarray, title: str, bins: int = 10) -> str:
    import matplotlib.pyplot as plt

    idx = bin_index(prob, bins)
    conf, acc, count = [], [], []
    for b in range(bins):
        sel = idx == b
        if sel.any():
            conf.append(prob[sel].mean())
            acc.append(gold[sel].mean())
            count.append(int(sel.sum()))
    fig, ax = plt.subplots(figsize=(3.6, 3.4))
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1)
    ax.plot(conf, acc, "o-", color="#4c72b0")
    for c, a, n in zip(conf, acc, count, strict=True):
        ax.annotate(str(n), (c, a), fontsize=7, xytext=(3, -9), textcoords="offset points")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title(title, fontsize=8)
    return _png(fig)


def _simple_bars(values: dict[str, float], title: str) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 2.6))
    ax.bar(list(values), list(values.values()), color="#4c72b0")
    for i, v in enumerate(values.values()):
        ax.text(i, v, f"{v:g}", ha="center", va="bottom", fontsize=8)
    ax.set_title(title)
    ax.tick_params(axis="x", labelsize=8, labelrotation=25)
    return _png(fig)


def _highlight(text: str, spans: list[tuple[int, int, str]], limit: int = 1500) -> str:
    """The text with spans marked (class = why), cut after ``limit`` characters."""
    out, at = [], 0
    for start, end, cls in sorted(s for s in spans if s[0] < limit):
        if start < at:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f'<mark class="{cls}">{html.escape(text[start:end])}</mark>')
        at = end
    out.append(html.escape(text[at:limit]) + ("…" if len(text) > limit else ""))
    return "".join(out)


def _worst(gold: Sequence[dict[str, Any]], preds: dict[str, dict[str, Any]], n: int = 20
           ) -> list[str]:
    levels = ["low", "medium", "high"]
    scored = []
    for g in gold:
        p = preds.get(str(g["id"]), {})
        gs, ps = set(g.get("sectors") or []), {s["label"] for s in p.get("sectors") or []}
        gl, pl = (g.get("risk") or {}).get("level"), (p.get("risk") or {}).get("level")
        risk_err = abs(levels.index(gl) - levels.index(pl)) if gl in levels and pl in levels \
            else (2 if gl else 0)
        gd, pd_ = (g.get("dual_use") or {}).get("relevant"), (p.get("dual_use") or {}).get(
            "relevant")
        gt = [Target.from_dict(t) for t in g.get("targets") or []]
        pt = [Target.from_dict(t) for t in p.get("targets") or []]
        pairs = match_targets(gt, pt)
        missed = [t for i, t in enumerate(gt) if i not in {a for a, _ in pairs}]
        spurious = [t for i, t in enumerate(pt) if i not in {b for _, b in pairs}]
        errors = len(gs ^ ps) + risk_err + int(gd is not None and bool(gd) != bool(pd_)) + \
            len(missed) + len(spurious)
        if errors:
            spans = [(t.start, t.end, "missed") for t in missed] + \
                    [(t.start, t.end, "spurious") for t in spurious]
            body = (f"<h3>{html.escape(str(g['id']))} ({g.get('lang')}) — {errors} errors</h3>"
                    f"<p>sectors gold {sorted(gs)} · predicted {sorted(ps)}; risk gold {gl} · "
                    f"predicted {pl}; dual use gold {gd} · predicted {pd_}; targets missed "
                    f"{len(missed)}, spurious {len(spurious)}</p>"
                    f"<pre>{_highlight(g['text'], spans)}</pre>")
            scored.append((errors, str(g["id"]), body))
    return [b for *_, b in sorted(scored, key=lambda s: (-s[0], s[1]))[:n]]


_STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}figure{display:inline-block;margin:8px}
pre{white-space:pre-wrap;background:#f7f7f7;padding:8px;font-size:13px}
mark.missed{background:#ffd27f}mark.spurious{background:#f4a3a3}"""


def write_report(result: dict[str, Any], gold: Sequence[dict[str, Any]],
                 pred: Sequence[dict[str, Any] | Analysis], path: str | Path,
                 title: str = "policynlp evaluation") -> None:
    """Write the HTML report of ``result`` (from :func:`evaluate_predictions`) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    preds = {str(d.get("id")): d for d in map(_pred_dict, pred)}
    sectors, levels, _ = _space()
    allm = result.get("all", {})
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
             f"{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f"<p>{result['documents']} documents, {result['missing_predictions']} without a "
             f"prediction (counted as misses).</p>", "<h2>Headline figures</h2><table>",
             "<tr><th>metric</th><th>all</th><th>zh</th><th>en</th><th>95% interval</th></tr>"]
    for task, key in HEADLINES:
        cells = "".join(f"<td>{(result.get(lang, {}).get(task) or {}).get(key, '–')}</td>"
                        for lang in ("all", "zh", "en"))
        iv = (result.get("intervals") or {}).get(f"{task}.{key}")
        parts.append(f"<tr><td>{task} {key}</td>{cells}<td>"
                     f"{f'{iv[0]}–{iv[1]}' if iv else '–'}</td></tr>")
    parts.append("</table><h2>Labels</h2>")
    for task in ("sectors", "channels"):
        if allm.get(task):
            parts.append(_figure(f"bars-{task}", f"{task}: precision, recall, F1 per label",
                                 _bars(allm[task]["per_label"], task)))
    if allm.get("risk"):
        parts.append(_figure("confusion-risk", "Risk level confusion matrix",
                             _confusion(allm["risk"]["confusion"], allm["risk"]["labels"])))
    parts.append("<h2>Calibration</h2>")
    rel = _reliability_inputs(gold, preds, sectors, levels)
    for head, (prob, g) in rel.items():
        c = calibration(prob, g)
        parts.append(_figure(f"reliability-{head.replace(' ', '-')}", f"Reliability: {head}",
                             _reliability(prob, g, f"{head} (n={len(prob)}): ECE "
                                          f"{c['ece']:.3f}, calibrated ≈ {c['ece_floor']:.3f}")))
    if not rel:
        parts.append("<p>The predictions carry no probabilities.</p>")
    if allm.get("target_errors") is not None:
        parts.append("<h2>Targets</h2>")
        parts.append(_figure("target-errors", "Target errors by type",
                             _simple_bars(allm["target_errors"], "target errors by type")))
    if allm.get("summaries"):
        s = allm["summaries"]
        keys = ("rouge1", "rouge2", "rougeL", "numbers_supported", "target_coverage",
                "body_accuracy")
        parts.append("<h2>Summaries</h2>")
        parts.append(_figure("summary-scores", "Summary scores",
                             _simple_bars({k: s[k] for k in keys if k in s}, "summaries")))
    parts.append("<h2>The 20 documents with the most errors</h2>")
    parts.append('<p><mark class="missed">gold target missed</mark> '
                 '<mark class="spurious">spurious predicted target</mark></p>')
    parts += _worst(gold, preds) or ["<p>No errors.</p>"]
    parts.append("</body></html>")
    Path(path).write_text("\n".join(parts), encoding="utf-8")


def _reliability_inputs(gold: Sequence[dict[str, Any]], preds: dict[str, dict[str, Any]],
                        sectors: Sequence[str], levels: Sequence[str]
                        ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(probability, outcome) pairs of each head the predictions carry probabilities for."""
    out: dict[str, tuple[list[float], list[float]]] = {
        "sectors": ([], []), "risk": ([], []), "risk channels": ([], []), "dual use": ([], [])}
    for g in gold:
        p = preds.get(str(g["id"]), {})
        gs = set(g.get("sectors") or [])
        for label, score in (p.get("sector_scores") or {}).items():
            out["sectors"][0].append(float(score))
            out["sectors"][1].append(float(label in gs))
        gc = set((g.get("risk") or {}).get("channels") or [])
        for label, score in ((p.get("risk") or {}).get("channel_scores") or {}).items():
            out["risk channels"][0].append(float(score))
            out["risk channels"][1].append(float(label in gc))
        scores = (p.get("risk") or {}).get("scores") or {}
        gl = (g.get("risk") or {}).get("level")
        if scores and gl:
            top = max(scores, key=lambda k: scores[k])
            out["risk"][0].append(float(scores[top]))
            out["risk"][1].append(float(top == gl))
        du, gd = p.get("dual_use") or {}, (g.get("dual_use") or {}).get("relevant")
        if du.get("score") is not None and gd is not None:
            out["dual use"][0].append(float(du["score"]))
            out["dual use"][1].append(float(gd))
    return {k: (np.array(v[0]), np.array(v[1])) for k, v in out.items() if v[0]}


def write_comparison(rows: dict[str, dict[str, Any]], path: str | Path, name_a: str = "A",
                     name_b: str = "B") -> None:
    """Write :func:`~policynlp.evaluate.predictions.compare_results` as an HTML page with a
    chart of the deltas.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "diff.html"
        >>> write_comparison({"sectors.micro_f1": {"a": 0.7, "b": 0.8, "delta": 0.1,
        ...                   "outside_interval": True}}, out)
        >>> "outside A's 95% interval" in out.read_text(encoding="utf-8")
        True
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    head = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{html.escape(name_b)} against {html.escape(name_a)}</title><style>{_STYLE}"
            f"</style></head><body><h1>{html.escape(name_b)} against {html.escape(name_a)}</h1>")
    table = ["<table><tr><th>metric</th><th>A</th><th>B</th><th>B − A</th>"
             "<th>outside A's 95% interval</th></tr>"]
    for metric, r in rows.items():
        table.append(f"<tr><td>{html.escape(metric)}</td><td>{r['a']}</td><td>{r['b']}</td>"
                     f"<td>{r['delta']:+.4f}</td><td>{interval_flag(r)}</td></tr>")
    table.append("</table>")
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(rows) + 1))
    names = list(rows)
    ax.barh(names, [rows[n]["delta"] for n in names],
            color=["#55a868" if rows[n]["delta"] >= 0 else "#c44e52" for n in names])
    ax.axvline(0, color="grey", lw=1)
    ax.set_title("B − A")
    Path(path).write_text(head + "".join(table) + _figure("deltas", "Differences B − A",
                                                             _png(fig)) + "</body></html>",
                          encoding="utf-8")


__all__ = ["write_comparison", "write_report"]
