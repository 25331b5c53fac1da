"""Assemble authored batches into the fixed train/dev/test splits of ``corpora/briefs/``.

    python corpora/tools/build_splits.py BATCH.jsonl [BATCH.jsonl ...] [--seed 13]

Every record is validated first (a batch with problems is refused, naming each problem);
records are stratified by language and primary sector, split 70/15/15, and any dev or test
document whose TF-IDF character 5-gram cosine similarity to a training document reaches 0.8
moves to train. The similarity report is printed and saved as ``corpora/briefs/splits.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policynlp.corpus.splits import SPLITS, make_splits, remove_near_duplicates, write_split
from policynlp.corpus.validate import validate_record

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("batches", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, default=REPO / "corpora" / "briefs")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    records, problems, seen = [], [], set()
    for batch in args.batches:
        with batch.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec["id"] in seen:
                    problems.append(f"{batch}:{line_no}: duplicate id {rec['id']}")
                seen.add(rec["id"])
                problems += [str(p) for p in validate_record(rec, str(batch), line_no)]
                records.append(rec)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    parts = make_splits(records, seed=args.seed)
    report = remove_near_duplicates(parts, threshold=args.threshold)
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict = {"seed": args.seed, "threshold": report.threshold}
    for split in SPLITS:
        write_split(args.out / f"{split}.jsonl", parts[split], summary)
    summary |= {"max_similarity_to_train": report.max_similarity,
                "closest_pairs": report.closest_pair, "moved_to_train": report.moved_to_train}
    (args.out / "splits.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
