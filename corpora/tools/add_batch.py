"""Add authored batches to ``corpora/briefs/``: to the training split, or to dev and test.

    python corpora/tools/add_batch.py BATCH.jsonl [BATCH.jsonl ...] --to train [--name NAME]
    python corpora/tools/add_batch.py BATCH.jsonl [BATCH.jsonl ...] --to heldout [--name NAME]

Every record is validated first (a batch with problems is refused, naming each problem).

``--to train`` (``supplement_train``): records whose id is already in the corpus, or whose
TF-IDF character 5-gram similarity to a dev or test document reaches the threshold, are
refused; dev and test stay as they were.

``--to heldout`` (``supplement_eval``): records are dealt out stratified by language and primary
sector, ``--dev-share`` to dev and the rest to test; a record as close as the threshold to any
document of any split, or to another new record, is refused. Batches for the held-out splits
must be written by authors who have not seen dev, test or any model's predictions.

Each split file is rewritten sorted by id, and the supplement is recorded in ``splits.json``
under ``supplements`` with what was refused and the closest pairs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policynlp.corpus.splits import (
    SPLITS,
    read_records,
    supplement_eval,
    supplement_train,
    write_split,
)
from policynlp.corpus.validate import validate_record

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("batches", type=Path, nargs="+")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpora" / "briefs")
    ap.add_argument("--name", default="supplement", help="name recorded in splits.json")
    ap.add_argument("--to", choices=("train", "heldout"), required=True,
                    help="the training split, or dev and test")
    ap.add_argument("--dev-share", type=float, default=1 / 3,
                    help="with --to heldout: the share dealt to dev (the rest goes to test)")
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    new, problems = [], []
    for batch in args.batches:
        for line_no, rec in enumerate(read_records(batch), 1):
            problems += [str(p) for p in validate_record(rec, str(batch), line_no)]
            new.append(rec)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    parts = {s: read_records(args.corpus / f"{s}.jsonl") for s in SPLITS}
    before = {s: {r["id"] for r in parts[s]} for s in SPLITS}
    if args.to == "train":
        report = supplement_train(parts, new, threshold=args.threshold)
    else:
        report = supplement_eval(parts, new, dev_share=args.dev_share,
                                 threshold=args.threshold)
    summary_path = args.corpus / "splits.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    entry: dict = {"name": args.name, "to": args.to, "added": len(report.added)}
    for split in SPLITS:
        rows = write_split(args.corpus / f"{split}.jsonl", parts[split], summary)
        added = [r for r in rows if r["id"] not in before[split]]
        if added:
            entry[f"added_to_{split}"] = {lang: sum(r["lang"] == lang for r in added)
                                          for lang in ("zh", "en")}
            if args.to == "heldout":  # the training script reports these apart
                entry.setdefault("ids", {})[split] = [r["id"] for r in added]
    entry |= {"refused": report.refused, "threshold": args.threshold,
              "max_similarity": report.max_similarity, "closest_pairs": report.closest_pair}
    summary.setdefault("supplements", []).append(entry)
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    print(json.dumps(summary["supplements"][-1], indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
