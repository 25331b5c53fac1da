"""The batch scoring engine (SPEC section 8): many documents through the classifier, fast.

Three stages, as in transformers' pipelines:

1. **Preprocess (CPU, background thread).** Documents are read in chunks, checked (bad records
   become error records), tokenized with the fast tokenizer in one call per chunk, cut into
   windows, sorted by length and packed into batches by a token budget, and padded (into pinned
   memory on CUDA). A thread does this for the next chunks while the device works on the
   current one; the Rust tokenizer releases the GIL, so the two overlap.
2. **Forward (device, hot path).** One encoder pass per window under
   ``torch.inference_mode()``, with bf16 autocast on CUDA (fp32 on CPU), non-blocking copies
   from pinned memory; an out-of-memory error splits the batch in two and retries.
3. **Postprocess (CPU).** Window vectors are averaged per document on the device, the heads and
   calibration give the scores, and the results leave in input order, one chunk at a time, so
   memory stays bounded however long the input is.

Usage (with the shipped model)::

    from policynlp.engine import ScoringEngine

    engine = ScoringEngine.from_model_path(None, device="cuda")
    for analysis in engine.score(records):   # texts, dicts with "text", or Documents
        print(analysis.id, analysis.risk.level, [s.label for s in analysis.sectors])
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import torch

from policynlp.classify.component import fill_classification
from policynlp.classify.model import DocumentClassifier
from policynlp.data import Analysis, Document, ModelInfo
from policynlp.engine.batching import PaddedBatch, pack_by_tokens, pad_batch
from policynlp.errors import DeviceMemoryError, ModelFilesError, PolicyNLPError
from policynlp.io.records import BadRecord
from policynlp.pipeline import (
    DEFAULT_MAX_CHARS,
    PipeInput,
    check_document,
    error_analysis,
    to_item,
)

Task = Literal["sectors", "risk", "dual_use", "targets"]
ALL_TASKS: tuple[Task, ...] = ("sectors", "risk", "dual_use", "targets")
CLASSIFIER_TASKS = frozenset({"sectors", "risk", "dual_use"})
DType = Literal["auto", "fp32", "bf16", "fp16"]


@dataclass
class EngineStats:
    """Running totals of a scoring job (what the CLI prints at the end)."""

    documents: int = 0
    errors: int = 0
    windows: int = 0
    real_tokens: int = 0
    padded_tokens: int = 0
    batches: int = 0
    oom_splits: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def padding_efficiency(self) -> float:
        return self.real_tokens / self.padded_tokens if self.padded_tokens else 1.0


@dataclass
class _Chunk:
    """One chunk of input, preprocessed: analyses in input order and the batches to run."""

    analyses: list[Analysis]
    docs: list[tuple[int, Document]]         # (position in analyses, checked document)
    window_doc: list[int]                    # for every window, its index into ``docs``
    batches: list[PaddedBatch]


class ScoringEngine:
    """Score documents with a :class:`DocumentClassifier`, batched by tokens, in input order.

    Args:
        model: the classifier (its encoder, heads, calibration and thresholds).
        device: ``auto`` (CUDA when available), ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        batch_tokens: the most padded tokens in one forward pass (default: 2,048 on a CPU,
            where small batches run fastest, 32,768 on a GPU).
        max_length: tokens per window (default: the model's).
        stride: step between window starts (default: the model's).
        tasks: which fields to fill: ``sectors``, ``risk``, ``dual_use``, ``targets``.
        dtype: ``auto`` is bf16 autocast on CUDA (fp16 where bf16 is unsupported), fp32 else.
        compile: wrap the encoder in ``torch.compile`` (CUDA; first batches are slow).
        chunk_docs: documents preprocessed and scored together (bounds memory).
        chunk_chars: characters per chunk, whichever limit comes first.
        prefetch: chunks prepared ahead by the background thread.
        max_chars: longest text accepted (``E106`` beyond).
        default_lang: language of records without one (skips detection).
        model_info: name and version for the ``model`` field of every output record (its
            components are set from ``tasks``).
    """

    def __init__(self, model: DocumentClassifier, *, device: str = "auto",
                 batch_tokens: int | None = None, max_length: int | None = None,
                 stride: int | None = None, tasks: Sequence[str] = ("sectors", "risk", "dual_use"),
                 dtype: DType = "auto", compile: bool = False, chunk_docs: int = 512,
                 chunk_chars: int = 4_000_000, prefetch: int = 2,
                 max_chars: int = DEFAULT_MAX_CHARS, default_lang: str | None = None,
                 model_info: ModelInfo | None = None) -> None:
        from policynlp.models import resolve_device

        unknown = sorted(set(tasks) - set(ALL_TASKS))
        if unknown:
            raise ValueError(f"unknown task(s) {', '.join(unknown)}; choose from "
                             f"{', '.join(ALL_TASKS)}")
        if dtype not in ("auto", "fp32", "bf16", "fp16"):
            raise ValueError(f"unknown dtype {dtype!r}; choose auto, fp32, bf16 or fp16")
        if chunk_docs < 1 or (batch_tokens is not None and batch_tokens < 1):
            raise ValueError("chunk_docs and batch_tokens must be positive")
        self.tasks = tuple(tasks)
        self.device = torch.device(resolve_device(device))
        self.model = model.to(self.device).eval()
        if max_length is not None:
            self.model.settings.max_length = max_length
        if stride is not None:
            self.model.settings.stride = stride
        self.batch_tokens = batch_tokens or (2048 if self.device.type == "cpu" else 32768)
        self.chunk_docs, self.chunk_chars, self.prefetch = chunk_docs, chunk_chars, prefetch
        self.max_chars, self.default_lang = max_chars, default_lang
        self.use_encoder = bool(CLASSIFIER_TASKS & set(self.tasks))
        self.model_info = None if model_info is None else ModelInfo(
            model_info.name, model_info.version,
            ["language"] + ["targets"] * ("targets" in self.tasks)
            + ["classifier"] * self.use_encoder)
        self.autocast_dtype = _autocast_dtype(self.device, dtype)
        self.pin = self.device.type == "cuda"
        self._encoder: Any = self.model.encoder
        if compile:
            self._encoder = torch.compile(self.model.encoder, dynamic=True)
        self._targets: Any = None
        if "targets" in self.tasks:
            from policynlp.extract import TargetExtractor

            self._targets = TargetExtractor()
        self.stats = EngineStats()

    @classmethod
    def from_model_path(cls, path: str | Path | None = None, **kwargs: Any) -> ScoringEngine:
        """An engine over a model folder (``None``: the shipped default model)."""
        from policynlp.classify.component import load_component
        from policynlp.models import default_model_path, load_model_config

        folder = Path(path) if path is not None else default_model_path()
        if folder is None:
            raise PolicyNLPError("no model to score with: the default model is disabled "
                                 "(POLICYNLP_MODEL=none)", hint="Pass --model PATH.")
        cfg = load_model_config(folder)
        if "classifier" not in cfg.components:
            raise ModelFilesError(f"the model folder {folder} has no classifier to score with",
                                  path=str(folder))
        component = load_component(cfg, "cpu")
        return cls(component.model, model_info=ModelInfo(cfg.name, cfg.version), **kwargs)

    # -- public API ------------------------------------------------------------------------
    def score(self, items: Iterable[PipeInput]) -> Iterator[Analysis]:
        """Score ``items`` (texts, mappings, Documents or BadRecords) and yield one analysis per
        item, in input order; a bad item yields an error analysis in its place."""
        self.stats = EngineStats()
        chunks = self._chunks(iter(items))
        for chunk in _prefetched(map(self._preprocess, chunks), self.prefetch):
            yield from self._postprocess(chunk, *self._run_chunk(chunk))

    # -- stage 1: CPU ----------------------------------------------------------------------
    def _chunks(self, items: Iterator[PipeInput]) -> Iterator[list[tuple[int, PipeInput]]]:
        position = 1  # ids of records without one are 1-based, as in Pipeline.pipe
        while True:
            chunk: list[tuple[int, PipeInput]] = []
            chars = 0
            for item in islice(items, self.chunk_docs):
                chunk.append((position, item))
                position += 1
                chars += _text_length(item)
                if chars >= self.chunk_chars:
                    break
            if not chunk:
                return
            yield chunk

    def _preprocess(self, chunk: list[tuple[int, PipeInput]]) -> _Chunk:
        analyses: list[Analysis] = []
        docs: list[tuple[int, Document]] = []
        for position, item in chunk:
            doc = to_item(item, position)
            try:
                if isinstance(doc, BadRecord):
                    raise doc.error
                lang = check_document(doc, max_chars=self.max_chars,
                                      default_lang=self.default_lang)
            except PolicyNLPError as err:
                analyses.append(error_analysis(doc.id, err))
                continue
            a = Analysis.empty(doc.id, lang)
            a.model = self.model_info
            if self._targets is not None:
                try:
                    self._targets.process([doc], [a])
                except PolicyNLPError as err:
                    analyses.append(error_analysis(doc.id, err))
                    continue
            analyses.append(a)
            docs.append((len(analyses) - 1, doc))
        window_doc: list[int] = []
        batches: list[PaddedBatch] = []
        if self.use_encoder and docs:
            wins = self.model.windows([d.text for _, d in docs])
            window_doc = [d for d, _ in wins]
            ids = [w for _, w in wins]
            batches = [pad_batch(ids, b, self.model.pad_id(), pin_memory=self.pin)
                       for b in pack_by_tokens([len(w) for w in ids], self.batch_tokens)]
        return _Chunk(analyses, docs, window_doc, batches)

    # -- stage 2: device -------------------------------------------------------------------
    def _forward(self, batch: PaddedBatch) -> torch.Tensor:
        """Window vectors of one padded batch (the hot path: tensors only)."""
        ids = batch.input_ids.to(self.device, non_blocking=self.pin)
        mask = batch.attention_mask.to(self.device, non_blocking=self.pin)
        autocast = (torch.autocast(self.device.type, dtype=self.autocast_dtype)
                    if self.autocast_dtype is not None else nullcontext())
        with torch.inference_mode(), autocast:
            hidden = self._encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            return self.model.window_features(hidden, mask).float()

    def _run(self, batch: PaddedBatch, failed: dict[int, str]) -> torch.Tensor:
        """:meth:`_forward`, splitting the batch in two after an out-of-memory error.

        A window that does not fit even alone is recorded in ``failed`` (window index →
        reason) and gets a zero vector; its document becomes an ``E501`` error record.
        """
        try:
            return self._forward(batch)
        except torch.OutOfMemoryError:
            if self.device.type == "cuda":
                torch.cuda.empty_cache()
            if len(batch.index) == 1:
                failed[batch.index[0]] = (f"a window of {batch.real_tokens} tokens does not "
                                          f"fit in {self.device} memory")
                return torch.zeros((1, self.model.feature_width()), device=self.device)
            self.stats.oom_splits += 1
            first, second = batch.split()
            return torch.cat([self._run(first, failed), self._run(second, failed)])

    def _run_chunk(self, chunk: _Chunk) -> tuple[dict[int, torch.Tensor], dict[int, str]]:
        """Document vectors (window vectors averaged per document) by index into ``docs``, and
        why the documents with a window too large for the device could not be scored."""
        if not chunk.batches:
            return {}, {}
        n_windows = len(chunk.window_doc)
        vectors = torch.zeros((n_windows, self.model.feature_width()), device=self.device)
        failed_windows: dict[int, str] = {}
        for batch in chunk.batches:
            out = self._run(batch, failed_windows)
            vectors.index_copy_(0, torch.as_tensor(batch.index, device=self.device), out)
            self.stats.batches += 1
            self.stats.real_tokens += batch.real_tokens
            self.stats.padded_tokens += batch.padded_tokens
        self.stats.windows += n_windows
        n_docs = len(chunk.docs)
        pooled = self.model.pool(vectors, chunk.window_doc, n_docs)
        failed = {chunk.window_doc[w]: why for w, why in failed_windows.items()}
        return {d: pooled[d] for d in range(n_docs) if d not in failed}, failed

    # -- stage 3: CPU ----------------------------------------------------------------------
    def _postprocess(self, chunk: _Chunk, pooled: dict[int, torch.Tensor],
                     failed: dict[int, str]) -> Iterator[Analysis]:
        if self.use_encoder and pooled:
            keep = sorted(pooled)
            with torch.inference_mode():
                logits = self.model.heads(torch.stack([pooled[d] for d in keep]))
            scores = self.model.settings.calibrated(self.model.fuse(
                {k: v.float().cpu().numpy() for k, v in logits.items()},
                [chunk.docs[d][1].text for d in keep]))
            decided = scores.decide(self.model.thresholds)
            for row, d in enumerate(keep):
                position, _ = chunk.docs[d]
                fill_classification(chunk.analyses[position], self.model.space, scores,
                                    decided, row, self.tasks)
        for d, why in failed.items():
            position, doc = chunk.docs[d]
            chunk.analyses[position] = error_analysis(doc.id, DeviceMemoryError(why))
        for a in chunk.analyses:
            self.stats.documents += 1
            self.stats.errors += a.error is not None
            yield a


def _autocast_dtype(device: torch.device, dtype: DType) -> torch.dtype | None:
    if dtype == "fp32" or (dtype == "auto" and device.type != "cuda"):
        return None
    if dtype == "fp16":
        return torch.float16
    if dtype == "bf16" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float16


def _text_length(item: PipeInput) -> int:
    """Characters of an input's text, as far as can be told before it is checked."""
    if isinstance(item, str):
        return len(item)
    if isinstance(item, Document):
        return len(item.text)
    text = item.get("text") if isinstance(item, dict) else None
    return len(text) if isinstance(text, str) else 0


def _prefetched(chunks: Iterator[_Chunk], depth: int) -> Iterator[_Chunk]:
    """Run ``chunks`` (the preprocessing) in a background thread, ``depth`` chunks ahead."""
    if depth <= 0:
        yield from chunks
        return
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for c in chunks:
                while not stop.is_set():
                    try:
                        q.put(("chunk", c), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("done", None))
        except BaseException as err:  # re-raised in the consumer's thread
            q.put(("error", err))

    thread = threading.Thread(target=work, name="policynlp-preprocess", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


__all__ = ["ALL_TASKS", "EngineStats", "ScoringEngine"]
