"""Split a long document into overlapping token windows for an encoder.

The text is tokenized once, without special tokens. Windows hold at most
``max_length - tokenizer.num_special_tokens_to_add()`` content tokens, so a window with the
tokenizer's special tokens (e.g. ``<s> … </s>``) fits ``max_length``. Window ``k + 1`` starts
``stride`` tokens before window ``k`` ends, so consecutive windows share exactly ``stride``
tokens; the last window ends at the last token and may be shorter than the others. Windows
are not moved to sentence ends: the fixed overlap is what the aggregation of window scores
relies on, and ``stride`` gives every token enough context.

An empty text, or one of only whitespace that the tokenizer drops, gives no windows: the
pipeline rejects empty text before this point (error ``E101``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

_SENTINEL = -1


@dataclass(frozen=True)
class Window:
    """One window of a document, ready for the encoder.

    Attributes:
        doc_index: position of the document in its batch or input.
        window_index: position of the window in the document (0, 1, …).
        start: character offset in the document where the window's first token starts
            (after any whitespace that the token's offsets include).
        end: character offset (exclusive) where its last token ends (likewise).
        token_start: index of the first content token in the document's token sequence.
        token_end: index after the last content token.
        input_ids: the content tokens wrapped in the tokenizer's special tokens.
    """

    doc_index: int
    window_index: int
    start: int
    end: int
    token_start: int
    token_end: int
    input_ids: list[int]

    @property
    def num_tokens(self) -> int:
        """The number of content tokens (without special tokens)."""
        return self.token_end - self.token_start


def window_bounds(num_tokens: int, content_length: int, stride: int) -> list[tuple[int, int]]:
    """Token ranges ``[start, end)`` of the windows over ``num_tokens`` tokens.

    Args:
        num_tokens: length of the token sequence.
        content_length: most tokens in one window.
        stride: tokens shared by consecutive windows, ``0 <= stride < content_length``.

    Raises:
        ValueError: the lengths are out of range.

    Example:
        >>> window_bounds(10, 4, 1)
        [(0, 4), (3, 7), (6, 10)]
    """
    if content_length < 1:
        raise ValueError(f"a window must hold at least one token, not {content_length}")
    if not 0 <= stride < content_length:
        raise ValueError(f"stride must be at least 0 and less than the {content_length} "
                         f"content tokens of a window, not {stride}")
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < num_tokens:
        end = min(start + content_length, num_tokens)
        bounds.append((start, end))
        if end == num_tokens:
            break
        start = end - stride
    return bounds


def _special_affixes(tokenizer: Any, encoding: Any) -> tuple[list[int], list[int]]:
    """The special token ids the tokenizer puts before and after one sequence."""
    build = getattr(tokenizer, "build_inputs_with_special_tokens", None)
    if build is not None:  # transformers 4 and Python tokenizers
        ids = list(build([_SENTINEL]))
        at = ids.index(_SENTINEL)
        return ids[:at], ids[at + 1:]
    # transformers 5 fast tokenizers: apply the backend's post-processor to the encoding.
    processed = tokenizer.backend_tokenizer.post_process(encoding)
    mask = processed.special_tokens_mask
    content = [i for i, m in enumerate(mask) if not m]
    if not content:
        raise ValueError("the tokenizer's post-processor dropped every token")
    first, last = content[0], content[-1]
    return list(processed.ids[:first]), list(processed.ids[last + 1:])


def make_windows(text: str, tokenizer: PreTrainedTokenizerFast, *, max_length: int = 512,
                 stride: int = 128, doc_index: int = 0) -> list[Window]:
    """Tokenize ``text`` and cut it into overlapping windows (see the module docstring).

    Args:
        text: the document text.
        tokenizer: a fast (Rust) Hugging Face tokenizer; its offset mapping gives the
            windows' character offsets.
        max_length: the most tokens in one window, special tokens included.
        stride: tokens shared by consecutive windows.
        doc_index: copied into every window, for the caller's bookkeeping.

    Returns:
        The windows in order; none for a text without tokens.

    Raises:
        ValueError: ``max_length`` leaves no room for content next to the special tokens,
            or ``stride`` is negative or not less than the content length, or the
            tokenizer is not a fast tokenizer.

    Example:
        >>> from tokenizers import Tokenizer, models, pre_tokenizers, processors
        >>> from transformers import PreTrainedTokenizerFast
        >>> vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
        >>> backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
        >>> backend.pre_tokenizer = pre_tokenizers.Whitespace()
        >>> backend.post_processor = processors.TemplateProcessing(
        ...     single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
        >>> tok = PreTrainedTokenizerFast(tokenizer_object=backend, cls_token="[CLS]",
        ...     sep_token="[SEP]", unk_token="[UNK]", pad_token="[PAD]")
        >>> ws = make_windows("a b c d e f g", tok, max_length=5, stride=1)
        >>> [(w.token_start, w.token_end, w.start, w.end) for w in ws]
        [(0, 3, 0, 5), (2, 5, 4, 9), (4, 7, 8, 13)]
        >>> ws[0].input_ids  # [CLS] + three content tokens + [SEP]
        [2, 1, 1, 1, 3]
    """
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("make_windows needs a fast tokenizer (PreTrainedTokenizerFast) "
                         "for character offsets; load it with use_fast=True")
    num_special = tokenizer.num_special_tokens_to_add(pair=False)
    content_length = max_length - num_special
    if content_length < 1:
        raise ValueError(f"max_length={max_length} leaves no room for content next to the "
                         f"tokenizer's {num_special} special tokens")
    window_bounds(0, content_length, stride)  # validates stride
    if not text:
        return []
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True,
                    truncation=False, padding=False, verbose=False)
    ids: Sequence[int] = enc["input_ids"]
    offsets: Sequence[tuple[int, int]] = enc["offset_mapping"]
    if not ids:
        return []
    prefix, suffix = _special_affixes(tokenizer, enc.encodings[0])
    if len(prefix) + len(suffix) != num_special:
        raise ValueError(f"the tokenizer adds {len(prefix) + len(suffix)} special tokens but "
                         f"reports {num_special}; cannot size the windows")
    windows: list[Window] = []
    for k, (t0, t1) in enumerate(window_bounds(len(ids), content_length, stride)):
        span = offsets[t0:t1]
        start, end = min(s for s, _ in span), max(e for _, e in span)
        while start < end and text[start].isspace():
            start += 1  # Metaspace tokens ("▁the") cover the space before the word
        while end > start and text[end - 1].isspace():
            end -= 1
        windows.append(Window(
            doc_index=doc_index, window_index=k, start=start, end=end,
            token_start=t0, token_end=t1,
            input_ids=[*prefix, *ids[t0:t1], *suffix],
        ))
    return windows
