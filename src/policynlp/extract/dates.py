"""Deadlines and key dates in Chinese and English, normalised to ISO dates.

A deadline is the last day of the period a target must be met in (到2025年 → 2025-12-31,
"by June 2026" → 2026-06-30, 今年 → the document year). Key dates are effective dates,
expiry dates and validity periods of the document itself.

Example:
    >>> [(d.text, d.date) for d in find_deadlines("到2027年，全省新能源汽车年产量达到80万辆", doc_year=2026)]
    [('到2027年', '2027-12-31')]
    >>> [(k.type, k.date, k.duration) for k in find_key_dates("本办法自2026年8月15日起施行，有效期五年。")]
    [('effective', '2026-08-15', None), ('validity', None, 'P5Y')]
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from policynlp.data import KeyDate
from policynlp.extract.numbers import _EN_WORD_VALUES, parse_chinese_numeral, to_halfwidth_digits

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_Y = r"(?:(?:19|20)\d{2}|[１２][０-９]{3})"
_D = r"[0-9０-９]{1,2}"


def last_day(year: int, month: int = 12) -> str:
    """The ISO date of the last day of ``month`` in ``year``.

    Example:
        >>> last_day(2026, 6), last_day(2024, 2)
        ('2026-06-30', '2024-02-29')
    """
    return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def _int(s: str) -> int:
    s = to_halfwidth_digits(s)
    if s.isdigit():
        return int(s)
    value = parse_chinese_numeral(s)
    if value is None:
        raise ValueError(s)
    return int(value)


def five_year_plan_end(n: int) -> int:
    """The last year of China's ``n``-th Five-Year Plan (from the 3rd, 1966–1970, on).

    Example:
        >>> five_year_plan_end(14), five_year_plan_end(15)
        (2025, 2030)
    """
    return 1955 + 5 * n


@dataclass(frozen=True)
class Deadline:
    """A deadline expression with its span and normalised date."""

    text: str
    start: int
    end: int
    date: str


_CN_Y = r"[一二][〇○零一二三四五六七八九]{3}"  # 一九八五, 二〇二五
_ZH_DEADLINE = re.compile(
    rf"(?P<pre>到|至|截至|截止到|截止)?\s?(?P<y>{_Y}|{_CN_Y})\s?年"
    rf"(?:\s?(?P<m>{_D}|[一二三四五六七八九十]{{1,2}})\s?月(?:份)?)?"
    rf"(?P<post>底前|底|末前|末|前|以前|之前|年内|内)?"
)
_ZH_RELATIVE = re.compile(r"今年|本年度|本年|年内|明年|下一年度?|今明两年")
_ZH_PLAN = re.compile(r"[“\"]?十(?P<n>[一二三四五六七八九])五[”\"]?(?:规划)?(?:期间|时期|末|期末)?"
                      r"|[“\"](?P<n1>[六七八九])五[”\"](?:计划)?(?:期间|时期|末|期末)?"
                      r"|第(?P<n2>[六七八九十]|十[一二三四五六七八九])个五年计划(?:期间|时期)?")
# 本世纪末 (the year 2000 in a 1980s document), 本世纪中叶
_ZH_CENTURY = re.compile(r"(?:到|至|在)?本世纪(?P<when>末|中叶)")
# 今后五年, 三年内, 用三年时间, 未来五年: the next N years counted from the document year.
_ZH_SPAN = re.compile(r"(?:今后|未来|用|在)(?P<n>[二两三四五六七八九十]|[2-9])年(?:时间|内|里|中)?"
                      r"|(?P<n2>[二两三四五六七八九十]|[2-9])年(?:内|之内)(?!有效)"
                      r"|(?<![0-9一二三四五六七八九十第])(?P<n3>五)年(?=新增|淘汰|平均|共|累计|投资)"
                      r"|(?<![0-9一二三四五六七八九十第])(?P<n4>[两二三])年(?=投资计划|行动计划)")
_EN_SPAN = re.compile(r"(?i)\b(?:over|in|within) the (?:next|coming) (?P<n>two|three|four|five|"
                      r"ten|[2-9]) years\b")
# A bare year that names the year a figure is planned for (1981年国民经济计划, 一九八五年工农业总产值).
_ZH_BARE_YEAR = re.compile(rf"(?<![比较从由自与和至到])(?<![0-9０-９年]、)(?P<y>{_Y}|{_CN_Y})\s?年(?![0-9０-９一二三四五六七八九十]"
                           rf"|\s?[—－\-~～至到]|以来|底|末|前|内|上半年|代)")
_EN_DEADLINE = re.compile(
    rf"(?P<pre>by(?:\s+the)?(?:\s+end(?:-|\s+)of(?:\s+the\s+year)?|\s+end-)?|before(?:\s+the\s+end\s+of)?|"
    rf"until(?:\s+the\s+end\s+of)?|no\s+later\s+than(?:\s+the\s+end\s+of)?|through|in|within|for)"
    rf"(?:\s+|(?<=-))(?:(?P<m>{_MONTH_RE})\.?\s+(?:(?P<d>[0-3]?\d),?\s+)?)?(?P<y>{_Y})\b"
    rf"(?!\s?[-–]\s?\d{{4}})",
    re.IGNORECASE,
)
# "over 2024-2028", "for 2021-2035": the period ends with the second year
_EN_PERIOD = re.compile(rf"(?i)\b(?:over|for|in|during|between)\s+(?:the\s+)?(?:period\s+)?"
                        rf"(?P<y1>{_Y})\s?[-–]\s?(?P<y2>{_Y})\b")
# "for five years, starting in 2024" → 2028; "between April 24 and December 31, 2024" → the end
_EN_RUN = re.compile(rf"(?i)\bfor (?P<n>two|three|four|five|ten|[2-9]) years,? (?:starting|beginning) "
                     rf"(?:in|from) (?P<y>{_Y})\b")
_EN_BETWEEN = re.compile(rf"(?i)\bbetween (?:{_MONTH_RE})\.? [0-3]?\d,?(?: {_Y})? and "
                         rf"(?P<m>{_MONTH_RE})\.? (?P<d>[0-3]?\d),? (?P<y>{_Y})\b")
_EN_RELATIVE = re.compile(r"\b(?:(?:by|before)\s+the\s+end\s+of\s+|within\s+|in\s+|by\s+)?(?:this|next)\s+year\b|\b(?:by|before)\s+the\s+end\s+of\s+the\s+year\b",
                          re.IGNORECASE)
_EN_PLAN = re.compile(r"\b(?P<n>1[0-9])th Five-Year Plan(?: period)?\b", re.IGNORECASE)


def _month(s: str | None) -> int | None:
    if not s:
        return None
    s = s.lower().rstrip(".")
    if s in MONTHS:
        return MONTHS[s]
    try:
        return _int(s)
    except ValueError:
        return None


def find_deadlines(text: str, doc_year: int | None = None) -> list[Deadline]:
    """Every deadline expression in ``text``, in order.

    Args:
        text: the text (a sentence, a heading, a document).
        doc_year: the document's year, anchoring 今年/明年/"this year"/"next year".

    Example:
        >>> [d.date for d in find_deadlines("by June 2026 and by the end of next year", 2024)]
        ['2026-06-30', '2025-12-31']
    """
    out: list[Deadline] = []
    for m in _ZH_DEADLINE.finditer(text):
        if not (m.group("pre") or m.group("post")):
            continue  # a bare year is a date, not a deadline
        year = _int(m.group("y"))
        month = _month(m.group("m")) or 12
        if not 1 <= month <= 12:
            continue
        out.append(Deadline(m.group(0).strip(), m.start(), m.end(), last_day(year, month)))
    for m in _EN_DEADLINE.finditer(text):
        pre = m.group("pre").lower()
        year = _int(m.group("y"))
        month = _month(m.group("m")) or 12
        if pre.startswith("before") and not m.group("m") and "end" not in pre:
            year, month = year - 1, 12
        date = last_day(year, month)
        if m.group("d") and m.group("m"):
            date = _iso(str(year), str(month), m.group("d")) or date
        out.append(Deadline(m.group(0), m.start(), m.end(), date))
    for m in _EN_RUN.finditer(text):
        raw = m.group("n").lower()
        n = int(raw) if raw.isdigit() else _EN_WORD_VALUES[raw]
        out.append(Deadline(m.group(0), m.start(), m.end(), last_day(_int(m.group("y")) + n - 1)))
    for m in _EN_BETWEEN.finditer(text):
        until = _iso(m.group("y"), str(_month(m.group("m"))), m.group("d"))
        if until:
            out.append(Deadline(m.group(0), m.start(), m.end(), until))
    for m in _EN_PERIOD.finditer(text):
        out.append(Deadline(m.group(0), m.start(), m.end(), last_day(_int(m.group("y2")))))
    for m in _ZH_PLAN.finditer(text):
        if m.group("n"):
            n = int(parse_chinese_numeral("十" + m.group("n")) or 0)
        else:
            n = int(parse_chinese_numeral(m.group("n1") or m.group("n2")) or 0)
        if n >= 3:
            out.append(Deadline(m.group(0), m.start(), m.end(), last_day(five_year_plan_end(n))))
    for m in _EN_PLAN.finditer(text):
        out.append(Deadline(m.group(0), m.start(), m.end(),
                            last_day(five_year_plan_end(int(m.group("n"))))))
    if doc_year is not None:
        for m in _ZH_SPAN.finditer(text):
            n = _int(m.group("n") or m.group("n2") or m.group("n3") or m.group("n4"))
            out.append(Deadline(m.group(0), m.start(), m.end(), last_day(doc_year + n - 1)))
        for m in _EN_SPAN.finditer(text):
            raw = m.group("n").lower()
            n = int(raw) if raw.isdigit() else _EN_WORD_VALUES[raw]
            out.append(Deadline(m.group(0), m.start(), m.end(), last_day(doc_year + n - 1)))
        for m in _ZH_CENTURY.finditer(text):
            century = doc_year // 100 * 100
            year = century + 100 if m.group("when") == "末" else century + 50
            out.append(Deadline(m.group(0), m.start(), m.end(), last_day(year)))
        for m in _ZH_RELATIVE.finditer(text):
            year = doc_year + 1 if m.group(0).startswith(("明", "下", "今明")) else doc_year
            out.append(Deadline(m.group(0), m.start(), m.end(), last_day(year)))
        for m in _EN_RELATIVE.finditer(text):
            year = doc_year + 1 if "next" in m.group(0).lower() else doc_year
            out.append(Deadline(m.group(0), m.start(), m.end(), last_day(year)))
    if doc_year is not None:  # weakest: a bare year in the future of the document
        for m in _ZH_BARE_YEAR.finditer(text):
            year = _int(m.group("y"))
            if doc_year <= year <= doc_year + 20:
                out.append(Deadline(m.group(0), m.start(), m.end(), last_day(year)))
    out.sort(key=lambda d: (d.start, -d.end))
    dedup: list[Deadline] = []
    for d in out:
        if dedup and d.start < dedup[-1].end:
            continue
        dedup.append(d)
    return dedup


_ZH_DATE = rf"(?P<y>{_Y})\s?年\s?(?P<m>{_D})\s?月\s?(?P<d>{_D})\s?日"
_EN_DATE = (rf"(?:(?P<mon>{_MONTH_RE})\.?\s+(?P<day>{_D}),?\s+(?P<yr>{_Y})"
            rf"|(?P<day2>{_D})\s+(?P<mon2>{_MONTH_RE})\.?,?\s+(?P<yr2>{_Y})"
            rf"|(?P<iso>{_Y}-\d{{2}}-\d{{2}}))")
_ZH_EFFECTIVE = re.compile(rf"自\s?{_ZH_DATE}\s?起(?:施行|实施|执行|生效|正式施行|开始施行)"
                           rf"|自(?P<pub>发布|印发|公布)之日起(?:施行|实施|执行|生效)")
_ZH_EXPIRES = re.compile(rf"(?:有效期至|有效期截至|执行至|实施至|有效至)\s?{_ZH_DATE}(?:\s?(?:止|废止|失效))?")
_ZH_VALIDITY = re.compile(r"有效期(?:为|是)?\s?(?P<n>[0-9０-９]+|[一二两三四五六七八九十]+)\s?(?P<u>年|个月|月)")
_EN_EFFECTIVE = re.compile(
    rf"(?:effective(?: as of| from| on)?|takes? effect(?: on| from| as of)?|"
    rf"(?:come|comes|came|enter|enters|entered) into (?:force|effect)(?: on| from| as of)?|"
    rf"in force (?:from|as of))\s+(?:on\s+)?{_EN_DATE}", re.IGNORECASE)
_EN_EXPIRES = re.compile(
    rf"(?:valid until|expires? on|expiring on|until|remain in (?:force|effect) until)\s+"
    rf"(?:(?P<endof>the end of)\s+(?:(?P<emon>{_MONTH_RE})\s+)?(?P<eyr>{_Y})|{_EN_DATE})",
    re.IGNORECASE)
_EN_VALIDITY = re.compile(
    r"valid for (?:a period of )?(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s+(?P<u>years?|months?)", re.IGNORECASE)


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(_int(y), _int(m), _int(d)).isoformat()
    except ValueError:
        return None


def _en_date(m: re.Match[str]) -> str | None:
    if m.group("iso"):
        return _iso(*m.group("iso").split("-"))
    if m.group("mon"):
        return _iso(m.group("yr"), str(_month(m.group("mon"))), m.group("day"))
    if m.group("mon2"):
        return _iso(m.group("yr2"), str(_month(m.group("mon2"))), m.group("day2"))
    return None


def find_key_dates(text: str, doc_date: str | None = None) -> list[KeyDate]:
    """Effective dates, expiry dates and validity periods, in text order.

    Args:
        text: the document text.
        doc_date: the document date (ISO), used for 自发布之日起施行 / "effective upon release".

    Example:
        >>> [(k.type, k.date) for k in find_key_dates("The rules are effective as of October 1, 2022.")]
        [('effective', '2022-10-01')]
    """
    out: list[KeyDate] = []
    for m in _ZH_EFFECTIVE.finditer(text):
        date = doc_date if m.group("pub") else _iso(m.group("y"), m.group("m"), m.group("d"))
        out.append(KeyDate("effective", m.group(0), m.start(), m.end(), date=date))
    for m in _ZH_EXPIRES.finditer(text):
        out.append(KeyDate("expires", m.group(0), m.start(), m.end(),
                           date=_iso(m.group("y"), m.group("m"), m.group("d"))))
    for m in _ZH_VALIDITY.finditer(text):
        n = _int(m.group("n"))
        unit = "Y" if m.group("u") == "年" else "M"
        out.append(KeyDate("validity", m.group(0), m.start(), m.end(), duration=f"P{n}{unit}"))
    for m in _EN_EFFECTIVE.finditer(text):
        out.append(KeyDate("effective", m.group(0), m.start(), m.end(), date=_en_date(m)))
    for m in _EN_EXPIRES.finditer(text):
        if m.group("endof"):
            date = last_day(_int(m.group("eyr")), _month(m.group("emon")) or 12)
        else:
            date = _en_date(m)
        out.append(KeyDate("expires", m.group(0), m.start(), m.end(), date=date))
    for m in _EN_VALIDITY.finditer(text):
        raw = m.group("n").lower()
        n = int(raw) if raw.isdigit() else _EN_WORD_VALUES[raw]
        unit = "Y" if m.group("u").lower().startswith("year") else "M"
        out.append(KeyDate("validity", m.group(0), m.start(), m.end(), duration=f"P{n}{unit}"))
    out.sort(key=lambda k: k.start)
    return out


__all__ = ["Deadline", "find_deadlines", "find_key_dates", "five_year_plan_end", "last_day"]
