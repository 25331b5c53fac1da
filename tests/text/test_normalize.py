from __future__ import annotations

import random
from typing import Any

import pytest

from policynlp.data import Span
from policynlp.text import NormalizedText, normalize, split_sentences

# Full-width forms and their ASCII counterparts, to compare normalised and original text.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_SENTENCE_FINAL = "。！？；："


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def _content(text: str) -> str:
    """The text without whitespace, full-width forms folded."""
    return "".join(ch for ch in _fold(text) if not ch.isspace())


# --- full-width forms --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("２０２５年ＧＤＰ增长ｘ", "2025年GDP增长x"),
    ("增长６．５％左右", "增长6.5%左右"),
    ("增长６％－６．５％", "增长6%-6.5%"),
    ("１０：３０，３／４，＋５", "10:30，3/4，＋5"),  # ＋ is not between digits
    ("会议：通过，（一）；《规划》。", "会议：通过，（一）；《规划》。"),  # Chinese punctuation
    ("．５", "．5"),  # ． must be between digits
    ("第一条　总则", "第一条 总则"),
])
def test_fullwidth_policy(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_fullwidth_off_keeps_the_forms() -> None:
    assert normalize("２０２５年，６．５％", fullwidth=False).text == "２０２５年，６．５％"


# --- whitespace --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("a  b\t\tc", "a b c"),
    ("  lead and trail \n", "lead and trail"),
    ("line one.\r\nline two.\rline three.", "line one.\nline two.\nline three."),
    ("para one.\n\n\n\n\npara two.", "para one.\n\npara two."),
    ("para one.\n  \t \n \u3000\u3000\npara two.", "para one.\n\npara two."),
    ("\u3000\u3000现在，我代表国务院作报告。 \n\n", "现在，我代表国务院作报告。"),
])
def test_whitespace_policy(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_whitespace_off_keeps_spaces() -> None:
    assert normalize("a  b\r\n\n\n\nc", whitespace=False).text == "a  b\n\n\n\nc"


# --- hard-wrapped lines ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("我們聽取了\n關於預算的報告", "我們聽取了關於預算的報告"),
    ("通過了根本法——\n國家憲法\n，隨後", "通過了根本法——國家憲法，隨後"),
    ("簽訂了所謂「\n某某條約\n」。", "簽訂了所謂「某某條約」。"),
    ("“中国制造\n2025”", "“中国制造2025”"),
    ("the measures were\nreleased today", "the measures were released today"),
    ("the infor-\nmation age", "the information age"),
    ("COVID-\n19 and state -\nowned", "COVID-19 and state - owned"),
    ("第一段。\n第二段", "第一段。\n第二段"),
    ("目标如下：\n增长", "目标如下：\n增长"),
    ("He said: “yes.”\nThen", "He said: “yes.”\nThen"),
    ("第一段\n\n第二段", "第一段\n\n第二段"),
    ("一、总体要求\n坚持稳中求进", "一、总体要求\n坚持稳中求进"),
])
def test_join_wrapped(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize("marker", [
    "一、", "十二、", "（一）", "(1)", "（3）", "1.", "12、", "3)", "①", "第三条", "第二章",
    "• ", "● ", "- ", "* ", "A. ", "## ",
])
def test_line_break_before_a_list_item_is_kept(marker: str) -> None:
    text = f"主要任务包括\n{marker}加快发展先进制造业集群"
    assert normalize(text).text == text


def test_number_at_line_start_is_not_a_list_item() -> None:
    assert normalize("增长\n6.5%左右").text == "增长6.5%左右"


def test_join_wrapped_off_keeps_line_breaks() -> None:
    assert normalize("聽取了\n關於", join_wrapped=False).text == "聽取了\n關於"


def test_join_wrapped_without_whitespace_pass() -> None:
    n = normalize("我們聽取了 \n 關於 and\nmore", whitespace=False)
    assert n.text == "我們聽取了關於 and more"


# --- offsets -----------------------------------------------------------------------------


def test_to_original_and_original_span() -> None:
    original = "  ＧＤＰ增长６．５％\r\n左右，the infor-\nmation."
    n = normalize(original)
    assert n.text == "GDP增长6.5%左右，the information."
    assert len(n.offsets) == len(n.text) + 1 and n.offsets[-1] == len(original)
    s = n.text.index("6.5%")
    start, end = n.to_original(s, s + 4)
    assert original[start:end] == "６．５％"
    s = n.text.index("%左")
    assert original[slice(*n.to_original(s, s + 2))] == "％\r\n左"
    s = n.text.index("information")
    span = n.original_span(Span(s, s + len("information")))
    assert original[span.start:span.end] == "infor-\nmation"
    span = n.original_span(Span(s, s + len("infor")))
    assert original[span.start:span.end] == "infor"  # the dropped hyphen is not included
    assert n.to_original(0, 0) == (2, 2)
    assert n.to_original(len(n.text), len(n.text)) == (len(original), len(original))
    with pytest.raises(ValueError, match="outside"):
        n.to_original(3, len(n.text) + 1)
    with pytest.raises(ValueError, match="outside"):
        n.to_original(4, 3)


_ALPHABET = list("中文國務院。，；：！？（）《》“”「」—一、1234.%-ab Zxy") + [
    "２", "５", "．", "％", "－", "：", "Ａ", "ｚ", "\u3000", "\n", "\n", "\n", "\r\n", "\r",
    "\t", "  ", "•", "(1)", "第三条", "infor-\nmation", "一、",
]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 60)))


