"""Batch scoring: token-budget batches on CPU or GPU, streamed in input order, resumable.

Example:
    >>> from policynlp.engine import pack_by_tokens
    >>> pack_by_tokens([3, 9, 4], batch_tokens=12)
    [[1], [2, 0]]
"""

from policynlp.engine.batching import PaddedBatch, pack_by_tokens, pad_batch, padding_efficiency
from policynlp.engine.engine import ALL_TASKS, EngineStats, ScoringEngine
from policynlp.engine.jobs import completed_output, score_file

__all__ = ["ALL_TASKS", "EngineStats", "PaddedBatch", "ScoringEngine", "completed_output",
           "pack_by_tokens", "score_file",
           "pad_batch", "padding_efficiency"]
