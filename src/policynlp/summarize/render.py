"""English renderings of extracted targets: quantities, comparators, deadlines, metrics.

Numbers are written so that reading them back gives the extracted value exactly (SPEC §4 and
§5: a summary number must equal an extracted number): 1800万千瓦 (1.8e10 W) becomes
"18 million kW", 1.2万亿元 becomes "CNY 1.2 trillion", 20亩 stays "20 mu". A value is never
rounded; where no short form is exact the full number is written.

Example:
    >>> from policynlp.data import Target
    >>> t = Target(text="到2025年风电装机达到1800万千瓦以上", start=0, end=22, value=1.8e10,
    ...            unit="W", unit_text="万千瓦", comparator="at_least", metric="风电装机",
    ...            deadline="2025-12-31", deadline_text="到2025年")
    >>> quantity(t)
    'at least 18 million kW'
    >>> deadline_phrase(t)
    'by 2025'
"""

from __future__ import annotations

import datetime as dt
import re

from policynlp.data import Target

_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_CURRENCIES = {"CNY", "USD", "EUR", "JPY", "HKD", "GBP"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

# unit code → (English unit after the number, how many base units one of it is), chosen from
# the unit's source text; the first pattern that matches the unit text wins.
_DISPLAY: dict[str, tuple[tuple[str, str, float], ...]] = {
    "W": ((r"GW|吉瓦|gigawatt", "GW", 1e9), (r"MW|兆瓦|megawatt", "MW", 1e6),
          (r"千瓦|kW|kilowatt", "kW", 1e3), (r"", "W", 1.0)),
    "kWh": ((r"TWh|太瓦时", "TWh", 1e9), (r"GWh|吉瓦时", "GWh", 1e6), (r"", "kWh", 1.0)),
    "m2": ((r"亩|mu\b", "mu", 10000 / 15), (r"公顷|hectare", "hectares", 1e4),
           (r"平方公里|km2|square kilomet", "square kilometres", 1e6),
           (r"", "square metres", 1.0)),
    "tonne": ((r"^(?:千克|公斤)|kg|kilogram", "kg", 1e-3), (r"^克|^g\b|gram", "grams", 1e-6),
              (r"", "tonnes", 1.0)),
    "person": ((r"", "people", 1.0),),
    "day": ((r"工作日|working day", "working days", 1.0), (r"", "days", 1.0)),
    "hour": ((r"", "hours", 1.0),), "year": ((r"", "years", 1.0),),
    "km": ((r"", "km", 1.0),), "teu": ((r"", "TEU", 1.0),), "jin": ((r"", "jin", 1.0),),
    "percentage_point": ((r"", "percentage points", 1.0),),
}


def _plain(x: float) -> str:
    if abs(x - round(x)) < 1e-9 * max(1.0, abs(x)):
        return f"{int(round(x)):,}"
    whole, _, frac = f"{x:.10f}".partition(".")
    frac = frac.rstrip("0")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def number(x: float) -> str:
    """``x`` in words an analyst reads, exactly: 3.44e11 → '344 billion', 1500 → '1,500'.

    Example:
        >>> number(3.44e11), number(1.2e12), number(12_345_678), number(0.5)
        ('344 billion', '1.2 trillion', '12,345,678', '0.5')
    """
    for scale, word in _SCALES:
        if abs(x) >= scale:
            scaled = x / scale
            if abs(scaled * 1000 - round(scaled * 1000)) < 1e-6:
                return f"{_plain(scaled)} {word}"
    return _plain(x)


def _unit_display(code: str, unit_text: str | None) -> tuple[str, float]:
    for pattern, name, factor in _DISPLAY.get(code, ()):
        if not pattern or re.search(pattern, unit_text or ""):
            return name, factor
    return "", 1.0


def amount(value: float, unit: str, unit_text: str | None = None) -> str:
    """One value with its unit: 'CNY 1.2 trillion', '30%', '18 million kW', '20 mu'.

    Example:
        >>> amount(1.2e12, "CNY"), amount(30, "percent"), amount(13333.3333, "m2", "亩")
        ('CNY 1.2 trillion', '30%', '20 mu')
    """
    if unit == "percent":
        return f"{_plain(value)}%"
    if unit in _CURRENCIES:
        return f"{unit} {number(value)}"
    name, factor = _unit_display(unit, unit_text)
    shown = value / factor
    if abs(shown - round(shown, 4)) < 1e-6 * max(1.0, abs(shown)):
        shown = round(shown, 4)
    text = number(shown)
    return f"{text} {name}".strip() if name else text


def quantity(t: Target) -> str:
    """The target's value, range and comparator in English ('at least 30%', '5–10%')."""
    if t.value_high is not None:
        low = amount(t.value, t.unit, t.unit_text)
        high = amount(t.value_high, t.unit, t.unit_text)
        prefix = f"{t.unit} " if t.unit in _CURRENCIES else ""
        low = low.removeprefix(prefix)
        suffix = "%" if t.unit == "percent" else ""
        if suffix:
            low = low.removesuffix(suffix)
        return f"{low}–{high}" if not prefix else f"{prefix}{low}–{high.removeprefix(prefix)}"
    word = {"at_least": "at least ", "at_most": "no more than ", "approx": "about "}
    return word.get(t.comparator, "") + amount(t.value, t.unit, t.unit_text)


def deadline_phrase(t: Target) -> str:
    """'by 2025', 'by end-2025', 'by June 30, 2026' or '' (no deadline)."""
    if not t.deadline:
        return ""
    try:
        d = dt.date.fromisoformat(t.deadline)
    except ValueError:
        return ""
    words = t.deadline_text or ""
    if (d.month, d.day) == (12, 31):
        end = any(w in words for w in ("底", "末", "end", "End"))
        return f"by end-{d.year}" if end else f"by {d.year}"
    month_end = (d + dt.timedelta(days=1)).day == 1
    names_day = bool(re.search(r"日|号|\d{1,2},|\d{1,2} [A-Z][a-z]+", words))
    if month_end and not names_day:
        return f"by {_MONTHS[d.month - 1]} {d.year}"
    return f"by {_MONTHS[d.month - 1]} {d.day}, {d.year}"


def iso_date(value: str) -> str:
    """An ISO date as analysts write it: '2023-01-01' → 'January 1, 2023'.

    Example:
        >>> iso_date("2027-12-31")
        'December 31, 2027'
    """
    d = dt.date.fromisoformat(value)
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


__all__ = ["amount", "deadline_phrase", "iso_date", "number", "quantity"]
