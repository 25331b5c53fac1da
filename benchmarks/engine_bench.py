"""Throughput of the scoring engine against the naive Hugging Face loop, in one process.

Both score the same documents with the same model and must give the same scores:

- **naive**: what a ``transformers`` pipeline does — documents in input order, a fixed batch
  of 8, each batch tokenized when it is reached (no overlap with the model), its windows
  (the model's fixed chunks) padded to the longest of the batch, under ``inference_mode``.
- **engine**: :class:`policynlp.engine.ScoringEngine` — tokenization in a background thread,
  windows sorted by length and packed by a token budget, results restored to input order.

The document mix is realistic: long Chinese plans (Government Work Reports from
``../shared/data/gwr``), medium documents (the corpus' dev and test briefs) and short news
lines (gov.cn listing titles from ``../shared/data/govcn``), shuffled together. Reported per
method: documents/s, real (non-pad) tokens/s, padding efficiency, peak memory (resident set
growth on CPU, allocated device memory on CUDA) and the largest score difference from naive.

``--gpu`` adds bf16 autocast (SDPA attention) and ``torch.compile`` variants of the engine and
model FLOP utilisation (MFU = achieved FLOP/s ÷ the bf16 matrix-multiply rate measured in the
same run; FLOPs per token ≈ 2 × non-embedding parameters + 4 × layers × hidden × sequence
length), on the default model and on a randomly initialised xlm-roberta-large-shaped encoder.

    python benchmarks/engine_bench.py [--long 3 --medium 120 --short 300] [--gpu] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from policynlp.classify.model import DocumentClassifier, pad_windows
from policynlp.engine import ScoringEngine

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


# -- documents --------------------------------------------------------------------------------
def realistic_mix(n_long: int, n_medium: int, n_short: int, seed: int = 0) -> list[str]:
    """Long GWR plans, medium corpus briefs and short gov.cn titles, shuffled together."""
    gwr = SHARED / "gwr" / "government_work_reports_1954_2013.jsonl"
    listing = SHARED / "govcn" / "listing_sample.csv"
    if not gwr.is_file() or not listing.is_file():
        sys.exit(f"the shared data is needed for the realistic mix ({gwr.parent.parent})")
    reports = [json.loads(line)["text"] for line in gwr.open(encoding="utf-8")]
    long_docs = reports[-n_long:] if n_long else []  # the most recent reports
    briefs = []
    for split in ("dev", "test"):
        with (REPO / "corpora" / "briefs" / f"{split}.jsonl").open(encoding="utf-8") as fh:
            briefs += [json.loads(line)["text"] for line in fh]
    with listing.open(encoding="utf-8") as fh:
        titles = [row["title"] for row in csv.DictReader(fh) if row.get("title")]
    docs = long_docs + briefs[:n_medium] + titles[:n_short]
    random.Random(seed).shuffle(docs)
    return docs


# -- measuring -------------------------------------------------------------------------------
class PeakMemory:
    """Peak resident-set growth (CPU, sampled every 5 ms) or allocated device memory (CUDA)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self._stop = threading.Event()
        self.peak = 0

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats(self.device)
            self._base = torch.cuda.memory_allocated(self.device)
            return self
        self._base = self.rss()

        def sample() -> None:
            while not self._stop.is_set():
                self.peak = max(self.peak, self.rss() - self._base)
                time.sleep(0.005)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            self.peak = torch.cuda.max_memory_allocated(self.device) - self._base
            return
        self._stop.set()
        self._thread.join()


def naive_scores(model: DocumentClassifier, texts: Sequence[str], device: torch.device,
                 batch: int = 8) -> tuple[np.ndarray, dict[str, int]]:
    """The naive loop: input order, 8 documents a batch, their windows 8 at a time, each
    padded to the longest; returns the concatenated probabilities and token counts."""
    counts = {"real": 0, "padded": 0}
    out = []
    with torch.inference_mode():
        for b in range(0, len(texts), batch):
            chunk = texts[b:b + batch]
            wins = model.windows(chunk)  # tokenized here, in the loop
            vecs = []
            for w in range(0, len(wins), batch):
                ids_t, mask = pad_windows([ids for _, ids in wins[w:w + batch]], model.pad_id())
                counts["real"] += int(mask.sum())
                counts["padded"] += mask.numel()
                vecs.append(model.window_vectors(ids_t.to(device), mask.to(device)).float())
            pooled = model.pool(torch.cat(vecs), [d for d, _ in wins], len(chunk))
            logits = model.heads(pooled)
            s = model.settings.calibrated(model.fuse(  # the n-gram branch, if the model has one
                {k: v.float().cpu().numpy() for k, v in logits.items()}, chunk))
            out.append(np.concatenate([s.sectors, s.risk, s.channels, s.dual_use[:, None]], 1))
    return np.concatenate(out), counts


