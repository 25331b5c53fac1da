"""Print the count tables of the corpus datasheet (corpora/README.md) as Markdown.

    python corpora/tools/datasheet_tables.py [--second /path/to/second_pass.jsonl]

With ``--second`` (a blind second labelling of a sample, keyed by id) it also prints the
agreement table: Cohen's kappa for risk, dual use and sectors, the second pass's F1 against the
first, and the target exact-match rate.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from policynlp.corpus.agreement import agreement
from policynlp.corpus.govcn import load_govcn
from policynlp.corpus.stats import coverage
from policynlp.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
BRIEFS = REPO / "corpora" / "briefs"


def _read(split: str) -> list[dict]:
    path = BRIEFS / f"{split}.jsonl"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--second", type=Path)
    args = ap.parse_args()
    splits = {s: _read(s) for s in ("train", "dev", "test", "set_aside")}
    records = [r for rs in splits.values() for r in rs]
    schema = load_schema()
    by_lang = {lang: [r for r in records if r["lang"] == lang] for lang in ("zh", "en")}
    cov = {lang: coverage(rs) for lang, rs in by_lang.items()}
    total = coverage(records)

    print("| | zh | en | all |\n|---|---:|---:|---:|")
    for key, label in (("documents", "documents"), ("targets", "targets"),
                       ("key_dates", "key dates"), ("dual_use", "dual-use positive")):
        print(f"| {label} | {cov['zh'].counts.get(key, 0)} | {cov['en'].counts.get(key, 0)} | "
              f"{total.counts.get(key, 0)} |")
    for level in schema.risk_level_ids:
        print(f"| risk {level} | {cov['zh'].risk_levels[level]} | {cov['en'].risk_levels[level]} | "
              f"{total.risk_levels[level]} |")
    print("\n| sector | zh | en | all |\n|---|---:|---:|---:|")
    for s in schema.sector_ids:
        print(f"| {s} | {cov['zh'].sectors[s]} | {cov['en'].sectors[s]} | {total.sectors[s]} |")
    print("\n| risk channel | zh | en | all |\n|---|---:|---:|---:|")
    for c in schema.risk_channel_ids:
        print(f"| {c} | {cov['zh'].channels[c]} | {cov['en'].channels[c]} | {total.channels[c]} |")
    kinds = Counter(r.get("doc_type") or "?" for r in records)
    print("\ndocument types: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    units = Counter(t["unit"] for r in records for t in r["targets"])
    print("target units: " + ", ".join(f"{k} {v}" for k, v in units.most_common()))
    comps = Counter(t["comparator"] for r in records for t in r["targets"])
    print("comparators: " + ", ".join(f"{k} {v}" for k, v in comps.most_common()))
    print("\n| split | zh | en | all |\n|---|---:|---:|---:|")
    for s, rs in splits.items():
        if not rs:
            continue
        print(f"| {s} | {sum(r['lang'] == 'zh' for r in rs)} | {sum(r['lang'] == 'en' for r in rs)}"
              f" | {len(rs)} |")

    govcn = load_govcn(REPO / "corpora" / "govcn_labels.jsonl")
    if govcn:
        own = load_govcn(REPO / "corpora" / "govcn_labels.jsonl", own_only=True)
        with (REPO / "corpora" / "govcn_labels.jsonl").open(encoding="utf-8") as fh:
            mapped = {r["url"]: r["sectors_mapped"] for r in map(json.loads, fh)}
        ours = [{"id": r["id"], "sectors": r["sectors"], "risk": r["risk"],
                 "dual_use": r["dual_use"], "targets": []} for r in own]
        theirs = [{**r, "sectors": mapped[r["id"]]} for r in ours]
        agree = agreement(ours, theirs)
        levels = Counter(r["risk"]["level"] for r in own)
        print(f"\ngov.cn: {len(govcn)} rows with mapped sectors; {len(own)} annotated by us "
              f"(risk {dict(levels)}, dual use {sum(r['dual_use']['relevant'] for r in own)}); "
              f"sector kappa ours vs gov.cn mapping (mean over sectors) "
              f"{agree['sector_kappa_mean']}")
    if args.second:
        with args.second.open(encoding="utf-8") as fh:
            second = [json.loads(line) for line in fh]
        first = [r for r in records if r["id"] in {s["id"] for s in second}]
        a = agreement(first, second)
        print("\n| measure | value |\n|---|---:|")
        print(f"| documents in the sample | {a['documents']} |")
        print(f"| risk level, Cohen's kappa | {a['risk_kappa']} |")
        print(f"| dual use, Cohen's kappa | {a['dual_use_kappa']} |")
        print(f"| sectors, Cohen's kappa (mean over {len(a['sector_kappa'])} sectors) | "
              f"{a['sector_kappa_mean']} |")
        f1 = a["f1_second_against_first"]
        print("| second pass scored against the first as gold: sectors micro-F1 / risk "
              f"macro-F1 / channels micro-F1 / dual-use F1 | {f1['sectors_micro_f1']} / "
              f"{f1['risk_macro_f1']} / {f1['channels_micro_f1']} / {f1['dual_use_f1']} |")
        print(f"| targets, exact-match rate (first annotator's {a['targets_first']} targets; "
              f"second found {a['targets_second']}) | {a['target_exact_match']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
