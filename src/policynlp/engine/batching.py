"""Token-budget batches of windows: sort by length, pack, pad, and measure the padding.

Windows of very different lengths (a 20-token headline, 512-token slices of a plan) waste most
of a fixed-size batch on padding. Sorting windows by length and filling each batch up to a
token budget (``batch size × longest window ≤ batch_tokens``) keeps padding small and the
device's work per batch roughly constant; the caller restores the input order afterwards.

Example:
    >>> batches = pack_by_tokens([5, 100, 7, 98, 6], batch_tokens=200)
    >>> batches
    [[1, 3], [2, 4, 0]]
    >>> round(padding_efficiency([5, 100, 7, 98, 6], batches), 3)
    0.977
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from policynlp.classify.model import pad_windows


def pack_by_tokens(lengths: Sequence[int], batch_tokens: int, *, max_batch: int = 1024,
                   fill: float = 0.8, slack: int = 16) -> list[list[int]]:
    """Group item indices into batches whose padded size stays within ``batch_tokens``.

    Items are taken longest first (an out-of-memory error shows on the first batch, not after
    an hour), so each batch's padded width is its first item's length. A batch is also closed
    before an item that would waste much of its row on padding (shorter than ``fill`` × the
    width and by more than ``slack`` tokens): a 30-token headline does not ride in a batch of
    512-token windows. An item longer than the budget gets a batch of its own.

    Args:
        lengths: tokens of each item.
        batch_tokens: the most padded tokens (rows × width) in one batch.
        max_batch: the most items in one batch, whatever their length.
        fill: the shortest item a batch takes, as a share of its width ...
        slack: ... unless it is at most this many tokens shorter.

    Returns:
        Lists of indices into ``lengths``; every index appears exactly once.
    """
    if batch_tokens < 1:
        raise ValueError(f"batch_tokens must be positive, not {batch_tokens}")
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    width = 0
    for i in order:
        wasteful = lengths[i] < fill * width and width - lengths[i] > slack
        if current and ((len(current) + 1) * width > batch_tokens or len(current) >= max_batch
                        or wasteful):
            batches.append(current)
            current = []
        if not current:
            width = max(1, lengths[i])
        current.append(i)
    if current:
        batches.append(current)
    return batches


def padding_efficiency(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> float:
    """Real tokens ÷ padded tokens over ``batches`` (1.0 means no padding at all)."""
    real = sum(lengths[i] for b in batches for i in b)
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches if b)
    return real / padded if padded else 1.0


@dataclass
class PaddedBatch:
    """A batch of windows as padded tensors, with the windows' positions in the chunk.

    Attributes:
        index: positions of the batch's windows in the chunk's window list.
        input_ids: ``(rows, width)`` token ids, padded with the tokenizer's pad id.
        attention_mask: ``(rows, width)`` 1 for real tokens, 0 for padding.
        real_tokens: the number of real tokens (for throughput and padding figures).
    """

    index: list[int]
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    real_tokens: int

    @property
    def padded_tokens(self) -> int:
        return int(self.input_ids.numel())

    def split(self) -> tuple[PaddedBatch, PaddedBatch]:
        """The two halves of the batch (to retry after running out of device memory)."""
        h = len(self.index) // 2
        a, b = self.attention_mask[:h], self.attention_mask[h:]
        return (PaddedBatch(self.index[:h], self.input_ids[:h], a, int(a.sum())),
                PaddedBatch(self.index[h:], self.input_ids[h:], b, int(b.sum())))


def pad_batch(windows: Sequence[Sequence[int]], index: Sequence[int], pad_id: int, *,
              pin_memory: bool = False) -> PaddedBatch:
    """Padded CPU tensors of ``windows[i] for i in index`` (pinned for fast copies to a GPU).

    Example:
        >>> b = pad_batch([[2, 7, 3], [2, 3]], [0, 1], pad_id=0)
        >>> b.input_ids.tolist(), b.attention_mask.tolist(), b.real_tokens
        ([[2, 7, 3], [2, 3, 0]], [[1, 1, 1], [1, 1, 0]], 5)
    """
    ids, mask = pad_windows([windows[i] for i in index], pad_id)
    if pin_memory:
        ids, mask = ids.pin_memory(), mask.pin_memory()
    return PaddedBatch(list(index), ids, mask, sum(len(windows[i]) for i in index))


__all__ = ["PaddedBatch", "pack_by_tokens", "pad_batch", "padding_efficiency"]
