"""Fixed train/dev/test splits of the authored corpus, and the near-duplicate check.

Documents are stratified by language and primary (first) sector: within each stratum they
are shuffled with a fixed seed and dealt out in the proportions asked for, so every split
sees every language and sector. Near-duplicates across splits are found with TF-IDF
character 5-gram cosine similarity (scikit-learn); a dev or test document too close to any
training document moves to train, so the held-out splits never test memory.

Example:
    >>> recs = [{"id": f"d{i}", "lang": "zh" if i % 2 else "en", "sectors": ["energy"],
    ...          "text": f"document number {i} about topic {i * 7}"} for i in range(20)]
    >>> parts = make_splits(recs, seed=1)
    >>> sorted(len(v) for v in parts.values())
    [3, 3, 14]
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

SPLITS = ("train", "dev", "test")


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of a corpus file (a split or a batch; one JSON object per line); none if
    the file is absent."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_split(path: str | Path, rows: Sequence[dict[str, Any]],
                summary: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Write ``rows`` sorted by id (so a split's file changes only where its records do) and,
    given the corpus ``summary`` (``splits.json``), record the split's size overall and by
    language under the file's stem. Returns the sorted rows.

    Example:
        >>> import tempfile
        >>> summary = {"sizes": {}, "sizes_by_lang": {}}
        >>> folder = Path(tempfile.mkdtemp())
        >>> rows = write_split(folder / "dev.jsonl", [{"id": "b", "lang": "zh"},
        ...                                          {"id": "a", "lang": "en"}], summary)
        >>> [r["id"] for r in read_records(folder / "dev.jsonl")], summary["sizes_by_lang"]["dev"]
        (['a', 'b'], {'zh': 1, 'en': 1})
    """
    path = Path(path)
    ordered = sorted(rows, key=lambda r: r["id"])
    with path.open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in ordered)
    if summary is not None:
        summary.setdefault("sizes", {})[path.stem] = len(ordered)
        summary.setdefault("sizes_by_lang", {})[path.stem] = {
            lang: sum(r["lang"] == lang for r in ordered) for lang in ("zh", "en")}
    return ordered


def deal(records: Sequence[dict[str, Any]], shares: Mapping[str, float | Fraction], *,
         seed: int = 13
         ) -> dict[str, list[dict[str, Any]]]:
    """Deal records out to named parts, stratified by language and primary (first) sector.

    Within each stratum (sorted by id, then shuffled with ``seed``) every part after the first
    takes its share, rounded down with the fraction carried to the next stratum so that totals
    stay on target; the first part takes the rest.

    Example:
        >>> recs = [{"id": f"d{i}", "lang": "zh", "sectors": ["energy"]} for i in range(9)]
        >>> {k: len(v) for k, v in deal(recs, {"test": 2 / 3, "dev": 1 / 3}).items()}
        {'test': 6, 'dev': 3}
    """
    strata: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        primary = (rec.get("sectors") or ["none"])[0]
        strata[(rec.get("lang") or "?", primary)].append(rec)
    rng = random.Random(seed)
    names = list(shares)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    carry: dict[str, float | Fraction] = dict.fromkeys(names, 0.0)
    for key in sorted(strata):
        group = sorted(strata[key], key=lambda r: str(r.get("id")))
        rng.shuffle(group)
        taken = 0
        for name in names[1:]:
            want = shares[name] * len(group) + carry[name]
            count = int(want)
            carry[name] = want - count
            out[name] += group[taken:taken + count]
            taken += count
        out[names[0]] += group[taken:]
    return out


def make_splits(records: Sequence[dict[str, Any]], *, seed: int = 13,
                fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
                ) -> dict[str, list[dict[str, Any]]]:
    """Split records into train/dev/test, stratified by language and primary sector."""
    parts = deal(records, {"train": fractions[0], "dev": fractions[1], "test": fractions[2]},
                 seed=seed)
    return {s: parts[s] for s in SPLITS}


@dataclass
class DuplicateReport:
    """Cross-split similarity: the closest pair per held-out split and what was moved."""

    threshold: float
    max_similarity: dict[str, float]
    closest_pair: dict[str, tuple[str, str]]
    moved_to_train: list[str]


