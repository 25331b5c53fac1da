"""Train the target-vs-report sentence classifier used where the extraction rules run out.

    python training/train_target_sentences.py --train corpora/briefs/train.jsonl \
        --dev corpora/briefs/dev.jsonl [--out src/policynlp/extract/data/target_sentences]

Every sentence with a number in the training records becomes an example (label 1 when a
gold target starts in it). On the dev records the script reports sentence-level accuracy
and F1 of the classifier beside the rules' own guess, and target-level P/R/F1 of the
extractor with and without the classifier per language; the classifier is switched on only
for the languages where it does not lower dev target F1. It never reads the test split.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

from policynlp.extract.sentence_model import (
    DEFAULT_PATH,
    TargetSentenceClassifier,
    sentence_examples,
)


def _records(paths: list[Path]) -> list[dict]:
    out = []
    for path in paths:
        if "test" in path.name:
            sys.exit(f"refusing to train or tune on a test split: {path}")
        with path.open(encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


def _rule_guess(sentence: str, lang: str) -> int:
    from policynlp.extract.targets import extract_targets

    return int(bool(extract_targets(sentence, lang, None, classifier=None)))


def _target_f1(records: list[dict], classifier: object) -> dict[str, float]:
    from policynlp.data import Target
    from policynlp.evaluate.targets import score_targets
    from policynlp.extract.targets import extract_targets

    pairs = []
    for rec in records:
        gold = [Target.from_dict({"comparator": "exact", **t}) for t in rec.get("targets", [])]
        pred = extract_targets(rec["text"], rec["lang"], rec.get("date"),
                               classifier=classifier)  # type: ignore[arg-type]
        pairs.append((gold, pred))
    s = score_targets(pairs)
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4),
            "f1": round(s.f1, 4), "deadline_accuracy": round(s.deadline_accuracy, 4)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", type=Path, nargs="+", required=True)
    ap.add_argument("--dev", type=Path, nargs="+", required=True)
    ap.add_argument("--out", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--metrics", type=Path, help="write the dev metrics here (JSON)")
    args = ap.parse_args()

    train = sentence_examples(_records(args.train))
    dev = sentence_examples(_records(args.dev))
    clf = TargetSentenceClassifier.fit([s for s, _, _ in train], [y for _, _, y in train])
    gold = [y for _, _, y in dev]
    model = (clf.predict_proba([s for s, _, _ in dev]) >= clf.threshold).astype(int)
    rules = [_rule_guess(s, lang) for s, lang, _ in dev]
    metrics = {
        "train_sentences": len(train), "dev_sentences": len(dev),
        "dev_positive_share": round(sum(gold) / max(1, len(gold)), 3),
        "classifier": {"accuracy": round(accuracy_score(gold, model), 4),
                       "f1": round(f1_score(gold, model), 4)},
        "rules_alone": {"accuracy": round(accuracy_score(gold, rules), 4),
                        "f1": round(f1_score(gold, rules), 4)},
    }
    for lang in ("zh", "en"):
        idx = [i for i, (_, lg, _) in enumerate(dev) if lg == lang]
        if idx:
            g = [gold[i] for i in idx]
            metrics[f"classifier_{lang}"] = {"f1": round(f1_score(g, [model[i] for i in idx]), 4)}
            metrics[f"rules_alone_{lang}"] = {"f1": round(f1_score(g, [rules[i] for i in idx]), 4)}
    languages = []
    for lang in ("zh", "en"):
        recs = [r for r in _records(args.dev) if r.get("lang") == lang]
        if not recs:
            continue
        with_clf, rules_only = _target_f1(recs, clf), _target_f1(recs, None)
        metrics[f"targets_{lang}"] = {"with_classifier": with_clf, "rules_alone": rules_only}
        if with_clf["f1"] >= rules_only["f1"]:
            languages.append(lang)
    clf.languages = tuple(languages)
    metrics["classifier_languages"] = languages
    print(json.dumps(metrics, indent=2))
    if args.metrics:
        args.metrics.write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    clf.save(args.out)
    print(f"saved {args.out}.json / .safetensors", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
