"""Move training documents that cover the same measure as a held-out document out of train.

    python corpora/tools/set_aside.py TWINS.json [--name NAME]

TWINS.json maps a training document id to the dev/test ids of the documents about the same
measure (the same law, notice, decision or event, written independently, so that the
character-level near-duplicate check does not catch them). Each listed training document moves
from ``train.jsonl`` to ``set_aside.jsonl``: it stays in the corpus, validated and counted, but
no split holds it, so no model learns the answer to a held-out document's measure. The pairs
and the reason are recorded in ``splits.json`` under ``set_aside``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policynlp.corpus.splits import read_records, write_split

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("twins", type=Path)
    ap.add_argument("--corpus", type=Path, default=REPO / "corpora" / "briefs")
    ap.add_argument("--name", default="same measure as a held-out document")
    args = ap.parse_args()
    twins: dict[str, list[str]] = json.loads(args.twins.read_text(encoding="utf-8"))
    train = read_records(args.corpus / "train.jsonl")
    held = {r["id"] for s in ("dev", "test") for r in read_records(args.corpus / f"{s}.jsonl")}
    problems = [f"{k}: not in train" for k in twins if k not in {r["id"] for r in train}]
    problems += [f"{k}: twin {v} not in dev or test" for k, vs in twins.items() for v in vs
                 if v not in held]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    moved = [r for r in train if r["id"] in twins]
    kept = [r for r in train if r["id"] not in twins]
    summary_path = args.corpus / "splits.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    write_split(args.corpus / "train.jsonl", kept, summary)
    write_split(args.corpus / "set_aside.jsonl",
                read_records(args.corpus / "set_aside.jsonl") + moved)
    summary.setdefault("set_aside", []).append({"name": args.name, "twins": twins})
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    print(f"{len(moved)} training documents set aside", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
