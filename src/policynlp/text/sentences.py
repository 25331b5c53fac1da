"""Sentence splitting for Chinese (rules) and English (spaCy's sentencizer).

Both splitters return character :class:`~policynlp.data.Span` objects of the text they are
given, without surrounding whitespace. A line break always ends a sentence: headings, list
items and paragraphs are separate lines. Text with hard-wrapped lines (PDF extractions)
should first go through :func:`policynlp.text.normalize` (``join_wrapped=True``); its
``original_span`` maps the sentences back to the original text.

Chinese rules: a sentence ends after 。！？!? (and ；; unless ``semicolons=False``, since
policy lists separate their items with ；), together with any further end marks and the
closing quotes and brackets that follow (”’」』）)】》); never inside a 《…》 title; an ASCII
``.`` ends a sentence only in an English sentence inside Chinese text (followed by
whitespace and a capital or a Chinese character, and not after an initial, a dotted
abbreviation such as U.S. or a title such as Dr. or No.), so numbers such as 6.5% are
never cut.

English: spaCy's rule-based ``sentencizer`` on a blank English pipeline (its tokenizer
keeps abbreviations such as U.S., Dr., e.g. whole), plus three repairs: no sentence starts
with a lowercase letter, no cut between "No." / "Art." / "Sec." / "para." … and a number,
and no cut inside unclosed brackets — so an English sentence quoting a Chinese title in
parentheses stays whole.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from policynlp.data import Span
from policynlp.text.langid import detect_language

if TYPE_CHECKING:
    from spacy.language import Language

_ZH_ENDS = "。！？!?｡"
_SEMICOLONS = "；;"
_CLOSERS = "”’」』）)】》〕]\"'"
_LINE = re.compile(r"[^\n]+")
_EN_ABBREV_BEFORE_NUMBER = re.compile(
    r"\b(?:No|Nos|no|nos|Art|Arts|art|Sec|Secs|sec|Para|para|paras|Vol|vol|Fig|fig|"
    r"Ch|ch|p|pp|Ref|ref|Reg|Item|approx|ca|Tab|tab)\.$"
)
_WORD_BEFORE = re.compile(r"[A-Za-z0-9.]*[A-Za-z0-9]$")
# Initials and dotted abbreviations (J. U.S. e.g.) and titles that precede a name or number.
_ABBREVIATION = re.compile(
    r"(?:[A-Za-z]\.)*[A-Za-z]|Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Art|Sec|Vol|Fig|vs|Gen|Sen|Rep"
)
_BRACKETS = {"(": ")", "（": "）", "[": "]", "《": "》", "【": "】"}


def _strip(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _uses_cjk_rules(lang: str) -> bool:
    return lang.lower().startswith(("zh", "ja"))


def split_sentences(text: str, lang: str | None = None, *, semicolons: bool = True) -> list[Span]:
    """Split a text into sentences.

    Args:
        text: the text (normalised or not; spans are offsets into this very string).
        lang: ``"zh"`` (also ``"ja"``) for the Chinese rules, anything else for spaCy's
            English rules; ``None`` detects the language with
            :func:`~policynlp.text.detect_language` (text without letters uses the
            Chinese rules, which then only cut at end marks and line breaks).
        semicolons: in Chinese text, also end a sentence at ；.

    Returns:
        The sentences in order, non-overlapping, without leading or trailing whitespace;
        an empty list for a text of whitespace only.

    Example:
        >>> t = "到2025年，GDP增长6.5%左右；培育《专精特新》企业。\\n二、主要任务"
        >>> [t[s.start:s.end] for s in split_sentences(t)]
        ['到2025年，GDP增长6.5%左右；', '培育《专精特新》企业。', '二、主要任务']
        >>> t = "The U.S. rule No. 12 applies. It starts in 2025."
        >>> [t[s.start:s.end] for s in split_sentences(t, "en")]
        ['The U.S. rule No. 12 applies.', 'It starts in 2025.']
    """
    if lang is None:
        lang = detect_language(text[:20000]) or "zh"
    if _uses_cjk_rules(lang):
        return _split_zh(text, semicolons=semicolons)
    return _split_en(text)


def _split_zh(text: str, *, semicolons: bool) -> list[Span]:
    ends = _ZH_ENDS + (_SEMICOLONS if semicolons else "")
    spans: list[Span] = []
    for line in _LINE.finditer(text):
        start, stop = line.start(), line.end()
        depth = 0  # inside 《…》
        i = start
        while i < stop:
            ch = text[i]
            if ch == "《":
                depth += 1
            elif ch == "》":
                depth = max(0, depth - 1)
            cut = depth == 0 and (ch in ends or (ch == "." and _english_period(text, i, stop)))
            i += 1
            if not cut:
                continue
            while i < stop and (text[i] in ends or text[i] in _CLOSERS):
                i += 1
            span = _strip(text, start, i)
            if span:
                spans.append(span)
            start = i
        span = _strip(text, start, stop)
        if span:
            spans.append(span)
    return spans


def _english_period(text: str, i: int, stop: int) -> bool:
    """Whether the ``.`` at ``i`` ends an English sentence inside Chinese text."""
    word = _WORD_BEFORE.search(text, max(0, i - 40), i)  # a bounded look back
    if word is None or _ABBREVIATION.fullmatch(word.group()):
        return False
    j = i + 1
    if j >= stop or not text[j].isspace():
        return False
    while j < stop and text[j].isspace():
        j += 1
    return j < stop and (text[j].isupper() or "\u4e00" <= text[j] <= "\u9fff")


@functools.lru_cache(maxsize=1)
def english_sentencizer() -> Language:
    """The blank English spaCy pipeline with a ``sentencizer``, built once and cached.

    Example:
        >>> english_sentencizer().pipe_names
        ['sentencizer']
    """
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _split_en(text: str) -> list[Span]:
    nlp = english_sentencizer()
    lines = [m for m in _LINE.finditer(text) if not m.group().isspace()]
    longest = max((m.end() - m.start() for m in lines), default=0)
    if longest >= nlp.max_length:  # the limit guards parsers' memory, not the tokenizer's
        nlp.max_length = longest + 1
    spans: list[Span] = []
    for m, doc in zip(lines, nlp.pipe(m.group() for m in lines), strict=True):
        pieces: list[Span] = []
        unclosed = 0  # brackets opened and not closed in the last piece
        for sent in doc.sents:
            span = _strip(text, m.start() + sent.start_char, m.start() + sent.end_char)
            if span is None:
                continue
            piece = text[span.start:span.end]
            if pieces and (unclosed > 0 or _continues(
                    text[max(pieces[-1].start, pieces[-1].end - 16):pieces[-1].end], piece)):
                pieces[-1] = Span(pieces[-1].start, span.end)
                unclosed += _bracket_balance(piece)
            else:
                pieces.append(span)
                unclosed = _bracket_balance(piece)
        spans.extend(pieces)
    return spans


def _bracket_balance(piece: str) -> int:
    return sum(piece.count(o) - piece.count(c) for o, c in _BRACKETS.items())


def _continues(prev_tail: str, nxt: str) -> bool:
    """Whether the sentencizer's cut between a sentence ending in ``prev_tail`` and
    ``nxt`` is wrong: ``nxt`` starts in lowercase, or with a number after "No." etc."""
    first = nxt[0]
    return first.islower() or (first.isdigit()
                               and _EN_ABBREV_BEFORE_NUMBER.search(prev_tail) is not None)