def _similarity(a: Sequence[str], b: Sequence[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(5, 5), sublinear_tf=True)
    vec.fit(list(a) + list(b))
    return (vec.transform(a) @ vec.transform(b).T).toarray()


def remove_near_duplicates(parts: dict[str, list[dict[str, Any]]], *,
                           threshold: float = 0.8) -> DuplicateReport:
    """Move dev/test documents whose cosine similarity to a train document reaches
    ``threshold`` into train (in place), and report the closest remaining pairs."""
    moved: list[str] = []
    for split in ("dev", "test"):
        if not parts[split] or not parts["train"]:
            continue
        sim = _similarity([r["text"] for r in parts[split]], [r["text"] for r in parts["train"]])
        keep = []
        for i, rec in enumerate(parts[split]):
            if sim[i].max() >= threshold:
                moved.append(str(rec.get("id")))
                parts["train"].append(rec)
            else:
                keep.append(rec)
        parts[split] = keep
    max_sim: dict[str, float] = {}
    pairs: dict[str, tuple[str, str]] = {}
    for split in ("dev", "test"):
        if not parts[split] or not parts["train"]:
            continue
        sim = _similarity([r["text"] for r in parts[split]], [r["text"] for r in parts["train"]])
        i, j = divmod(int(sim.argmax()), sim.shape[1])
        max_sim[split] = round(float(sim[i, j]), 3)
        pairs[split] = (str(parts[split][i].get("id")), str(parts["train"][j].get("id")))
    return DuplicateReport(threshold, max_sim, pairs, moved)


@dataclass(frozen=True)
class SupplementReport:
    """What :func:`supplement_train` kept, what it refused and why, and how close it came."""

    added: list[str]
    refused: dict[str, str]
    max_similarity: dict[str, float]
    closest_pair: dict[str, tuple[str, str]]


def _screen(parts: dict[str, list[dict[str, Any]]], new: Sequence[dict[str, Any]],
            against: Sequence[str], *, threshold: float
            ) -> tuple[list[dict[str, Any]], SupplementReport]:
    """The new records to keep, and the report: a record is refused when its id is already
    in the corpus (or earlier in ``new``) or when its similarity to a document of a split in
    ``against`` (``"new"``: an earlier new record) reaches ``threshold``."""
    known = {str(r.get("id")) for split in SPLITS for r in parts[split]}
    refused: dict[str, str] = {}
    candidates = []
    for rec in new:
        rid = str(rec.get("id"))
        if rid in known:
            refused[rid] = "id already in the corpus"
        else:
            known.add(rid)
            candidates.append(rec)
    dropped: set[int] = set()
    max_sim: dict[str, float] = {}
    pairs: dict[str, tuple[str, str]] = {}
    texts = [r["text"] for r in candidates]
    for split in against:
        ref = candidates if split == "new" else parts[split]
        if not candidates or not ref:
            continue
        sim = _similarity(texts, [r["text"] for r in ref])
        if split == "new":  # each record against the ones before it only
            sim = np.tril(sim, k=-1)
        for i, rec in enumerate(candidates):
            j = int(sim[i].argmax())
            if sim[i, j] >= threshold and i not in dropped:
                dropped.add(i)
                refused[str(rec["id"])] = (f"similarity {sim[i, j]:.2f} to {split} "
                                           f"document {ref[j].get('id')}")
        i, j = divmod(int(sim.argmax()), sim.shape[1])
        max_sim[split] = round(float(sim[i, j]), 3)
        pairs[split] = (str(candidates[i].get("id")), str(ref[j].get("id")))
    kept = [r for i, r in enumerate(candidates) if i not in dropped]
    return kept, SupplementReport([str(r["id"]) for r in kept], refused, max_sim, pairs)


def supplement_train(parts: dict[str, list[dict[str, Any]]], new: Sequence[dict[str, Any]], *,
                     threshold: float = 0.8) -> SupplementReport:
    """Add authored records to the training split only, keeping dev and test unchanged.

    A record is refused when its id is already in the corpus or when its TF-IDF character
    5-gram cosine similarity to a dev or test document reaches ``threshold`` (it would leak
    an evaluation document into training). ``parts["train"]`` is extended in place.

    Example:
        >>> parts = {"train": [], "dev": [{"id": "d", "text": "关于推进算力基础设施建设的通知"}],
        ...          "test": [{"id": "t", "text": "海洋经济发展规划"}]}
        >>> new = [{"id": "n1", "text": "关于推进算力基础设施建设的通知"},
        ...        {"id": "n2", "text": "关于支持专精特新中小企业的若干措施"}]
        >>> rep = supplement_train(parts, new)
        >>> rep.added, sorted(rep.refused)
        (['n2'], ['n1'])
    """
    added, report = _screen(parts, new, ("dev", "test"), threshold=threshold)
    parts["train"].extend(added)
    return report


def supplement_eval(parts: dict[str, list[dict[str, Any]]], new: Sequence[dict[str, Any]], *,
                    dev_share: float = 1 / 3, threshold: float = 0.8, seed: int = 13
                    ) -> SupplementReport:
    """Add authored records to the held-out splits: ``dev_share`` to dev, the rest to test.

    Records are dealt out stratified by language and primary sector (:func:`deal`). A record
    is refused when its id is already in the corpus, or when its TF-IDF character 5-gram
    cosine similarity to any document already in the corpus (any split) or to an earlier
    new record reaches ``threshold``: a held-out document must not test memory of another.
    ``parts["dev"]`` and ``parts["test"]`` are extended in place; ``max_similarity`` is the
    closest pair to each existing split and between new records (``"new"``).

    Example:
        >>> parts = {"train": [{"id": "a", "text": "关于推进算力基础设施建设的通知"}],
        ...          "dev": [], "test": []}
        >>> new = [{"id": "n1", "lang": "zh", "sectors": ["telecom_computing"],
        ...         "text": "关于推进算力基础设施建设的通知"},
        ...        {"id": "n2", "lang": "zh", "sectors": ["manufacturing_sme"],
        ...         "text": "关于支持专精特新中小企业的若干措施"}]
        >>> rep = supplement_eval(parts, new)
        >>> rep.added, sorted(rep.refused), [r["id"] for r in parts["test"]]
        (['n2'], ['n1'], ['n2'])
    """
    kept, report = _screen(parts, new, (*SPLITS, "new"), threshold=threshold)
    share = Fraction(dev_share).limit_denominator(1000)  # exact thirds: no share lost to rounding
    dealt = deal(kept, {"test": 1 - share, "dev": share}, seed=seed)
    for split in ("dev", "test"):
        parts[split].extend(dealt[split])
    return report


__all__ = ["SPLITS", "DuplicateReport", "SupplementReport", "deal", "make_splits",
           "remove_near_duplicates", "supplement_eval", "supplement_train"]
