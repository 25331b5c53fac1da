"""Offset-preserving text normalisation: full-width forms, whitespace, hard-wrapped lines.

Every character of the normalised text remembers which character of the original it comes
from, so spans found on the normalised text (sentences, targets, evidence) map back to the
original with :meth:`NormalizedText.original_span`.

Full-width policy (``fullwidth=True``): full-width digits ０–９ and letters Ａ–Ｚ ａ–ｚ become
ASCII everywhere; ％ ＋ － ． ／ ： become ASCII only in a number (％ after a digit; ． between
digits; ＋ － ／ ： between a digit or % and a digit: ６．５％, ６％－６．５％, １０：３０); the
ideographic space U+3000 becomes a plain space. Chinese punctuation used as punctuation
(，。；：（）《》“” …) is kept as it is: Chinese sentence splitting relies on it.

Line breaks (``\\r\\n``, ``\\r``, U+2028, U+2029, vertical tab, form feed, NEL) always
become ``\\n``. Whitespace policy (``whitespace=True``): runs of spaces and tabs (any
Unicode space) collapse to one space; spaces at the start and end of a line and of the
text are removed; blank lines (also lines holding only spaces) become one paragraph
break ``\\n\\n``.

Hard-wrap policy (``join_wrapped=True``, for text extracted from PDFs or wiki pages): a
single line break inside a paragraph is removed between Chinese characters or Chinese
punctuation (also next to a digit); it becomes a space elsewhere (between Latin words, or
a Chinese character and a Latin letter); it is removed together with the hyphen in
``infor-\\nmation`` (lowercase letter, ``-``, lowercase letter). It is kept when it is
structure: after sentence-final punctuation (。！？；：.!?: possibly followed by closing
quotes or brackets), before a heading or list item (一、 （一） (1) 1. ① 第三条 • - …), and
after a short heading line (up to 25 characters, no comma) that starts with such a marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from policynlp.data import Span

_FW_DIGITS_LETTERS = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FW_NUMERIC = re.compile(r"[％＋－．／：]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_WHITESPACE = re.compile(r"\s+")
_WRAP = re.compile(r"(-)?[^\S\n]*\n[^\S\n]*")
_SENTENCE_FINAL = set("。！？；：.!?:;")
_CLOSERS = "”’」』）)]】》\"'"
_NUM = "0-9０-９"
_LIST_START = re.compile(
    rf"""(?:
      [一二三四五六七八九十百千]+[、．.]            # 一、
    | [（(][一二三四五六七八九十百千{_NUM}a-zA-Z]{{1,3}}[）)]   # （一） (1) (a)
    | [{_NUM}]{{1,3}}(?:[、)）]|[.．](?![{_NUM}]))    # 1、 1) 1.  (not 6.5)
    | [\u2460-\u2473\u2776-\u277f]                # ① … ⑳
    | 第[一二三四五六七八九十百千零〇{_NUM}]+[条章节款编部分]   # 第三条
    | [•●○■□◆◇▪‣►▶]                               # bullets
    | [-–—*·]\s                                   # - item
    | \#{{1,6}}\s                                 # markdown heading
    | [A-Z][.)]\s                                 # A. B)
    )""",
    re.X,
)
_HEADING_MAX_CHARS = 25


@dataclass
class NormalizedText:
    """A normalised text and, for each of its characters, where it is in the original.

    Attributes:
        text: the normalised text.
        offsets: ``offsets[i]`` is the index in the original string of normalised character
            ``i``; a last sentinel entry holds the length of the original, so
            ``len(offsets) == len(text) + 1``.
    """

    text: str
    offsets: list[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open range of the normalised text to the original text.

        The start maps to the original character of the first normalised character; the
        end to just after the original character of the last one, so whitespace or a
        wrap hyphen that normalisation removed right after the range is not included.

        Args:
            start: start index in the normalised text.
            end: end index (exclusive), ``start <= end <= len(text)``.

        Raises:
            ValueError: the range is not within the normalised text.

        Example:
            >>> n = normalize("增长６．５％  左右")
            >>> n.text, n.to_original(2, 6)
            ('增长6.5% 左右', (2, 6))
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"range ({start}, {end}) is outside the normalised text "
                             f"of length {len(self.text)}")
        if start == end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def original_span(self, span: Span) -> Span:
        """Map a :class:`~policynlp.data.Span` of the normalised text to the original.

        Example:
            >>> n = normalize("國務院\\n關於")
            >>> n.text, n.original_span(Span(2, 4))
            ('國務院關於', Span(start=2, end=5))
        """
        return Span(*self.to_original(span.start, span.end))


# A rewrite returns the replacement for one match as (character, index in the current
# text that the character comes from) pairs, or None to keep the match as it is.
_Rewrite = Callable[[re.Match[str]], "list[tuple[str, int]] | None"]


def _apply(text: str, offsets: list[int], pattern: re.Pattern[str],
           rewrite: _Rewrite) -> tuple[str, list[int]]:
    """Rewrite every match of ``pattern``, carrying the offsets along."""
    out: list[str] = []
    new_offsets: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        repl = rewrite(m)
        if repl is None:
            continue
        out.append(text[pos:m.start()])
        new_offsets.extend(offsets[pos:m.start()])
        for ch, src in repl:
            out.append(ch)
            new_offsets.append(offsets[src])
        pos = m.end()
    if pos == 0:
        return text, offsets
    out.append(text[pos:])
    new_offsets.extend(offsets[pos:])  # includes the sentinel
    return "".join(out), new_offsets


def _is_digit(ch: str) -> bool:
    return len(ch) == 1 and "0" <= ch <= "9"  # full-width digits are converted by now


def _fullwidth(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    text, offsets = _apply(text, offsets, _FW_DIGITS_LETTERS,
                           lambda m: [(chr(ord(m[0]) - 0xFEE0), m.start())])

    def numeric(m: re.Match[str]) -> list[tuple[str, int]] | None:
        i, ch = m.start(), m[0]
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch == "％":
            ok = _is_digit(before)
        elif ch == "．":
            ok = _is_digit(before) and _is_digit(after)
        else:
            ok = (_is_digit(before) or before == "%" or before == "％") and _is_digit(after)
        return [(chr(ord(ch) - 0xFEE0), i)] if ok else None

    text, offsets = _apply(text, offsets, _FW_NUMERIC, numeric)
    return _apply(text, offsets, re.compile("\u3000"), lambda m: [(" ", m.start())])


def _whitespace(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    def collapse(m: re.Match[str]) -> list[tuple[str, int]] | None:
        run = m[0]
        if m.start() == 0 or m.end() == len(text):
            return []
        newlines = [m.start() + j for j, ch in enumerate(run) if ch == "\n"]
        if not newlines:
            return None if run == " " else [(" ", m.start())]
        if len(newlines) == 1:
            return None if run == "\n" else [("\n", newlines[0])]
        return [("\n", newlines[0]), ("\n", newlines[-1])]

    return _apply(text, offsets, _WHITESPACE, collapse)


def _is_cjk(ch: str) -> bool:
    """A Chinese/Japanese character or CJK punctuation (full-width forms included)."""
    cp = ord(ch)
    return (0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFE30 <= cp <= 0xFE4F
            or 0xFF00 <= cp <= 0xFFEF or 0x20000 <= cp <= 0x3134F)


def _joins_cjk(ch: str) -> bool:
    """Whether a wrap between ``ch`` and a CJK character needs no space (中国制造\n2025)."""
    return _is_cjk(ch) or ch in "“”‘’—…·%" or ch.isdigit()


def _is_heading_line(line: str) -> bool:
    line = line.strip()
    return (len(line) <= _HEADING_MAX_CHARS and _LIST_START.match(line) is not None
            and not re.search(r"[，,]", line))


def _join_wrapped(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    def join(m: re.Match[str]) -> list[tuple[str, int]] | None:
        s, k = m.start(), m.end()
        hyphen = m.group(1) is not None
        j = s
        while j > 0 and text[j - 1] != "\n" and text[j - 1].isspace():
            j -= 1  # spaces before the break (only left when whitespace=False)
        prev = text[j - 1] if j > 0 else "\n"
        nxt = text[k] if k < len(text) else "\n"
        if prev == "\n" or nxt == "\n":
            return None  # a paragraph break or the edge of the text, not a wrap
        line = text[text.rfind("\n", 0, j) + 1:j] + ("-" if hyphen else "")
        core = line.rstrip(_CLOSERS)
        if core and core[-1] in _SENTENCE_FINAL:
            return None
        if _LIST_START.match(text, k) or _is_heading_line(line):
            return None
        if hyphen:
            if j < s:  # "a -" is a dash between words, not a hyphen
                return [("-", s), (" ", s + m[0].index("\n"))]
            # infor-\nmation -> information; COVID-\n19 -> COVID-19
            return [] if prev.islower() and nxt.islower() else [("-", s)]
        if (_is_cjk(prev) and _joins_cjk(nxt)) or (_is_cjk(nxt) and _joins_cjk(prev)):
            return []
        return [(" ", s + m[0].index("\n"))]

    return _apply(text, offsets, _WRAP, join)


def normalize(text: str, *, fullwidth: bool = True, whitespace: bool = True,
              join_wrapped: bool = True) -> NormalizedText:
    r"""Normalise a text and keep the map back to the original (see the module docstring).

    Args:
        text: the original text.
        fullwidth: convert full-width digits and letters, and full-width ％＋－．／： in
            numbers, to ASCII; the ideographic space to a space.
        whitespace: collapse spaces, strip lines and the text, limit blank lines.
        join_wrapped: join hard-wrapped lines of a paragraph.

    Returns:
        The normalised text with its offsets into ``text``.

    Example:
        >>> n = normalize("２０２５年ＧＤＰ增长６．５％，\r\n就业优先。\r\n\r\n\r\n第一条　总则\n"
        ...               "the infor-\nmation was\nhard-wrapped")
        >>> n.text
        '2025年GDP增长6.5%，就业优先。\n\n第一条 总则\nthe information was hard-wrapped'
        >>> s, e = n.to_original(0, n.text.index("，"))
        >>> (s, e)
        (0, 14)
    """
    offsets = list(range(len(text) + 1))
    text, offsets = _apply(text, offsets, _LINE_BREAKS, lambda m: [("\n", m.start())])
    if fullwidth:
        text, offsets = _fullwidth(text, offsets)
    if whitespace:
        text, offsets = _whitespace(text, offsets)
    if join_wrapped:
        text, offsets = _join_wrapped(text, offsets)
    return NormalizedText(text=text, offsets=offsets)