def engine_scores(engine: ScoringEngine, texts: Sequence[str]) -> np.ndarray:
    rows = []
    space = engine.model.space
    for a in engine.score(texts):
        if a.error is not None:
            raise RuntimeError(f"record {a.id}: {a.error.message}")
        rows.append([a.sector_scores[s] for s in space.sectors]  # channels are reported
                    + [a.risk.scores[lv] for lv in space.risk_levels]  # only when decided,
                    + [a.dual_use.score or 0.0])  # so they are not compared
    return np.asarray(rows)


def _comparable(x: np.ndarray, n_sectors: int, n_risk: int, n_channels: int) -> np.ndarray:
    keep = list(range(n_sectors + n_risk)) + [n_sectors + n_risk + n_channels]
    return x[:, keep]


def _timed(fn: Callable[[], Any], device: torch.device) -> tuple[Any, float, int]:
    with PeakMemory(device) as mem:
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        result = fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - t0
    return result, seconds, mem.peak


def matmul_rate(device: torch.device, n: int = 8192, reps: int = 20) -> float:
    """Measured bf16 matrix-multiply FLOP/s (the MFU denominator)."""
    a = torch.randn((n, n), device=device, dtype=torch.bfloat16)
    b = torch.randn((n, n), device=device, dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    torch.cuda.synchronize()
    return 2 * n ** 3 * reps / (time.perf_counter() - t0)


def flops_per_token(model: DocumentClassifier, seq_len: int) -> float:
    cfg = model.encoder.config
    params = sum(p.numel() for n, p in model.encoder.named_parameters() if "embeddings" not in n)
    return 2 * params + 4 * cfg.num_hidden_layers * cfg.hidden_size * seq_len


def large_shaped_model(template: DocumentClassifier) -> DocumentClassifier:
    """A randomly initialised xlm-roberta-large-shaped encoder with the same tokenizer/heads."""
    from transformers import XLMRobertaConfig, XLMRobertaModel

    cfg = XLMRobertaConfig(vocab_size=max(250002, len(template.tokenizer)), hidden_size=1024,
                           num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096,
                           max_position_embeddings=514, type_vocab_size=1,
                           attn_implementation="sdpa")
    torch.manual_seed(0)
    encoder = XLMRobertaModel(cfg, add_pooling_layer=False)
    return DocumentClassifier(encoder, template.tokenizer, template.space, template.settings)


# -- runs -------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    device = torch.device("cuda" if args.gpu else "cpu")
    texts = realistic_mix(args.long, args.medium, args.short)
    base = ScoringEngine.from_model_path(args.model, device=str(device),
                                         batch_tokens=args.batch_tokens)
    model = base.model
    space = model.space
    dims = (len(space.sectors), len(space.risk_levels), len(space.channels))
    results: dict[str, Any] = {
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "torch": torch.__version__, "threads": torch.get_num_threads(),
                    "device": torch.cuda.get_device_name() if args.gpu else "cpu"},
        "documents": len(texts), "characters": sum(map(len, texts)),
        "mix": {"long": args.long, "medium": args.medium, "short": args.short}, "rows": []}

    (naive, counts), secs, peak = _timed(lambda: naive_scores(model, texts, device), device)
    reference = _comparable(naive, *dims)
    results["rows"].append(_row("naive HF loop (fp32, batch 8)", len(texts), secs, peak,
                                counts["real"], counts["padded"], 0.0))

    variants: list[tuple[str, dict[str, Any]]] = [("engine (fp32)", {"dtype": "fp32"})]
    if args.gpu:
        variants += [("engine (bf16 autocast, SDPA)", {"dtype": "bf16"}),
                     ("engine (bf16, torch.compile)", {"dtype": "bf16", "compile": True})]
    for name, kw in variants:
        engine = ScoringEngine(model, device=str(device), batch_tokens=args.batch_tokens, **kw)
        if kw.get("compile"):
            engine_scores(engine, texts[:64])  # compile outside the timed run
        scores, secs, peak = _timed(lambda e=engine: engine_scores(e, texts), device)
        diff = float(np.abs(scores - reference).max())
        st = engine.stats
        results["rows"].append(_row(name, len(texts), secs, peak, st.real_tokens,
                                    st.padded_tokens, diff))
    if args.gpu:
        results["mfu"] = mfu_rows(model, device, args)
    return results


