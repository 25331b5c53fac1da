from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policynlp.extract.dates import find_deadlines, find_key_dates, last_day
from policynlp.extract.numbers import find_numbers, parse_chinese_numeral
from policynlp.extract.units import match_currency_before, match_unit_after


@pytest.mark.parametrize("text, value", [
    ("二百", 200), ("两千五百", 2500), ("一万二千", 12000), ("五百亿", 5e10), ("十", 10),
    ("十二", 12), ("三十五", 35), ("一百零五", 105), ("三万亿", 3e12), ("一亿二千万", 1.2e8),
    ("二〇二五", 2025), ("一千二百万", 1.2e7), ("两", 2),
])
def test_chinese_numerals(text: str, value: float) -> None:
    assert parse_chinese_numeral(text) == value


@pytest.mark.parametrize("text, values", [
    ("粮食产量1.3万亿斤", [1.3e12]),
    ("赤字5000亿元", [5e11]),
    ("２０２５年培育１２００个", [2025, 1200]),
    ("新增1,200,000人", [1.2e6]),
    ("300至500万吨", [300, 5e6]),
    ("“十四五”时期培育二百个集群", [200]),
    ("十四五规划", []),
    ("统一大市场，第一批", []),
    ("三个试点", [3]),
    ("USD 1.4 billion and 2.5 trillion yuan", [1.4e9, 2.5e12]),
    ("三分之一", [1 / 3]),
])
def test_find_numbers(text: str, values: list[float]) -> None:
    assert [m.value for m in find_numbers(text)] == pytest.approx(values)


def test_english_number_words_only_in_english() -> None:
    assert [m.value for m in find_numbers("ten SMEs and twenty-five million jobs", "en")] == [
        10, 25e6]
    assert find_numbers("ten SMEs") == []


def test_units() -> None:
    u = match_unit_after("万千瓦", 1, "zh")
    assert (u.code, u.factor) == ("W", 1e3)
    assert match_unit_after("个百分点", 0, "zh").code == "percentage_point"
    assert match_unit_after(" percentage points", 0, "en").code == "percentage_point"
    assert match_unit_after(" GW of capacity", 0, "en").factor == 1e9
    assert match_currency_before("RMB 300", 4).code == "CNY"
    assert match_currency_before("worth US$1.4", 9).code == "USD"


@pytest.mark.parametrize("text, year, dates", [
    ("到2025年", None, ["2025-12-31"]),
    ("2025年前", None, ["2025-12-31"]),
    ("2025年底", None, ["2025-12-31"]),
    ("到2026年6月", None, ["2026-06-30"]),
    ("by 2025", None, ["2025-12-31"]),
    ("by the end of 2025", None, ["2025-12-31"]),
    ("by June 2026", None, ["2026-06-30"]),
    ("by end-2027", None, ["2027-12-31"]),
    ("今年", 2024, ["2024-12-31"]),
    ("明年", 2024, ["2025-12-31"]),
    ("this year and next year", 2023, ["2023-12-31", "2024-12-31"]),
    ("“十四五”期间", None, ["2025-12-31"]),
    ("十五五时期", None, ["2030-12-31"]),
    ("during the 14th Five-Year Plan period", None, ["2025-12-31"]),
    ("2024年3月5日发布", None, []),
])
def test_deadlines(text: str, year: int | None, dates: list[str]) -> None:
    assert [d.date for d in find_deadlines(text, year)] == dates


@pytest.mark.parametrize("text, kind, date, duration", [
    ("本办法自2026年8月15日起施行。", "effective", "2026-08-15", None),
    ("本通知自发布之日起施行。", "effective", "2026-07-15", None),
    ("The measures are effective as of October 1, 2022.", "effective", "2022-10-01", None),
    ("The rules take effect on 1 September 2022.", "effective", "2022-09-01", None),
    ("The exemption applies until the end of 2023.", "expires", "2023-12-31", None),
    ("有效期至2028年12月31日。", "expires", "2028-12-31", None),
    ("The certificate is valid for three years.", "validity", None, "P3Y"),
    ("评估结果有效期三年。", "validity", None, "P3Y"),
    ("有效期为5年", "validity", None, "P5Y"),
])
def test_key_dates(text: str, kind: str, date: str | None, duration: str | None) -> None:
    [k] = find_key_dates(text, "2026-07-15")
    assert (k.type, k.date, k.duration) == (kind, date, duration)
    assert text[k.start:k.end] == k.text


def test_last_day() -> None:
    assert last_day(2024, 2) == "2024-02-29"


def _render_zh(n: int) -> str:
    """Render a non-negative integer below 1e12 in Chinese numerals (the test's oracle)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"

    def below_wan(x: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // value % 10
            if d:
                if zero and out:
                    out += "零"
                out += digits[d] + unit
                zero = False
            else:
                zero = True
        return out

    parts = []
    for big, name in ((10**8, "亿"), (10**4, "万"), (1, "")):
        chunk = n // big % 10**4
        if chunk:
            text = below_wan(chunk)
            if parts and chunk < 1000:
                text = "零" + text
            parts.append(text + name)
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999_999_999_999))
def test_chinese_numeral_round_trip(n: int) -> None:
    assert parse_chinese_numeral(_render_zh(n)) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["", "万", "亿"]))
def test_arabic_rendering_round_trip(n: int, scale: str) -> None:
    text = f"新增{n:,}{scale}个"
    [m] = find_numbers(text)
    assert m.value == n * {"": 1, "万": 1e4, "亿": 1e8}[scale]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["", " million", " billion"]))
def test_english_rendering_round_trip(n: int, scale: str) -> None:
    [m] = find_numbers(f"reach {n:,}{scale} units", "en")
    assert m.value == n * {"": 1, " million": 1e6, " billion": 1e9}[scale]
