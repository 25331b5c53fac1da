"""Numeric targets (SPEC section 4) in Chinese and English policy text.

The extractor works sentence by sentence on the original text (full-width digits are read
in place, so every offset is an offset into the input):

1. find every number (:mod:`policynlp.extract.numbers`) and drop those that are not
   quantities: dates and years, document and article numbers, list markers, level names
   (L4, 5G), phone numbers;
2. attach a unit after it (or a currency before it) and read a range (6%－6.5%, 300至500万吨);
3. read the comparator next to it, the direction and the metric from its clause;
4. keep it only if its sentence reads as a plan, commitment, cap or threshold rather than a
   report of the past (:data:`~policynlp.extract.cues.TARGET_CUES`/``REPORT_CUES``);
5. give it the deadline of its sentence, else the one inherited from a lead sentence or
   heading ("Key targets for 2025 include:", 到2027年，…主要目标是：), else of its paragraph.

Example:
    >>> [(t.value, t.unit, t.comparator, t.deadline) for t in
    ...  extract_targets("到2025年，培育200个左右特色产业集群。", "zh")]
    [(200.0, 'item', 'approx', '2025-12-31')]
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from policynlp.data import Baseline, Target
from policynlp.extract.cues import (
    FUTURE_CUES,
    PAST_CUES,
    REVIEW_HEADING,
    TARGET_CUES,
    comparator_after,
    comparator_before,
    direction,
)
from policynlp.extract.dates import Deadline, _int, find_deadlines, find_key_dates
from policynlp.extract.numbers import NumberMatch, find_numbers, to_halfwidth_digits
from policynlp.extract.sentence_model import SentenceJudge, default_classifier
from policynlp.extract.units import (
    UnitMatch,
    canonical_unit,
    match_currency_before,
    match_unit_after,
)

# Spans that hold numbers which are never targets.
_NOT_QUANTITY = [
    re.compile(r"[〔\[［(（]\s?\d{4}\s?[〕\]］)）]\s?第?\s?\d+\s?号"),           # 〔2026〕169号
    re.compile(r"第\s?[0-9一二三四五六七八九十百千零〇]+\s?[条章节款项号批次届个]"),  # 第十二条
    re.compile(r"(?m)^\s*(?:[（(]\s?[0-9一二三四五六七八九十]+\s?[）)]|[0-9一二三四五六七八九十]+\s?[、.．](?!\d))"),
    re.compile(r"(?i)\b(?:article|art\.|no\.|number|section|chapter|item|clause|paragraph|"
               r"decree|order|document|circular|annex|phase|level|tier|version|grade)\s+\d+"),
    re.compile(r"(?i)(?<![A-Za-z])(?:L\d(?:\s?[-–+]\s?L?\d)?|\d\s?G\b|[A-Z]{1,4}-?\d+[A-Za-z]*)"),
    re.compile(r"\+?\d{2,4}[- ]\d{3,4}[- ]\d{4}|\b\d{3,4}-\d{7,8}\b|\b1[3-9]\d{9}\b"),  # phones
    re.compile(r"\d{4}\s?年\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?日)?|\d{1,2}\s?月\s?\d{1,2}\s?日"),
    re.compile(r"(?<![0-9.０-９．])(?:19|20|１９|２０)[0-9０-９]{2}\s?(?:年|-\d{2}-\d{2}|/\d{2})"),
    re.compile(r"\d{1,2}:\d{2}"),
    re.compile(r"“?十[一二三四五六七八九]?五”?(?:规划|时期|期间)?"),
]
_EN_DATE_NUM = re.compile(
    r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r"(?:,?\s+\d{4})?|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|"
    r"dec)[a-z]*")
_RANGE_SEP = {"zh": re.compile(r"\s?(?:[-－—–~～]|至|到)\s?"),
              "en": re.compile(r"\s?(?:[-–—~]|to)\s?")}
_BETWEEN = re.compile(r"(?i)\bbetween\s*$")
_AND = re.compile(r"(?i)\s?and\s?")
_BASELINE_ZH = re.compile(r"(?:比|较|相比)\s?(?P<y>(?:19|20)\d{2})\s?年")
_BASELINE_EN_YEAR = re.compile(r"(?i)(?:compared (?:with|to)|from|over|relative to|against|"
                               r"than(?: in)?)\s+(?:the\s+)?(?P<y>(?:19|20)\d{2})(?:\s+levels?)?")
_BASELINE_EN_VALUE = re.compile(r"(?i)\(?\s?(?:up|down) from\s+(?:an estimated\s+|about\s+|"
                                r"around\s+)?")
_EN_BASELINE_SPAN = re.compile(r"(?i)\(?\b(?:up|down) from\s[^)\n;]{0,50}\)?")
_SENT_END = {"zh": "。！？；!?;", "en": ".!?;"}
_BULLET = re.compile(r"^\s*(?:[•\-–*▪·●](?=\s)|\(?\d{1,2}[.)](?=\s)|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)")
_LEAD_END = re.compile(r"(?:[：:]|如下[。：:]?|(?:以下|下列)[^，。]{0,12}(?:工作|任务|目标)[。：:]?)\s*$")
_ZH_METRIC_STRIP = re.compile(r"^(?:[，,、：:\s]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[.．、]|到\s?\d{4}\s?年(?:底|末)?|今年|明年|全年|力争|确保|"
                              r"争取|预计|其中|要|将|使|把|实现|主要预期目标是?|主要目标是?)+")
_ZH_METRIC_TAIL = re.compile(r"(?:达到|达|控制在|保持在|稳定在|不低于|不少于|不超过|不高于|低于|"
                             r"超过|至少|约|大约|为|在|到|至)\s?$")
_EN_METRIC_TAIL = re.compile(r"(?i)(?:\s+(?:of|to|by|at|for|from|reach|reaching|hit|be|is|are|"
                             r"around|about|approximately|roughly|at least|no less than|more than|"
                             r"over|up to|at most|no more than|below|under|an estimated|some|"
                             r"nearly|than))+\s*$")


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int


def _sentences(text: str, lang: str) -> list[_Sentence]:
    """Sentences with their paragraph index; a wrapped line inside a sentence is not a break.

    A line break ends a sentence after final punctuation or a colon, before a bullet, or at
    a blank line; otherwise it is a hard wrap (text extracted from PDFs).
    """
    ends = _SENT_END[lang]
    out: list[_Sentence] = []
    para, start, i, n = 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        brk = False
        if c in ends and not (c == "." and i + 1 < n and text[i + 1].isdigit()):
            brk = True
        elif c == "\n":
            nxt = text.find("\n", i + 1)
            next_line = text[i + 1: nxt if nxt >= 0 else n]
            prev = text[start:i].rstrip()
            blank = not next_line.strip()
            line = text[text.rfind("\n", 0, i) + 1:i].strip()
            heading = bool(_BULLET.match(line)) and not any(p in line for p in ends + "，,")
            if blank or heading or _BULLET.match(next_line) or (prev and prev[-1] in ends + "：:") or (
                    lang == "zh" and len(next_line) - len(next_line.lstrip()) >= 2):
                brk = True
        if brk:
            end = i + 1 if c != "\n" else i
            if text[start:end].strip():
                out.append(_Sentence(start, end, para))
            if c == "\n" and i + 1 < n and text[i + 1] == "\n":
                para += 1
            start = i + 1
        i += 1
    if text[start:].strip():
        out.append(_Sentence(start, n, para))
    return out


def _blocked(text: str, lang: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for rx in _NOT_QUANTITY for m in rx.finditer(text)]
    if lang == "en":
        spans += [(m.start(), m.end()) for m in _EN_DATE_NUM.finditer(text)]
        spans += [(m.start(), m.end()) for m in _EN_BASELINE_SPAN.finditer(text)]
    return spans



def _is_year_like(num: NumberMatch, text: str, lang: str) -> bool:
    if num.kind != "arabic" or not num.value.is_integer() or not 1900 <= num.value <= 2100:
        return False
    if any(c in num.text for c in ",.，．"):
        return False
    unit = match_unit_after(text, num.end, lang)
    return lang == "en" or unit is None or unit.code == "year"


@dataclass
class _Quantity:
    start: int            # first char of the number (or currency prefix)
    end: int              # last char of the unit (or number)
    value: float
    value_high: float | None
    unit: UnitMatch | None
    span_start: int | None = None  # where the target's text starts when a label comes first


def _read_quantity(text: str, num: NumberMatch, nums: list[NumberMatch], idx: int,
                   lang: str) -> tuple[_Quantity, int]:
    """Read the number at ``nums[idx]`` with its unit and a range; return it and how many
    numbers it used."""
    unit: UnitMatch | None
    high: float | None
    if num.kind == "percent":  # 翻两番: +300 %, 零增长: 0 %, "to double": +100 %
        unit = UnitMatch("percent", num.text, num.start, num.end)
        return _Quantity(num.start, num.end, num.value, None, unit), 1
    if num.kind == "fraction":  # 三分之一 / one third: a share, written as a percentage
        unit = UnitMatch("percent", num.text, num.start, num.end)
        value = round(num.value * 100, 4)
        if idx + 1 < len(nums) and _RANGE_SEP[lang].fullmatch(text[num.end:nums[idx + 1].start]):
            nxt = nums[idx + 1]  # 百分之二到三: the second number shares the first's base
            factor = 100 / _fraction_base(num) if nxt.kind != "fraction" else 100
            high = round(nxt.value * factor, 4)
            unit = UnitMatch("percent", text[num.start:nxt.end], num.start, nxt.end)
            return _Quantity(num.start, nxt.end, value, high, unit), 2
        return _Quantity(num.start, num.end, value, None, unit), 1
    prefix = match_currency_before(text, num.start) if lang == "en" else None
    unit = match_unit_after(text, num.end, lang)
    if prefix is not None and unit is not None and unit.code == "item":
        unit = None
    used = 1
    value, high = num.value, None
    end = unit.end if unit else num.end
    if idx + 1 < len(nums):
        nxt = nums[idx + 1]
        if _RANGE_SEP[lang].fullmatch(text[num.end:nxt.start]) or (
                lang == "en" and _AND.fullmatch(text[num.end:nxt.start])):
            unit, end = None, num.end  # 6－6.5%, between 5 and 10 percent: the unit comes last
        gap = text[end:nxt.start]
        is_range = bool(_RANGE_SEP[lang].fullmatch(gap))
        between = lang == "en" and bool(_AND.fullmatch(gap)) and bool(
            _BETWEEN.search(text[max(0, num.start - 12):num.start]))
        if (is_range or between) and (unit is None or unit.code in ("percent", "percentage_point")
                                      or lang == "en"):
            unit2 = match_unit_after(text, nxt.end, lang) or unit
            if prefix is not None and unit2 is not None and unit2.code == "item":
                unit2 = None
            if lang == "en" and unit is not None and (unit2 is None or unit2.code != unit.code):
                # "cut by 0.2 percentage points to 1.5%": a change and a new level, not a range
                q = _Quantity(prefix.start if prefix else num.start, end,
                              value * unit.factor, None, unit)
                return q, 1
            scale2 = nxt.value / _bare(nxt)
            scale1 = num.value / _bare(num)
            value = num.value * (scale2 if scale1 == 1 and scale2 != 1 else 1)
            high, unit, used = nxt.value, unit2, 2
            end = unit.end if unit and unit.end > nxt.end else nxt.end
    if prefix is not None:
        unit = UnitMatch(prefix.code, text[prefix.start:end].strip(), prefix.start, end,
                         (unit.factor if unit and unit.code == prefix.code else 1.0))
    factor = unit.factor if unit else 1.0
    q = _Quantity(prefix.start if prefix else num.start, end, value * factor,
                  None if high is None else high * factor, unit)
    return q, used


_PEOPLE_AFTER = re.compile(r"(?:以上|左右|多)?(?:[\u4e00-\u9fff]{0,6}?)(?:人口|人员|文盲|农民|职工|教师|学生|儿童|"
                           r"劳动力|毕业生|人才)")
_PEOPLE_BEFORE = re.compile(r"(?:人口|员额|人数)[^。；]{0,10}$")
_ITEMS_AFTER = re.compile(r"(?:以上|左右|多)?[\u4e00-\u9fff]{0,6}?(?:用户|家庭|企业|项目)")
# the verbs that make a bare number a quantity to reach (not 发挥八亿农民的积极性)
_COUNT_GOAL = re.compile(r"控制在|解决|减少|扫除|培养|安置|裁减|新增|增加|达到|再有|帮助|转移|覆盖|惠及|"
                         r"以内|左右|以上|不超过|近")


def _people_count(text: str, sent: _Sentence, q: _Quantity) -> _Quantity:
    """A bare number of people (人口控制在十二亿以内, 再有1000万以上贫困人口, 裁减军队员额五十万)."""
    window = text[max(sent.start, q.start - 16):q.start] + text[q.end:q.end + 2]
    if not _COUNT_GOAL.search(window):
        return q
    if _ITEMS_AFTER.match(text, q.end, min(sent.end, q.end + 12)):
        return _Quantity(q.start, q.end, q.value, q.value_high, UnitMatch("item", "", q.end, q.end))
    after = _PEOPLE_AFTER.match(text, q.end, min(sent.end, q.end + 12))
    if after or _PEOPLE_BEFORE.search(text, max(sent.start, q.start - 16), q.start):
        return _Quantity(q.start, q.end, q.value, q.value_high,
                         UnitMatch("person", "人", q.end, q.end))
    return q


_EN_BY_THEN = re.compile(r"(?i)\bby (?:then|that time|that date|that year)\b")
_EN_SCOPE_PHRASE = re.compile(r"(?i)(?:this year|(?:in|for|during|over)\s)")
_EN_BARE_TARGET = re.compile(r"(?i)\b(?:number|stock|count|total) of\b[^.;:]{0,60}\bto\s+"
                             r"(?:(?:exceed|reach|rise to|increase to|grow to|be|approach|stay above|"
                             r"stay at)\s+)?(?:around\s+|about\s+|more than\s+|at least\s+)?\Z")
_EN_CONDITIONAL = re.compile(r"(?i)\b(?:if|unless|should it|in case)\b")
_EN_LABEL = re.compile(r"(?P<label>[A-Za-z][\w ,'()/-]{2,80}?)\s*:\s*(?:(?:more|fewer|less) than|"
                       r"at least|at most|over|under|up to|around|about|no (?:more|fewer|less) than)?"
                       r"\s*(?:CNY|USD|RMB)?\s*\Z")
_EN_PEOPLE = re.compile(r"(?i)\b(?:users|people|persons|workers|jobs|students|doctors|graduates|"
                        r"employees|residents|staff)\b")


def _labelled_count(text: str, sent: _Sentence, q: _Quantity) -> _Quantity:
    """A bare number under a label ("Civil transport airports: more than 270")."""
    line_start = text.rfind("\n", 0, q.start) + 1
    m = _EN_LABEL.search(text, max(sent.start, line_start), q.start)
    if not m:
        return q
    code = "person" if _EN_PEOPLE.search(m.group("label")) else "item"
    return _Quantity(q.start, q.end, q.value, q.value_high,
                     UnitMatch(code, m.group("label").strip(), q.end, q.end), m.start("label"))


def _fraction_base(num: NumberMatch) -> float:
    """The denominator of a Chinese fraction (百分之二 → 100), 1 when it has none."""
    from policynlp.extract.numbers import parse_chinese_numeral

    den = num.text.split("分之")[0] if "分之" in num.text else ""
    value = parse_chinese_numeral(den) if den and not den.isdigit() else (
        float(den) if den else None)
    return value or 1.0


def _bare(num: NumberMatch) -> float:
    """The number without its scale word (1.3万亿 → 1.3), for scale inheritance in ranges."""
    digits = re.match(r"[0-9０-９,，.．]+", num.text)
    if not digits:
        return num.value
    bare = float(to_halfwidth_digits(digits.group(0)).replace(",", "").replace("，", ""))
    return bare if bare else 1.0


def _metric_zh(text: str, clause_start: int, q_start: int) -> tuple[str | None, int]:
    raw = text[clause_start:q_start]
    stripped = _ZH_METRIC_STRIP.sub("", raw)
    offset = clause_start + len(raw) - len(stripped)
    stripped = _ZH_METRIC_TAIL.sub("", stripped)
    metric = stripped.replace("\n", "").strip()
    if len(metric) > 24:
        cut = len(stripped) - 24
        offset, metric = offset + cut, stripped[cut:].replace("\n", "").strip()
    return (metric or None), offset


def _metric_en(text: str, clause_start: int, q: _Quantity,
               clause_end: int) -> tuple[str | None, int, int]:
    after = re.match(r"[ \n]+(?:of\s+|in\s+)?(?P<m>(?:(?!by\b|in 20|annually|per\b|each\b|"
                     r"this\b|next\b|up\b|down\b|from\b|compared\b|\()[A-Za-z][\w-]*[ \n]?){1,6})",
                     text[q.end:clause_end])
    if q.unit is not None and q.unit.code != "item" and after:
        m = after.group("m").strip()
        return m, q.start, q.end + after.end("m")
    before = text[clause_start:q.start]
    before = _EN_METRIC_TAIL.sub("", before)
    words = re.findall(r"[A-Za-z][\w'-]*(?:\s+(?:of|in|for|the|and)\s+[A-Za-z][\w'-]*)*", before)
    tail = " ".join(before.split()[-6:]) if before.strip() else ""
    if q.unit is not None and q.unit.code == "item":
        return q.unit.text, q.start, q.end
    if not words:
        return None, q.start, q.end
    start = clause_start + before.rfind(tail.split()[0]) if tail else q.start
    return tail.strip(" ,:;-") or None, start, q.end


def _clause_start(text: str, sent: _Sentence, pos: int, lang: str) -> int:
    marks = "，,；;：:、\n" if lang == "zh" else ";:\n"
    i = pos
    while i > sent.start and text[i - 1] not in marks:
        i -= 1
    while lang == "en" and i > sent.start and text[i - 1] == "\n" and not _BULLET.match(
            text, i) and text[:i - 1].rstrip()[-1:] not in ".:;":
        i -= 1  # a hard-wrapped line goes on with the clause above it
        while i > sent.start and text[i - 1] not in marks:
            i -= 1
    if lang == "en":
        # an English clause also starts after ", and" or a comma before a verb phrase
        j = text.rfind(", ", sent.start, pos)
        i = max(i, j + 2) if j >= 0 and pos - j < 60 else i
    return i


def _clause_end(text: str, sent: _Sentence, pos: int, lang: str) -> int:
    marks = "，,；;。\n" if lang == "zh" else ";.\n,"
    i = pos
    while i < sent.end:
        if text[i] in marks:
            wrapped = (lang == "en" and text[i] == "\n" and not _BULLET.match(text, i + 1)
                       and text[:i].rstrip()[-1:] not in ".:;")
            if not wrapped:
                break
        i += 1
    return i


_EN_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:and|while|but|as|which|with|after|before|when|although|"
                              r"whereas|up|down)\b")


def _deadline_for(q: _Quantity, deadlines: list[Deadline], sent: _Sentence, text: str = "",
                  lang: str = "zh") -> Deadline | None:
    """The deadline of a quantity in its own sentence.

    Chinese puts it first (到2025年，…); English usually after the target ("reach 120 GW by
    2030"), so there the first deadline after the quantity and before the next number wins.
    """
    inside = [d for d in deadlines if sent.start <= d.start and d.end <= sent.end]
    before = [d for d in inside if d.end <= q.start]
    after = [d for d in inside if d.start >= q.end]
    if lang == "en" and after:
        if not _EN_CLAUSE_BREAK.search(text, q.end, after[0].start) and (
                after[0].start - q.end < 160):
            return after[0]
        after = []  # a deadline beyond a clause break belongs to another target
    if before:
        return before[-1]
    if after:
        return after[0]
    return None


def extract_targets(text: str, lang: str, doc_date: str | None = None, *,
                    classifier: SentenceJudge | None | str = "default"
                    ) -> list[Target]:
    """Every numeric target in ``text``, in text order.

    Args:
        text: the document (or any passage of it); offsets refer to this string.
        lang: ``zh`` or ``en``.
        doc_date: the document date (ISO); anchors 今年/明年/"this year"/"next year".
        classifier: decides the sentences the rules cannot: ``"default"`` (the shipped
            model, when the package has one), any object with ``is_target(sentence)`` such as a
            :class:`~policynlp.extract.sentence_model.TargetSentenceClassifier`, or
            ``None`` for rules alone.

    Example:
        >>> [(t.value, t.value_high, t.unit, t.comparator) for t in
        ...  extract_targets("国内生产总值增长6%－6.5%，城镇调查失业率控制在5.5%以内。", "zh")]
        [(6.0, 6.5, 'percent', 'range'), (5.5, None, 'percent', 'at_most')]
    """
    doc_year = int(doc_date[:4]) if doc_date else None
    model: SentenceJudge | None = (default_classifier() if isinstance(classifier, str)
                                   else classifier)
    if model is not None and lang not in model.languages:
        model = None
    guesses: dict[int, bool] = {}  # the classifier's answer per sentence start
    deadlines = find_deadlines(text, doc_year)
    blocked = _blocked(text, lang)
    blocked += [(d.start, d.end) for d in deadlines]
    blocked += [(k.start, k.end) for k in find_key_dates(text, doc_date)]
    numbers = find_numbers(text, lang)
    sections = _review_sections(text, doc_year) if lang == "zh" else []
    if doc_year is not None:  # deadlines already past at the document date are not deadlines
        deadlines = [d for d in deadlines if int(d.date[:4]) >= doc_year]
    deadlines.sort(key=lambda d: d.start)
    dl_starts = [d.start for d in deadlines]
    num_starts = [m.start for m in numbers]
    blocked_mask = bytearray(len(text))  # 1 where a number can never be a quantity
    for a, b in blocked:
        blocked_mask[a:b] = b"\x01" * (b - a)
    out: list[Target] = []
    headings = {m.start("h") for m in _HEADING.finditer(text)} if lang == "zh" else set()
    default_scope = _document_scope(text, doc_year, deadlines) if lang == "zh" else None
    if default_scope is not None:  # in a Five-Year Plan report, 五年内/今后五年 mean the plan period
        deadlines = [Deadline(d.text, d.start, d.end, default_scope.date)
                     if _FIVE_YEARS.fullmatch(d.text) else d for d in deadlines]
    # a section's year: 三、2009年主要任务, 1981年国民经济计划主要指标安排如下
    scope: Deadline | None = default_scope
    inherited: Deadline | None = None
    para_deadline: tuple[int, Deadline] | None = None
    last_para = -1
    lead_closed_paragraph = False
    past_para = False  # the paragraph opened on the past: 过去一年，…; 2012年，…
    para_last: Deadline | None = None  # the last year scope in this paragraph (English prose)
    para_any: Deadline | None = None  # the last deadline of any kind in this paragraph
    for sent in _sentences(text, lang):
        if sent.paragraph != last_para:
            last_para = sent.paragraph
            para_deadline = None
            past_para = False
            para_last = None
            para_any = None
            if lead_closed_paragraph:
                # a lead that ends its paragraph ("主要预期目标是：") governs the next one
                lead_closed_paragraph = False
                para_deadline = (sent.paragraph, inherited) if inherited else None
                inherited = None
            elif inherited is not None and not _BULLET.match(text[sent.start:sent.end]):
                inherited = None
        lead_closed_paragraph = False
        sent_text = text[sent.start:sent.end]
        own = deadlines[bisect_left(dl_starts, sent.start):bisect_left(dl_starts, sent.end)]
        if lang == "zh" and _opens_on_the_past(sent_text, doc_year):
            past_para = True
        stripped_start = sent.start + len(sent_text) - len(sent_text.lstrip())
        if any(stripped_start <= h <= stripped_start + 12 for h in headings):
            review_heading = any(review for pos, review in sections if pos <= stripped_start <= pos + 12)
            scope = own[0] if own else (None if review_heading else default_scope)
            if review_heading and doc_year is not None and default_scope is None and (
                    _mentions_year(sent_text, doc_year - 1)):
                # "一、2008年工作回顾": what follows the review of last year plans this year
                default_scope = Deadline(sent_text.strip(), sent.start, sent.end,
                                         f"{doc_year}-12-31")
        colon = max(sent_text.rfind("："), sent_text.rfind(":"))
        is_lead = bool(_LEAD_END.search(sent_text))
        # "…主要预期目标是：A；B；C" — a deadline before a colon governs the list after it
        opens_list = colon >= 0 and any(d.start < sent.start + colon for d in own)
        nums = [m for m in numbers[bisect_left(num_starts, sent.start):
                                   bisect_left(num_starts, sent.end)] if m.end <= sent.end]
        produced_before = len(out)
        i = 0
        while i < len(nums):
            num = nums[i]
            if blocked_mask.find(0, num.start, num.end) < 0 or _is_year_like(num, text, lang) or (
                    lang == "en" and _glued_to_letters(text, num)):
                i += 1
                continue
            if lang == "en" and _EN_NOT_TARGET_BEFORE.search(text, max(0, num.start - 30),
                                                             num.start):
                i += 1  # "from 60 (to 63)", "per 10,000 people": a start point or a rate base
                continue
            q, used = _read_quantity(text, num, nums, i, lang)
            i += used
            if q.unit is None and lang == "zh":
                q = _people_count(text, sent, q)
            elif q.unit is None and lang == "en":
                q = _labelled_count(text, sent, q)
                if q.unit is None and _EN_BARE_TARGET.search(
                        text, max(sent.start, q.start - 60), q.start):
                    # "the number of hubs is to exceed 1,200", "stock of sows to around 39 million"
                    q = _Quantity(q.start, q.end, q.value, q.value_high,
                                  UnitMatch("item", "", q.end, q.end))
            if q.unit is None:
                continue
            if lang == "en" and _en_incidental(text, sent, num, q):
                continue
            if lang == "zh" and _not_a_commitment(text, sent, q, _clause_start(
                    text, sent, q.start, lang), doc_year):
                continue
            if num.kind == "chinese" and len(num.text) == 1 and q.unit.text not in (
                    "倍", "成") and not _ZH_COUNT_VERB.search(
                    text[max(sent.start, num.start - 4):num.start]):
                continue  # 两个指标, 三个方面: counts in prose, not commitments
            clause_start = _clause_start(text, sent, q.start, lang)
            clause_end = _clause_end(text, sent, q.end, lang)
            clause = text[clause_start:clause_end]
            before_win = text[max(clause_start, q.start - 25):q.start]
            comparator = "range" if q.value_high is not None else (
                comparator_after(text[q.end:q.end + 6], lang)
                or comparator_before(before_win, lang)
                or ("at_least" if "多" in num.text else "exact"))  # 250多亿元: more than 250
            in_review = bool(sections) and any(
                review for pos, review in sections if pos <= sent.start) and [
                review for pos, review in sections if pos <= sent.start][-1]
            if past_para and not any(clause_start <= d.start < clause_end for d in own) and (
                    not STRONG_FUTURE_CUES[lang].search(clause)):
                continue
            if lang == "en" and _EN_CONDITIONAL.search(text, clause_start, q.start):
                continue  # "if it falls below 85%": a condition, not a commitment
            decided, firm = _is_target(clause, sent_text, lang,
                                       bool(own or inherited or para_deadline or scope),
                                       comparator != "exact", in_review)
            if not firm and model is not None:
                if sent.start not in guesses:
                    guesses[sent.start] = model.is_target(sent_text)
                decided = guesses[sent.start]
            if not decided:
                continue
            cstart = _comparator_start(before_win, lang)
            q_start = q.start - (len(before_win) - cstart) if cstart is not None else q.start
            suffix = re.match(r"\s?(?:左右|以上|以内|以下|之内|或以上|or more|or less)",
                              text[q.end:q.end + 10])
            end = q.end + (suffix.end() if suffix else 0)
            if lang == "zh":
                metric, m_start = _metric_zh(text, clause_start, q.start)
                start = m_start if metric else q_start
                noun = _ZH_NOUN_AFTER.match(text, end, clause_end)
                if q.unit.code == "item" and noun and (not metric or len(metric) <= 2):
                    metric = (metric or "") + noun.group(0)
                    end = noun.end()
            else:
                metric, start, m_end = _metric_en(text, clause_start, q, clause_end)
                start, end = min(start, q_start), max(end, m_end)
                while end > start and text[end - 1].isspace():
                    end -= 1
                if q.span_start is not None:
                    start = min(start, q.span_start)
                bullet = _BULLET.match(text[start:end])
                if bullet:  # "- Generation from wind and solar is to double"
                    start += bullet.end()
                while start < end and text[start].isspace():
                    start += 1
            recurring = lang == "zh" and bool(_RECURRING.search(clause))
            then = para_any if lang == "en" and _EN_BY_THEN.search(sent_text) else None
            dl = _deadline_for(q, own, sent, text, lang) or then or (
                inherited or (para_deadline[1] if para_deadline and not recurring else None)
                or scope or (para_last if lang == "en" else None))
            out.append(Target(
                text=text[start:end], start=start, end=end, value=q.value, value_high=q.value_high,
                unit=canonical_unit(q.unit.code), unit_text=q.unit.text,
                comparator=comparator,  # type: ignore[arg-type]
                metric=metric, direction=direction(text[clause_start:q.start], lang),  # type: ignore[arg-type]
                deadline=dl.date if dl else None, deadline_text=dl.text if dl else None,
                baseline=_baseline(text, clause_start, q, clause_end, lang),
            ))
        if own:
            para_any = own[-1]
        scoped = [d for d in own if _EN_SCOPE_PHRASE.match(d.text)]
        if scoped:  # "this year", "in 2024": the rest of the paragraph is about that year
            para_last = scoped[-1]
        if is_lead and own:
            inherited = own[-1]
            lead_closed_paragraph = True
            if len(out) == produced_before:  # a lead of its own (…主要指标安排如下。) sets the scope
                scope = own[-1]
        elif opens_list:
            inherited = [d for d in own if d.start < sent.start + colon][-1]
        elif own and para_deadline is None and own[0].start - sent.start <= 4:
            para_deadline = (sent.paragraph, own[0])
    return out


_FROM_BEFORE = re.compile(r"(?:由|从)[^，。；、]{0,8}$")
_TO_AFTER = re.compile(r"[^，。；]{0,4}(?:提高|增加|增长|上升|扩大|降低|下降|减少|压缩|调整|降)?(?:到|至)")
_DURATION_OK = re.compile(r"年限|寿命|工龄|期限|延长|提高到|达到")


_CLAUSE_YEAR = re.compile(r"(?<![比较与和])((?:19|20|１９|２０)[0-9０-９]{2}|[一二][〇○零一二三四五六七八九]{3})"
                          r"\s?年(?![底末前内])")
_BASELINE_VALUE = re.compile(r"(?:比|较|同)[^，。；]{0,16}的\s?$")
_ZH_CONDITIONAL = re.compile(r"只要|如果|假如|一旦|倘若")


def _not_a_commitment(text: str, sent: _Sentence, q: _Quantity, clause_start: int,
                      doc_year: int | None = None) -> bool:
    """Numbers that sit inside a target's wording without being one (Chinese).

    由240元提高到280元: the starting point; 每50公斤: the size of a price unit; 本世纪最后二十年,
    实施新10年: durations.
    """
    before = text[clause_start:q.start]
    if _FROM_BEFORE.search(before) and _TO_AFTER.match(text, q.end, sent.end):
        return True
    if before.endswith("每"):
        return True
    if _BASELINE_VALUE.search(before):
        return True  # 比一九八○年的七千一百五十九亿元: the value compared with
    if _ZH_CONDITIONAL.search(text, sent.start, q.start):
        return True  # 只要…保持百分之八: a condition, not a commitment
    if text.startswith("一批", q.start) or text.startswith("一个", q.start) and q.value == 1:
        return True  # 建设一批, 设立一个: indefinite, not a number to meet
    if q.unit is not None and q.unit.text == "岁" and not re.search(r"寿命|退休|提高|延长", before):
        return True  # 3岁以下婴幼儿: an age that defines a group
    years = [_int(y) for y in _CLAUSE_YEAR.findall(before)]
    if years and doc_year is not None and max(years) < doc_year:
        return True  # 从2003年到2006年年均超收2040亿元, 一九八二年预计达到: the past
    if q.unit is not None and q.unit.text == "年":
        return not _DURATION_OK.search(text[clause_start:q.end])
    return False


_FIVE_YEARS = re.compile(r"(?:今后|未来|用|在)?五年(?:时间|内|里|中|之内)?")
# 每年安排支出…: a recurring amount is not bounded by the year named earlier in the paragraph
_RECURRING = re.compile(r"每年|年均|平均每年")
_PLAN_REPORT = re.compile(r"关于[^。\n]{0,30}(?:第[六七八九十]+个五年计划|[“\"][六七八九]五[”\"]计划|"
                          r"[“\"]?十[一二三四五六七八九]五[”\"]?规划)[^。\n]{0,20}的报告")


def _document_scope(text: str, doc_year: int | None, deadlines: list[Deadline]) -> Deadline | None:
    """The period a whole document plans for, when its opening says so ("关于第六个五年计划的报告")."""
    m = _PLAN_REPORT.search(text, 0, 400)
    if not m:
        return None
    inside = [d for d in deadlines if m.start() <= d.start < m.end()]
    return inside[0] if inside else None


_PAST_OPENING = re.compile(r"^[\s　]*(?:在经济领域，)?(?:过去(?:的)?(?:一|两|三|五)?年(?:里|中|来)?|去年|上年|"
                           r"一年来|五年来|这一年|这五年|(?P<y>(?:19|20|１９|２０)[0-9０-９]{2}|"
                           r"[一二][〇○零一二三四五六七八九]{3})\s?年[，,])")


def _opens_on_the_past(sentence: str, doc_year: int | None) -> bool:
    """过去一年，…; 2012年，… (in a 2013 document): the sentence reports on the past."""
    m = _PAST_OPENING.search(sentence)
    if not m:
        return False
    if m.group("y"):
        return doc_year is not None and _int(m.group("y")) < doc_year
    return True


def _mentions_year(s: str, year: int) -> bool:
    halfwidth = to_halfwidth_digits(s)
    return str(year) in halfwidth


_ZH_COUNT_VERB = re.compile(r"培育|建设|建成|打造|新增|达到|设立|组建|支持|遴选|认定|布局|形成")
_ZH_NOUN_AFTER = re.compile(r"[\u4e00-\u9fff“”（）()A-Za-z]{2,16}(?=[，,。；;、\s]|$)")


def _comparator_start(window: str, lang: str) -> int | None:
    """Where a comparator phrase right before the number starts (to include it in the span)."""
    rx = (r"(?:不少于|不低于|至少|超过|不超过|不高于|低于|约|大约)\s?$" if lang == "zh" else
          r"(?i)\b(?:at least|no less than|not less than|no fewer than|more than|over|up to|"
          r"at most|no more than|below|under|around|about|approximately|roughly|nearly|"
          r"an estimated|in excess of|a maximum of|a minimum of)\s*$")
    m = re.search(rx, window)
    return m.start() if m else None


_EN_NOT_TARGET_BEFORE = re.compile(r"(?i)\b(?:from|per|every)\s+(?:an?\s+)?(?:CNY|RMB|USD|US\$|\$|€|EUR)?\s?\Z")
_EN_DURATION_BEFORE = re.compile(r"(?i)\b(?:for|over|within|in|of|the|past|next|last|first|"
                                 r"recent|consecutive)\s+(?:the\s+)?(?:next\s+|past\s+|last\s+)?\Z")
_EN_COUNT_VERB = re.compile(r"(?i)\b(?:cultivate|foster|build|establish|create|set up|add|"
                            r"launch|train|support|select|open|develop|form)\s+(?:\w+\s+)?\Z")


def _en_incidental(text: str, sent: _Sentence, num: NumberMatch, q: _Quantity) -> bool:
    """English numbers that count things in passing ("nine departments", "six other
    provinces", "for five years") rather than set a quantity."""
    before = text[max(sent.start, num.start - 40):num.start]
    unit = q.unit
    if unit is not None and unit.code in ("day", "year", "hour") and text.startswith("-", num.end):
        return True  # "seven-day repo rate", "10-year bonds": a name, not a quantity
    if unit is not None and unit.code == "year" and _EN_DURATION_BEFORE.search(before):
        return True
    if num.kind == "word" and (unit is None or unit.code in ("item", "year")):
        if re.match(r"\s+other\b", text[num.end:num.end + 8]):
            return True
        return not (comparator_before(before, "en") or _EN_COUNT_VERB.search(before))
    return False


def _glued_to_letters(text: str, num: NumberMatch) -> bool:
    """5G, L4, COVID-19, A320: a number welded to letters is a name, not a quantity."""
    before = text[num.start - 1:num.start] if num.start else ""
    return before.isascii() and before.isalpha()


STRONG_FUTURE_CUES = {
    "zh": re.compile(r"今年|明年|本年度|到\s?\d{4}\s?年|力争|确保|目标|预期目标|计划(?:为|安排|规定)|拟|"
                     r"争取|(?<![主重需只必纲])要(?!求|素|点|闻)|(?<![大])将(?!近)|今后|未来|下一步"),
    "en": re.compile(r"(?i)\b(?:will|shall|aims?|targets?|goals?|plans? to|by\s+\d{4}|seeks? to|"
                     r"strive|is to|are to|next year|this year)\b"),
}
_ALLOCATION = re.compile(r"安排|预算|(?i:allocat\w*|budget\w*)")
_BASELINE_PHRASE = re.compile(r"(?:比|较|同)(?:上年|去年|上一年)(?:预算|预计数?|实际|同期)?|"
                              r"(?:compared (?:with|to)|over|from) (?:the previous|last) year")


def _is_target(clause: str, sentence: str, lang: str, has_deadline: bool, qualified: bool,
               in_review: bool) -> tuple[bool, bool]:
    """Plan, commitment, cap or threshold (True) — or a report of the past (False)?

    Returns the decision and whether the rules are sure of it. Explicit past wording in the
    clause decides first; in a review section only explicit future wording makes a target;
    elsewhere a deadline or future wording does. A qualifier (左右, 以上, "at least") or a
    planning verb alone, or no cue at all, is a guess that the sentence classifier may
    overrule.
    """
    # 比上年减少200亿元 / "compared with last year": a baseline, not a report of the past
    if STRONG_FUTURE_CUES[lang].search(sentence) or _ALLOCATION.search(sentence):
        clause, sentence = _BASELINE_PHRASE.sub("", clause), _BASELINE_PHRASE.sub("", sentence)
    future_clause = FUTURE_CUES[lang].search(clause)
    if PAST_CUES[lang].search(clause) and not future_clause:
        return False, True
    future = future_clause or FUTURE_CUES[lang].search(sentence)
    if in_review:  # only firm future wording counts: 年均/每年 also describe the past
        strong = STRONG_FUTURE_CUES[lang]
        return bool(strong.search(clause)) or (
            bool(strong.search(sentence)) and not PAST_CUES[lang].search(sentence)), True
    if PAST_CUES[lang].search(sentence) and not (future or has_deadline):
        return False, True
    if has_deadline or future:
        return True, True
    return qualified or bool(TARGET_CUES[lang].search(sentence)), False


# Top-level headings only: sub-headings （一） inherit the tense of their section.
_HEADING = re.compile(r"(?m)^[ \t\u3000]*(?:[一二三四五六七八九十]+、|"
                      r"第[一二三四五六七八九十]+(?:章|部分))(?P<h>[^\n]{0,40})$")


def _review_sections(text: str, doc_year: int | None) -> list[tuple[int, bool]]:
    """(start, is_review) for each heading: sections that look back at the past."""
    out = []
    for m in _HEADING.finditer(text):
        out.append((m.start(), _is_review_heading(m.group("h"), doc_year)))
    for m in _PLAIN_HEADING.finditer(text):  # older reports: 首先报告２００１年的工作
        if _is_review_heading(m.group("h"), doc_year):
            out.append((m.start(), True))
    return sorted(out)


def _is_review_heading(h: str, doc_year: int | None) -> bool:
    years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", to_halfwidth_digits(h))]
    past_year = doc_year is not None and bool(years) and max(years) < doc_year
    return bool(REVIEW_HEADING.search(h)) or past_year


# a short line standing alone between blank lines, with no sentence punctuation
_PLAIN_HEADING = re.compile(r"(?m)(?<=\n\n)[ \t\u3000]*(?P<h>[^\n。，；：:,]{4,24})[ \t\u3000]*(?=\n\n)")


def _baseline(text: str, clause_start: int, q: _Quantity, clause_end: int,
              lang: str) -> Baseline | None:
    if lang == "zh":
        m = _BASELINE_ZH.search(text, clause_start, q.start)
        return Baseline(year=int(m.group("y"))) if m else None
    window_end = min(len(text), q.end + 90)
    m = _BASELINE_EN_VALUE.search(text, q.end, window_end)
    if m:
        nums = find_numbers(text[m.end():window_end])
        if nums and nums[0].start < 12:
            n0 = nums[0]
            fake = NumberMatch(m.end() + n0.start, m.end() + n0.end, n0.text, n0.value, n0.kind)
            prefix = match_currency_before(text, fake.start)
            unit = prefix or match_unit_after(text, fake.end, "en")
            return Baseline(value=n0.value * (unit.factor if unit and not prefix else 1.0),
                            unit=canonical_unit(unit.code) if unit else None)
    m = _BASELINE_EN_YEAR.search(text, q.end, min(clause_end + 40, len(text)))
    if m:
        return Baseline(year=int(m.group("y")))
    return None


__all__ = ["extract_targets"]
