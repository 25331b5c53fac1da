"""Memory of a long scoring job: resident set size while 200,000 records stream through.

Writes a JSONL of ``--records`` records (gov.cn listing titles and summaries from
``../shared/data/govcn``, cycled, each with its own id), then scores it into a JSONL with
:func:`policynlp.engine.score_file` and samples the process's resident set every
``--every`` records. The engine holds one chunk and a bounded prefetch queue at a time, so
after the first chunks the resident set must stay flat, however long the input.

The model is the embedded encoder's tokenizer in front of a small randomly initialised BERT
(the memory of streaming does not depend on the encoder's size, and a full model would take
hours on a laptop CPU); ``--model PATH`` scores with a real model folder instead.

    python benchmarks/engine_memory.py [--records 200000] [--model PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LISTING = REPO.parent / "shared" / "data" / "govcn" / "listing_sample.csv"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def write_input(path: Path, n: int) -> None:
    with LISTING.open(encoding="utf-8") as fh:
        rows = [(r["title"] + "\n" + (r.get("summary") or "")).strip()
                for r in csv.DictReader(fh) if r.get("title")]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"id": f"rec-{i}", "text": rows[i % len(rows)]},
                                 ensure_ascii=False) + "\n")


def small_model() -> object:
    import torch
    from transformers import BertConfig, BertModel

    from policynlp.classify.labels import LabelSpace
    from policynlp.classify.model import ClassifierSettings, DocumentClassifier
    from policynlp.models.e5 import load_base

    _, tokenizer = load_base()
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2,
                     num_attention_heads=2, intermediate_size=128, max_position_embeddings=514)
    return DocumentClassifier(BertModel(cfg, add_pooling_layer=False), tokenizer,
                              LabelSpace.from_schema(), ClassifierSettings())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--every", type=int, default=10_000)
    ap.add_argument("--model", type=Path)
    args = ap.parse_args()
    if not LISTING.is_file():
        sys.exit(f"needs the gov.cn listing at {LISTING}")
    from policynlp.engine import ScoringEngine, score_file

    engine = (ScoringEngine.from_model_path(args.model, device="cpu") if args.model
              else ScoringEngine(small_model(), device="cpu"))  # type: ignore[arg-type]
    samples: list[tuple[int, float]] = []

    def on_record(_: object, stats: object) -> None:
        n = stats.documents  # type: ignore[attr-defined]
        if n % args.every == 0:
            samples.append((n, rss_mb()))
            print(f"{n:>8} records  rss {samples[-1][1]:8.1f} MB", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        write_input(src, args.records)
        print(f"input: {args.records:,} records, {src.stat().st_size / 2**20:.0f} MB; "
              f"rss before scoring {rss_mb():.1f} MB", flush=True)
        stats = score_file(engine, src, out, on_record=on_record)
        lines = out.read_bytes().count(b"\n")
    after_warmup = [mb for n, mb in samples if n >= 2 * args.every] or [s[1] for s in samples]
    growth = max(after_warmup) - min(after_warmup)
    print(f"{stats.documents:,} records scored ({lines:,} output lines) in {stats.seconds:.0f} s; "
          f"rss from {args.every * 2:,} records on: min {min(after_warmup):.1f} MB, max "
          f"{max(after_warmup):.1f} MB, growth {growth:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
