"""Numbers in Chinese and English policy text: digits, Chinese numerals, scale words.

Everything returns plain floats in base units (万 = 1e4, 亿 = 1e8, 万亿 = 1e12, thousand …
trillion), with the character span of the number in the text.

Example:
    >>> parse_chinese_numeral("两千五百")
    2500.0
    >>> [(m.text, m.value) for m in find_numbers("粮食产量1.3万亿斤以上，培育二百个集群")]
    [('1.3万亿', 1300000000000.0), ('二百', 200.0)]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
              "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG_UNITS = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}

ZH_SCALES = {"万亿": 1e12, "萬億": 1e12, "亿": 1e8, "億": 1e8, "万": 1e4, "萬": 1e4,
             "千": 1e3, "百": 1e2}
EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
             "bn": 1e9, "mn": 1e6, "m": 1e6, "k": 1e3, "tn": 1e12}

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")

CN_NUMERAL_CHARS = "零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億"


def to_halfwidth_digits(s: str) -> str:
    """Turn full-width digits and number punctuation into ASCII (length is unchanged).

    Example:
        >>> to_halfwidth_digits("２０２５年")
        '2025年'
    """
    return s.translate(_FULLWIDTH)


def parse_chinese_numeral(s: str) -> float | None:
    """The value of a Chinese numeral (二百, 两千五百, 一万二千, 五百亿, 十二, 一〇五), or None.

    Digit strings without unit characters (二〇二五) read digit by digit.

    Example:
        >>> parse_chinese_numeral("一万二千"), parse_chinese_numeral("十五"), parse_chinese_numeral("二〇二五")
        (12000.0, 15.0, 2025.0)
    """
    if "点" in s:  # a decimal: 十三点六, 一点三
        whole, _, frac = s.partition("点")
        w = parse_chinese_numeral(whole) if whole else 0.0
        if w is None or not frac or any(c not in _CN_DIGITS for c in frac):
            return None
        return w + float("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    if not s or any(c not in _CN_DIGITS and c not in _CN_SMALL_UNITS and c not in _CN_BIG_UNITS
                    for c in s):
        return None
    if all(c in _CN_DIGITS for c in s):
        if len(s) == 1:
            return float(_CN_DIGITS[s])
        return float("".join(str(_CN_DIGITS[c]) for c in s))
    result = 0.0     # everything closed by 亿
    wan = 0.0        # the part closed by 万 inside the current 亿 section
    section = 0.0    # the part below 万
    digit = 0.0
    seen_digit = False
    for c in s:
        if c in _CN_DIGITS:
            digit, seen_digit = float(_CN_DIGITS[c]), True
        elif c in _CN_SMALL_UNITS:
            section += (digit if seen_digit else 1.0) * _CN_SMALL_UNITS[c]
            digit, seen_digit = 0.0, False
        elif _CN_BIG_UNITS[c] == 1e4:
            wan = (wan + section + digit) * 1e4
            section, digit, seen_digit = 0.0, 0.0, False
        else:  # 亿 multiplies all that comes before it (三万亿 = 3e12)
            result = (result + wan + section + digit) * 1e8
            wan, section, digit, seen_digit = 0.0, 0.0, 0.0, False
    value = result + wan + section + digit
    if value == 0 and s and all(c in _CN_BIG_UNITS for c in s):  # 万家, 万亿元: lone units
        return float(math.prod(_CN_BIG_UNITS[c] for c in s))
    return value if value > 0 or s in ("零", "〇") else None


_ARABIC = r"[0-9０-９]+(?:[,，][0-9０-９]{3})*(?:[.．][0-9０-９]+)?"
_ZH_SCALE_RE = "万亿|萬億|亿|億|万|萬|千|百"
_EN_SCALE_RE = r"thousand|million|billion|trillion|bn|mn|tn"
_CN_NUM_RE = f"[{CN_NUMERAL_CHARS}]+(?:点[零〇○一二三四五六七八九]+)?"
_CN_ONLY_DIGITS = "零〇○一二两三四五六七八九"

NUMBER_RE = re.compile(
    rf"(?P<arabic>{_ARABIC})(?P<duo>多)?(?:\s?(?P<zhscale>{_ZH_SCALE_RE})(?![瓦克米伏焦帕赫])|[\s-]?(?P<enscale>{_EN_SCALE_RE})\b)?"
    rf"|(?P<cn>{_CN_NUM_RE})(?:(?P<cnduo>多)(?P<cnscale>{_ZH_SCALE_RE}))?",
    re.IGNORECASE,
)
# Digits set apart by single spaces, as some scanned reports print them (4 0 0 亿元).
_SPACED_DIGITS = re.compile(r"(?<![0-9])[0-9](?: ?[0-9])*(?: (?:[0-9]|[.．] ?[0-9])|[.．] [0-9])"
                            r"(?: ?[0-9.．])*(?![0-9])")
# "is to double", "roughly double the number": a 100 % increase (not "double-digit")
_EN_DOUBLING = re.compile(r"(?i)(?<=\bto )(?:double|triple)\b(?!-)|\b(?:doubling|tripling|doubled|tripled)\b(?!-)|"
                          r"(?<=roughly )double\b(?!-)|(?<=nearly )double\b(?!-)")
# 零增长: zero growth, a change of 0 %
_ZERO_GROWTH = re.compile(r"零增长")
# 翻一番 / 翻两番: doubling (100 %) and quadrupling (300 %) of a base.
_DOUBLING = re.compile(r"翻(?P<n>一|两|二|三|四|[1-4])?番")


@dataclass(frozen=True)
class NumberMatch:
    """A number found in text: its span, its text and its value in base units."""

    start: int
    end: int
    text: str
    value: float
    kind: str  # "arabic" or "chinese"


def parse_arabic(s: str) -> float:
    """Parse digits with thousands separators and a decimal point, full-width allowed.

    Example:
        >>> parse_arabic("１,２００.５")
        1200.5
    """
    return float(to_halfwidth_digits(s).replace(",", "").replace("，", ""))


_EN_UNITS_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                   "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                   "seventeen", "eighteen", "nineteen"]
_EN_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                  "seventy": 70, "eighty": 80, "ninety": 90}
_EN_WORD_VALUES = {w: i for i, w in enumerate(_EN_UNITS_WORDS)}
_EN_WORD_RE = re.compile(
    r"\b(?P<w>(?:" + "|".join(_EN_TENS_WORDS) + r")(?:[- ](?:" + "|".join(_EN_UNITS_WORDS[1:10])
    + r"))?|" + "|".join(sorted(_EN_UNITS_WORDS, key=len, reverse=True)) + r"|a dozen|dozens?|"
    r"once|twice)"
    r"(?:\s+(?P<hundred>hundred))?(?:\s+(?P<scale>thousand|million|billion|trillion))?\b",
    re.IGNORECASE)
_FRACTION_ZH = re.compile(rf"(?P<den>{_CN_NUM_RE}|[0-9]+)\s?分之\s?(?P<num>{_CN_NUM_RE}|[0-9.]+)"
                          rf"(?:(?P<sep>到|至|－|—|-)(?P<second>(?:百分之)?(?P<num2>{_CN_NUM_RE}|[0-9.]+)))?")
_EN_DENOMS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
              "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
_FRACTION_EN = re.compile(r"\b(?P<num>one|a|two|three|four)[- ](?P<den>" + "|".join(_EN_DENOMS)
                          + r")\b", re.IGNORECASE)


def _en_word_value(m: re.Match[str]) -> float:
    w = m.group("w").lower()
    if w in ("once", "twice"):
        base = 1.0 if w == "once" else 2.0
    elif w == "a dozen":
        base = 12.0
    elif w.startswith("dozen"):
        base = 12.0
    else:
        parts = re.split(r"[- ]", w)
        base = float(_EN_TENS_WORDS.get(parts[0], _EN_WORD_VALUES.get(parts[0], 0)))
        if len(parts) == 2:
            base += _EN_WORD_VALUES[parts[1]]
    if m.group("hundred"):
        base *= 100
    if m.group("scale"):
        base *= EN_SCALES[m.group("scale").lower()]
    return base


def _num_or_cn(s: str) -> float | None:
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", s):
        return float(s)
    return parse_chinese_numeral(s)


def find_fractions(text: str) -> list[NumberMatch]:
    """Fractions (三分之一, "one third", "two-thirds") as ratios (kind ``fraction``).

    Example:
        >>> [(m.text, round(m.value, 3)) for m in find_fractions("降低三分之一, two-thirds")]
        [('三分之一', 0.333), ('two-thirds', 0.667)]
    """
    out: list[NumberMatch] = []
    for m in _FRACTION_ZH.finditer(text):
        den, num = _num_or_cn(m.group("den")), _num_or_cn(m.group("num"))
        if den and num is not None:
            out.append(NumberMatch(m.start(), m.end("num"), text[m.start():m.end("num")],
                                   num / den, "fraction"))
            num2 = _num_or_cn(m.group("num2")) if m.group("num2") else None
            if num2 is not None:  # 百分之二到三: the second number shares the denominator
                out.append(NumberMatch(m.start("second"), m.end("second"), m.group("second"),
                                       num2 / den, "fraction"))
    for m in _FRACTION_EN.finditer(text):
        raw = m.group("num").lower()
        num_v = 1.0 if raw in ("one", "a") else float(_EN_WORD_VALUES[raw])
        out.append(NumberMatch(m.start(), m.end(), m.group(0),
                               num_v / _EN_DENOMS[m.group("den").lower()], "fraction"))
    return out


def find_numbers(text: str, lang: str | None = None) -> list[NumberMatch]:
    """Every number in ``text`` with its value in base units, in text order.

    Chinese numerals are taken only where they read as quantities: two characters or more,
    or one numeral directly followed by a measure word (三个). Plan names such as 十四五 are
    not numbers. With ``lang="en"``, number words count too ("ten", "twenty-five million");
    fractions (三分之一, "one third") come as ratios with kind ``fraction``.

    Example:
        >>> [m.value for m in find_numbers("增长6%－6.5%，新增1200万人，USD 1.4 billion")]
        [6.0, 6.5, 12000000.0, 1400000000.0]
        >>> [m.value for m in find_numbers("no less than ten SMEs", "en")]
        [10.0]
    """
    out: list[NumberMatch] = find_fractions(text)
    used = bytearray(len(text))  # 1 where a number was already read

    def take(a: int, b: int) -> None:
        used[a:b] = b"\x01" * (b - a)

    for fraction in out:
        take(fraction.start, fraction.end)

    def free(a: int, b: int) -> bool:
        return used.find(1, a, b) < 0

    if lang == "en":
        for m in _EN_WORD_RE.finditer(text):
            if free(m.start(), m.end()):
                out.append(NumberMatch(m.start(), m.end(), m.group(0), _en_word_value(m), "word"))
                take(m.start(), m.end())
    if lang == "en":
        for m in _EN_DOUBLING.finditer(text):
            if free(m.start(), m.end()):
                value = 100.0 if m.group(0).lower().startswith("doubl") else 200.0
                out.append(NumberMatch(m.start(), m.end(), m.group(0), value, "percent"))
                take(m.start(), m.end())
    if lang != "en":
        for m in _ZERO_GROWTH.finditer(text):
            out.append(NumberMatch(m.start(), m.end(), m.group(0), 0.0, "percent"))
            take(m.start(), m.end())
        for m in _DOUBLING.finditer(text):
            n = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4}.get(m.group("n") or "一") or int(
                m.group("n"))
            out.append(NumberMatch(m.start(), m.end(), m.group(0), (2.0 ** n - 1) * 100,
                                   "percent"))
            take(m.start(), m.end())
        for m in _SPACED_DIGITS.finditer(text):
            scale = re.match(rf"\s?({_ZH_SCALE_RE})", text[m.end():])
            end = m.end() + (scale.end() if scale else 0)
            digits = to_halfwidth_digits(m.group(0).replace(" ", ""))
            try:
                value = float(digits) * (ZH_SCALES[scale.group(1)] if scale else 1.0)
            except ValueError:
                continue
            if 1900 <= value <= 2100 and re.match(r"\s?年", text[end:]):
                take(m.start(), end)  # 1 9 9 8 年: a year
                continue
            out.append(NumberMatch(m.start(), end, text[m.start():end], value, "arabic"))
            take(m.start(), end)
    for m in NUMBER_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        if m.group("arabic"):
            value = parse_arabic(m.group("arabic"))
            if m.group("zhscale"):
                value *= ZH_SCALES[m.group("zhscale")]
            elif m.group("enscale"):
                value *= EN_SCALES[m.group("enscale").lower()]
            out.append(NumberMatch(m.start(), m.end(), m.group(0), value, "arabic"))
            continue
        if lang == "en":
            continue
        cn = m.group("cn")
        if _is_plan_name(text, m.start(), m.end()):
            continue
        if all(c in _CN_ONLY_DIGITS for c in cn) and len(cn) in (2, 3):
            continue  # 一两年, 三四个: an approximate pair, not one number
        if all(c in _CN_ONLY_DIGITS for c in cn) and len(cn) == 4 and text.startswith(
                "年", m.end()):
            continue  # 一九八五年: a year
        if text[max(0, m.start() - 1):m.start()] in ("第", "逐", "统"):
            continue  # ordinals (第一批) and words that merely contain a numeral (逐一, 统一)
        value_cn = parse_chinese_numeral(cn)
        if value_cn is None:
            continue
        if len(cn) == 1 and not _MEASURE_AFTER.match(text, m.end()) and not m.group("cnduo"):
            continue
        if m.group("cnduo"):
            value_cn *= ZH_SCALES[m.group("cnscale")]
        if text.startswith("年代", m.end()):
            continue  # 七十年代: a decade
        out.append(NumberMatch(m.start(), m.end(), m.group(0), value_cn, "chinese"))
    out.sort(key=lambda n: n.start)
    return out


# A lone Chinese digit is a quantity only before a measure word (三个, 两家, 一批, 五项).
_MEASURE_AFTER = re.compile(r"[个家项倍批所座条类种成名位次年天]|小时")
_PLAN_RE = re.compile(r"^(?:十[一二三四五六七八九]五|十五|九五|八五|七五|六五)$")


def _is_plan_name(text: str, start: int, end: int) -> bool:
    """十四五 / “十五五” / 十五规划: Five-Year Plan names, not quantities."""
    s = text[start:end]
    if not _PLAN_RE.match(s):
        return False
    before = text[max(0, start - 1):start]
    after = text[end:end + 2]
    return before in "“\"《" or after[:1] in "”\"》" or after in ("规划", "时期", "期间", "计划", "末期")


__all__ = ["EN_SCALES", "NUMBER_RE", "ZH_SCALES", "NumberMatch", "find_fractions", "find_numbers",
           "parse_arabic", "parse_chinese_numeral", "to_halfwidth_digits"]
