"""Every example row of SPEC section 4's table, as a test."""

from __future__ import annotations

import pytest

from policynlp.extract import extract_targets

ROWS = [
    # text, lang, doc date, value, value_high, unit, comparator, deadline
    ("到2025年，培育200个左右特色产业集群", "zh", None, 200, None, "item", "approx", "2025-12-31"),
    ("今年城镇新增就业1200万人以上", "zh", "2024-03-05", 12_000_000, None, "person", "at_least",
     "2024-12-31"),
    ("今年粮食产量1.3万亿斤以上", "zh", "2024-03-05", 1.3e12, None, "jin", "at_least", "2024-12-31"),
    ("今年国内生产总值增长6%－6.5%", "zh", "2019-03-05", 6, 6.5, "percent", "range", "2019-12-31"),
    ("今年城镇调查失业率控制在5.5%以内", "zh", "2024-03-05", 5.5, None, "percent", "at_most",
     "2024-12-31"),
    ("Key targets for 2025 include:\n- Reach CNY 500 billion revenue annually (up from an "
     "estimated CNY 100 billion)", "en", None, 5e11, None, "CNY", "exact", "2025-12-31"),
    ("Key targets for 2025 include:\n- at least 70 percent market share", "en", None, 70, None,
     "percent", "at_least", "2025-12-31"),
    ("The ministry will foster 200 such clusters by 2025.", "en", None, 200, None, "item", "exact",
     "2025-12-31"),
    ("The plan calls for no less than ten specialized SMEs.", "en", None, 10, None, "item",
     "at_least", None),
]


@pytest.mark.parametrize("text, lang, date, value, high, unit, comparator, deadline", ROWS)
def test_spec_row(text: str, lang: str, date: str | None, value: float, high: float | None,
                  unit: str, comparator: str, deadline: str | None) -> None:
    targets = extract_targets(text, lang, date)
    assert len(targets) == 1, [t.text for t in targets]
    t = targets[0]
    assert t.value == pytest.approx(value)
    assert t.value_high == (None if high is None else pytest.approx(high))
    assert (t.unit, t.comparator, t.deadline) == (unit, comparator, deadline)
    assert text[t.start:t.end] == t.text


def test_spec_baseline_row() -> None:
    text = ("Key targets for 2025 include:\n- Reach CNY 500 billion revenue annually (up from an "
            "estimated CNY 100 billion)")
    [t] = extract_targets(text, "en")
    assert t.baseline is not None and t.baseline.value == pytest.approx(1e11)
    assert t.baseline.unit == "CNY"


def test_spec_output_example_target() -> None:
    [t] = extract_targets("今年国内生产总值增长5%左右。", "zh", "2024-03-05")
    assert (t.text, t.value, t.unit, t.unit_text, t.comparator, t.direction, t.deadline,
            t.deadline_text) == ("国内生产总值增长5%左右", 5.0, "percent", "%", "approx",
                                 "increase", "2024-12-31", "今年")
