"""Turn an author's draft batch into labelled records: compute every span's character offsets.

    python corpora/tools/fill_offsets.py DRAFT.jsonl -o BATCH.jsonl

Authors write the document text and, for every span label (targets, key dates, dual-use
evidence), the exact words of the span instead of offsets:

* targets and key dates: ``"text"`` as it stands in the document, optionally ``"occurrence"``
  (1-based; default 1) where the same words occur more than once;
* dual-use evidence: ``{"text": "...", "occurrence": n}`` in place of ``{"start", "end"}``.

The script only locates the words (it never changes a label) and then runs the corpus
validator on each record; a record with problems is reported with every problem and is not
written, so a batch is either clean or visibly incomplete. Exit status 1 when any record failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from policynlp.corpus.validate import validate_record


def locate(text: str, span: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th appearance of ``span`` in ``text``.

    Example:
        >>> locate("到2025年达到50%，到2030年达到50%", "达到50%", 2)
        (18, 23)
    """
    if not span:
        raise ValueError("empty span text")
    start = -1
    for _ in range(max(occurrence, 1)):
        start = text.find(span, start + 1)
        if start < 0:
            found = text.count(span)
            raise ValueError(f"span {span!r} occurs {found} time(s), "
                             f"occurrence {occurrence} requested")
    return start, start + len(span)


def fill(rec: dict[str, Any]) -> list[str]:
    """Add ``start``/``end`` to every span label of ``rec`` in place; return what failed."""
    text, problems = rec.get("text", ""), []
    for field in ("targets", "key_dates"):
        for i, item in enumerate(rec.get(field) or []):
            try:
                item["start"], item["end"] = locate(text, item.get("text", ""),
                                                    int(item.pop("occurrence", 1)))
            except ValueError as exc:
                problems.append(f"{field}[{i}]: {exc}")
    evidence = (rec.get("dual_use") or {}).get("evidence") or []
    for i, ev in enumerate(evidence):
        if "text" in ev:
            try:
                start, end = locate(text, ev["text"], int(ev.get("occurrence", 1)))
            except ValueError as exc:
                problems.append(f"dual_use.evidence[{i}]: {exc}")
                continue
            evidence[i] = {"start": start, "end": end}
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("draft", type=Path)
    ap.add_argument("-o", "--out", type=Path, required=True)
    args = ap.parse_args()
    good, bad = [], 0
    with args.draft.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{args.draft}:{line_no}: not JSON ({exc})", file=sys.stderr)
                bad += 1
                continue
            problems = fill(rec)
            if not problems:
                problems = [p.message for p in validate_record(rec, str(args.draft), line_no)]
            if problems:
                bad += 1
                for p in problems:
                    print(f"{args.draft}:{line_no} ({rec.get('id')}): {p}", file=sys.stderr)
                continue
            good.append(rec)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in good)
    print(f"{len(good)} records written to {args.out}, {bad} with problems", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
