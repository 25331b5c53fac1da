"""Parser for the "China Top 5" weekly brief layout (text extracted from the PDF).

A brief is an optional header (publisher, "China Top 5", week line), numbered items and a
"NOTEWORTHY" section of one-line news items. Each item is a ``N. Title`` line followed by
labelled fields: ``At a glance:`` (prose, then key-target bullets), ``<Org> comment:``,
``Article(s):`` (English title with the Chinese title in parentheses), ``Issuing body/bodies:``,
``Date:`` and ``Link:``. Label synonyms: ``Document(s):``, ``Issued by:``, ``Released:``,
``Published:``, ``Source:``, ``URL:``, ``Our take:``.

Layout rules (see also :func:`parse_brief`):

* Hard-wrapped lines are joined with a space, without one where either side is a CJK
  ideograph, where both sides are full-width characters, after an opening or before a closing
  bracket, and inside a URL.
* A line ending in ``-`` between two lowercase letters is a soft hyphenation break
  ("semi-\\nconductor" → "semiconductor") *unless* the hyphenated word also occurs unbroken in
  the brief or its first part is a common compound head such as dual-, cross-, high-, non-
  (and the second part is not a suffix such as -er, -ing, -ment): "dual-\\nuse" → "dual-use".
  In every other case the hyphen is kept ("Urban-\\nRural", "2023-\\n2025").
* Page headers and footers left by PDF extraction are dropped: bare page numbers ("3",
  "Page 3 of 7", "- 3 -"), pipe-separated running lines ("China Top 5 | Week 32 | 3"), lines
  ending in "Page N [of M]", and exact repeats of short header lines.
* An ``N. Title`` line opens an item when ``At a glance:`` follows within three lines, or when
  N is the next number after an item's closing fields (else it is a numbered bullet). Title-only
  entries whose numbers occur again with content (a contents list) are dropped.

Example:
    >>> items = parse_brief('''1. MIIT issues SME cluster measures
    ... At a glance: MIIT released measures. Key targets include:
    ... • Foster around 200 clusters by 2025.
    ... Date: August 10, 2022''')
    >>> items[0].title, items[0].bullets, items[0].date
    ('MIIT issues SME cluster measures', ['Foster around 200 clusters by 2025.'], '2022-08-10')
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from policynlp.data import Document
from policynlp.errors import BriefParseError, EncodingError, UnreadableFileError

_ITEM = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_BULLET = re.compile(r"^(?:[•\-–*▪◦●■·]|\(?\d{1,2}\)|\d{1,2}\.)\s+(.*)$")
_NOTEWORTHY = re.compile(r"^(?:also\s+|other\s+)?noteworthy\b[^.:]{0,30}:?$", re.I)
_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("glance", re.compile(r"^at\s+a\s+glance\s*:\s*(.*)$", re.I)),
    ("article", re.compile(r"^(?:policy\s+)?(?:articles?|documents?)\s*:\s*(.*)$", re.I)),
    ("bodies", re.compile(r"^(?:issuing\s+bod(?:y|ies)|issued\s+by|issuers?)\s*:\s*(.*)$", re.I)),
    ("date", re.compile(r"^(?:dates?|date\s+issued|issue\s+date|issued\s+on|release\s+date|"
                        r"released|published)\s*:\s*(.*)$", re.I)),
    ("link", re.compile(r"^(?:links?|sources?|url)\s*:\s*(.*)$", re.I)),
    ("comment", re.compile(r"^(?:(?P<org>[A-Z][\w&.'’\- ]{0,40}?)\s+[Cc]omment|Our take|Comment)"
                           r"\s*:\s*(.*)$")),
]
_PAGE_NO = re.compile(r"^(?:page\s+)?\d{1,3}(?:\s*(?:/|of)\s*\d{1,3})?$|^[-–—]\s*\d{1,3}\s*[-–—]$",
                      re.I)
_PAGE_END = re.compile(r"\bpage\s+\d{1,3}(?:\s+of\s+\d{1,3})?$", re.I)
_PIPE_END = re.compile(r"\|\s*(?:page\s+)?\d{1,3}$", re.I)
_AND = re.compile(r"(?<=[)）])\s+and\s+(?=\S)|(?:(?<=[A-Z]{2})|(?<=State Council))\s+and\s+"
                  r"(?=(?:the\s+)?[A-Z])|\s+and\s+(?=(?:the\s+)?State Council)")
_URL = re.compile(r"https?://[^\s<>\"]+")
_URL_CHARS = re.compile(r"[\w\-./?=&%#~+:]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WIDE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_OPEN, _CLOSE = "(（", ")）"
_NO_SPACE_AFTER, _NO_SPACE_BEFORE = "(（《“[", ")）》”]、，。；：,.;:"
_HYPHEN_WORDS = re.compile(r"[A-Za-z]+-[A-Za-z]+")
_COMPOUND_HEADS = frozenset(
    "dual cross high low non self large small medium mid long short well full world first "
    "state foreign new top end data energy city year two three five ten multi".split())
_SUFFIXES = frozenset(
    "er ers est ly ness ment ments ing ings ed age ic ics ity ities tion tions ful less ance "
    "ence ship ward wards y al ous ive".split())
_MONTHS = {m: i for i, names in enumerate(
    ["", "january jan", "february feb", "march mar", "april apr", "may", "june jun",
     "july jul", "august aug", "september sep sept", "october oct", "november nov",
     "december dec"]) for m in names.split()}
_DATES = [  # (pattern, order of year/month/day groups)
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"), "mdy"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b"), "dmy"),
]


@dataclass
class BriefItem:
    """One numbered item or one "noteworthy" one-liner of a brief.

    Example:
        >>> item = BriefItem(kind="noteworthy", number=None, title="PBOC cuts the LPR")
        >>> item.text()
        'PBOC cuts the LPR'
    """

    kind: Literal["item", "noteworthy"]
    number: int | None
    title: str
    glance: str = ""
    bullets: list[str] = field(default_factory=list)
    comment: str | None = None
    comment_org: str | None = None
    article_titles_en: list[str] = field(default_factory=list)
    article_titles_zh: list[str] = field(default_factory=list)
    issuing_bodies: list[str] = field(default_factory=list)
    date: str | None = None
    date_text: str | None = None
    links: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The text an analyst reads: title, glance, ``- `` bullets and comment.

        Example:
            >>> print(BriefItem("item", 1, "T", glance="G.", bullets=["a", "b"]).text())
            T
            <BLANKLINE>
            G.
            - a
            - b
        """
        if self.kind == "noteworthy":
            return self.title
        body = "\n".join([self.glance] * bool(self.glance) + [f"- {b}" for b in self.bullets])
        return "\n\n".join(p for p in (self.title, body, self.comment) if p)

    def to_document(self, id: str, source: str | None = None) -> Document:
        """The item as an English :class:`Document`; the other fields go to ``meta["brief"]``.

        Example:
            >>> doc = BriefItem("item", 2, "CAC measures", date="2022-07-07").to_document("b-2")
            >>> doc.lang, doc.date, doc.meta["brief"]["number"]
            ('en', '2022-07-07', 2)
        """
        meta = {k: v for k, v in asdict(self).items() if k not in ("title", "date")}
        return Document(id=id, text=self.text(), lang="en", title=self.title, date=self.date,
                        source=source, meta={"brief": meta})


