"""Add authored batches to the training split of ``corpora/briefs/`` (dev and test stay fixed).

    python corpora/tools/add_train_batch.py BATCH.jsonl [BATCH.jsonl ...] [--name NAME]

Every record is validated first (a batch with problems is refused, naming each problem).
Records whose id is already in the corpus, or whose TF-IDF character 5-gram similarity to a
dev or test document reaches the threshold, are refused and listed. The rest are merged into
``train.jsonl`` (sorted by id) and the supplement is recorded in ``splits.json`` under
``supplements`` with the closest dev/test pairs, so the evaluation splits remain the ones every
earlier figure was measured on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policynlp.corpus.splits import SPLITS, supplement_train
from policynlp.corpus.validate import validate_record

REPO = Path(__file__).resolve().parents[2]


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("batches", type=Path, nargs="+")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpora" / "briefs")
    ap.add_argument("--name", default="supplement", help="name recorded in splits.json")
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    new, problems = [], []
    for batch in args.batches:
        for line_no, rec in enumerate(_read(batch), 1):
            problems += [str(p) for p in validate_record(rec, str(batch), line_no)]
            new.append(rec)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    parts = {s: _read(args.corpus / f"{s}.jsonl") for s in SPLITS}
    report = supplement_train(parts, new, threshold=args.threshold)
    rows = sorted(parts["train"], key=lambda r: r["id"])
    with (args.corpus / "train.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    summary_path = args.corpus / "splits.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["sizes"]["train"] = len(rows)
    summary["sizes_by_lang"]["train"] = {lang: sum(r["lang"] == lang for r in rows)
                                         for lang in ("zh", "en")}
    summary.setdefault("supplements", []).append({
        "name": args.name, "added": len(report.added),
        "added_by_lang": {lang: sum(r["lang"] == lang for r in new if r["id"] in report.added)
                          for lang in ("zh", "en")},
        "refused": report.refused, "threshold": args.threshold,
        "max_similarity_to_dev_test": report.max_similarity,
        "closest_pairs": report.closest_pair,
    })
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    print(json.dumps(summary["supplements"][-1], indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
