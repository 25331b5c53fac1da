"""The default summariser: picked sentences and extracted facts, composed in the house style.

SPEC §5: (1) who issued what and what it is for, (2) the context or scope, (3) "Key targets
include:" with one bullet per top target, its number and deadline exactly as extracted. The
composer writes English for Chinese input through the glossary (titles, metrics) and the
table of issuing bodies; English input keeps its own best sentences (chosen by the learned
:class:`~policynlp.summarize.sentences.SentenceScorer`). Everything it writes passes the
faithfulness filter (:func:`policynlp.summarize.faithfulness.enforce`).

Example:
    >>> from policynlp.extract import extract_targets
    >>> text = ("工业和信息化部关于印发《中小企业数字化转型行动计划》的通知\\n"
    ...         "到2027年，推动10万家中小企业完成数字化改造。")
    >>> s = compose(text, "zh", targets=extract_targets(text, "zh", "2024-05-01"), scorer=None)
    >>> print(s.at_a_glance)
    The Ministry of Industry and Information Technology (MIIT) issued an action plan on digital...
    - Small and medium-sized enterprises complete digitalization renovation: 100,000 by 2027
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from policynlp.data import KeyDate, Span, Summary, Target
from policynlp.summarize.facts import IssuingBody, document_type, find_bodies, find_bodies_en
from policynlp.summarize.faithfulness import SourceFacts, enforce
from policynlp.summarize.glossary import Glossary
from policynlp.summarize.render import deadline_phrase, iso_date, quantity
from policynlp.summarize.sentences import SentenceScorer, default_scorer

#: How many target bullets a draft carries at most (chosen on the dev split).
MAX_TARGETS = 8
_UNSET = object()


@dataclass(frozen=True)
class Draft:
    """A composed summary with what went into it (for evaluation and debugging)."""

    summary: Summary
    bodies: tuple[IssuingBody, ...]
    targets: tuple[Target, ...]
    removed: int  # pieces the faithfulness filter dropped


def _join_names(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def issuing_bodies(text: str, lang: str, title: str | None = None) -> list[IssuingBody]:
    """The bodies that issued a document: from the title, else the closing signature, else
    the "Issuing body:" line or the opening of an English text.

    Example:
        >>> text = "财政部 税务总局关于…的通知\\n…\\n财政部 税务总局"
        >>> [b.abbr for b in issuing_bodies(text, "zh")]
        ['MOF', 'STA']
    """
    head = title or text.split("\n", 1)[0]
    if lang == "zh":
        for part in (head.split("关于")[0] if "关于" in head else head, text[-120:],
                     text[:300]):
            found = find_bodies(part)
            if found:
                return found
        return []
    line = re.search(r"(?im)^(?:issuing body|issued by|source)\s*:\s*(.+)$", text)
    for part in ([line.group(1)] if line else []) + [text[:600], head]:
        found = find_bodies_en(part)
        if found:
            return found[:3]
    return []


_TITLE_TRIM = re.compile(r"^(?:关于)?(?:印发|发布|公布|转发)?")


def _subject(title: str, bodies: Sequence[IssuingBody]) -> tuple[str, str | None]:
    """The subject of a Chinese title and the document type it names."""
    t = title.strip()
    inner = re.search(r"《([^》]+)》", t)
    if inner:  # 关于印发《X行动计划》的通知: the plan is the document
        t = inner.group(1)
    elif "关于" in t:
        t = t.split("关于", 1)[1]
    for b in bodies:
        for name in (b.zh, *b.aliases):
            t = t.replace(name, "")
    kind = document_type(t)
    t = _TITLE_TRIM.sub("", t.strip(" 　"))
    if kind:
        t = re.sub(rf"(?:[（(][^（）()]*[）)])*\s*{re.escape(kind[0])}(?:[（(][^（）()]*[）)])*$",
                   "", t)
    t = re.sub(r"的$", "", t.strip())
    return t, (kind[1] if kind else None)


_METRIC_LEAD = re.compile(r"^(?:可以|可|将|要|应当|应|力争|确保|争取|再|并|按|在|对|使|推动|推进|"
                          r"或者|或|"
                          r"第[一二三四五六七八九十百零\d]+条|到\d{4}年(?:底|末)?|\d{4}年(?:底|末)?|"
                          r"，|、|\s)+")
_METRIC_TAIL = re.compile(r"(?:的|达到|达|为|超过|不低于|不少于|不超过|累计|以上|左右)+$")


def _metric_en(t: Target, lang: str, glossary: Glossary) -> str | None:
    metric = (t.metric or "").strip()
    if lang == "zh":
        metric = _METRIC_TAIL.sub("", _METRIC_LEAD.sub("", metric))
        metric = re.sub(r"(?:到|至)?\d{4}年(?:底|末)?", "", metric).strip("，、 ")
        return glossary.render(metric).text if metric else None
    return metric or None


def target_bullet(t: Target, lang: str, glossary: Glossary | None = None) -> str:
    """One "Key targets include:" bullet: metric, number and deadline exactly as extracted.

    Example:
        >>> t = Target(text="到2025年风电装机达到1800万千瓦以上", start=0, end=22, value=1.8e10,
        ...            unit="W", unit_text="万千瓦", comparator="at_least", metric="风电装机",
        ...            deadline="2025-12-31", deadline_text="到2025年")
        >>> target_bullet(t, "zh")
        'Wind power installed capacity: at least 18 million kW by 2025'
    """
    glossary = glossary or Glossary.load()
    amount = quantity(t)
    if lang == "zh" and t.unit == "item" and t.unit_text:
        # 个月 → months, 万辆 → vehicles: a unit noun the glossary knows as a whole word
        for noun in (t.unit_text, t.unit_text.lstrip("个万亿千百")):
            term = glossary.get(noun) if len(noun) > 1 else None
            if term is not None:
                amount += f" {term.en}"
                break
    due = _due(t, lang, glossary)
    if lang == "en" and not t.metric:
        words = " ".join(t.text.split())
        body = words[:1].upper() + words[1:]
        if due and not re.search(r"\b(?:19|20)\d\d\b", words):
            body += f" {due}"
        return body
    metric = _metric_en(t, lang, glossary)
    core = f"{metric[:1].upper()}{metric[1:]}: {amount}" if metric else amount
    return f"{core} {due}".strip()


def _due(t: Target, lang: str, glossary: Glossary) -> str:
    """The deadline as the source words it: 'by 2025' where the year is written, else the
    rendered words (十四五期间 → 'during the 14th Five-Year Plan period'), never a year the
    source does not state."""
    if not t.deadline:
        return ""
    words = t.deadline_text or ""
    if t.deadline[:4] in words:
        return deadline_phrase(t)
    if lang == "zh" and words:
        rendered = glossary.render(words)
        return f"({rendered.text})" if rendered.coverage == 1.0 else ""
    return f"({' '.join(words.split())})" if words else ""


def pick_targets(targets: Sequence[Target], limit: int = MAX_TARGETS) -> list[Target]:
    """The targets a draft lists: one per value, unit and deadline, in document order."""
    seen: set[tuple[float, str, str | None]] = set()
    out = []
    for t in sorted(targets, key=lambda t: t.start):
        key = (round(t.value, 6), t.unit, t.deadline)
        if key in seen:
            continue
        seen.add(key)
        out.append(t)
        if len(out) == limit:
            break
    return out


def _key_date_points(key_dates: Sequence[KeyDate]) -> list[str]:
    words = {"effective": "Takes effect on", "expires": "Expires on",
             "deadline": "Deadline:", "published": "Published on",
             "comment_deadline": "Comments are due by"}
    points = []
    for kd in key_dates:
        if kd.date and kd.type in words:
            try:
                points.append(f"{words[kd.type]} {iso_date(kd.date)}")
            except ValueError:
                continue
    return list(dict.fromkeys(points))


def _clean_sentence(s: str) -> str:
    s = " ".join(s.split())
    s = re.sub(r"^(?:At a glance|Summary|In brief)\s*[:：]\s*", "", s, flags=re.I)
    return s


def compose(text: str, lang: str, *, title: str | None = None,
            targets: Sequence[Target] = (), key_dates: Sequence[KeyDate] = (),
            scorer: SentenceScorer | None | object = _UNSET,
            glossary: Glossary | None = None, max_targets: int = MAX_TARGETS,
            ranked: Sequence[tuple[Span, float]] | None = None,
            filtered: bool = True, detail: bool = False) -> Summary:
    """Draft the "At a glance" paragraph and key points of one document.

    ``scorer=None`` picks sentences by position only (no encoder is loaded); by default the
    shipped scorer is used. ``ranked`` passes sentence scores computed beforehand (a batch
    scored at once by :meth:`SentenceScorer.score_many`). ``filtered=False`` leaves the
    faithfulness filter to the caller (the summary component runs it once for every
    generator). With ``detail=True`` the :class:`Draft` is returned instead.
    """
    glossary = glossary or Glossary.load()
    if scorer is _UNSET:
        scorer = default_scorer()
    if ranked is None and isinstance(scorer, SentenceScorer):
        ranked = scorer.score(text, lang)
    k = scorer.k if isinstance(scorer, SentenceScorer) else 2
    bodies = issuing_bodies(text, lang, title)
    first_line = (title or text.split("\n", 1)[0]).strip()
    sentences: list[str] = []
    if lang == "zh":
        subject, kind = _subject(first_line, bodies)
        who = _join_names([b.house_name for b in bodies]) if bodies else "The issuing body"
        if not who.startswith("The "):
            who = "The " + who
        kind = kind or "document"
        article = "" if kind.endswith("s") else "an " if kind[0] in "aeiou" else "a "
        what = f"{article}{kind}"  # "a notice", "an action plan", "opinions", "measures"
        if subject:
            what += f" on {glossary.render(subject).text}"
        sentences.append(f"{who} issued {what}.")
        purpose = _purpose_zh(text, lang, ranked)
        if purpose:
            rendered = glossary.render(purpose)
            if rendered.coverage >= 0.9:
                sentences.append(f"It aims to {rendered.text}.")
    else:
        sentences += _english_sentences(text, ranked, k, title)
        if not sentences:
            sentences.append(_clean_sentence(first_line).rstrip(".") + ".")
    chosen = pick_targets(targets, max_targets)
    paragraph = " ".join(sentences)
    if chosen:
        bullets = [target_bullet(t, lang, glossary) for t in chosen]
        paragraph += " Key targets include:\n" + "\n".join(f"- {b}" for b in bullets)
    draft = Summary(paragraph, _key_date_points(key_dates)[:4])
    removed = 0
    if filtered:
        draft, report = enforce(draft, SourceFacts(text, lang, glossary))
        removed = len(report.unsupported)
    if detail:
        return Draft(draft, tuple(bodies), tuple(chosen), removed)  # type: ignore[return-value]
    return draft


def _purpose_zh(text: str, lang: str, ranked: Sequence[tuple[Span, float]] | None
                ) -> str | None:
    """The purpose clause (为…) of the best-scored sentence that has one."""
    if ranked is not None:
        order = [s for s, _ in sorted(ranked, key=lambda p: -p[1])]
    else:
        order = SentenceScorer.candidates(text, lang)
    for span in order:
        m = re.match(r"\s*为了?(?:进一步)?([^，,。；]{4,40})[，,]", text[span.start:span.end])
        if m:
            return m.group(1)
    return None


def _is_title_line(text: str, span: Span, title: str | None, others: int) -> bool:
    line = " ".join(text[span.start:span.end].split())
    if title:
        return line == " ".join(title.split())
    return others > 0 and not line.endswith((".", "!", "?", ":", "。"))


def _english_sentences(text: str, ranked: Sequence[tuple[Span, float]] | None, k: int,
                       title: str | None = None) -> list[str]:
    spans = SentenceScorer.candidates(text, "en")
    if spans and _is_title_line(text, spans[0], title, len(spans) - 1):
        spans = spans[1:]
    usable = [s for s in spans if not re.match(r"\s*[-•*]\s|\s*(?:Issuing body|Date|Source)\s*:",
                                                  text[s.start:s.end], re.I)]
    if not usable:
        return []
    if ranked is not None:
        scores = dict(ranked)
        best = sorted(usable, key=lambda s: -scores.get(s, 0.0))[:k]
    else:
        best = usable[:k]
    out = []
    for span in sorted(best, key=lambda s: s.start):
        s = _clean_sentence(text[span.start:span.end])
        s = re.sub(r"\s*Key (?:targets|figures) include:?\s*$", "", s)
        if s:
            out.append(s if s.endswith((".", "!", "?")) else s + ".")
    return out


__all__ = ["MAX_TARGETS", "Draft", "compose", "issuing_bodies", "pick_targets", "target_bullet"]
