"""The bilingual policy glossary: Chinese policy and industry terms → standard English.

The glossary is authored data (``data/glossary/*.jsonl``, one file per domain; each line
``{"zh", "en", "domain", "abbr"?, "note"?}``). :meth:`Glossary.render` renders Chinese text
term by term with the longest match first; Chinese it cannot render stays in Chinese, in
brackets, so a draft never carries an invented rendering. Composing fluent English titles out
of the rendered terms is the summariser's job; this module only looks terms up.

Example:
    >>> g = Glossary([Term("十四五", "14th Five-Year Plan", "governance"),
    ...               Term("数字经济", "digital economy", "technology")])
    >>> r = g.render("十四五数字经济发展")
    >>> r.text, r.coverage
    ('14th Five-Year Plan digital economy [发展]', 0.778)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    zh: str
    en: str
    domain: str
    abbr: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Rendering:
    """English rendering of a Chinese text and how much of it the glossary covered.

    Attributes:
        text: the rendering; unrendered Chinese stays in brackets.
        pieces: ``(source, english or None)`` for each matched term or unmatched run.
        coverage: share of the text's Han characters that were rendered (1.0 without any).
    """

    text: str
    pieces: tuple[tuple[str, str | None], ...]
    coverage: float


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


class Glossary:
    """Longest-match lookup of Chinese terms.

    Args:
        terms: the entries; a later entry with the same ``zh`` is ignored (first one wins).
    """

    def __init__(self, terms: Iterable[Term]) -> None:
        self._terms: dict[str, Term] = {}
        for t in terms:
            self._terms.setdefault(t.zh, t)
        self._longest = max((len(k) for k in self._terms), default=0)

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Glossary:
        """The glossary shipped with policynlp (or the ``*.jsonl`` files of ``folder``)."""
        if folder is None:
            return _shipped()
        return cls(read_terms(Path(folder)))

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, zh: object) -> bool:
        return zh in self._terms

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms.values())

    def get(self, zh: str) -> Term | None:
        """The entry for exactly ``zh``, if any."""
        return self._terms.get(zh)

    def render(self, text: str) -> Rendering:
        """Render ``text`` term by term (longest match first); see the module docstring."""
        pieces: list[tuple[str, str | None]] = []
        unmatched = ""
        han_total = sum(map(_is_han, text))
        han_done = 0
        i = 0
        while i < len(text):
            match = None
            for n in range(min(self._longest, len(text) - i), 0, -1):
                term = self._terms.get(text[i:i + n])
                if term is not None:
                    match = term
                    break
            if match is None:
                if unmatched and _is_han(unmatched[-1]) != _is_han(text[i]):
                    pieces.append((unmatched, None))  # Chinese and other text apart
                    unmatched = ""
                unmatched += text[i]
                i += 1
                continue
            if unmatched:
                pieces.append((unmatched, None))
                unmatched = ""
            pieces.append((match.zh, match.en))
            han_done += sum(map(_is_han, match.zh))
            i += len(match.zh)
        if unmatched:
            pieces.append((unmatched, None))
        words = []
        for source, en in pieces:
            if en is not None:
                words.append(en)
            elif any(map(_is_han, source)):
                words.append(f"[{source.strip()}]")
            elif source.strip():
                words.append(source.strip())
        coverage = han_done / han_total if han_total else 1.0
        return Rendering(" ".join(words), tuple(pieces), round(coverage, 3))


def read_terms(folder: Path) -> list[Term]:
    """Every entry of the ``*.jsonl`` files in ``folder``, in file-name order."""
    terms = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    d = json.loads(line)
                    terms.append(Term(d["zh"], d["en"], d["domain"], d.get("abbr"),
                                      d.get("note")))
    return terms


@lru_cache(maxsize=1)
def _shipped() -> Glossary:
    return Glossary(read_terms(DATA / "glossary"))


__all__ = ["Glossary", "Rendering", "Term", "read_terms"]
