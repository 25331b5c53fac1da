"""Fine-tune any Hugging Face seq2seq model (mT5, mBART, …) on the corpus' document→summary pairs.

    python training/train_seq2seq.py --model PATH_OR_NAME --out models/my-summariser \\
        [--epochs 3] [--device cuda]

Inputs are what :class:`policynlp.summarize.generators.Seq2SeqGenerator` feeds the model at run
time (the extracted targets rendered as bullets, then the document), outputs the reference "At a
glance" paragraphs. Training uses the train split, model selection the dev split (ROUGE-L of
greedy drafts after the faithfulness filter); the test split is never read. The folder written is
a plain Hugging Face model folder plus ``seq2seq_metrics.json`` (dev figures beside lead-3): use
it with ``policynlp summarize --generator seq2seq --generator-model FOLDER``.

No seq2seq weights ship with policynlp (the base encoder is an encoder only), so this script
needs a model folder you have; the test suite runs it on a tiny randomly initialised T5.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from policynlp.data import Analysis, Document  # noqa: E402
from policynlp.extract import extract_targets  # noqa: E402
from policynlp.summarize.generators import Seq2SeqGenerator, seq2seq_source  # noqa: E402


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def doc_and_analysis(rec: dict) -> tuple[Document, Analysis]:
    """The document and the extracted targets the generator will see for a labelled record."""
    doc = Document(id=rec["id"], text=rec["text"], lang=rec["lang"], title=rec.get("title"),
                   date=rec.get("date"))
    a = Analysis(id=rec["id"], lang=rec["lang"],
                 targets=extract_targets(rec["text"], rec["lang"], rec.get("date")))
    return doc, a


def pairs(records: list[dict]) -> list[tuple[str, str]]:
    """(model input, reference summary) for every record with a reference."""
    out = []
    for rec in records:
        ref = (rec.get("summary") or {}).get("at_a_glance")
        if ref:
            out.append((seq2seq_source(*doc_and_analysis(rec)), ref))
    return out


def evaluate(model: Any, tokenizer: Any, records: list[dict], device: str) -> dict[str, Any]:
    """Greedy drafts on ``records`` through the faithfulness filter, scored beside lead-3."""
    from policynlp.evaluate.summaries import lead_sentences, score_summaries
    from policynlp.summarize.generators import SummaryComponent

    gen = Seq2SeqGenerator(model, tokenizer, device=device, batch_size=8)
    comp = SummaryComponent(gen)
    docs, analyses = zip(*(doc_and_analysis(r) for r in records), strict=True)
    comp.process(list(docs), list(analyses))
    refs = [r["summary"]["at_a_glance"] for r in records]
    srcs = [r["text"] for r in records]
    langs = [r["lang"] for r in records]
    drafts = [a.summary.at_a_glance for a in analyses]
    leads = [lead_sentences(s, la) for s, la in zip(srcs, langs, strict=True)]
    return {"seq2seq": score_summaries(zip(drafts, refs, srcs, strict=True), langs),
            "lead3": score_summaries(zip(leads, refs, srcs, strict=True), langs),
            "removed_by_filter": comp.removed}


def train(model_name: str, train_records: list[dict], dev_records: list[dict], out: Path, *,
          epochs: int = 3, lr: float = 3e-4, batch_size: int = 8, max_source_tokens: int = 512,
          max_target_tokens: int = 192, device: str = "cpu", seed: int = 13) -> dict[str, Any]:
    """Fine-tune, keep the epoch with the best dev ROUGE-L, save it to ``out``."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    random.seed(seed)
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(model_name)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_name).to(device)
    data = pairs(train_records)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    history, best = [], -1.0
    for epoch in range(1, epochs + 1):
        model.train()
        random.shuffle(data)
        total = 0.0
        for i in range(0, len(data), batch_size):
            src, tgt = zip(*data[i:i + batch_size], strict=True)
            enc = tokenizer(list(src), padding=True, truncation=True,
                            max_length=max_source_tokens, return_tensors="pt").to(device)
            labels = tokenizer(text_target=list(tgt), padding=True, truncation=True,
                               max_length=max_target_tokens, return_tensors="pt")["input_ids"]
            labels[labels == tokenizer.pad_token_id] = -100
            loss = model(**enc, labels=labels.to(device)).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
            total += loss.item()
        model.eval()
        dev = evaluate(model, tokenizer, dev_records, device)
        rouge_l = dev["seq2seq"]["rouge"]["rougeL"]
        history.append({"epoch": epoch, "loss": round(total, 3), "dev_rougeL": rouge_l})
        print(json.dumps(history[-1]), file=sys.stderr)
        if rouge_l > best:
            best = rouge_l
            model.save_pretrained(out, safe_serialization=True)
            tokenizer.save_pretrained(out)
            best_dev = dev
    metrics = {"base": model_name, "epochs": epochs, "history": history,
               "train_pairs": len(data), "dev": best_dev}
    (out / "seq2seq_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n",
                                              encoding="utf-8")
    return metrics


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="seq2seq model folder or hub name")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, default=REPO / "corpora" / "briefs")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--limit", type=int, help="use only N training records (smoke runs)")
    args = ap.parse_args()
    train_records = _read(args.corpus / "train.jsonl")[:args.limit]
    dev_records = _read(args.corpus / "dev.jsonl")
    metrics = train(args.model, train_records, dev_records, args.out, epochs=args.epochs,
                    lr=args.lr, batch_size=args.batch_size, device=args.device)
    print(json.dumps(metrics["dev"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
