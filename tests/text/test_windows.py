from __future__ import annotations

from typing import Any

import pytest
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

from policynlp.text import Window, make_windows, window_bounds

SPECIALS = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}


def _wrap(backend: Tokenizer, template: str | None = "[CLS] $A [SEP]") -> PreTrainedTokenizerFast:
    if template is not None:
        backend.post_processor = processors.TemplateProcessing(
            single=template, special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    return PreTrainedTokenizerFast(tokenizer_object=backend, cls_token="[CLS]",
                                   sep_token="[SEP]", unk_token="[UNK]", pad_token="[PAD]")


def word_tokenizer(template: str | None = "[CLS] $A [SEP]") -> PreTrainedTokenizerFast:
    """Whitespace words w0 … w999, one token each."""
    vocab = dict(SPECIALS) | {f"w{i}": i + 4 for i in range(1000)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return _wrap(backend, template)


def char_tokenizer(text: str) -> PreTrainedTokenizerFast:
    """One token per non-whitespace character of ``text``."""
    chars = sorted({ch for ch in text if not ch.isspace()})
    vocab = dict(SPECIALS) | {ch: i + 4 for i, ch in enumerate(chars)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex("."), behavior="isolated")])
    return _wrap(backend)


@pytest.fixture(scope="module")
def tok() -> PreTrainedTokenizerFast:
    return word_tokenizer()


def words(n: int) -> str:
    return "  ".join(f"w{i}" for i in range(n)) + "\n"


def check_windows(text: str, tok: Any, windows: list[Window], max_length: int,
                  stride: int) -> None:
    """The invariants every list of windows must satisfy."""
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    full = tok(text)["input_ids"]  # prefix + ids + suffix
    k = next(k for k in range(len(full) - len(ids) + 1) if full[k:k + len(ids)] == ids)
    prefix, suffix = full[:k], full[k + len(ids):]
    assert windows[0].token_start == 0 and windows[-1].token_end == len(ids)
    for k, w in enumerate(windows):
        assert w.window_index == k
        assert len(w.input_ids) <= max_length
        assert w.input_ids == [*prefix, *ids[w.token_start:w.token_end], *suffix]
        first, last = offsets[w.token_start], offsets[w.token_end - 1]
        # The tokens' character range, less any whitespace at its ends.
        assert first[0] <= w.start < w.end <= last[1]
        assert text[first[0]:w.start].strip() == "" and text[w.end:last[1]].strip() == ""
        assert text[w.start:w.end] == text[w.start:w.end].strip()
    for a, b in zip(windows, windows[1:], strict=False):
        assert a.token_end - b.token_start == stride  # overlap
        assert b.token_start > a.token_start and b.token_end > a.token_end
        assert a.num_tokens == max_length - len(prefix) - len(suffix)  # only the last is short
    covered = set().union(*(range(w.token_start, w.token_end) for w in windows))
    assert covered == set(range(len(ids)))


def test_short_text_is_one_window(tok: PreTrainedTokenizerFast) -> None:
    text = "w1 w2  w3"
    (w,) = make_windows(text, tok, max_length=512, stride=128, doc_index=7)
    assert w == Window(doc_index=7, window_index=0, start=0, end=9, token_start=0, token_end=3,
                       input_ids=[2, 5, 6, 7, 3])


