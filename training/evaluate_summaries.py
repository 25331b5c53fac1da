"""Score the default summariser against the corpus' reference summaries, beside lead-3.

    python training/evaluate_summaries.py [--split dev|test] [--json out.json]

Drafts are made from the text alone, the way ``policynlp analyze`` makes them: targets and key
dates from the extractor, sentences from the shipped scorer. Reported per language and overall:
ROUGE-1/2/L, numeric faithfulness, target coverage, issuing-body accuracy, and glossary coverage
of the titles and target metrics of the Chinese documents. Tune on dev; report on test.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from policynlp.evaluate.summaries import lead_sentences, score_summaries  # noqa: E402
from policynlp.extract import extract_targets, find_key_dates  # noqa: E402
from policynlp.summarize.composer import _metric_en, _subject, compose, issuing_bodies  # noqa: E402
from policynlp.summarize.glossary import Glossary  # noqa: E402


def glossary_coverage(records: list[dict], glossary: Glossary) -> dict[str, float]:
    """Share of Han characters rendered in the titles and extracted target metrics (zh)."""
    out = {}
    all_done = all_total = 0
    for part in ("title", "metric"):
        done = total = 0
        for rec in records:
            if rec["lang"] != "zh":
                continue
            if part == "title":
                subject, _ = _subject(rec["title"], issuing_bodies(rec["text"], "zh", rec["title"]))
                texts = [subject]
            else:
                texts = []
                for t in extract_targets(rec["text"], "zh", rec.get("date")):
                    m = _metric_en(t, "zh", Glossary([]))  # the cleaned Chinese metric
                    if m:
                        texts.append(m.strip("[]"))
            for text in texts:
                r = glossary.render(text)
                han = len(re.findall(r"[\u4e00-\u9fff]", text))
                total += han
                done += round(r.coverage * han)
        out[part] = round(done / total, 4) if total else 1.0
        all_done, all_total = all_done + done, all_total + total
    out["title_and_metric"] = round(all_done / all_total, 4) if all_total else 1.0
    out["han_characters"] = all_total
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=("dev", "test"))
    ap.add_argument("--corpus", type=Path, default=REPO / "corpora" / "briefs")
    ap.add_argument("--max-targets", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    with (args.corpus / f"{args.split}.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    glossary = Glossary.load()
    t0 = time.time()
    drafts = []
    for rec in records:
        text, lang = rec["text"], rec["lang"]
        kwargs = {} if args.max_targets is None else {"max_targets": args.max_targets}
        s = compose(text, lang, title=rec.get("title"),
                    targets=extract_targets(text, lang, rec.get("date")),
                    key_dates=find_key_dates(text, rec.get("date")),
                    glossary=glossary, **kwargs)
        drafts.append(s.at_a_glance)
    seconds = time.time() - t0
    report: dict = {"split": args.split, "documents": len(records),
                    "seconds_per_document": round(seconds / len(records), 3)}
    for lang in ("all", "zh", "en"):
        idx = [i for i, r in enumerate(records) if lang == "all" or r["lang"] == lang]
        refs = [records[i]["summary"]["at_a_glance"] for i in idx]
        srcs = [records[i]["text"] for i in idx]
        langs = [records[i]["lang"] for i in idx]
        leads = [lead_sentences(s, la) for s, la in zip(srcs, langs, strict=True)]
        report[lang] = {
            "default": score_summaries(zip([drafts[i] for i in idx], refs, srcs, strict=True),
                                       langs),
            "lead3": score_summaries(zip(leads, refs, srcs, strict=True), langs),
        }
    report["glossary_coverage_zh"] = glossary_coverage(records, glossary)
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
