"""Build ``corpora/govcn_labels.jsonl`` from the shared gov.cn listing and our annotations.

    python corpora/tools/build_govcn_labels.py [--annotations NEW.jsonl]

Every row of ``../shared/data/govcn/listing_sample.csv`` with a gov.cn topic gets a record
keyed by URL with the topic and the sectors it maps to (no text is copied). Rows we annotated
ourselves (sectors, risk level and dual use read from title and opening) carry those labels
too: the ones already in ``govcn_labels.jsonl`` are kept, and a new annotations file (one JSON
object per line keyed by URL) adds or replaces some.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policynlp.corpus.govcn import GOVCN_CSV, read_listing
from policynlp.schema import govcn_topic_to_sectors

REPO = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", type=Path, default=REPO / GOVCN_CSV)
    ap.add_argument("--annotations", type=Path, help="new annotations to merge in")
    ap.add_argument("--out", type=Path, default=REPO / "corpora" / "govcn_labels.jsonl")
    args = ap.parse_args()
    if not args.csv.is_file():
        sys.exit(f"shared gov.cn listing not found at {args.csv}")
    rows = read_listing(args.csv)
    own = {}
    if args.out.is_file():  # keep the annotations already made
        with args.out.open(encoding="utf-8") as fh:
            own = {a["url"]: a for a in map(json.loads, fh) if a.get("sectors") is not None}
    if args.annotations:
        with args.annotations.open(encoding="utf-8") as fh:
            own.update({a["url"]: a for a in map(json.loads, fh) if a})
    unknown = sorted(set(own) - set(rows))
    if unknown:
        sys.exit(f"{len(unknown)} annotated URLs are not in the listing, e.g. {unknown[0]}")
    n_own = 0
    with args.out.open("w", encoding="utf-8") as out:
        for url, row in rows.items():
            topic = row["childtype"].strip()
            if not topic:
                continue
            a = own.get(url, {})
            n_own += bool(a)
            mapped = list(govcn_topic_to_sectors(topic))
            rec = {"url": url, "topic": topic, "sectors_mapped": mapped,
                   "sectors": a.get("sectors"), "risk": a.get("risk"),
                   "dual_use": a.get("dual_use"), "annotator": a.get("annotator"),
                   "notes": a.get("notes")}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    n_labelled = sum(1 for r in rows.values() if r["childtype"].strip())
    print(f"wrote {args.out}: {n_labelled} labelled rows, {n_own} with our own annotation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
