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

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SPLITS = ("train", "dev", "test")


def make_splits(records: Sequence[dict[str, Any]], *, seed: int = 13,
                fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
                ) -> dict[str, list[dict[str, Any]]]:
    """Split records into train/dev/test, stratified by language and primary sector."""
    strata: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        primary = (rec.get("sectors") or ["none"])[0]
        strata[(rec.get("lang") or "?", primary)].append(rec)
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    carry = [0.0, 0.0, 0.0]  # fractional shares carried between strata keep totals on target
    for key in sorted(strata):
        group = sorted(strata[key], key=lambda r: str(r.get("id")))
        rng.shuffle(group)
        want = [f * len(group) + c for f, c in zip(fractions, carry, strict=True)]
        n_dev, n_test = int(want[1]), int(want[2])
        carry = [0.0, want[1] - n_dev, want[2] - n_test]
        out["dev"] += group[:n_dev]
        out["test"] += group[n_dev:n_dev + n_test]
        out["train"] += group[n_dev + n_test:]
    return out


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
    max_sim: dict[str, float] = {}
    pairs: dict[str, tuple[str, str]] = {}
    texts = [r["text"] for r in candidates]
    for split in ("dev", "test"):
        if not candidates or not parts[split]:
            continue
        sim = _similarity(texts, [r["text"] for r in parts[split]])
        for i, rec in enumerate(candidates):
            j = int(sim[i].argmax())
            if sim[i, j] >= threshold:
                refused.setdefault(str(rec["id"]), f"similarity {sim[i, j]:.2f} to {split} "
                                                   f"document {parts[split][j].get('id')}")
        i, j = divmod(int(sim.argmax()), sim.shape[1])
        max_sim[split] = round(float(sim[i, j]), 3)
        pairs[split] = (str(candidates[i].get("id")), str(parts[split][j].get("id")))
    added = [r for r in candidates if str(r["id"]) not in refused]
    parts["train"].extend(added)
    return SupplementReport([str(r["id"]) for r in added], refused, max_sim, pairs)


__all__ = ["SPLITS", "DuplicateReport", "SupplementReport", "make_splits",
           "remove_near_duplicates", "supplement_train"]
