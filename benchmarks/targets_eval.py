"""Target extraction on the development sets: P/R/F1, deadline accuracy and speed.

Chinese: the main-targets (and some review) paragraphs of the Government Work Reports,
labelled in ``corpora/gwr_targets.jsonl`` by report id and offsets; the report texts come
from ``../shared/data/gwr``. English: ``corpora/dev/en_targets.jsonl`` (full records).

A predicted target matches a gold one when value, value_high, comparator and unit class
agree (SPEC section 7); deadline accuracy is over matched pairs. Speed is extraction alone
over every report text, one process (one core), best of three runs, in MB of UTF-8 per second.
The rules alone (without the sentence classifier) are scored beside the full extractor.

    python benchmarks/targets_eval.py [--errors 20] [--json metrics.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from policynlp.data import Target
from policynlp.evaluate.targets import TargetScores, score_targets
from policynlp.extract import extract_targets

REPO = Path(__file__).resolve().parents[1]
GWR = REPO.parent / "shared" / "data" / "gwr" / "government_work_reports_1954_2013.jsonl"


def _gold_target(d: dict, text: str) -> Target:
    d = dict(d)
    d.setdefault("text", text[d["start"]:d["end"]])
    d.setdefault("comparator", "exact")
    return Target.from_dict(d)


def eval_gwr(labels: Path, gwr: Path, classifier: object = "default") -> tuple[TargetScores, int]:
    reports = {json.loads(line)["id"]: json.loads(line) for line in gwr.open(encoding="utf-8")}
    pairs, ids, chars = [], [], 0
    for line in labels.open(encoding="utf-8"):
        rec = json.loads(line)
        text = reports[rec["id"]]["text"]
        date = rec.get("date") or f"{reports[rec['id']]['year']}-03-05"
        predicted = extract_targets(text, "zh", date, classifier=classifier)  # type: ignore[arg-type]
        for seg in rec["segments"]:
            s, e = seg["start"], seg["end"]
            chars += e - s
            gold = [_gold_target(t, text) for t in rec["targets"] if s <= t["start"] < e]
            pred = [t for t in predicted if s <= t.start < e]
            pairs.append((gold, pred))
            ids.append(f"{rec['id']}:{s}-{e}")
    return score_targets(pairs, ids), chars


def eval_records(path: Path, classifier: object = "default") -> TargetScores:
    pairs, ids = [], []
    for line in path.open(encoding="utf-8"):
        rec = json.loads(line)
        gold = [_gold_target(t, rec["text"]) for t in rec.get("targets", [])]
        pred = extract_targets(rec["text"], rec.get("lang", "en"), rec.get("date"),
                               classifier=classifier)  # type: ignore[arg-type]
        pairs.append((gold, pred))
        ids.append(rec["id"])
    return score_targets(pairs, ids)


def speed(gwr: Path) -> dict[str, float]:
    texts = [(json.loads(line)["text"], f"{json.loads(line)['year']}-03-05")
             for line in gwr.open(encoding="utf-8")]
    size = sum(len(t.encode("utf-8")) for t, _ in texts)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for text, date in texts:
            extract_targets(text, "zh", date)
        best = min(best, time.perf_counter() - t0)
    return {"mb": round(size / 1e6, 3), "seconds": round(best, 3),
            "mb_per_s_per_core": round(size / 1e6 / best, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gwr-labels", type=Path, default=REPO / "corpora" / "gwr_targets.jsonl")
    ap.add_argument("--en", type=Path, default=REPO / "corpora" / "dev" / "en_targets.jsonl")
    ap.add_argument("--gwr", type=Path, default=GWR)
    ap.add_argument("--errors", type=int, default=0, help="print this many errors per language")
    ap.add_argument("--json", type=Path, help="write the metrics here")
    args = ap.parse_args()
    out: dict[str, object] = {}
    if not args.gwr.is_file():
        print(f"shared data not found at {args.gwr}: skipping the Chinese set and speed",
              file=sys.stderr)
    else:
        zh, chars = eval_gwr(args.gwr_labels, args.gwr)
        out["zh"] = {**zh.to_dict(), "segment_chars": chars}
        out["zh_rules_alone"] = eval_gwr(args.gwr_labels, args.gwr, None)[0].to_dict()
        out["speed"] = speed(args.gwr)
        _show("zh", zh, args.errors)
    en = eval_records(args.en)
    out["en"] = en.to_dict()
    out["en_rules_alone"] = eval_records(args.en, None).to_dict()
    _show("en", en, args.errors)
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


def _show(lang: str, s: TargetScores, n: int) -> None:
    for err in s.errors[:n]:
        print(lang, json.dumps(err, ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
