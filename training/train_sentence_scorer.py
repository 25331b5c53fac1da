"""Train the summariser's sentence scorer on the corpus' reference "At a glance" paragraphs.

    python training/train_sentence_scorer.py [--out src/policynlp/summarize/data/sentence_scorer]

Labels: a candidate sentence (one of a document's first 40) is positive when it is the closest
source sentence, in e5 space, to one of the prose sentences of the document's reference
summary (the "Key targets include:" bullets are left out: targets come from the extractor).
Features: e5 embeddings of the embedded base encoder plus position and shape
(:class:`policynlp.summarize.sentences.SentenceScorer`). C and the number of sentences the
composer takes are chosen on the dev split; the test split is never read here. Writes the
scorer as package data and ``training/sentence_scorer_metrics.json`` with dev figures beside a
lead baseline (the first sentences after the title).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from policynlp.summarize.sentences import (  # noqa: E402
    DEFAULT_PATH,
    SentenceScorer,
    embed_sentences,
    reference_labels,
)


def reference_prose(summary: str) -> list[str]:
    """The prose sentences of a reference "At a glance" (bullets and their lead-in left out)."""
    prose = summary.split("Key targets include:")[0]
    prose = "\n".join(line for line in prose.splitlines() if not re.match(r"\s*[-•*]\s", line))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", prose) if s.strip()]


def examples(records: list[dict]) -> list[tuple[np.ndarray, np.ndarray, dict]]:
    """(features, labels, record) per document."""
    out = []
    for rec in records:
        text = rec["text"]
        spans = SentenceScorer.candidates(text, rec["lang"])
        refs = reference_prose(rec["summary"]["at_a_glance"] or "")
        if not spans or not refs:
            continue
        emb = embed_sentences([text[s.start:s.end] for s in spans])
        ref_emb = embed_sentences(refs)
        y = reference_labels(emb, ref_emb)
        out.append((SentenceScorer.features(text, spans, emb), y, rec))
    return out


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def hit_at_k(scorer: SentenceScorer, docs: list, k: int) -> float:
    """Share of documents whose top-k scored sentences include a positive."""
    hits = []
    for x, y, _ in docs:
        p = x @ scorer.coef + scorer.intercept
        top = np.argsort(-p)[:k]
        hits.append(float(y[top].max()))
    return float(np.mean(hits))


def lead_hit(docs: list, k: int) -> float:
    """The same for the lead baseline: the k sentences after the title line."""
    return float(np.mean([float(y[1:1 + k].max()) if len(y) > 1 else 0.0 for _, y, _ in docs]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO / "corpora" / "briefs")
    ap.add_argument("--out", type=Path, default=DEFAULT_PATH)
    ap.add_argument("--metrics", type=Path, default=REPO / "training" /
                    "sentence_scorer_metrics.json")
    args = ap.parse_args()
    t0 = time.time()
    train = examples(_read(args.corpus / "train.jsonl"))
    dev = examples(_read(args.corpus / "dev.jsonl"))
    print(f"embedded {len(train)} train and {len(dev)} dev documents in {time.time() - t0:.0f} s",
          file=sys.stderr)
    x = np.vstack([d[0] for d in train])
    y = np.concatenate([d[1] for d in train])
    best = None
    for c in (0.1, 0.3, 1.0, 3.0):
        scorer = SentenceScorer.fit(x, y, c=c)
        score = hit_at_k(scorer, dev, 1) + hit_at_k(scorer, dev, 2)
        print(f"C={c}: dev hit@1 {hit_at_k(scorer, dev, 1):.3f} hit@2 "
              f"{hit_at_k(scorer, dev, 2):.3f}", file=sys.stderr)
        if best is None or score > best[0]:
            best = (score, c, scorer)
    assert best is not None
    _, c, scorer = best
    metrics: dict = {"C": c, "train_documents": len(train), "train_sentences": int(len(y)),
                     "positives": int(y.sum()), "dev": {}}
    for lang in ("all", "zh", "en"):
        docs = [d for d in dev if lang == "all" or d[2]["lang"] == lang]
        metrics["dev"][lang] = {
            "documents": len(docs),
            "hit_at_1": round(hit_at_k(scorer, docs, 1), 3),
            "hit_at_2": round(hit_at_k(scorer, docs, 2), 3),
            "lead_hit_at_1": round(lead_hit(docs, 1), 3),
            "lead_hit_at_2": round(lead_hit(docs, 2), 3),
        }
    scorer.save(args.out, {"C": c, "trained_on": "corpora/briefs/train.jsonl"})
    args.metrics.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
