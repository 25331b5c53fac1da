"""Units of measure after (or currencies before) a number, mapped to canonical codes.

Canonical codes (SPEC section 4): ``percent``, ``percentage_point``, ISO currencies (``CNY``,
``USD``, ``EUR``, …), ``person``, ``hour``, ``day``, ``year``, ``tonne``, ``jin``, ``kWh``,
``W``, ``km``, ``m2``, ``teu``, and ``item`` for any other count. A unit may carry a
multiplier into the base unit (千瓦 → 1e3 W, 兆瓦 → 1e6 W, 公斤 → 1e-3 tonne).

Example:
    >>> match_unit_after("万千瓦以上", 1, "zh")
    UnitMatch(code='W', text='千瓦', start=1, end=3, factor=1000.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitMatch:
    """A unit found next to a number: canonical code, surface text, span, multiplier."""

    code: str
    text: str
    start: int
    end: int
    factor: float = 1.0


# Longest first within each table: the regex alternation takes the first that matches.
ZH_UNITS: list[tuple[str, str, float]] = [
    ("个百分点", "percentage_point", 1.0), ("百分点", "percentage_point", 1.0),
    ("%", "percent", 1.0), ("％", "percent", 1.0), ("‰", "percent", 0.1),
    ("亿元人民币", "CNY", 1e8), ("万元人民币", "CNY", 1e4), ("元人民币", "CNY", 1.0),
    ("亿美元", "USD", 1e8), ("万美元", "USD", 1e4), ("美元", "USD", 1.0),
    ("亿欧元", "EUR", 1e8), ("万欧元", "EUR", 1e4), ("欧元", "EUR", 1.0),
    ("亿日元", "JPY", 1e8), ("日元", "JPY", 1.0), ("港元", "HKD", 1.0), ("港币", "HKD", 1.0),
    ("亿元", "CNY", 1e8), ("万元", "CNY", 1e4), ("元", "CNY", 1.0), ("人民币", "CNY", 1.0),
    ("毛钱", "CNY", 0.1), ("分钱", "CNY", 0.01),
    ("千瓦时", "kWh", 1.0), ("千瓦小时", "kWh", 1.0), ("度电", "kWh", 1.0), ("度", "kWh", 1.0),
    ("吉瓦时", "kWh", 1e6), ("兆瓦时", "kWh", 1e3), ("太瓦时", "kWh", 1e9),
    ("吉瓦", "W", 1e9), ("兆瓦", "W", 1e6), ("千瓦", "W", 1e3), ("瓦", "W", 1.0),
    ("万吨", "tonne", 1e4), ("亿吨", "tonne", 1e8), ("公吨", "tonne", 1.0), ("吨", "tonne", 1.0),
    ("公斤", "tonne", 1e-3), ("千克", "tonne", 1e-3), ("克", "tonne", 1e-6),
    ("斤", "jin", 1.0),
    ("平方公里", "m2", 1e6), ("平方千米", "m2", 1e6), ("平方米", "m2", 1.0),
    ("公里", "km", 1.0), ("千米", "km", 1.0), ("米", "km", 1e-3),
    ("标准箱", "teu", 1.0), ("标箱", "teu", 1.0),
    ("人次", "person", 1.0), ("名", "person", 1.0), ("人", "person", 1.0),
    ("小时", "hour", 1.0), ("天", "day", 1.0), ("日", "day", 1.0),
    ("个工作日", "day", 1.0), ("年", "year", 1.0),
    ("亩", "m2", 2000 / 3), ("公顷", "m2", 1e4), ("马力", "W", 735.49875), ("岁", "year", 1.0),
    ("立方米", "m3", 1.0),
    ("倍", "percent", 100.0), ("成", "tenths", 1.0),
]
#: Chinese measure words (量词) that make a plain count (``item``).
ZH_MEASURE_WORDS = ("个", "家", "项", "辆", "座", "所", "处", "条", "套", "台", "户", "批", "只",
                    "张", "部", "件", "种", "类", "款", "块", "艘", "架", "颗", "株", "头", "枚",
                    "支", "间", "栋", "片", "列", "对", "份", "篇", "门", "位", "级", "床")

EN_UNITS: list[tuple[str, str, float]] = [
    ("percentage points?", "percentage_point", 1.0), ("pp", "percentage_point", 1.0),
    ("percent", "percent", 1.0), ("per cent", "percent", 1.0), ("%", "percent", 1.0),
    ("yuan", "CNY", 1.0), ("renminbi", "CNY", 1.0), ("dollars?", "USD", 1.0),
    ("euros?", "EUR", 1.0),
    ("kWh", "kWh", 1.0), ("kilowatt[- ]hours?", "kWh", 1.0), ("MWh", "kWh", 1e3),
    ("GWh", "kWh", 1e6), ("TWh", "kWh", 1e9),
    ("GW", "W", 1e9), ("gigawatts?", "W", 1e9), ("MW", "W", 1e6), ("megawatts?", "W", 1e6),
    ("kW", "W", 1e3), ("kilowatts?", "W", 1e3),
    ("(?:metric )?tonnes?", "tonne", 1.0), ("(?:metric )?tons?", "tonne", 1.0),
    ("jin", "jin", 1.0),
    ("square\\s+kilomet(?:re|er)s?", "m2", 1e6), ("square\\s+met(?:re|er)s?", "m2", 1.0),
    ("sq\\s?m", "m2", 1.0), ("hectares?", "m2", 1e4), ("mu", "m2", 2000 / 3),
    ("kilomet(?:re|er)s?", "km", 1.0), ("km", "km", 1.0), ("met(?:re|er)s?", "km", 1e-3),
    ("TEUs?", "teu", 1.0),
    ("people", "person", 1.0), ("persons?", "person", 1.0), ("workers?", "person", 1.0),
    ("jobs?", "person", 1.0), ("students?", "person", 1.0), ("talents?", "person", 1.0),
    ("users?", "person", 1.0), ("residents?", "person", 1.0), ("graduates?", "person", 1.0),
    ("doctors?", "person", 1.0), ("nurses?", "person", 1.0), ("teachers?", "person", 1.0),
    ("(?:new\\s+)?(?:urban\\s+|rural\\s+)?jobs", "person", 1.0),
    ("hours?", "hour", 1.0), ("days?", "day", 1.0), ("working days?", "day", 1.0),
    ("years?", "year", 1.0), ("times", "percent", 100.0), ("-fold", "percent", 100.0),
]
#: Currency markers written before the number (CNY 500 billion, US$1.4bn, ¥300).
EN_CURRENCY_PREFIX: list[tuple[str, str]] = [
    ("US\\$", "USD"), ("USD", "USD"), ("\\$", "USD"), ("CNY", "CNY"), ("RMB", "CNY"),
    ("¥", "CNY"), ("￥", "CNY"), ("EUR", "EUR"), ("€", "EUR"), ("HK\\$", "HKD"),
    ("JPY", "JPY"), ("GBP", "GBP"), ("£", "GBP"),
]
#: Codes that SPEC section 4 treats as their own class; every other code is a count.
CANONICAL = {"percent", "percentage_point", "person", "hour", "day", "year", "tonne", "jin",
             "kWh", "W", "km", "m2", "teu", "item"}

_ZH_RE = re.compile("|".join(re.escape(u) for u, _, _ in ZH_UNITS))
_ZH_TABLE = {u: (c, f) for u, c, f in ZH_UNITS}
_ZH_MEASURE_RE = re.compile("|".join(ZH_MEASURE_WORDS))
_EN_RE = re.compile(r"[\s-]?(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _, _) in enumerate(EN_UNITS))
                    + r")(?![A-Za-z])", re.IGNORECASE)
_EN_PREFIX_RE = re.compile(r"(?:" + "|".join(f"(?P<c{i}>{p})" for i, (p, _) in
                                              enumerate(EN_CURRENCY_PREFIX)) + r")\s?$")
_EN_NOUN_RE = re.compile(r"\s(?!(?:and|or|of|to|the|in|by|for|per|from|with|a|an|is|are|was|"
                         r"were|be|at|on|as|than|which|that|this|these|those|percent|each|"
                         r"times|year|years)\b)(?:(?:new|more|additional|such|key|national|specialized|"
                         r"[a-z]+-level|[a-z]+ed)\s)*(?P<noun>[a-z][a-z-]{2,})", re.IGNORECASE)


_EN_NEXT_WORD = re.compile(r" (?!(?:and|or|of|to|the|in|by|for|per|from|with|a|an|is|are|was|were|be|"
                           r"at|on|as|than|which|that|this|these|those|each|will|should|must|"
                           r"can|may|across|under|over|into|nationwide|annually|worldwide|"
                           r"abroad|respectively|including|such)\b)(?P<w>[A-Za-z][A-Za-z'-]*)\b")


_EN_PERSON_HEAD = re.compile(r"(?i)\b(?:people|persons|workers|graduates|students|users|doctors|"
                             r"nurses|teachers|residents|employees|talents|jobs)$")


# a price per unit of weight comes before fen amounts (小麦每斤提高3分)
_PRICE_BEFORE = re.compile(r"每(?:斤|公斤|千克|吨)[^。；]*$")


def canonical_unit(code: str) -> str:
    """The unit code as written in a Target: canonical codes and ISO currencies pass,
    other units (mu, times, hectare…) fall back to ``item`` with their text kept.

    Example:
        >>> canonical_unit("CNY"), canonical_unit("mu")
        ('CNY', 'item')
    """
    if code in CANONICAL or (len(code) == 3 and code.isupper()):
        return code
    return "item"


def match_unit_after(text: str, pos: int, lang: str) -> UnitMatch | None:
    """The unit that starts at ``pos`` (right after a number), if any.

    Chinese: a unit from :data:`ZH_UNITS`, else a measure word (item); English: a unit from
    :data:`EN_UNITS`, else the next noun (item, "200 clusters"), skipping a few adjectives.
    """
    if lang == "zh":
        if text.startswith((" ", "\n"), pos) and not text.startswith(("  ", "\n\n"), pos):
            pos += 1  # 8 ％, 4000万⏎千瓦: a stray space or a hard wrap between number and unit
        m = _ZH_RE.match(text, pos)
        if m:
            code, factor = _ZH_TABLE[m.group(0)]
            return UnitMatch(code, m.group(0), m.start(), m.end(), factor)
        if text.startswith("分", pos) and _PRICE_BEFORE.search(text, max(0, pos - 16), pos):
            return UnitMatch("CNY", "分", pos, pos + 1, 0.01)  # 每斤提高3分: fen
        m = _ZH_MEASURE_RE.match(text, pos)
        if m:
            return UnitMatch("item", m.group(0), m.start(), m.end())
        return None
    m = _EN_RE.match(text, pos)
    if m:
        idx = int(next(k for k, v in m.groupdict().items() if v is not None)[1:])
        _, code, factor = EN_UNITS[idx]
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        return UnitMatch(code, text[start:m.end()], start, m.end(), factor)
    m = _EN_NOUN_RE.match(text, pos)
    if m:
        # the head of a short noun phrase is its last word: "two to three internationally
        # influential ecosystem companies" counts companies
        start, end = m.start("noun"), m.end("noun")
        best, pos = end, end
        for _ in range(3):
            nxt = _EN_NEXT_WORD.match(text, pos)
            if not nxt:
                break
            pos = nxt.end("w")
            if nxt.group("w").endswith("s"):
                best = pos
        phrase = text[start:best]
        code = "person" if _EN_PERSON_HEAD.search(phrase) else "item"
        return UnitMatch(code, phrase, start, best)
    return None


def match_currency_before(text: str, pos: int) -> UnitMatch | None:
    """A currency marker that ends at ``pos`` (right before a number): CNY, RMB, US$, €.

    Example:
        >>> match_currency_before("worth US$1.4 billion", 9)
        UnitMatch(code='USD', text='US$', start=6, end=9, factor=1.0)
    """
    window = text[max(0, pos - 6):pos]
    m = _EN_PREFIX_RE.search(window)
    if not m:
        return None
    idx = int(next(k for k, v in m.groupdict().items() if v is not None)[1:])
    start = pos - len(window) + m.start()
    surface = text[start:pos].rstrip()
    return UnitMatch(EN_CURRENCY_PREFIX[idx][1], surface, start, start + len(surface))


__all__ = ["CANONICAL", "EN_UNITS", "ZH_MEASURE_WORDS", "ZH_UNITS", "UnitMatch",
           "canonical_unit", "match_currency_before", "match_unit_after"]
