"""Summary metrics: ROUGE, numeric faithfulness, target coverage, issuing-body accuracy.

* ROUGE-1/2/L F1 with Google's ``rouge-score``; tokens are lower-cased words for Latin text
  and single characters for Chinese (so a Chinese draft or reference is scored by characters).
* Numeric faithfulness: the share of drafts whose every number the source supports after unit
  normalisation (:mod:`policynlp.summarize.faithfulness`), and the share of numbers supported.
* Target coverage: the share of the reference's "Key targets include:" bullets whose number
  (any non-year number of the bullet, compared in base units) appears in the draft.
* Issuing-body accuracy: the share of documents whose reference names a known body in its
  first sentence and whose draft names that same body in its first sentence (a local
  people's government and its general office count as the same issuing authority).

Example:
    >>> draft = "The State Council issued a plan. Key targets include:\\n- 30% by 2025"
    >>> s = score_summaries([(draft, draft, "国务院：到2025年达到30%。")])
    >>> s["rouge"]["rougeL"], s["target_coverage"], s["body_accuracy"], s["numeric_faithfulness"]
    (1.0, 1.0, 1.0, 1.0)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from policynlp.summarize.facts import find_bodies_en
from policynlp.summarize.faithfulness import SourceFacts, _values, check

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[a-z0-9]+")


class MixedTokenizer:
    """rouge-score tokenizer: Chinese characters one by one, other words lower-cased.

    Example:
        >>> MixedTokenizer().tokenize("MIIT 发布 Plan-2025")
        ['miit', '发', '布', 'plan', '2025']
    """

    def tokenize(self, text: str) -> list[str]:
        return _TOKEN.findall(text.lower())


def _scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=MixedTokenizer())


def reference_target_values(reference: str) -> list[set[float]]:
    """For each bullet after "Key targets include:", the values of its non-year numbers."""
    if "Key targets include:" not in reference:
        return []
    out = []
    for line in reference.split("Key targets include:", 1)[1].splitlines():
        if not re.match(r"\s*[-•*]\s", line):
            continue
        vals: set[float] = set()
        for _start, _end, text, values in _values(line, "en"):
            if re.fullmatch(r"(?:19|20)\d\d", text):
                continue
            vals |= values
        if vals:
            out.append(vals)
    return out


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip(), maxsplit=1)[0]


def score_summaries(items: Iterable[tuple[str | None, str, str]],
                    langs: Iterable[str] | None = None) -> dict[str, Any]:
    """Metrics over ``(draft, reference, source)`` triples (a ``None`` draft scores 0).

    Returns ``rouge`` (mean F1 of rouge1/rouge2/rougeL), ``numeric_faithfulness`` (share of
    drafts with no unsupported number), ``numbers_supported`` (share of draft numbers),
    ``target_coverage`` and ``body_accuracy`` with the counts behind them.
    """
    scorer = _scorer()
    lang_list = list(langs) if langs is not None else None
    rouge = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    n = faithful = numbers = supported = 0
    bullets = covered = 0
    body_docs = body_ok = 0
    for i, (draft, reference, source) in enumerate(items):
        n += 1
        draft = draft or ""
        if draft:
            for key, s in scorer.score(reference, draft).items():
                rouge[key] += s.fmeasure
        lang = lang_list[i] if lang_list else None
        facts = SourceFacts(source, lang)
        rep = check(draft, facts)
        faithful += rep.faithful
        nums = rep.numbers
        numbers += nums
        supported += nums - sum(u.kind == "number" for u in rep.unsupported)
        draft_values = {v for *_, vals in _values(draft, "en") for v in vals}
        for vals in reference_target_values(reference):
            bullets += 1
            covered += any(abs(v - d) <= 1e-6 * max(1.0, abs(v)) for v in vals
                           for d in draft_values)
        ref_bodies = find_bodies_en(_first_sentence(reference))
        if ref_bodies:
            body_docs += 1
            body_ok += any(ref_bodies[0].same_authority(b)
                           for b in find_bodies_en(_first_sentence(draft)))
    return {
        "documents": n,
        "rouge": {k: round(v / n, 4) if n else 0.0 for k, v in rouge.items()},
        "numeric_faithfulness": round(faithful / n, 4) if n else 1.0,
        "numbers_supported": round(supported / numbers, 4) if numbers else 1.0,
        "numbers": numbers,
        "target_coverage": round(covered / bullets, 4) if bullets else 1.0,
        "reference_targets": bullets,
        "body_accuracy": round(body_ok / body_docs, 4) if body_docs else 1.0,
        "body_documents": body_docs,
    }


def lead_sentences(text: str, lang: str, k: int = 3) -> str:
    """The lead-k baseline: the first ``k`` sentences of the source, as they are."""
    from policynlp.text.sentences import split_sentences

    spans = split_sentences(text, lang)[:k]
    return " ".join(" ".join(text[s.start:s.end].split()) for s in spans)


__all__ = ["MixedTokenizer", "lead_sentences", "reference_target_values", "score_summaries"]
