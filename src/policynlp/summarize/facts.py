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

    @property
    def place(self) -> str | None:
        """The province or city of a local people's government or its general office."""
        m = _GOVERNMENT.search(self.en)
        if not m:
            return None
        place = m.group("place1") or m.group("place2") or ""
        return " ".join(w for w in place.split() if w not in _ETHNIC) or None

    def same_authority(self, other: IssuingBody) -> bool:
        """The same body, or a local people's government and its general office (which
        issues documents in the government's name).

        Example:
            >>> a, b = find_bodies("浙江省人民政府 浙江省人民政府办公厅")
            >>> a.same_authority(b), a.same_authority(find_bodies("国务院")[0])
            (True, False)
        """
        return self == other or (self.place is not None and self.place == other.place
                                 and self.level == other.level)

    @property
    def house_name(self) -> str:
        """The name as the house style writes it (SPEC §5): the English name with the acronym
        in brackets, or the short form analysts use for local governments.

        Example:
            >>> b = find_bodies("广东省人民政府办公厅")[0]
            >>> b.house_name
            'General Office of the Guangdong provincial government'
            >>> find_bodies("工业和信息化部")[0].house_name
            'Ministry of Industry and Information Technology (MIIT)'
        """
        place = self.place
        if place:
            municipal = "Municipal" in self.en or "New Area" in self.en
            kind = ("regional" if "Autonomous Region" in self.en else
                    "municipal" if municipal else "provincial")
            gov = f"{place} {kind} government"
            return f"General Office of the {gov}" if self.en.startswith("General Office") else gov
        return f"{self.en} ({self.abbr})" if self.abbr else self.en


_GOVERNMENT = re.compile(r"^(?:General Office of the )?(?:(?P<place1>[A-Z][\w ]+?) "
                         r"(?:Provincial |Municipal |New Area )People's Government|"
                         r"People's Government of (?P<place2>[A-Z][\w ]+?) Autonomous Region)$")
_ETHNIC = {"Hui", "Uygur", "Zhuang"}


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


@lru_cache(maxsize=1)
def _english_patterns() -> list[tuple[re.Pattern[str], IssuingBody]]:
    names, _ = _bodies()
    pats: list[tuple[str, IssuingBody]] = []
    for body in dict.fromkeys(names.values()):
        pats.append((re.escape(body.en), body))
        for part in ("General Office", "Standing Committee"):
            inner = re.match(rf"{part} of the (.+)$", body.en)
            if inner:  # "the State Council General Office", "the NPC Standing Committee"
                pats.append((re.escape(inner.group(1)) + f" {part}", body))
                parent = names.get(body.zh.replace("常务委员会", "").replace("办公厅", ""))
                if parent is not None and parent.abbr:
                    pats.append((re.escape(parent.abbr) + f" {part}", body))
        if body.abbr:
            pats.append((re.escape(body.abbr), body))
        place = body.place
        if place:  # "the Guangdong provincial government", "Jiangsu Provincial People's Government"
            gov = (rf"{re.escape(place)}(?: [\w]+)?(?: (?:[Pp]rovincial|[Mm]unicipal|[Rr]egional|"
                   rf"Autonomous Region))?(?: People's)? [Gg]overnment")
            if body.en.startswith("General Office"):
                pats.append((rf"(?:[Gg]eneral [Oo]ffice of the {gov}|{gov} [Gg]eneral [Oo]ffice)",
                             body))
            else:
                pats.append((gov, body))
    pats.sort(key=lambda p: -len(p[0]))
    return [(re.compile(rf"(?<![\w-]){p}(?![\w-])"), b) for p, b in pats]


def find_bodies_en(text: str) -> list[IssuingBody]:
    """The bodies an English text names (full names, acronyms, "the Hainan provincial
    government"), in order of first mention, once each; a name inside a longer one (State
    Council in General Office of the State Council) does not count separately.

    Example:
        >>> [b.zh for b in find_bodies_en("The Jiangsu Provincial People's Government General "
        ...                               "Office and MIIT issued …")]
        ['江苏省人民政府办公厅', '工业和信息化部']
    """
    taken: list[tuple[int, int, IssuingBody]] = []
    for pattern, body in _english_patterns():
        for m in pattern.finditer(text):
            if all(m.end() <= a or m.start() >= b for a, b, _ in taken):
                taken.append((m.start(), m.end(), body))
    found: list[IssuingBody] = []
    for _, _, body in sorted(taken, key=lambda t: t[0]):
        if body not in found:
            found.append(body)
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


__all__ = ["IssuingBody", "document_type", "find_bodies", "find_bodies_en"]
