from __future__ import annotations

import re
from typing import Any

import pytest

from policynlp.data import Span
from policynlp.text import english_sentencizer, normalize, split_sentences

_FINAL = "。！？；：!?"


def _texts(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start:s.end] for s in spans]


def _check_spans(text: str, spans: list[Span]) -> None:
    """In bounds, in order, non-overlapping, non-empty, without surrounding whitespace."""
    end = 0
    for s in spans:
        assert end <= s.start < s.end <= len(text)
        piece = text[s.start:s.end]
        assert piece == piece.strip() and piece
        assert "\n" not in piece
        end = s.end
    covered = "".join(text[s.start:s.end] for s in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)  # nothing is lost


def split(text: str, lang: str | None = None, **kwargs: bool) -> list[str]:
    spans = split_sentences(text, lang, **kwargs)
    _check_spans(text, spans)
    return _texts(text, spans)


# --- Chinese -----------------------------------------------------------------------------


def test_chinese_end_marks_and_closing_quotes() -> None:
    text = "会议指出：“要稳中求进。”会后发布公告！是否延期？不延期。"
    assert split(text, "zh") == [
        "会议指出：“要稳中求进。”", "会后发布公告！", "是否延期？", "不延期。"]


def test_chinese_semicolons_option() -> None:
    text = "主要目标是：国内生产总值增长5%左右；城镇新增就业1200万人以上。"
    assert split(text, "zh") == [
        "主要目标是：国内生产总值增长5%左右；", "城镇新增就业1200万人以上。"]
    assert split(text, "zh", semicolons=False) == [text]


def test_chinese_never_splits_titles_or_numbers() -> None:
    text = "国务院印发《关于“十四五”规划。纲要！》的通知。增长6.5%，达到1.3万亿元。"
    assert split(text, "zh") == [
        "国务院印发《关于“十四五”规划。纲要！》的通知。", "增长6.5%，达到1.3万亿元。"]


def test_chinese_line_breaks_end_sentences_and_whitespace_is_excluded() -> None:
    text = "\u3000\u3000一、总体要求\n\n  坚持稳中求进。 推进改革 \n（一）扩大内需"
    assert split(text, "zh") == ["一、总体要求", "坚持稳中求进。", "推进改革", "（一）扩大内需"]


def test_english_sentences_inside_chinese_text() -> None:
    text = "工信部发布通知。The notice covers 5G. It takes effect in 2025. 自发布之日起施行。"
    assert split(text, "zh") == [
        "工信部发布通知。", "The notice covers 5G.", "It takes effect in 2025.",
        "自发布之日起施行。"]
    assert split("美国U.S. Steel公司。", "zh") == ["美国U.S. Steel公司。"]


def test_japanese_uses_the_cjk_rules() -> None:
    assert split("新しい方針を発表した。半導体を強化する。", "ja") == [
        "新しい方針を発表した。", "半導体を強化する。"]


@pytest.mark.parametrize("lang", ["zh", "en", None])
def test_blank_text_has_no_sentences(lang: str | None) -> None:
    assert split_sentences("", lang) == [] and split_sentences(" \n\u3000 ", lang) == []


# --- English -----------------------------------------------------------------------------


def test_english_abbreviations_do_not_split() -> None:
    text = ("The U.S. Department of Commerce issued Rule No. 12 on Monday. It takes effect "
            "in 2025, e.g. for Art. 5 exports. Dr. Smith agreed!")
    assert split(text, "en") == [
        "The U.S. Department of Commerce issued Rule No. 12 on Monday.",
        "It takes effect in 2025, e.g. for Art. 5 exports.",
        "Dr. Smith agreed!",
    ]


def test_english_sentence_with_a_chinese_title_in_parentheses_stays_whole() -> None:
    title = "(促进中小企业特色产业集群发展暂行办法。)"
    text = (f"MIIT released the Interim Measures {title} on 5 Sept. 2022. "
            "Key targets include: 200 clusters by 2025.")
    assert split(text) == [
        f"MIIT released the Interim Measures {title} on 5 Sept. 2022.",
        "Key targets include: 200 clusters by 2025.",
    ]
    bracket = "The plan (see the annex. It lists targets) applies. It ends in 2030."
    assert split(bracket, "en") == [
        "The plan (see the annex. It lists targets) applies.", "It ends in 2030."]


def test_english_lines_are_separate_sentences() -> None:
    text = "Key targets for 2025 include:\n- Reach CNY 500 billion revenue\n\n- At least 70 percent"
    assert split(text, "en") == [
        "Key targets for 2025 include:", "- Reach CNY 500 billion revenue", "- At least 70 percent"]


def test_language_is_detected_when_not_given() -> None:
    assert split("GDP grew 6.5% in 2019. Was it enough? Yes.") == [
        "GDP grew 6.5% in 2019.", "Was it enough?", "Yes."]
    assert split("GDP增长6.5%。就业稳定。") == ["GDP增长6.5%。", "就业稳定。"]


def test_english_pipeline_is_built_once() -> None:
    assert english_sentencizer() is english_sentencizer()
    assert english_sentencizer().pipe_names == ["sentencizer"]


# --- real text: the 2010 Government Work Report ------------------------------------------


@pytest.fixture(scope="module")
def report_2010(gwr_reports: list[dict[str, Any]]) -> str:
    return next(r["text"] for r in gwr_reports if r["id"] == "gwr-2010")


def test_2010_report_sentences(report_2010: str) -> None:
    text = report_2010
    spans = split_sentences(text)
    _check_spans(text, spans)
    assert len(spans) > 500
    for s in spans:
        rest = text[s.end:].lstrip(" \t\u3000")
        assert text[s.end - 1] in _FINAL or rest == "" or rest[0] == "\n", text[s.start:s.end]
    # Every decimal number lies inside one sentence.
    for m in re.finditer(r"\d+\.\d+", text):
        assert any(s.start <= m.start() and m.end() <= s.end for s in spans), m.group()
    # The sentence with the GDP figure ends at its semicolon, or at 。 without semicolons.
    at = text.index("33.5万亿元")
    (with_gdp,) = [s for s in spans if s.start <= at < s.end]
    assert text[with_gdp.end - 1] == "；"
    spans_no_semi = split_sentences(text, semicolons=False)
    (whole,) = [s for s in spans_no_semi if s.start <= at < s.end]
    assert text[whole.end - 1] == "。" and text.count("；", whole.start, whole.end) >= 3
    assert whole.start == with_gdp.start and whole.end > with_gdp.end


def test_2010_report_normalised_keeps_titles_whole(report_2010: str) -> None:
    n = normalize(report_2010)
    spans = split_sentences(n.text, "zh")
    _check_spans(n.text, spans)
    titles = [s for s in spans if "《" in n.text[s.start:s.end]]
    assert titles
    for s in spans:
        piece = n.text[s.start:s.end]
        assert piece.count("《") == piece.count("》"), piece
    for s in spans:
        span = n.original_span(s)
        assert 0 <= span.start < span.end <= len(report_2010)