@pytest.mark.parametrize("options", [
    {}, {"fullwidth": False}, {"whitespace": False}, {"join_wrapped": False},
    {"whitespace": False, "fullwidth": False},
])
def test_offsets_map_every_character_back(options: dict[str, bool]) -> None:
    """A randomised property test with a fixed seed (hypothesis is not installed)."""
    rng = random.Random(20240305)
    for _ in range(400):
        original = _random_text(rng)
        n = normalize(original, **options)
        assert isinstance(n, NormalizedText)
        assert len(n.offsets) == len(n.text) + 1 and n.offsets[-1] == len(original)
        assert all(a < b for a, b in zip(n.offsets, n.offsets[1:], strict=False))
        for i, ch in enumerate(n.text):
            source = original[n.offsets[i]]
            if ch.isspace():
                assert source.isspace(), (original, i)
            else:
                assert ch in (source, _fold(source)), (original, i)
        # What normalisation drops is whitespace or a wrap hyphen, nothing else.
        kept = set(n.offsets)
        dropped = {original[j] for j in range(len(original)) if j not in kept}
        assert all(ch.isspace() or ch == "-" for ch in dropped), (original, dropped)
        hyphens = {j for j in range(len(original)) if j not in kept and original[j] == "-"}
        for _ in range(5):
            s = rng.randint(0, len(n.text))
            e = rng.randint(s, len(n.text))
            a, b = n.to_original(s, e)
            assert 0 <= a <= b <= len(original)
            piece = "".join(original[j] for j in range(a, b) if j not in hyphens)
            assert _content(piece) == _content(n.text[s:e]), (original, s, e)


# --- real text: the 1954 Government Work Report ------------------------------------------


@pytest.fixture(scope="module")
def report_1954(gwr_reports: list[dict[str, Any]]) -> str:
    return next(r["text"] for r in gwr_reports if r["id"] == "gwr-1954")


def _unfinished_lines(text: str) -> int:
    """Non-empty lines that do not end with sentence-final punctuation."""
    return sum(1 for line in text.split("\n") if line.strip()
               and line.rstrip()[-1] not in _SENTENCE_FINAL)


def test_join_wrapped_repairs_the_1954_report(report_1954: str) -> None:
    # The wiki source breaks lines around linked titles inside sentences.
    n = normalize(report_1954)
    before, after = _unfinished_lines(report_1954), _unfinished_lines(n.text)
    assert before >= 30
    assert after * 10 <= before
    assert "同志\n關於" in report_1954 and "同志關於" in n.text
    assert _content(n.text) == _content(report_1954)  # only whitespace changed
    assert normalize(n.text).text == n.text  # idempotent on real text


def test_sentences_of_the_normalised_1954_report_map_back(report_1954: str) -> None:
    n = normalize(report_1954)
    sentences = split_sentences(n.text, "zh")
    assert len(sentences) > 200
    for s in sentences:
        span = n.original_span(s)
        assert _content(report_1954[span.start:span.end]) == _content(n.text[s.start:s.end])
    joined = [s for s in sentences if "\n" in report_1954[slice(*n.to_original(s.start, s.end))]]
    assert len(joined) >= 10  # sentences the wiki had broken over several lines
    assert all(n.text[s.start:s.end].count("\n") == 0 for s in sentences)


def test_normalize_is_idempotent_on_all_reports(gwr_reports: list[dict[str, Any]]) -> None:
    for r in gwr_reports:
        once = normalize(r["text"]).text
        assert normalize(once).text == once, r["id"]