@dataclass
class _Para:
    bullet: bool
    lines: list[str]


@dataclass
class _Draft:
    number: int
    title: list[str]
    fields: dict[str, list[_Para]] = field(default_factory=dict)
    comment_org: str | None = None


def looks_like_brief(text: str) -> bool:
    """Cheap format check: a numbered ``N. Title`` line with an ``At a glance:`` after it.

    Example:
        >>> looks_like_brief("1. MIIT issues plan\\nAt a glance: MIIT released a plan.")
        True
        >>> looks_like_brief("国务院关于印发《2024年政府工作报告》的通知")
        False
    """
    item = re.search(r"^\s*\d{1,2}\.\s+\S", text, re.M)
    return bool(item and re.search(r"^\s*at\s+a\s+glance\s*:", text[item.start():], re.I | re.M))


def parse_brief(text: str, *, source: str | None = None) -> list[BriefItem]:
    """Split a brief's text into its items and noteworthy one-liners, in order.

    Args:
        text: the brief's text as extracted from the PDF (hard-wrapped lines are fine).
        source: the file name, used in error messages.

    Returns:
        The numbered items (``kind="item"``) followed by the noteworthy one-liners.

    Raises:
        BriefParseError: the text is empty, has no numbered item, or has an item field
            label before the first numbered item.

    Example:
        >>> [i.kind for i in parse_brief("1. A\\nAt a glance: B.\\nNOTEWORTHY\\n- C (May 5, 2024)")]
        ['item', 'noteworthy']
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "")
    if not text.strip():
        raise BriefParseError("the brief is empty", path=source)
    hyphenated = {w.lower() for w in _HYPHEN_WORDS.findall(text)}
    lines = _content_lines(text.split("\n"))
    drafts: list[_Draft] = []
    notes: list[_Para] = []
    cur: _Draft | None = None
    para: _Para | None = None
    state, blank = "preamble", False
    for pos, (lineno, line) in enumerate(lines):
        if not line:
            blank = True
            continue
        m = _ITEM.match(line)
        if m and _starts_item(int(m[1]), cur, state, lines, pos):
            cur = _Draft(number=int(m[1]), title=[m[2]])
            drafts.append(cur)
            state, para, blank = "title", None, False
            continue
        if _NOTEWORTHY.match(line):
            state, para, blank = "noteworthy", None, False
            continue
        label = _match_label(line) if state not in ("noteworthy", "trailer") else None
        if label is not None:
            name, rest, org = label
            if cur is None:
                if name == "glance":
                    raise BriefParseError(f"line {lineno}: 'At a glance:' comes before any "
                                          "numbered item title", path=source)
                continue  # a "Date:" line in the header
            state, para, blank = name, None, False
            cur.fields.setdefault(name, [])
            if name == "comment":
                cur.comment_org = org
            if rest:
                para = _Para(bool(_BULLET.match(rest)), [_strip_bullet(rest)])
                cur.fields[name].append(para)
            continue
        bullet = bool(_BULLET.match(line))
        if state == "noteworthy":
            if bullet:
                para = _Para(True, [_strip_bullet(line)])
                notes.append(para)
            elif para is not None and blank:
                state = "trailer"  # text after the list: contact lines, disclaimers
            elif para is not None:
                para.lines.append(line)
        elif state == "title" and cur is not None and not blank:
            cur.title.append(line)
        elif cur is not None and state not in ("preamble", "trailer"):
            if state == "title":
                state = "glance"
            paras = cur.fields.setdefault(state, [])
            if bullet or para is None or (para.bullet and blank):
                para = _Para(bullet, [_strip_bullet(line) if bullet else line])
                paras.append(para)
            else:
                para.lines.append(line)
        blank = False
    full = {d.number for d in drafts if d.fields}  # title-only repeats: a contents list
    drafts = [d for d in drafts if d.fields or d.number not in full]
    if not drafts:
        raise BriefParseError(
            f"no numbered item title such as '1. MIIT releases …' found in {len(lines)} lines",
            path=source)
    items = [_build_item(d, hyphenated) for d in drafts]
    return items + [_build_note(p, hyphenated) for p in notes]


def read_brief(path: str | Path) -> Iterator[Document]:
    """Read a brief file as documents: ``{stem}-{n}`` for items, ``{stem}-nw{k}`` for one-liners.

    ``n`` and ``k`` count from 1 in reading order; ``source`` is the file name.

    Raises:
        UnreadableFileError: the file is missing or cannot be read.
        EncodingError: the file is not valid UTF-8 (the message gives the byte offset).
        BriefParseError: no item can be found.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "top5.txt"
        >>> _ = p.write_text("1. A\\nAt a glance: B.\\nNoteworthy\\n• C", encoding="utf-8")
        >>> [d.id for d in read_brief(p)]
        ['top5-1', 'top5-nw1']
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError("does not exist", path=str(p)) from None
    except OSError as err:
        raise UnreadableFileError(f"cannot read: {err.strerror}", path=str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise EncodingError(f"not valid UTF-8 at byte {err.start}", path=str(p)) from None
    docs: list[Document] = []
    counts = {"item": 0, "noteworthy": 0}
    for item in parse_brief(text, source=str(p)):
        counts[item.kind] += 1
        n = counts[item.kind]
        rid = f"{p.stem}-{n}" if item.kind == "item" else f"{p.stem}-nw{n}"
        docs.append(item.to_document(rid, source=p.name))
    return iter(docs)


# --- lines and joining --------------------------------------------------------------------


def _content_lines(raw_lines: list[str]) -> list[tuple[int, str]]:
    """Stripped lines with their 1-based numbers, page headers/footers (and the blank lines
    around them, so a page break does not read as a paragraph break) removed."""
    first = next((i for i, s in enumerate(raw_lines) if _ITEM.match(s.strip())), 0)
    header = {" ".join(s.split()) for s in raw_lines[:first]
              if 0 < len(s.strip()) <= 80 and not _match_label(s.strip())}
    out: list[tuple[int, str]] = []
    after_footer = False
    for i, raw in enumerate(raw_lines):
        s = " ".join(raw.split())
        if i >= first and s and (s in header or _is_footer(s)):
            while out and not out[-1][1]:
                out.pop()
            after_footer = True
            continue
        if s or not after_footer:
            out.append((i + 1, s))
            after_footer = False
    return out


def _is_footer(s: str) -> bool:
    return bool(_PAGE_NO.match(s) or (len(s) <= 100 and (_PAGE_END.search(s) or (
        "|" in s and (_PIPE_END.search(s) or "top 5" in s.lower())))))


def _join(a: str, b: str, hyphenated: set[str]) -> str:
    """Join two hard-wrapped lines (see the module docstring for the rules)."""
    if not a or not b:
        return a or b
    last, nxt = a[-1], b[0]
    in_url = a.split()[-1].lstrip("(（").startswith(("http://", "https://"))
    if in_url and _URL_CHARS.match(b) and (last in "/-_=&?#." or re.match(r"[\w\-]*[/._=?&]", b)):
        return a + b
    if last == "\u00ad":
        return a[:-1] + b
    if last == "-" and len(a) > 1 and not a[-2].isspace():
        token = a.split()[-1][:-1]
        left = re.search(r"[A-Za-z]+$", token)
        right = re.match(r"[A-Za-z]+", b)
        if left and right and left[0][-1].islower() and right[0][0].islower() and "-" not in token:
            keep = (f"{left[0]}-{right[0]}".lower() in hyphenated
                    or (left[0].lower() in _COMPOUND_HEADS and right[0] not in _SUFFIXES))
            return a + b if keep else a[:-1] + b
        return a + b  # "Urban-\nRural", "2023-\n2025", "military-to-\nmilitary"
    if (_CJK.match(last) or _CJK.match(nxt) or (_WIDE.match(last) and _WIDE.match(nxt))
            or last in _NO_SPACE_AFTER or nxt in _NO_SPACE_BEFORE):
        return a + b
    return f"{a} {b}"


def _joined(lines: list[str], hyphenated: set[str]) -> str:
    out = ""
    for line in lines:
        out = _join(out, line, hyphenated)
    return out.strip()


def _strip_bullet(line: str) -> str:
    m = _BULLET.match(line)
    return m[1].strip() if m else line


# --- the state machine's helpers ------------------------------------------------------------


def _match_label(line: str) -> tuple[str, str, str | None] | None:
    for name, pattern in _LABELS:
        m = pattern.match(line)
        if m:
            org = m.groupdict().get("org")
            if org is not None and len(org.split()) > 5:
                return None
            return name, m.groups()[-1].strip(), org
    return None


def _starts_item(n: int, cur: _Draft | None, state: str, lines: list[tuple[int, str]],
                 pos: int) -> bool:
    """Whether a ``N. Title`` line opens an item rather than being a numbered bullet.

    Yes when ``At a glance:`` follows within three lines (title wraps) before any other
    numbered line or label; in a header or a run of title-only lines (a contents list) when N
    is 1 or the next number; after an item's closing fields (article, bodies, date, link)
    when N is the next number.
    """
    for _, s in [(i, s) for i, s in lines[pos + 1:pos + 8] if s][:3]:
        if _LABELS[0][1].match(s):
            return True
        if _ITEM.match(s) or _match_label(s):
            break
    if state in ("noteworthy", "trailer"):
        return False
    last = cur.number if cur is not None else 0
    if cur is None or not cur.fields:
        return n in (1, last + 1)
    return n == last + 1 and state in ("article", "bodies", "date", "link")


# --- building items -------------------------------------------------------------------------


def _build_item(d: _Draft, hyphenated: set[str]) -> BriefItem:
    f = d.fields
    glance = [p for p in f.get("glance", []) if not p.bullet]
    comment = None
    if f.get("comment"):
        comment = "\n".join(("- " if p.bullet else "") + _joined(p.lines, hyphenated)
                            for p in f["comment"]) or None
    titles = [_split_titles(_joined(p.lines, hyphenated)) for p in f.get("article", [])]
    bodies = [b for p in f.get("bodies", []) for b in _split_bodies(_joined(p.lines, hyphenated))]
    date_text = " ".join(_joined(p.lines, hyphenated) for p in f.get("date", [])) or None
    links = [u for p in f.get("link", []) for u in _URL.findall(_joined(p.lines, set()))]
    return BriefItem(
        kind="item", number=d.number, title=_joined(d.title, hyphenated),
        glance=" ".join(_joined(p.lines, hyphenated) for p in glance),
        bullets=[_joined(p.lines, hyphenated) for p in f.get("glance", []) if p.bullet],
        comment=comment, comment_org=d.comment_org if comment else None,
        article_titles_en=[t for en, _ in titles for t in en],
        article_titles_zh=[t for _, zh in titles for t in zh], issuing_bodies=bodies,
        date=_parse_date(date_text or ""), date_text=date_text,
        links=[u.rstrip(".,;)）") for u in links])


def _build_note(p: _Para, hyphenated: set[str]) -> BriefItem:
    line = _joined(p.lines, hyphenated)
    links = [u.rstrip(".,;)）") for u in _URL.findall(line)]
    for url in links:
        line = line.replace(url, "")
    line = re.sub(r"[(（]\s*[)）]", "", line).strip()
    date = date_text = None
    m = re.search(r"\s*[(（]([^()（）]+)[)）][.。]?$", line)
    if m and _parse_date(m[1]):
        date, date_text, line = _parse_date(m[1]), m[1].strip(), line[:m.start()]
    title = re.sub(r"\s+", " ", line).strip(" -–—:;,")
    return BriefItem(kind="noteworthy", number=None, title=title, date=date,
                     date_text=date_text, links=links)


def _split_titles(text: str) -> tuple[list[str], list[str]]:
    """English titles and the Chinese titles in (possibly nested) parentheses after them."""
    en: list[str] = []
    zh: list[str] = []
    buf, group, depth = "", "", 0
    for ch in text:
        if depth == 0 and ch not in _OPEN:
            buf += ch
            continue
        depth += (ch in _OPEN) - (ch in _CLOSE)
        group += ch
        if depth == 0:
            inner = group[1:-1].strip()
            if _CJK.search(inner):
                if inner.startswith("《") and inner.endswith("》") and inner.count("《") == 1:
                    inner = inner[1:-1]
                zh.append(inner)
                en += _split_en(buf)
                buf = ""
            else:
                buf += group
            group = ""
    en += _split_en(buf + group)
    return en, zh


def _split_en(text: str) -> list[str]:
    parts = (" ".join(t.split()).strip(" ;,；，") for t in re.split(r"[;；]", text))
    return [t for t in parts if t]


def _split_bodies(text: str) -> list[str]:
    """Split an issuing-bodies list on ';', else on ',' / '、', then on ' and ' where it joins
    two bodies: after a closing parenthesis; after an acronym or "State Council" and before a
    capital; before "State Council". Other " and "s are part of a name ("Ministry of Industry
    and Information Technology")."""
    text = text.strip().rstrip(".")
    parts = re.split(r"\s*[;；]\s*", text) if re.search(r"[;；]", text) else (
        re.split(r"\s*[,，、]\s*", text))
    bodies: list[str] = []
    for part in parts:
        part = re.sub(r"^and\s+", "", part.strip())
        bodies += [re.sub(r"^the\s+", "", b.strip()) for b in _AND.split(part) if b.strip()]
    return bodies


def _parse_date(text: str) -> str | None:
    """The first date in ``text`` as an ISO string, in any of the supported formats."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, str]] = []
    for pattern, order in _DATES:
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups(), strict=True))
            month = parts["m"]
            month_no = int(month) if month.isdigit() else _MONTHS.get(month.lower())
            try:
                iso = _dt.date(int(parts["y"]), month_no or 0, int(parts["d"])).isoformat()
            except ValueError:
                continue
            found.append((m.start(), iso))
            break
    return min(found)[1] if found else None


__all__ = ["BriefItem", "looks_like_brief", "parse_brief", "read_brief"]
