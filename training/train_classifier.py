"""Fine-tune the multi-task document classifier and train the TF-IDF baseline beside it.

    python training/train_classifier.py training/configs/e5-small.json [--epochs N] [--limit N]

Reads the authored corpus splits (``corpora/briefs``) and, when ``govcn`` is set and the shared
gov.cn listing is present, the gov.cn labels (our own annotations with all tasks; rows with only
gov.cn's mapped sectors train the sector head; a fixed fraction of those rows, chosen by URL
hash, is held out and only scored; ``govcn_weight`` scales their loss, as their short listing
snippets and topic-mapped labels differ from the briefs). The encoder is fine-tuned with LoRA
(peft) when the config has ``lora``, or by partial unfreezing when it has ``unfreeze_top`` (the
frozen lower layers' states are computed once and cached, so an epoch only runs the top layers),
else frozen; losses are masked per task, sector and channel labels are weighted by their rarity
(capped), risk classes by inverse frequency. Early stopping keeps the epoch with the best dev
score (mean of sector micro-F1, risk macro-F1 and dual-use F1). With ``ngram_weights`` in the
config the baseline becomes the model's character n-gram branch: the weight of its logits
against the encoder's is chosen on dev by repeated 5-fold cross-validation (calibration and
thresholds fitted on four folds, F1 of all four tasks measured on the fifth); with
``ngram_per_head`` each head may take its own weight, where nested cross-validation on dev
shows that choosing per head beats one shared weight by ``PER_HEAD_MARGIN``. Platt
scaling (temperature and bias; temperature only for risk) and thresholds are fitted on dev; the
test split is scored once at the end, for the model, the encoder alone and the baseline, per
language. ``--from-run DIR`` skips fine-tuning and takes the encoder and heads of an earlier
run (fusion, calibration and figures are redone). It writes
the raw run to ``OUTPUT.run/`` and the packaged model folder (config.json, classifier/,
metrics.json, model card) to ``OUTPUT``. Runs on CPU as is and on a GPU (``--device cuda``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from policynlp.classify.baseline import TfidfBaseline
from policynlp.classify.calibration import (
    fit_matrix_scaling,
    fit_platt,
    fit_temperature,
    fit_thresholds,
    matrix_scaled,
    softmax,
)
from policynlp.classify.labels import LabelSpace
from policynlp.classify.model import (
    ClassifierSettings,
    DocumentClassifier,
    blend,
    load_encoder,
)
from policynlp.classify.scores import Decisions, TaskScores, Thresholds
from policynlp.corpus.govcn import load_govcn
from policynlp.evaluate.classification import (
    classification_metrics,
    headline_f1,
    paired_bootstrap,
)

REPO = Path(__file__).resolve().parents[1]
PER_HEAD_MARGIN = 0.005  # nested dev CV gain a weight per head must show (training/README)


def _read(split: str | Path) -> list[dict[str, Any]]:
    path = split if isinstance(split, Path) else REPO / "corpora" / "briefs" / f"{split}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _held_out(url: str, fraction: float) -> bool:
    return int(hashlib.sha256(url.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction


def _calibrate(logits: dict[str, np.ndarray], gold: Any, min_support: int
               ) -> tuple[ClassifierSettings, Thresholds]:
    """Platt scaling per binary head; for risk temperature or matrix scaling, whichever has
    the lower cross-validated NLL on these rows; then thresholds — all on dev."""
    m = {k: v > 0 for k, v in gold.mask.items()}
    cal = ClassifierSettings(temperatures={}, biases={})
    for head, rows in (("sectors", m["sectors"]), ("channels", m["risk"]),
                       ("dual_use", m["dual_use"])):
        cal.temperatures[head], cal.biases[head] = fit_platt(logits[head][rows],
                                                              getattr(gold, head)[rows])
    z, y = logits["risk"][m["risk"]], gold.risk[m["risk"]]
    cal.temperatures["risk"] = fit_temperature(z, y, multiclass=True)
    if _matrix_scaling_wins(z, y):
        cal.risk_scaling = fit_matrix_scaling(z, y)
    s = cal.calibrated(logits)
    thr = Thresholds(
        fit_thresholds(s.sectors[m["sectors"]], gold.sectors[m["sectors"]],
                       min_support=min_support),
        fit_thresholds(s.channels[m["risk"]], gold.channels[m["risk"]], min_support=min_support),
        float(fit_thresholds(s.dual_use[m["dual_use"]][:, None],
                             gold.dual_use[m["dual_use"]][:, None])[0]))
    return cal, thr


def _matrix_scaling_wins(z: np.ndarray, y: np.ndarray, *, folds: int = 5, repeats: int = 5,
                        seed: int = 0) -> bool:
    """Whether matrix scaling of the risk logits has a lower negative log-likelihood than
    temperature scaling by repeated k-fold cross-validation on these rows (each fitted on the
    other folds). Matrix scaling has k·(k + 1) parameters to the temperature's one, so it must
    earn them on held-out rows."""
    if len(y) < 5 * folds:
        return False
    rng = np.random.RandomState(seed)
    nll = {"temperature": 0.0, "matrix": 0.0}
    for _ in range(repeats):
        for held in np.array_split(rng.permutation(len(y)), folds):
            fit = np.setdiff1d(np.arange(len(y)), held)
            wb = fit_matrix_scaling(z[fit], y[fit])
            if wb is None:
                return False
            probs = {"temperature": softmax(z[held] / fit_temperature(z[fit], y[fit],
                                                                      multiclass=True)),
                     "matrix": matrix_scaled(z[held], wb)}
            for k, p in probs.items():
                nll[k] -= float(np.log(np.clip(p[np.arange(len(held)), y[held]], 1e-12, 1)).sum())
    return nll["matrix"] < nll["temperature"]


HEAD_TASK = {"sectors": "sectors_micro_f1", "risk": "risk_macro_f1",
             "channels": "channels_micro_f1", "dual_use": "dual_use_f1"}


def _undecided(gold: Any) -> Decisions:
    """All-zero decisions shaped like ``gold``, filled in fold by fold."""
    return Decisions(*(np.zeros_like(getattr(gold, h))
                       for h in ("sectors", "risk", "channels", "dual_use")))


def _cv_f1s(logits: dict[str, np.ndarray], gold: Any, min_support: int, *, folds: int = 5,
            repeats: int = 5, seed: int = 0) -> dict[str, float]:
    """F1 of each task (sector and channel micro-F1, risk macro-F1, dual-use F1) on dev by
    repeated k-fold cross-validation: calibration and thresholds fitted on the other folds,
    decisions taken on the held-out fold, F1 over all pooled decisions, averaged over repeats."""
    n = len(gold.risk)
    rng = np.random.RandomState(seed)
    runs = []
    for _ in range(repeats):
        parts = np.array_split(rng.permutation(n), folds)
        decided = _undecided(gold)
        for k, held in enumerate(parts):
            fit = np.concatenate([q for j, q in enumerate(parts) if j != k])
            cal, thr = _calibrate({h: v[fit] for h, v in logits.items()}, gold.subset(fit),
                                  min_support)
            d = cal.calibrated({h: v[held] for h, v in logits.items()}).decide(thr)
            for h in ("sectors", "risk", "channels", "dual_use"):
                getattr(decided, h)[held] = getattr(d, h)
        runs.append(headline_f1(gold, decided))
    return {t: float(np.mean([r[t] for r in runs])) for t in runs[0]}


def _cv_score(logits: dict[str, np.ndarray], gold: Any, min_support: int, **kw: Any) -> float:
    """Mean F1 of the four tasks by repeated k-fold cross-validation on dev (:func:`_cv_f1s`)."""
    return float(np.mean(list(_cv_f1s(logits, gold, min_support, **kw).values())))


def _fused(encoder: dict[str, np.ndarray], ngram: dict[str, np.ndarray],
           weight: float | dict[str, float], scales: dict[str, list[float]]
           ) -> dict[str, np.ndarray]:
    """Encoder and n-gram logits blended as the model does (a weight, or one per head)."""
    return {h: blend(encoder[h], ngram[h], weight[h] if isinstance(weight, dict) else weight,
                     scales[h]) for h in encoder}


def _logit_scales(encoder: dict[str, np.ndarray], ngram: dict[str, np.ndarray]
                  ) -> dict[str, list[float]]:
    """Spread of each side's logits per head, so that both enter the blend at unit scale."""
    return {h: [float(encoder[h].std()) or 1.0, float(ngram[h].std()) or 1.0] for h in encoder}