@pytest.mark.parametrize(("n", "max_length", "stride", "expected"), [
    (100, 12, 3, 14),   # 10 content tokens, step 7: 0, 7, …, 91
    (100, 12, 0, 10),   # no overlap: 10 full windows
    (10, 12, 3, 1),     # exactly one full window
    (11, 12, 3, 2),     # one token more: a second window
    (100, 7, 4, 96),    # 5 content tokens, step 1: 0, 1, …, 95
])
def test_window_counts_and_invariants(tok: PreTrainedTokenizerFast, n: int, max_length: int,
                                      stride: int, expected: int) -> None:
    text = words(n)
    windows = make_windows(text, tok, max_length=max_length, stride=stride)
    content = max_length - 2
    step = content - stride
    assert len(windows) == 1 + max(0, -(-(n - content) // step))
    assert len(windows) == expected
    check_windows(text, tok, windows, max_length, stride)


def test_empty_and_blank_text_have_no_windows(tok: PreTrainedTokenizerFast) -> None:
    assert make_windows("", tok) == []
    assert make_windows(" \n\t ", tok) == []


@pytest.mark.parametrize(("max_length", "stride", "message"), [
    (12, 10, "stride"),
    (12, 11, "stride"),
    (12, -1, "stride"),
    (2, 0, "no room"),
    (1, 0, "no room"),
])
def test_invalid_arguments(tok: PreTrainedTokenizerFast, max_length: int, stride: int,
                           message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_windows("w1 w2", tok, max_length=max_length, stride=stride)


def test_slow_tokenizer_is_rejected() -> None:
    class Slow:
        is_fast = False

    with pytest.raises(ValueError, match="fast tokenizer"):
        make_windows("w1", Slow(), max_length=8, stride=2)  # type: ignore[arg-type]


@pytest.mark.parametrize(("template", "n_special"), [
    (None, 0), ("$A [SEP]", 1), ("[CLS] $A [SEP]", 2), ("[CLS] [CLS] $A [SEP] [SEP]", 4)])
def test_room_is_left_for_the_special_tokens(template: str | None, n_special: int) -> None:
    t = word_tokenizer(template)
    assert t.num_special_tokens_to_add() == n_special
    windows = make_windows(words(50), t, max_length=10, stride=2)
    assert all(len(w.input_ids) <= 10 for w in windows)
    assert windows[0].num_tokens == 10 - n_special
    if template is not None:
        expected = t(words(50))["input_ids"]
        specials = [i for i in expected if i in (2, 3)]
        assert [i for i in windows[0].input_ids if i in (2, 3)] == specials
        assert windows[-1].input_ids[-1] == expected[-1]


def test_sentencepiece_style_tokenizer() -> None:
    """Metaspace tokens ("▁the") whose offsets include the space before the word."""
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -1.0),
             ("▁the", -2.0), ("▁plan", -2.0), ("s", -3.0), ("▁中国", -2.5), ("2", -3.0)]
    backend = Tokenizer(models.Unigram(vocab, unk_id=3))
    backend.normalizer = normalizers.NFKC()  # folds ２ to 2, as the e5 tokenizer does
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    backend.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    t = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>",
                                unk_token="<unk>", pad_token="<pad>")
    text = "  the plans 中国 ２２ the"
    windows = make_windows(text, t, max_length=6, stride=1)
    # tokens: ▁ ▁the ▁plan s ▁中国 ▁ 2 2 ▁the; 4 per window, step 3
    assert [text[w.start:w.end] for w in windows] == ["the plans", "s 中国 ２", "２２ the"]
    assert [w.input_ids for w in windows] == [
        [0, 4, 5, 6, 7, 2], [0, 7, 8, 4, 9, 2], [0, 9, 9, 5, 2]]
    check_windows(text, t, windows, 6, 1)


def test_window_bounds() -> None:
    assert window_bounds(0, 4, 1) == []
    assert window_bounds(4, 4, 1) == [(0, 4)]
    assert window_bounds(5, 4, 1) == [(0, 4), (3, 5)]
    assert window_bounds(10, 4, 0) == [(0, 4), (4, 8), (8, 10)]
    with pytest.raises(ValueError, match="at least one token"):
        window_bounds(10, 0, 0)


def test_long_chinese_report(gwr_reports: list[dict[str, Any]]) -> None:
    text = next(r["text"] for r in gwr_reports if r["id"] == "gwr-2010")
    t = char_tokenizer(text)
    windows = make_windows(text, t, max_length=512, stride=128, doc_index=3)
    n_chars = sum(1 for ch in text if not ch.isspace())
    assert windows[-1].token_end == n_chars
    assert len(windows) == 1 + -(-(n_chars - 510) // (510 - 128))
    check_windows(text, t, windows, 512, 128)
    for w in windows:
        assert w.doc_index == 3
        piece = text[w.start:w.end]
        assert sum(1 for ch in piece if not ch.isspace()) == w.num_tokens
        assert 1 not in w.input_ids  # no unknown token: every character is in the vocabulary
