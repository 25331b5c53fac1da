"""Behaviour of the target extractor beyond SPEC's table: precision, inheritance, wrapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policynlp.extract import extract_targets, find_key_dates

GWR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gwr" / \
    "government_work_reports_1954_2013.jsonl"


def rows(text: str, lang: str, date: str | None = None) -> list[tuple]:
    return [(t.value, t.value_high, t.unit, t.comparator, t.deadline)
            for t in extract_targets(text, lang, date)]


@pytest.mark.parametrize("text, lang", [
    ("根据工信部规〔2026〕169号文件第十二条，（1）支持L2–L4级自动驾驶测试。咨询电话：010-68208888。", "zh"),
    ("上年国内生产总值增长5.2%，完成投资1200亿元。", "zh"),
    ("“十四五”规划和2035年远景目标纲要于2021年3月发布。", "zh"),
    ("The ministry completed 1,200 projects last year. Under Article 12, Level 4 vehicles may "
     "be tested; call 010-68208888.", "en"),
    ("Nine departments, including MIIT and six other ministries, issued the notice.", "en"),
])
def test_numbers_that_are_not_targets(text: str, lang: str) -> None:
    assert extract_targets(text, lang, "2026-05-01") == []


def test_heading_deadline_is_inherited_by_the_list_below_it_en() -> None:
    text = ("Key targets for 2025 include:\n"
            "- Reach CNY 500 billion revenue annually (up from an estimated CNY 100 billion)\n"
            "- at least 70 percent market share\n")
    got = extract_targets(text, "en", "2023-02-01")
    assert [(t.value, t.unit, t.comparator, t.deadline) for t in got] == [
        (5e11, "CNY", "exact", "2025-12-31"), (70.0, "percent", "at_least", "2025-12-31")]
    assert got[0].baseline is not None and got[0].baseline.value == 1e11
    assert all(text[t.start:t.end] == t.text for t in got)


def test_lead_sentence_deadline_is_inherited_zh() -> None:
    text = "到2027年，全省主要目标是：\n（一）新能源汽车年产量达到80万辆；\n（二）培育10家以上龙头企业。"
    got = extract_targets(text, "zh", "2025-01-01")
    assert [(t.value, t.comparator, t.deadline) for t in got] == [
        (800000.0, "exact", "2027-12-31"), (10.0, "at_least", "2027-12-31")]
    assert got[1].text == "培育10家以上龙头企业"


def test_hard_wrapped_english_keeps_deadline_and_span() -> None:
    text = ("The plan aims to raise the share of\nrenewables to 25 percent by the end\n"
            "of 2030 and cut coal use by 10 percent.")
    got = extract_targets(text, "en", "2024-01-01")
    assert [(t.value, t.deadline) for t in got] == [(25.0, "2030-12-31"), (10.0, "2030-12-31")]
    assert got[1].direction == "decrease"


@pytest.mark.parametrize("text, expected", [
    ("今年节约煤和电百分之二到三。", (2.0, 3.0, "percent", "range", "2009-12-31")),
    ("今年地方财政将安排支出250多亿元。", (2.5e10, None, "CNY", "at_least", "2009-12-31")),
    ("拟安排中央财政赤字2950亿元，比上年减少200亿元。", (2.95e11, None, "CNY", "exact", None)),
    ("今年经济增长速度预定为8 ％。", (8.0, None, "percent", "exact", "2009-12-31")),
    ("争取用三年时间，解决750万户城市低收入家庭的住房问题。",
     (7.5e6, None, "item", "exact", "2011-12-31")),
])
def test_chinese_report_forms(text: str, expected: tuple) -> None:
    assert rows(text, "zh", "2009-03-05")[0] == expected


def test_from_to_takes_the_new_level_not_the_start() -> None:
    got = rows("将补助标准由每人每年240元提高到280元。", "zh", "2013-03-05")
    assert [r[0] for r in got] == [280.0]
    got = rows("The visa-free period will be extended from 144 hours to 240 hours.", "en")
    assert [r[0] for r in got] == [240.0]


def test_change_and_new_level_are_two_targets() -> None:
    got = rows("The seven-day reverse repo rate will be lowered by 0.2 percentage points to 1.5%.",
               "en")
    assert [(r[0], r[1], r[2]) for r in got] == [(0.2, None, "percentage_point"),
                                                  (1.5, None, "percent")]


def test_key_dates_both_languages() -> None:
    text = ("本办法自2026年8月15日起施行，有效期至2028年12月31日。The measures remain in force "
            "until the end of 2023 and are valid for three years.")
    assert [(k.type, k.date, k.duration) for k in find_key_dates(text)] == [
        ("effective", "2026-08-15", None), ("expires", "2028-12-31", None),
        ("expires", "2023-12-31", None), ("validity", None, "P3Y")]
    assert all(text[k.start:k.end] == k.text for k in find_key_dates(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
       st.sampled_from(["zh", "en"]))
def test_never_raises_on_arbitrary_unicode(text: str, lang: str) -> None:
    for t in extract_targets(text, lang, "2024-03-05"):
        assert text[t.start:t.end] == t.text
    find_key_dates(text, "2024-03-05")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789０１２３４５６７８９.．,，%％万亿千百十一二三四五六七八九两零〇年月日至到－-—"
               "以上以内左右不低于超过控制在增长下降比较今明底前第条号〔〕（）() \n。；：",
               max_size=120))
def test_never_raises_on_number_soup(text: str) -> None:
    for t in extract_targets(text, "zh", "2024-03-05"):
        assert text[t.start:t.end] == t.text


@pytest.mark.skipif(not GWR.is_file(), reason=f"shared data not found at {GWR}")
def test_real_report_paragraph_2006() -> None:
    report = next(json.loads(line) for line in GWR.open(encoding="utf-8")
                  if '"gwr-2006"' in line[:40])
    text = report["text"]
    start = text.index("2006年国民经济和社会发展的主要预期目标是")
    para = text[start:text.index("\n", start)]
    got = extract_targets(para, "zh", "2006-03-05")
    assert [(t.value, t.unit, t.comparator, t.deadline) for t in got] == [
        (8.0, "percent", "approx", "2006-12-31"), (4.0, "percent", "approx", "2006-12-31"),
        (3.0, "percent", "at_most", "2006-12-31"), (9e6, "person", "exact", "2006-12-31"),
        (4.6, "percent", "at_most", "2006-12-31")]


def test_pipeline_and_cli_fill_targets(tmp_path: Path) -> None:
    import policynlp

    a = policynlp.load()({"text": "今年城镇新增就业1200万人以上。", "date": "2024-03-05"})
    assert [(t.value, t.deadline) for t in a.targets] == [(1.2e7, "2024-12-31")]
    assert "targets" in a.model.components if a.model else False


def test_spacy_factory_is_found_through_the_entry_point() -> None:
    import subprocess
    import sys

    # a fresh interpreter that never imports policynlp itself: spaCy must find the factory
    code = ("import spacy; nlp = spacy.blank('zh'); nlp.add_pipe('policynlp_targets'); "
            "doc = nlp('到2025年，培育200个左右特色产业集群。'); "
            "print([(t.value, t.deadline) for t in doc._.targets])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[(200.0, '2025-12-31')]"