def _grid_f1s(encoder: dict[str, np.ndarray], ngram: dict[str, np.ndarray], gold: Any,
              grid: list[float], min_support: int, scales: dict[str, list[float]],
              repeats: int = 5) -> dict[float, dict[str, float]]:
    """Dev cross-validation F1 of every task at every weight of ``grid``."""
    return {w: _cv_f1s(_fused(encoder, ngram, w, scales), gold, min_support, repeats=repeats)
            for w in grid}


def _pick(grid_f1s: dict[float, dict[str, float]], per_head: bool
          ) -> float | dict[str, float]:
    """The weight with the best mean F1, or per head the weight with the best F1 of its task
    (ties go to the weight nearest 0.5)."""
    def best(score: Any) -> float:
        return max(grid_f1s, key=lambda w: (score(grid_f1s[w]), -abs(w - 0.5)))

    if not per_head:
        return float(best(lambda f: np.mean(list(f.values()))))
    return {h: float(best(lambda f, t=t: f[t])) for h, t in HEAD_TASK.items()}


def _choose_ngram_weight(encoder: dict[str, np.ndarray], ngram: dict[str, np.ndarray],
                         gold: Any, grid: list[float], min_support: int
                         ) -> tuple[float, dict[str, float], dict[str, list[float]],
                                    dict[float, dict[str, float]]]:
    """The n-gram branch weight with the best dev cross-validation score, the weight per head
    with the best F1 of that head's task, the per-head logit scales (spread of each side's dev
    logits) and the cross-validated F1 of every task at every weight tried."""
    scales = _logit_scales(encoder, ngram)
    f1s = _grid_f1s(encoder, ngram, gold, grid, min_support, scales)
    shared, per_head = _pick(f1s, per_head=False), _pick(f1s, per_head=True)
    assert isinstance(shared, float) and isinstance(per_head, dict)
    return shared, per_head, scales, f1s


