"""Faithfulness filter: no number or issuing body in a summary that the source does not contain.

Every summary, whichever generator wrote it, passes through :func:`enforce`. Numbers are
compared after unit normalisation, the way the target extractor reads them (1200万 = 12
million, 1.2万亿元 = CNY 1.2 trillion, 三分之一 = one third, 1800万千瓦 = 18 million kW):
a summary number is supported when its bare value or its value in base units equals a bare
value or a base-unit value of a number in the source. Numbers inside glossary renderings of
terms the source contains (十四五 → 14th Five-Year Plan) are supported too. Bodies are read
with the bilingual table of issuing bodies; a body the source does not name is unsupported.

:func:`enforce` removes every sentence, bullet and key point that carries an unsupported number
or body and reports what it removed, so a draft may get shorter but never wrong in these ways.

Example:
    >>> src = "到2025年，新增就业1200万人以上。"
    >>> check("Add at least 12 million jobs by 2025.", src, "zh").faithful
    True
    >>> [u.text for u in check("Add 13 million jobs by 2026.", src, "zh").unsupported]
    ['13 million', '2026']
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass, field
from typing import Literal

from policynlp.data import Summary
from policynlp.extract.numbers import find_numbers
from policynlp.summarize.facts import IssuingBody, find_bodies, find_bodies_en
from policynlp.summarize.glossary import Glossary


@dataclass(frozen=True)
class Unsupported:
    """A number or body in a summary that the source does not support."""

    kind: Literal["number", "body"]
    text: str
    start: int
    end: int


@dataclass
class FaithfulnessReport:
    """What :func:`check` found: the unsupported mentions and how many were checked."""

    unsupported: list[Unsupported] = field(default_factory=list)
    numbers: int = 0
    bodies: int = 0

    @property
    def faithful(self) -> bool:
        return not self.unsupported


def _values(text: str, lang: str) -> list[tuple[int, int, str, set[float]]]:
    """Each number of ``text`` with the values it can stand for (bare and in base units).

    Lines are read one by one (a bullet's number never forms a range with the line above);
    each end of a range stands for itself.
    """
    from policynlp.extract.targets import _read_quantity

    out = []
    offset = 0
    for line in text.split("\n"):
        nums = find_numbers(line, lang)
        i = 0
        while i < len(nums):
            num = nums[i]
            before = line[num.start - 1:num.start]
            after = line[num.end:num.end + 1]
            if before.isascii() and before.isalpha() or after.isascii() and after.isupper():
                i += 1  # part of a name or formula (CO2, PM2.5, 5G, H20), not a quantity
                continue
            q, used = _read_quantity(line, num, nums, i, lang)
            vals = {num.value, q.value}
            if num.kind == "fraction":
                vals.add(round(num.value * 100, 4))
            out.append((offset + num.start, offset + num.end, num.text, vals))
            if used > 1:  # a range: the second number with the range's upper value
                second = nums[i + 1]
                high = {second.value} | ({q.value_high} if q.value_high is not None else set())
                out.append((offset + second.start, offset + second.end, second.text, high))
            i += used
        offset += len(line) + 1
    return out


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-4)


_NUMBERED: weakref.WeakKeyDictionary[Glossary, list[tuple[str, list[float]]]] = (
    weakref.WeakKeyDictionary())


def _numbered_terms(glossary: Glossary) -> list[tuple[str, list[float]]]:
    """Glossary terms (two characters or more) whose English carries numbers."""
    if glossary not in _NUMBERED:
        _NUMBERED[glossary] = [(t.zh, [n.value for n in find_numbers(t.en, "en")])
                          for t in glossary if len(t.zh) > 1 and re.search(
                              r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
                              r"hundred|thousand|first|second|third)\b", t.en, re.I)]
    return _NUMBERED[glossary]


class SourceFacts:
    """The numbers and bodies a source document supports (computed once per document)."""

    def __init__(self, source: str, lang: str | None, glossary: Glossary | None = None) -> None:
        self.lang = lang or ("zh" if re.search(r"[\u4e00-\u9fff]", source) else "en")
        self.values: list[float] = sorted({v for *_, vals in _values(source, self.lang)
                                           for v in vals})
        if self.lang == "zh":
            for zh, values in _numbered_terms(glossary or Glossary.load()):
                if zh in source:  # 十四五 → 14th Five-Year Plan
                    self.values += values
            self.bodies: list[IssuingBody] = find_bodies(source)
        else:
            self.bodies = find_bodies_en(source)
            self.bodies += [b for b in find_bodies(source) if b not in self.bodies]

    def supports(self, value: float) -> bool:
        return any(_close(value, v) for v in self.values)


def check(summary: str, source: str | SourceFacts, lang: str | None = None) -> FaithfulnessReport:
    """Every number and body of an English ``summary`` checked against ``source``."""
    facts = source if isinstance(source, SourceFacts) else SourceFacts(source, lang)
    report = FaithfulnessReport()
    for start, end, text, vals in _values(summary, "en"):
        report.numbers += 1
        if not any(facts.supports(v) for v in vals):
            report.unsupported.append(Unsupported("number", text, start, end))
    for body in find_bodies_en(summary):
        report.bodies += 1
        if body not in facts.bodies:
            m = re.search(re.escape(body.short), summary) or re.search(re.escape(body.en), summary)
            start, end = (m.start(), m.end()) if m else (0, 0)
            report.unsupported.append(Unsupported("body", body.short, start, end))
    return report


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def _units(paragraph: str) -> list[str]:
    """Bullets, lines and sentences of a paragraph, the pieces :func:`enforce` may drop."""
    units: list[str] = []
    for line in paragraph.split("\n"):
        if re.match(r"\s*[-•*]\s", line):
            units.append("\n" + line)
        else:
            parts = _SENTENCE.split(line)
            units += [("\n" if units and i == 0 else "") + p for i, p in enumerate(parts)]
    return units


def enforce(summary: Summary, source: str | SourceFacts,
            lang: str | None = None) -> tuple[Summary, FaithfulnessReport]:
    """Drop every sentence, bullet and key point with an unsupported number or body.

    Returns the cleaned summary and the report of what was unsupported (empty when nothing
    was removed). "Key targets include:" is dropped with its last bullet.

    Example:
        >>> s = Summary("MIIT set targets. Key targets include:\\n- 200 clusters by 2025\\n"
        ...             "- 300 parks by 2030", ["Backed by 5 ministries"])
        >>> clean, rep = enforce(s, "工业和信息化部：到2025年培育200个集群。", "zh")
        >>> clean.at_a_glance
        'MIIT set targets. Key targets include:\\n- 200 clusters by 2025'
        >>> clean.key_points, [u.text for u in rep.unsupported]
        ([], ['300', '2030', '5'])
    """
    facts = source if isinstance(source, SourceFacts) else SourceFacts(source, lang)
    report = FaithfulnessReport()

    def keep(piece: str) -> bool:
        r = check(piece, facts)
        report.unsupported += r.unsupported
        report.numbers += r.numbers
        report.bodies += r.bodies
        return r.faithful

    text = None
    if summary.at_a_glance:
        kept = [u for u in _units(summary.at_a_glance) if keep(u)]
        text = " ".join(kept).replace(" \n", "\n").strip()
        if not re.search(r"\n\s*[-•*]\s", text):
            text = re.sub(r"\s*Key targets include:\s*$", "", text)
        text = text or None
    points = [p for p in summary.key_points if keep(p)]
    return Summary(text, points), report


__all__ = ["FaithfulnessReport", "SourceFacts", "Unsupported", "check", "enforce"]
