from __future__ import annotations

from typing import Any

import pytest

from policynlp.data import Span
from policynlp.text import (
    ScriptCounts,
    detect_language,
    is_binary,
    language_segments,
    script_counts,
)
from policynlp.text.langid import LATIN_WORD_WEIGHT

MIXED = "國务院 MIIT café ひらがなカタカナ 한국어 Россия مصر Ελλάδα 12３\t\n\r\x01\x85"


def test_script_counts_by_script() -> None:
    c = script_counts(MIXED)
    assert isinstance(c, ScriptCounts)
    assert (c.han, c.kana, c.hangul) == (3, 8, 3)
    assert (c.latin_letters, c.latin_words) == (8, 2)
    assert (c.cyrillic, c.arabic, c.other_letters) == (6, 3, 6)
    assert c.digits == 3
    assert c.control == 2  # \x01 and the C1 \x85; tab, newline and CR are text
    assert c.total == len(MIXED)


def test_script_counts_punctuation_and_middle_dot_are_not_letters() -> None:
    c = script_counts("卡尔・马克思，《资本论》。〇")
    assert c.kana == 0  # ・ is punctuation that Chinese uses too
    assert c.han == 9  # 〇 is a Chinese numeral
    assert script_counts("").total == 0


@pytest.mark.parametrize(("text", "lang"), [
    ("工业和信息化部关于5G和AI的通知 https://www.miit.gov.cn", "zh"),
    ("国务院办公厅关于印发《新能源汽车产业发展规划（2021—2035年）》的通知 国办发〔2020〕39号",
     "zh"),
    ("我們第一届全國人民代表大會第一次會議，已經光榮地完成了一件歷史性的工作。", "zh"),
    ("請聯絡 info@miit.gov.cn 或瀏覽 www.gov.cn 查詢詳情。", "zh"),
    ("The Ministry of Industry and Information Technology (MIIT) released measures to "
     "cultivate specialized clusters (促进中小企业特色产业集群发展暂行办法) on 5 September.",
     "en"),
    ("At a glance: the State Council set a GDP growth target of around 5 percent.", "en"),
    ("経済産業省は半導体産業の強化に向けた新たな方針を発表した。", "ja"),
    ("산업통상자원부는 반도체 산업 지원 방안을 발표했다.", "ko"),
    ("Министерство промышленности опубликовало новые правила.", "ru"),
    ("أعلنت الوزارة عن خطة جديدة للصناعة.", "ar"),
    ("กระทรวงอุตสาหกรรมประกาศแผนใหม่", "und"),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", " \n", "2024-03-05", "12.5%，（1）1．", "３０％", "\x00"])
def test_detect_language_without_letters_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_detect_language_weighs_han_against_latin_words() -> None:
    # 6 Han characters against 3 Latin words: Chinese wins only while 6 >= 3 * weight.
    text = "the new plan 国务院办公厅"
    expected = "zh" if 6 >= 3 * LATIN_WORD_WEIGHT else "en"
    assert detect_language(text) == expected
    # A stray kana in a long Chinese text does not make it Japanese.
    assert detect_language("良品の" + "国务院关于加快发展先进制造业集群的意见" * 2) == "zh"


def test_every_government_work_report_is_chinese(gwr_reports: list[dict[str, Any]]) -> None:
    assert {detect_language(r["text"]) for r in gwr_reports} == {"zh"}


def _check_tiling(text: str, segments: list[tuple[Span, str]]) -> None:
    assert segments[0][0].start == 0 and segments[-1][0].end == len(text)
    for (a, la), (b, lb) in zip(segments, segments[1:], strict=False):
        assert a.end == b.start and a.start < a.end and la != lb
    assert {lang for _, lang in segments} <= {"zh", "en"}


def test_language_segments_english_with_chinese_title() -> None:
    text = ("The State Council issued the opinions (国务院关于加快发展先进制造业集群的意见) "
            "in May 2022. 这是中文句子。")
    segments = language_segments(text)
    _check_tiling(text, segments)
    pieces = [(text[s.start:s.end], lang) for s, lang in segments]
    assert pieces == [
        ("The State Council issued the opinions ", "en"),
        ("(国务院关于加快发展先进制造业集群的意见) ", "zh"),
        ("in May 2022. ", "en"),
        ("这是中文句子。", "zh"),
    ]


def test_language_segments_keeps_acronyms_in_chinese_runs() -> None:
    text = "工业和信息化部关于5G和AI的通知。Made in China 2025 is a plan."
    segments = language_segments(text)
    _check_tiling(text, segments)
    assert [(text[s.start:s.end], lang) for s, lang in segments] == [
        ("工业和信息化部关于5G和AI的通知。", "zh"), ("Made in China 2025 is a plan.", "en")]


def test_language_segments_single_language_and_no_letters() -> None:
    assert language_segments("国务院通知") == [(Span(0, 5), "zh")]
    assert language_segments("  MIIT notice, 2024.") == [(Span(0, 20), "en")]
    assert language_segments("") == []
    assert language_segments("2024，12.5%") == []


@pytest.mark.parametrize(("text", "binary"), [
    ("国务院关于印发规划的通知\n\t第一条", False),
    ("page one\fpage two\fpage three" * 10, False),  # form feeds of PDF text are rare
    ("", False),
    ("text with a NUL\x00 somewhere", True),
    ("\x00\x01\x02binary", True),
    ("\x01\x02\x03\x04" + "a" * 20, True),
    ("\ufffd\ufffd\ufffdbad utf-8 decoded with replacement", False),
    ("\ufffd" * 10 + "abc", True),
    ("ok" * 5000 + "\x01" * 5000, False),  # only the first 4096 characters are sampled
])
def test_is_binary(text: str, binary: bool) -> None:
    assert is_binary(text) is binary