def _nested_cv(encoder: dict[str, np.ndarray], ngram: dict[str, np.ndarray], gold: Any,
               grid: list[float], min_support: int, *, folds: int = 5, repeats: int = 2,
               inner_repeats: int = 5, seed: int = 1) -> dict[str, Any]:
    """One shared n-gram weight against a weight per head, by nested cross-validation on dev:
    in each outer fold both procedures choose on the other folds (by their inner
    cross-validation), calibrate and fit thresholds there and decide the held-out fold; the
    mean of the four F1s over the pooled outer decisions, averaged over repeats, and the
    weights each outer fold chose."""
    n = len(gold.risk)
    rng = np.random.RandomState(seed)
    scores: dict[str, list[float]] = {"shared": [], "per_head": []}
    chosen: dict[str, list[Any]] = {"shared": [], "per_head": []}
    for _ in range(repeats):
        parts = np.array_split(rng.permutation(n), folds)
        decided = {k: _undecided(gold) for k in scores}
        for k, held in enumerate(parts):
            fit = np.concatenate([q for j, q in enumerate(parts) if j != k])
            enc_fit = {h: v[fit] for h, v in encoder.items()}
            ng_fit = {h: v[fit] for h, v in ngram.items()}
            scales = _logit_scales(enc_fit, ng_fit)
            f1s = _grid_f1s(enc_fit, ng_fit, gold.subset(fit), grid, min_support, scales,
                            inner_repeats)
            for proc in scores:
                w = _pick(f1s, proc == "per_head")
                chosen[proc].append(w)
                cal, thr = _calibrate(_fused(enc_fit, ng_fit, w, scales), gold.subset(fit),
                                      min_support)
                d = cal.calibrated(_fused({h: v[held] for h, v in encoder.items()},
                                          {h: v[held] for h, v in ngram.items()}, w, scales)
                                   ).decide(thr)
                for h in ("sectors", "risk", "channels", "dual_use"):
                    getattr(decided[proc], h)[held] = getattr(d, h)
        for proc in scores:
            scores[proc].append(float(np.mean(list(headline_f1(gold, decided[proc]).values()))))
    return {proc: round(float(np.mean(v)), 4) for proc, v in scores.items()} | {
        "chosen": chosen}


