"""Word lists that decide comparators, directions and whether a number is a target.

Each cue is a regular expression searched in a small window next to a number (before it or
after its unit), never in the whole document, so that a qualifier belongs to its number.

Example:
    >>> comparator_after("左右，", "zh"), comparator_before("no less than ", "en")
    ('approx', 'at_least')
"""

from __future__ import annotations

import re

_AFTER = {
    "zh": [("approx", r"^\s?(?:左右|上下)"), ("at_least", r"^\s?(?:以上|之上|多|或者?更多)"),
           ("at_most", r"^\s?(?:以内|之内|以下|内)")],
    "en": [("at_least", r"^\s?(?:or (?:more|above|higher)|and above|plus\b)"),
           ("at_most", r"^\s?(?:or (?:less|below|lower|fewer)|at most|and below|cap\b|ceiling\b|limit\b)"),
           ("approx", r"^\s?(?:or so\b)")],
}
_BEFORE = {
    "zh": [("approx", r"(?:大约|约为|(?<![节制公条契])约|大概|左右为|(?<![最附接])近|将近|接近)\s?$"),
           ("at_least", r"(?:不少于|不低于|至少|超过|突破|高于|多于|逾|不小于|达到?\s?以上)\s?$"),
           ("at_most", r"(?:不超过|不高于|低于|少于|不到|控制在|压缩到|压减到|降低到|降到|降至|"
                       r"以内|不多于|不大于)\s?$")],
    "en": [("approx", r"\b(?:around|about|approximately|roughly|some|close to|nearly|approach(?:ing)?|"
                      r"an estimated|approx\.)\s*$"),
           ("at_least", r"\b(?:at least|no less than|not less than|no fewer than|not fewer than|"
                        r"(?<!no )(?<!not )more than|over|above|exceeding|exceed|in excess of|upwards of|"
                        r"a minimum of|minimum of|surpass(?:ing)?)\s*$"),
           ("at_most", r"\b(?:up to|at most|no more than|not more than|no higher than|"
                       r"below|under|(?<!no )(?<!not )less than|(?<!no )(?<!not )fewer than|within|capped at|a maximum of|"
                       r"maximum of|not exceeding|no greater than)\s*$")],
}

_DIRECTION = {
    "zh": [("decrease", r"降低|下降|减少|压减|削减|缩短|降至|降到|减排|压缩|减少到|下调"),
           ("increase", r"增长|提高|增加|提升|扩大|增至|上升|翻一番|翻番|增速|增幅|新增")],
    "en": [("decrease", r"\b(?:cut|cuts|cutting|reduc\w*|lower\w*|decreas\w*|declin\w*|drop\w*|"
                        r"fall\w*|down)\b"),
           ("increase", r"\b(?:grow\w*|increas\w*|rais\w*|rise|rising|boost\w*|expand\w*|up|"
                        r"add\w*|double|triple|higher)\b")],
}

#: Words that mark a statement as a plan, commitment, cap or threshold.
TARGET_CUES = {
    "zh": re.compile(r"目标|力争|确保|争取|预期|预计|计划|要|将|达到|控制在|左右|以上|以内|不低于|"
                     r"不少于|不超过|到\s?\d{4}\s?年|今年|明年|培育|建设|建成|打造|新增|提高到|"
                     r"降低到|实现|推动|支持|给予|奖励|补助|补贴|安排|拟|以下|不高于|至少|每年|"
                     r"期间|以前|以内|年底前|年前"),
    "en": re.compile(r"\b(?:targets?|aims?|aiming|goals?|plans?|planned|will|shall|should|must|"
                     r"by\s+(?:the end of\s+)?(?:\w+\s+)?\d{4}|reach|achieve|seeks?|strive|expects?|"
                     r"expected|projected|set to|at least|no less than|up to|cultivate|foster|"
                     r"build|establish|create|raise|cut|reduce|lower|boost|increase|keep|maintain|"
                     r"cap|limit|grant|subsid\w+|award|fund|allocate|annually|each year|per year|"
                     r"key targets?|objectives?|quotas?|ceilings?)\b", re.IGNORECASE),
}
#: Words that mark a statement as a report of the past.
REPORT_CUES = {
    "zh": re.compile(r"上年|去年|过去|已经|已有|已达|完成了|实现了|同比|比上年|累计|达到了|增长了|下降了|"
                     r"提高了|减少了|共有|共计|前年|上半年|一季度|前三季度|历史|截至目前|目前已"),
    "en": re.compile(r"\b(?:last year|previous year|so far|to date|already|was|were|had|has been|"
                     r"have been|completed|rose|grew|fell|dropped|declined|reached|recorded|expanded|contracted|"
                     r"climbed|jumped|slowed|doubled|tripled|"
                     r"registered|totall?ed|increased|decreased|surged|posted|year-on-year|"
                     r"in the first (?:half|quarter)|last month)\b", re.IGNORECASE),
}


