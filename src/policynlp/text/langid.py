"""Script-based language identification for Chinese and English policy texts.

No model and no extra dependency: the language follows from which writing systems the
letters belong to. That is all policynlp needs, since it reads Chinese and English only and
must recognise (and reject) anything else quickly.

How Chinese and English are weighed against each other: one Han character carries about
one morpheme and an English word about 1.5–2 of them, so a Han character counts 1 and a
Latin word counts :data:`LATIN_WORD_WEIGHT` (2). URLs and e-mail addresses are left out
before counting: ``https://www.miit.gov.cn`` is five "words" of no language. Any
Latin-script text counts as English (French or German are not told apart); Japanese is
recognised by its kana, Korean by hangul, Russian by Cyrillic and Arabic by its script.
Letters of any other script give ``"und"`` (ISO 639-2 "undetermined").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from policynlp.data import Span

#: How many Han characters one Latin word is worth when the two are compared.
LATIN_WORD_WEIGHT = 2.0
#: Letters of an alphabet without word counts (Cyrillic, Arabic) are worth this much each
#: (an English word has ~5 letters, so ~2 / 5).
ALPHABET_LETTER_WEIGHT = 0.4
#: Kana must make up at least this share of the Han + kana characters for Japanese.
KANA_SHARE_JA = 0.1

_URL_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]+")
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_OPENERS = "([{（【《“‘「『\"'"
_BINARY_SAMPLE = 4096
_BINARY_SHARE = 0.10


@dataclass
class ScriptCounts:
    """How many characters of a text belong to each writing system.

    Attributes:
        han: CJK ideographs (simplified and traditional, extensions, 〇).
        kana: hiragana and katakana letters (not the ・ middle dot Chinese also uses).
        hangul: Korean syllables and jamo.
        latin_letters: Latin letters, ASCII, accented and full-width.
        latin_words: maximal runs of Latin letters.
        cyrillic: Cyrillic letters.
        arabic: Arabic-script letters.
        other_letters: letters of any other script.
        digits: decimal digits of any script.
        control: C0/C1 control characters other than tab, newline and carriage return.
        total: all characters.
    """

    han: int = 0
    kana: int = 0
    hangul: int = 0
    latin_letters: int = 0
    latin_words: int = 0
    cyrillic: int = 0
    arabic: int = 0
    other_letters: int = 0
    digits: int = 0
    control: int = 0
    total: int = 0


def _is_han(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3134F or cp in (0x3007, 0x3005))


def _is_kana(cp: int) -> bool:
    return 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F


def _is_hangul(cp: int) -> bool:
    return (0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F
            or 0xA960 <= cp <= 0xA97F or 0xD7B0 <= cp <= 0xD7FF)


def _is_latin(cp: int) -> bool:
    return (0x41 <= cp <= 0x5A or 0x61 <= cp <= 0x7A or 0xC0 <= cp <= 0x24F
            or 0x1E00 <= cp <= 0x1EFF or 0xFF21 <= cp <= 0xFF3A or 0xFF41 <= cp <= 0xFF5A)


def script_counts(text: str) -> ScriptCounts:
    """Count the characters of ``text`` by writing system.

    Args:
        text: any text.

    Returns:
        The counts; URLs are counted like any other characters.

    Example:
        >>> c = script_counts("工业和信息化部 MIIT 2024")
        >>> c.han, c.latin_letters, c.latin_words, c.digits
        (7, 4, 1, 4)
    """
    counts = ScriptCounts(total=len(text))
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            if ch.isalpha():
                counts.latin_letters += 1
            elif ch.isdigit():
                counts.digits += 1
            elif (cp < 0x20 or cp == 0x7F) and ch not in _ALLOWED_CONTROLS:
                counts.control += 1
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc":
            counts.control += 1
        elif cat == "Nd":
            counts.digits += 1
        elif _is_han(cp):
            counts.han += 1
        elif not cat.startswith("L"):
            continue
        elif _is_kana(cp):
            counts.kana += 1
        elif _is_hangul(cp):
            counts.hangul += 1
        elif _is_latin(cp):
            counts.latin_letters += 1
        elif 0x0400 <= cp <= 0x052F:
            counts.cyrillic += 1
        elif 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
            counts.arabic += 1
        else:
            counts.other_letters += 1
    counts.latin_words = len(_LATIN_WORD_RE.findall(text))
    return counts


def detect_language(text: str) -> str | None:
    """Guess the language of ``text`` from its scripts.

    Han characters are weighed against Latin words (one word = :data:`LATIN_WORD_WEIGHT`
    Han characters) after URLs and e-mail addresses are removed, so a Chinese notice with
    a few acronyms is Chinese and an English brief quoting a Chinese title is English.

    Args:
        text: the text, or a prefix of a long one.

    Returns:
        ``"zh"`` (simplified or traditional), ``"en"`` (any Latin script), ``"ja"``,
        ``"ko"``, ``"ru"``, ``"ar"``, ``"und"`` for letters of another script, or ``None``
        when the text has no letters at all (only digits, punctuation, whitespace).

    Example:
        >>> detect_language("工业和信息化部关于5G和AI的通知 https://www.miit.gov.cn")
        'zh'
        >>> detect_language("MIIT released the Interim Measures for Cultivating Specialized "
        ...     "Clusters of SMEs (促进中小企业特色产业集群发展暂行办法) on 5 September.")
        'en'
        >>> detect_language("2024-03-05, 12.5%") is None
        True
    """
    c = script_counts(_URL_RE.sub(" ", text))
    cjk = c.han + c.kana
    scores: dict[str, float] = {
        "en": LATIN_WORD_WEIGHT * c.latin_words,
        "ru": ALPHABET_LETTER_WEIGHT * c.cyrillic,
        "ar": ALPHABET_LETTER_WEIGHT * c.arabic,
        "und": ALPHABET_LETTER_WEIGHT * c.other_letters,
    }
    if c.hangul and c.hangul >= KANA_SHARE_JA * (cjk + c.hangul):
        scores["ko"] = float(c.hangul + c.han)
    elif c.kana and c.kana >= KANA_SHARE_JA * cjk:
        scores["ja"] = float(cjk)
    else:
        scores["zh"] = float(c.han)
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return None
    # A tie between Chinese and English goes to Chinese: an equal share of Han characters
    # is more than decoration in an English text.
    if scores.get("zh", 0.0) == scores[best]:
        return "zh"
    return best


def _char_lang(ch: str) -> str | None:
    cp = ord(ch)
    if _is_han(cp):
        return "zh"
    if _is_latin(cp) and ch.isalpha():
        return "en"
    return None


def _dominant(text: str) -> str:
    """``zh`` or ``en``, whichever weighs more in ``text`` (ties go to ``zh``)."""
    c = script_counts(_URL_RE.sub(" ", text))
    return "zh" if c.han >= LATIN_WORD_WEIGHT * c.latin_words else "en"


def language_segments(text: str) -> list[tuple[Span, str]]:
    """Split mixed text into maximal runs of Chinese (``zh``) and English (``en``).

    Han characters are Chinese and Latin letters English; everything else (digits,
    punctuation, whitespace, other scripts) joins the surrounding run. Where a neutral
    stretch lies between two runs, the part up to its last whitespace stays with the run
    before and the rest (e.g. an opening bracket) goes to the run after. A run too small to
    stand on its own, a single Latin word (acronyms such as 5G, AI, MIIT in a Chinese
    notice) or a single Han character, takes the language of the nearest larger run (of
    the text's main language when there is none).

    Args:
        text: the text.

    Returns:
        ``(span, lang)`` pairs that tile the text in order, neighbours always of different
        languages; an empty list when the text has no Han or Latin letters.

    Example:
        >>> t = ("The State Council issued the opinions "
        ...      "(国务院关于加快发展先进制造业集群的意见) in May 2022.")
        >>> [(s.start, s.end, lang) for s, lang in language_segments(t)]
        [(0, 38, 'en'), (38, 60, 'zh'), (60, 72, 'en')]
        >>> [lang for _, lang in language_segments("工业和信息化部关于5G和AI的通知")]
        ['zh']
    """
    # Runs of strong characters: [start, end_of_last_strong_char, lang].
    runs: list[list[Any]] = []
    for i, ch in enumerate(text):
        lang = _char_lang(ch)
        if lang is None:
            continue
        if runs and runs[-1][2] == lang:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1, lang])
    if not runs:
        return []
    if len(runs) > 1:
        weak = [len(_LATIN_WORD_RE.findall(text[r[0]:r[1]])) < 2 if r[2] == "en"
                else sum(_is_han(ord(ch)) for ch in text[r[0]:r[1]]) < 2 for r in runs]
        strong = [k for k, w in enumerate(weak) if not w]
        main = _dominant(text)
        labels = [run[2] for run in runs]
        for k, run in enumerate(runs):
            if weak[k]:
                # The nearest strong run decides (the one before wins a tie).
                near = min(strong, key=lambda j: (abs(j - k), j > k), default=None)
                run[2] = main if near is None else labels[near]
        merged: list[list[Any]] = []
        for run in runs:
            if merged and merged[-1][2] == run[2]:
                merged[-1][1] = run[1]
            else:
                merged.append(run)
        runs = merged
    # Cut the neutral gaps between runs.
    bounds = [0]
    for prev, nxt in zip(runs, runs[1:], strict=False):
        gap = text[prev[1]:nxt[0]]
        last_ws = max((j for j, ch in enumerate(gap) if ch.isspace()), default=-1)
        if last_ws >= 0:
            bounds.append(prev[1] + last_ws + 1)
        else:
            bounds.append(prev[1] + len(gap.rstrip(_OPENERS)))
    bounds.append(len(text))
    return [(Span(bounds[k], bounds[k + 1]), run[2]) for k, run in enumerate(runs)]


def is_binary(text: str) -> bool:
    """Tell whether ``text`` is a binary blob rather than text.

    True when the text has a NUL character, or when more than 10% of its first 4096
    characters are control characters (other than tab, newline, carriage return) or
    U+FFFD replacement characters (what invalid UTF-8 decodes to with ``errors="replace"``).

    Args:
        text: the decoded text.

    Example:
        >>> is_binary("国务院关于印发规划的通知\\n"), is_binary("\\x00\\x01\\x02binary")
        (False, True)
    """
    if "\x00" in text:
        return True
    sample = text[:_BINARY_SAMPLE]
    if not sample:
        return False
    bad = sample.count("\ufffd")
    for ch in sample:
        cp = ord(ch)
        if (cp < 0x20 and ch not in _ALLOWED_CONTROLS) or 0x7F <= cp <= 0x9F:
            bad += 1
    return bad > _BINARY_SHARE * len(sample)