def _dev_score(metrics: dict[str, Any]) -> float:
    return float(np.mean([metrics["sectors"]["micro_f1"], metrics["risk"]["macro_f1"],
                          metrics["dual_use"]["f1"]]))


def test_groups(records: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Row indices of the groups the test figures are reported for: all, each language and,
    once documents were added to the held-out splits (``splits.json`` supplements ``--to
    heldout``), the original test documents and the added ones; once training documents were
    set aside as twins of held-out ones, the test documents without such a twin.

    Example:
        >>> sorted(test_groups([{"id": "a", "lang": "zh"}, {"id": "b", "lang": "en"}]))[:3]
        ['all', 'en', 'zh']
    """
    groups = {"all": list(range(len(records)))}
    for lang in ("zh", "en"):
        groups[lang] = [i for i, r in enumerate(records) if r.get("lang") == lang]
    summary = json.loads((REPO / "corpora" / "briefs" / "splits.json").read_text(encoding="utf-8"))
    added = {rid for s in summary.get("supplements", []) if s.get("to") == "heldout"
             for rid in s.get("ids", {}).get("test", [])}
    in_added = [r.get("id") in added for r in records]
    if any(in_added):
        groups["original"] = [i for i, new in enumerate(in_added) if not new]
        groups["added"] = [i for i, new in enumerate(in_added) if new]
    twins = {t for s in summary.get("set_aside", []) for ts in s.get("twins", {}).values()
             for t in ts}
    if twins:  # a model trained before the set-aside documents left train is fairly read here
        groups["no_twin"] = [i for i, r in enumerate(records) if r.get("id") not in twins]
    return {k: v for k, v in groups.items() if v}


def _by_group(scores: TaskScores, records: list[dict[str, Any]], groups: dict[str, list[int]],
              space: LabelSpace, thr: Thresholds, names: dict[str, tuple[str, ...]]
              ) -> dict[str, Any]:
    out = {}
    for group, rows in groups.items():
        idx = np.array(rows)
        out[group] = classification_metrics(scores.subset(idx),
                                            space.encode([records[i] for i in idx]), thr, names)
    return out


def main() -> int:  # noqa: C901 - one linear recipe reads best in one place
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config", type=Path)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--limit", type=int, help="use only N training records (smoke runs)")
    ap.add_argument("--output", type=Path)
    ap.add_argument("--train", type=Path, default=REPO / "corpora" / "briefs" / "train.jsonl",
                    help="training records (default: the corpus train split); with --from-run, "
                         "the records the earlier run was trained on keep the baseline fair")
    ap.add_argument("--from-run", type=Path,
                    help="take the fine-tuned encoder and heads of an earlier run's folder")
    args = ap.parse_args()
    cfg = json.loads(args.config.read_text(encoding="utf-8"))
    epochs = args.epochs if args.epochs is not None else cfg["epochs"]
    out_dir = args.output or REPO / cfg["output"]
    random.seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.manual_seed(cfg["seed"])

    space = LabelSpace.from_schema()
    names = {"sectors": space.sectors, "risk_levels": space.risk_levels,
             "channels": space.channels}
    train, dev, test = _read(args.train), _read("dev"), _read("test")
    authored = len(train)
    govcn_test: list[dict[str, Any]] = []
    if cfg.get("govcn"):
        gov = load_govcn(REPO / "corpora" / "govcn_labels.jsonl")
        for rec in gov:
            own = "risk" in rec
            if not own and _held_out(rec["id"], cfg["govcn_holdout"]):
                govcn_test.append(rec)
            else:
                train.append(rec)
    if args.limit:
        train = train[:args.limit]
    print(f"train {len(train)} records, dev {len(dev)}, test {len(test)}, "
          f"gov.cn held out {len(govcn_test)}", file=sys.stderr)

    weights = np.array([cfg.get("govcn_weight", 1.0) if r.get("source") == "gov.cn" else 1.0
                        for r in train], dtype=np.float32)
    min_support = cfg.get("threshold_min_support", 1)

    # -- baseline ---------------------------------------------------------------------------
    t0 = time.time()
    baseline = TfidfBaseline(space, seed=cfg["seed"]).fit(train, sample_weight=weights)
    b_dev = baseline.logits([r["text"] for r in dev])
    dev_gold = space.encode(dev)
    b_cal, b_thr = _calibrate(b_dev, dev_gold, min_support)
    baseline_time = time.time() - t0

    # -- model ------------------------------------------------------------------------------
    if args.from_run:
        model = DocumentClassifier.load(args.from_run, args.device)
        model.settings.ngram_weight, model.ngram = 0.0, None  # fused again below
        prior = json.loads((args.from_run / "metrics.json").read_text(encoding="utf-8"))
        history, best_epoch = prior["history"], prior["best_epoch"]
        model.round_to_storage()
        dev_encoder = model.encoder_logits([r["text"] for r in dev])
    else:
        settings = ClassifierSettings(encoder=cfg["encoder"], max_length=cfg["max_length"],
                                      stride=cfg["stride"], pooling=cfg["pooling"],
                                      prefix=cfg["prefix"], lora=cfg.get("lora"),
                                      unfreeze_top=cfg.get("unfreeze_top", 0),
                                      token_pooling=cfg.get("token_pooling", False))
        encoder, tokenizer = load_encoder(settings.encoder, args.device)
        if settings.lora:
            from peft import LoraConfig, get_peft_model

            encoder = get_peft_model(encoder, LoraConfig(**settings.lora))
        else:
            encoder.requires_grad_(False)
        model = DocumentClassifier(encoder, tokenizer, space, settings).to(args.device)
        if "encoder_dropout" in cfg:  # on a CPU the encoder's dropout costs more than its layers
            for module in model.encoder.modules():
                if isinstance(module, torch.nn.Dropout):
                    module.p = cfg["encoder_dropout"]
        cached = bool(settings.unfreeze_top) and not settings.lora
        if cached:
            model._layers()[model.split_at():].requires_grad_(True)

            def cache(records: list[dict[str, Any]]) -> tuple[list[Any], list[list[int]]]:
                wins = model.windows([r["text"] for r in records])
                states = model.lower_states([w for _, w in wins])
                per_doc: list[list[int]] = [[] for _ in records]
                for k, (d, _) in enumerate(wins):
                    per_doc[d].append(k)
                return states, per_doc

            t_cache = time.time()
            train_cache, dev_cache = cache(train), cache(dev)
            print(f"cached lower-layer states of {len(train_cache[0]) + len(dev_cache[0])} windows "
                  f"in {time.time() - t_cache:.0f} s", file=sys.stderr)

        def batch_logits(records: list[dict[str, Any]], idx: list[int],
                         store: tuple[list[Any], list[list[int]]] | None
                         ) -> dict[str, torch.Tensor]:
            if store is None:
                return model.forward_texts([records[i]["text"] for i in idx])
            states, doc_index = [], []
            for n, i in enumerate(idx):
                for k in store[1][i]:
                    states.append(store[0][k])
                    doc_index.append(n)
            return model.forward_states(states, doc_index, len(idx))

        def dev_logits() -> dict[str, np.ndarray]:
            if not cached:
                return model.logits([r["text"] for r in dev])
            model.eval()
            out: dict[str, list[np.ndarray]] = {}
            with torch.inference_mode():
                for b in range(0, len(dev), 16):
                    lg = batch_logits(dev, list(range(b, min(len(dev), b + 16))), dev_cache)
                    for k, v in lg.items():
                        out.setdefault(k, []).append(v.float().cpu().numpy())
            return {k: np.concatenate(v) for k, v in out.items()}

        y = space.encode(train)
        pos = {t: np.clip((len(train) - getattr(y, t).sum(0)) / np.maximum(getattr(y, t).sum(0), 1),
                          1, cfg["max_pos_weight"]) for t in ("sectors", "channels")}
        risk_counts = np.bincount(y.risk[y.mask["risk"] > 0], minlength=len(space.risk_levels))
        dev_t = torch.device(args.device)
        risk_w = torch.tensor(risk_counts.sum() / np.maximum(risk_counts, 1) / len(risk_counts),
                              dtype=torch.float32, device=dev_t)
        bce = {t: torch.nn.BCEWithLogitsLoss(
            pos_weight=torch.tensor(pos[t], dtype=torch.float32, device=dev_t), reduction="none")
            for t in pos}

        def tensor(x: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(x, device=dev_t)

        def masked(per: torch.Tensor, mask: np.ndarray, w: np.ndarray) -> torch.Tensor:
            mw = tensor(mask * w)
            return (per * mw).sum() / tensor(mask).sum().clamp(min=1)

        opt = torch.optim.AdamW([
            {"params": [p for p in model.encoder.parameters() if p.requires_grad],
             "lr": cfg["lr_encoder"]},
            {"params": model.heads.parameters(), "lr": cfg["lr_heads"]}], weight_decay=0.01)
        best: tuple[float, dict[str, Any], int] | None = None
        history = []
        order = list(range(len(train)))
        for epoch in range(epochs):
            model.train()
            random.shuffle(order)
            t1, total = time.time(), 0.0
            for b in range(0, len(order), cfg["batch_docs"]):
                idx = order[b:b + cfg["batch_docs"]]
                g = space.encode([train[i] for i in idx])
                w = weights[idx]
                lg = batch_logits(train, idx, train_cache if cached else None)
                loss = masked(bce["sectors"](lg["sectors"], tensor(g.sectors)).mean(1),
                              g.mask["sectors"], w)
                loss = loss + masked(bce["channels"](lg["channels"], tensor(g.channels)).mean(1),
                                     g.mask["risk"], w)
                if g.mask["risk"].sum() > 0:
                    loss = loss + masked(torch.nn.functional.cross_entropy(
                        lg["risk"], tensor(g.risk), weight=risk_w, reduction="none"),
                        g.mask["risk"], w)
                if g.mask["dual_use"].sum() > 0:
                    loss = loss + masked(torch.nn.functional.binary_cross_entropy_with_logits(
                        lg["dual_use"], tensor(g.dual_use), reduction="none"),
                    g.mask["dual_use"], w)
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                total += float(loss.detach())
            dl = dev_logits()
            cal, thr = _calibrate(dl, dev_gold, min_support)
            dev_metrics = classification_metrics(cal.calibrated(dl), dev_gold, thr, names)
            score = _dev_score(dev_metrics)
            history.append({"epoch": epoch + 1, "loss": round(total, 3),
                            "dev_score": round(score, 4),
                            "dev": {"sectors_micro_f1": dev_metrics["sectors"]["micro_f1"],
                                    "risk_macro_f1": dev_metrics["risk"]["macro_f1"],
                                    "dual_use_f1": dev_metrics["dual_use"]["f1"]},
                            "seconds": round(time.time() - t1, 1)})
            print(json.dumps(history[-1]), file=sys.stderr, flush=True)
            if best is None or score > best[0]:
                trainable = {k: v.detach().clone() for k, v in model.state_dict().items()
                             if k.startswith("heads.") or "lora_" in k
                             or (cached and k.startswith("encoder.") and model.is_top_layer(k))}
                best = (score, trainable, epoch + 1)
            elif epoch + 1 - best[2] > cfg["patience"]:
                break
        assert best is not None
        model.load_state_dict(best[1], strict=False)
        best_epoch = best[2]
        model.round_to_storage()  # the figures below hold for the saved (float16) weights
        dev_encoder = dev_logits()

    # -- the character n-gram branch, calibration and thresholds (all on dev) -----------
    e_cal, e_thr = _calibrate(dev_encoder, dev_gold, min_support)
    fusion: dict[str, Any] = {"weight": 0.0}
    alt: tuple[Any, ClassifierSettings, Thresholds] | None = None
    if cfg.get("ngram_weights"):
        grid = cfg["ngram_weights"]
        w, per_head, scales, f1s = _choose_ngram_weight(dev_encoder, b_dev, dev_gold, grid,
                                                        min_support)
        fusion = {"weight": w, "dev_cv_score": {str(k): round(float(np.mean(list(f.values()))), 4)
                                                for k, f in f1s.items()},
                  "dev_cv_f1": {str(k): {t: round(v, 4) for t, v in f.items()}
                                for k, f in f1s.items()}}
        if cfg.get("ngram_per_head"):  # a weight per head where nested dev CV says it pays
            nested = _nested_cv(dev_encoder, b_dev, dev_gold, grid, min_support)
            fusion |= {"per_head": per_head, "nested_cv": nested}
            alternative = per_head
            if nested["per_head"] - nested["shared"] >= PER_HEAD_MARGIN:
                w, alternative = per_head, w
                fusion["weight"] = w
            # the weighting not chosen is scored on test too, calibrated the same way
            alt = (alternative, *_calibrate(_fused(dev_encoder, b_dev, alternative, scales),
                                            dev_gold, min_support))
        print(f"n-gram branch: {json.dumps(fusion)}", file=sys.stderr)
        model.attach_ngram(baseline, w, scales)  # at weight 0 unused, and not saved
    dev_model = model.fuse(dev_encoder, [r["text"] for r in dev])
    cal, thr = _calibrate(dev_model, dev_gold, min_support)
    model.settings.temperatures, model.settings.biases = cal.temperatures, cal.biases
    model.settings.risk_scaling = cal.risk_scaling
    model.thresholds = thr
    dev_cv = {"model": round(_cv_score(dev_model, dev_gold, min_support), 4),
              "baseline": round(_cv_score(b_dev, dev_gold, min_support), 4)}
    print(f"dev cross-validation: {dev_cv}", file=sys.stderr)

    # -- final figures ----------------------------------------------------------------------
    def three_ways(texts: list[str]) -> dict[str, tuple[TaskScores, Thresholds]]:
        """Scores of the model, the encoder alone and the baseline, one encoder pass (and of
        the n-gram weighting not chosen, when a weight per head was considered)."""
        encoded, ngram = model.encoder_logits(texts), baseline.logits(texts)
        out = {"model": (cal.calibrated(model.fuse(encoded, texts)), thr),
               "encoder_only": (e_cal.calibrated(encoded), e_thr),
               "baseline": (b_cal.calibrated(ngram), b_thr)}
        if alt is not None:
            out["fusion_alternative"] = (alt[1].calibrated(_fused(encoded, ngram, alt[0],
                                                                  scales)), alt[2])
        return out

    on_test = three_ways([r["text"] for r in test])
    groups = test_groups(test)
    metrics: dict[str, Any] = {
        "config": cfg, "history": history, "best_epoch": best_epoch, "fusion": fusion,
        "dev_records": len(dev), "dev_cv_score": dev_cv,
        "risk_calibration": {k: "matrix" if c.risk_scaling else "temperature"
                             for k, c in (("model", cal), ("encoder_only", e_cal),
                                          ("baseline", b_cal))},
        **({"fusion_alternative": {"weight": alt[0]}} if alt else {}),
        "train_records": len(train), "authored_train_records": authored,
        "baseline_fit_seconds": round(baseline_time, 1),
        "test": {k: _by_group(sc, test, groups, space, t, names)
                 for k, (sc, t) in on_test.items()},
    }
    metrics["test"]["documents"] = {k: len(v) for k, v in groups.items()}
    test_gold = space.encode(test)
    decided = {k: sc.decide(t) for k, (sc, t) in on_test.items()}
    metrics["test"]["paired_bootstrap"] = {
        "model_minus_baseline": paired_bootstrap(test_gold, decided["model"],
                                                 decided["baseline"]),
        "model_minus_encoder_only": paired_bootstrap(test_gold, decided["model"],
                                                     decided["encoder_only"]),
        **({"model_minus_fusion_alternative": paired_bootstrap(
            test_gold, decided["model"], decided["fusion_alternative"])} if alt else {}),
        "model_minus_baseline_by_group": {
            group: paired_bootstrap(test_gold.subset(np.array(rows)),
                                    *(on_test[k][0].subset(np.array(rows)).decide(on_test[k][1])
                                      for k in ("model", "baseline")))
            for group, rows in groups.items() if group != "all"}}
    if govcn_test:
        gov_gold = space.encode(govcn_test)
        metrics["govcn_heldout"] = {"records": len(govcn_test)} | {
            k: classification_metrics(sc, gov_gold, t, names)["sectors"]["micro_f1"]
            for k, (sc, t) in three_ways([r["text"] for r in govcn_test]).items()}
    run_dir = out_dir.with_name(out_dir.name + ".run")
    model.save(run_dir)
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    from package_model import package  # the model folder and its card (same folder as this)

    package(run_dir, out_dir)
    print(json.dumps({k: metrics[k] for k in ("best_epoch", "history")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