#: Strong signs that a clause speaks of the future: a plan, an obligation, this/next year.
FUTURE_CUES = {
    "zh": re.compile(r"今年|明年|本年度|到\s?\d{4}\s?年|\d{4}\s?年(?:底|末)?(?:以)?前|力争|确保|目标|"
                     r"预期|预计|计划|拟|争取|(?<![主重需只必纲])要(?!求|素|点|闻)|(?<![大])将|应当|必须|"
                     r"不得|期间|今后|未来|下一步|逐步|每年|年均"),
    "en": re.compile(r"\b(?:will|shall|should|must|aims?|aiming|targets?|targeted|goals?|plans?|"
                     r"planned|by\s+(?:the end of\s+|end-)?(?:\w+\s+)?\d{4}|seeks?|strive|"
                     r"expected to|set to|is to|are to|intends?|next year|this year|"
                     r"key targets?|objectives?|calls? for|requires?|required|no later than|"
                     r"annually|each year|per year|by \d{4})\b", re.IGNORECASE),
}
#: Explicit signs of a report of the past.
PAST_CUES = {
    "zh": re.compile(r"上年|去年|前年|过去|已经|(?<!不)已|(?<![为除])了(?![解结])|完成了|实现了|达到了|增长了|下降了|提高了|"
                     r"减少了|超过了|新增了|比上年|同比|累计|历史新高|再创|截至目前|上半年|前三季度"),
    "en": re.compile(r"\b(?:last year|previous year|so far|to date|already|was|were|had|has been|"
                     r"have been|completed|rose|grew|fell|dropped|declined|reached|recorded|expanded|contracted|"
                     r"climbed|jumped|slowed|doubled|tripled|"
                     r"registered|totall?ed|increased|decreased|surged|posted|achieved|"
                     r"year-on-year|in the first (?:half|quarter)|last month|ago)\b",
                     re.IGNORECASE),
}
#: Headings of sections that review the past (一、2009年工作回顾, 发展基础, 主要成就).
REVIEW_HEADING = re.compile(r"回顾|过去|成就|进展|总结|发展基础|现状|取得的|五年来|一年来")


def comparator_after(window: str, lang: str) -> str | None:
    """The comparator written right after a number and its unit (左右, 以上, "or more")."""
    for name, pattern in _AFTER[lang]:
        if re.search(pattern, window):
            return name
    return None


def comparator_before(window: str, lang: str) -> str | None:
    """The comparator written right before a number (不低于, 约, "at least", "up to")."""
    for name, pattern in _BEFORE[lang]:
        if re.search(pattern, window, re.IGNORECASE):
            return name
    return None


def direction(window: str, lang: str) -> str:
    """``increase``, ``decrease`` or ``level`` from the words before a number (its clause).

    The cue nearest the number wins.

    Example:
        >>> direction("单位国内生产总值能耗比2020年下降", "zh"), direction("GDP growth of", "en")
        ('decrease', 'increase')
    """
    best, best_pos = "level", -1
    for name, pattern in _DIRECTION[lang]:
        for m in re.finditer(pattern, window, re.IGNORECASE):
            if m.start() > best_pos:
                best, best_pos = name, m.start()
    return best


__all__ = ["FUTURE_CUES", "PAST_CUES", "REPORT_CUES", "REVIEW_HEADING", "TARGET_CUES", "comparator_after", "comparator_before", "direction"]