def mfu_rows(model: DocumentClassifier, device: torch.device, args: argparse.Namespace
             ) -> list[dict[str, Any]]:
    """Model FLOP utilisation at full 512-token windows, default and large-shaped encoders."""
    peak = matmul_rate(device)
    rows = []
    for name, m in (("default model", model), ("xlm-roberta-large shape (random)",
                                               large_shaped_model(model))):
        m = m.to(device).eval()
        seq = 512
        n = max(1, (args.batch_tokens or 32768) // seq)
        ids = torch.randint(5, 1000, (n, seq), device=device)
        mask = torch.ones_like(ids)
        for compiled in (False, True):
            enc = torch.compile(m.encoder) if compiled else m.encoder
            with torch.inference_mode(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(3):
                    enc(input_ids=ids, attention_mask=mask)
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                reps = 20
                for _ in range(reps):
                    enc(input_ids=ids, attention_mask=mask)
                torch.cuda.synchronize()
            secs = time.perf_counter() - t0
            tokens = n * seq * reps
            achieved = tokens * flops_per_token(m, seq) / secs
            rows.append({"model": name, "compile": compiled, "batch": n, "seq_len": seq,
                         "tokens_per_s": round(tokens / secs), "tflops": round(achieved / 1e12, 1),
                         "matmul_peak_tflops": round(peak / 1e12, 1),
                         "mfu": round(achieved / peak, 3)})
    return rows


def _row(name: str, docs: int, secs: float, peak: int, real: int, padded: int,
         diff: float) -> dict[str, Any]:
    return {"method": name, "seconds": round(secs, 2), "docs_per_s": round(docs / secs, 2),
            "real_tokens_per_s": round(real / secs), "padding_efficiency":
            round(real / padded, 3) if padded else 1.0, "peak_memory_mb": round(peak / 2**20),
            "max_abs_diff": float(f"{diff:.2e}")}


def _table(results: dict[str, Any]) -> str:
    head = ("| method | docs/s | real tokens/s | padding eff. | peak MB | max diff vs naive | s |\n"
            "|---|---|---|---|---|---|---|")
    lines = [head]
    for r in results["rows"]:
        lines.append(f"| {r['method']} | {r['docs_per_s']} | {r['real_tokens_per_s']:,} | "
                     f"{r['padding_efficiency']} | {r['peak_memory_mb']} | {r['max_abs_diff']} | "
                     f"{r['seconds']} |")
    naive = results["rows"][0]["docs_per_s"]
    lines.append("")
    lines += [f"{r['method']}: {r['docs_per_s'] / naive:.2f}x the naive loop's documents/s"
              for r in results["rows"][1:]]
    for m in results.get("mfu", []):
        lines.append(f"MFU {m['model']} (compile={m['compile']}): {m['mfu']:.1%} "
                     f"({m['tflops']} of {m['matmul_peak_tflops']} TFLOP/s)")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, help="model folder (default: the shipped model)")
    ap.add_argument("--long", type=int, default=3, help="Government Work Reports")
    ap.add_argument("--medium", type=int, default=120, help="corpus briefs")
    ap.add_argument("--short", type=int, default=300, help="gov.cn listing titles")
    ap.add_argument("--batch-tokens", type=int, help="engine token budget (default: the "
                    "engine's, 2048 on CPU and 32768 on GPU)")
    ap.add_argument("--gpu", action="store_true", help="run on CUDA with the GPU variants + MFU")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    results = run(args)
    print(f"{results['documents']} documents, {results['characters']:,} characters, "
          f"{results['machine']['device']}, {results['machine']['threads']} threads")
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
