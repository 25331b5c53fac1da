"""Rule-based extraction: numbers, units, deadlines, key dates and numeric targets.

Example:
    >>> from policynlp.extract import extract_targets, find_key_dates
    >>> [t.text for t in extract_targets("城镇调查失业率控制在5.5%以内。", "zh")]
    ['城镇调查失业率控制在5.5%以内']
    >>> [k.date for k in find_key_dates("本办法自2026年8月15日起施行。")]
    ['2026-08-15']
"""

from __future__ import annotations

from collections.abc import Sequence

from policynlp.data import Analysis, Document
from policynlp.extract.dates import find_deadlines, find_key_dates
from policynlp.extract.numbers import find_numbers, parse_chinese_numeral
from policynlp.extract.targets import extract_targets


class TargetExtractor:
    """Pipeline component that fills ``targets`` and ``key_dates`` of each analysis.

    Example:
        >>> from policynlp import Pipeline
        >>> nlp = Pipeline(components=[TargetExtractor()])
        >>> a = nlp({"text": "今年城镇新增就业1200万人以上。", "date": "2024-03-05"})
        >>> [(t.value, t.unit, t.deadline) for t in a.targets]
        [(12000000.0, 'person', '2024-12-31')]
    """

    name = "targets"

    def process(self, docs: Sequence[Document], analyses: Sequence[Analysis]) -> None:
        for doc, analysis in zip(docs, analyses, strict=True):
            lang = analysis.lang or "zh"
            analysis.targets = extract_targets(doc.text, lang, doc.date)
            analysis.key_dates = find_key_dates(doc.text, doc.date)


__all__ = ["TargetExtractor", "extract_targets", "find_deadlines", "find_key_dates",
           "find_numbers", "parse_chinese_numeral"]
