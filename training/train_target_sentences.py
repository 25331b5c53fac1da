"""Train the target-vs-report sentence classifier used where the extraction rules run out.

    python training/train_target_sentences.py --train corpora/briefs/train.jsonl \
        --dev corpora/briefs/dev.jsonl [--out src/policynlp/extract/data/target_sentences]

Every sentence with a number in the training records becomes an example (label 1 when a
gold target starts in it). The script reports, on the dev records, sentence-level accuracy
and F1 of the classifier beside the rules' own guess for the same sentences, then writes
the model. It never reads the test split.
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
    print(json.dumps(metrics, indent=2))
    if args.metrics:
        args.metrics.write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    clf.save(args.out)
    print(f"saved {args.out}.json / .safetensors", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
