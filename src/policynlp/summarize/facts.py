"""Document facts for the summary: who issued it (bodies) and what kind of document it is.

``data/bodies.jsonl`` is a bilingual table of Chinese central, provincial and municipal bodies
(full name, aliases such as 国家发展改革委 / 工信部, usual English name and acronym);
``data/doc_types.json`` maps the document types that end Chinese titles (通知, 实施方案, 规划,
办法, 条例, 意见, 指导意见, 行动计划, …) to their English names.

Example:
    >>> [b.abbr for b in find_bodies("工业和信息化部 国家发展改革委关于印发…的通知")]
    ['MIIT', 'NDRC']
    >>> document_type("国务院办公厅关于印发新能源汽车产业发展规划的通知")
    ('通知', 'notice')
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from policynlp.summarize.glossary import DATA


@dataclass(frozen=True)
class IssuingBody:
    """A body that issues policy documents."""

    zh: str
    en: str
    abbr: str | None
    level: str
    aliases: tuple[str, ...] = field(default=())

    @property
    def short(self) -> str:
        """The acronym where one is usual, else the English name."""
        return self.abbr or self.en


@lru_cache(maxsize=1)
def _bodies() -> tuple[dict[str, IssuingBody], int]:
    by_name: dict[str, IssuingBody] = {}
    with (DATA / "bodies.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            body = IssuingBody(d["zh"], d["en"], d.get("abbr"), d["level"],
                               tuple(d.get("aliases") or ()))
            for name in (body.zh, *body.aliases):
                by_name.setdefault(name, body)
    return by_name, max(map(len, by_name), default=0)


def find_bodies(text: str) -> list[IssuingBody]:
    """The bodies named in ``text`` (longest name first at each position), in order, once each.

    A name inside a longer one (国务院 in 国务院办公厅) does not count separately.
    """
    names, longest = _bodies()
    found: list[IssuingBody] = []
    i = 0
    while i < len(text):
        for n in range(min(longest, len(text) - i), 1, -1):
            body = names.get(text[i:i + n])
            if body is not None:
                if body not in found:
                    found.append(body)
                i += n
                break
        else:
            i += 1
    return found


_TRAILING_NOTE = re.compile(r"[（(][^（）()]{0,20}[）)]\s*$")


@lru_cache(maxsize=1)
def _types() -> tuple[tuple[str, str], ...]:
    raw = json.loads((DATA / "doc_types.json").read_text(encoding="utf-8"))["types"]
    return tuple(sorted(((zh, en) for zh, en in raw), key=lambda p: -len(p[0])))


def document_type(title: str) -> tuple[str, str] | None:
    """``(Chinese type, English type)`` of the document a title names, from its last words.

    Trailing punctuation and notes in brackets (（试行）, （2022—2024年）) are ignored; ``None``
    when no known type ends the title.
    """
    t = title.strip().rstrip("》」”\"' 。.")
    while True:  # a trailing (2022—2024年), （试行） or （2024年版） qualifies the type
        trimmed = _TRAILING_NOTE.sub("", t).rstrip("》」”\"' 。.")
        if trimmed == t:
            break
        t = trimmed
    for zh, en in _types():
        if t.endswith(zh):
            return zh, en
    return None


__all__ = ["IssuingBody", "document_type", "find_bodies"]
