"""Coverage of the labelled corpus against the targets it must meet.

``policynlp corpus stats PATH`` prints :func:`coverage` as a table: documents per language,
sectors, risk levels, channels, dual use, targets and key dates, each with its required
minimum and whether it is met.

Example:
    >>> rec = {"lang": "zh", "sectors": ["energy"], "risk": {"level": "low", "channels": []},
    ...        "dual_use": {"relevant": False}, "targets": [], "key_dates": []}
    >>> report = coverage([rec])
    >>> report.counts["documents_zh"], report.ok
    (1, False)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policynlp.schema import load_schema

#: The corpus' coverage requirements (the labelled-corpus issue and TAXONOMY.md).
REQUIREMENTS = {
    "documents_zh": 250, "documents_en": 250, "docs_per_sector": 15,
    "risk_level_share": 0.20, "dual_use_share": 0.25, "docs_per_channel": 20,
    "targets": 800, "targets_zh": 350,
}


@dataclass
class Coverage:
    """Counts over a set of labelled records and the checks against :data:`REQUIREMENTS`."""

    counts: dict[str, int] = field(default_factory=dict)
    sectors: Counter[str] = field(default_factory=Counter)
    risk_levels: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    checks: list[tuple[str, str, str, bool]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every requirement is met."""
        return all(passed for *_, passed in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "sectors": dict(self.sectors),
                "risk_levels": dict(self.risk_levels), "channels": dict(self.channels),
                "checks": [{"what": w, "have": h, "need": n, "ok": ok}
                           for w, h, n, ok in self.checks], "ok": self.ok}


def coverage(records: Iterable[dict[str, Any]]) -> Coverage:
    """Count labels in full labelled records and check them against the requirements."""
    schema = load_schema()
    cov = Coverage()
    c: Counter[str] = Counter()
    for rec in records:
        lang = rec.get("lang") or "?"
        c["documents"] += 1
        c[f"documents_{lang}"] += 1
        cov.sectors.update(set(rec.get("sectors", [])))
        risk = rec.get("risk") or {}
        if risk.get("level"):
            cov.risk_levels[risk["level"]] += 1
        cov.channels.update(set(risk.get("channels", [])))
        if (rec.get("dual_use") or {}).get("relevant"):
            c["dual_use"] += 1
        n_targets = len(rec.get("targets", []))
        c["targets"] += n_targets
        c[f"targets_{lang}"] += n_targets
        c["key_dates"] += len(rec.get("key_dates", []))
        c["with_summary"] += bool((rec.get("summary") or {}).get("at_a_glance"))
    cov.counts = dict(c)
    n = max(1, c["documents"])
    req = REQUIREMENTS

    def check(what: str, have: float, need: float, fmt: str = "{:g}") -> None:
        cov.checks.append((what, fmt.format(have), fmt.format(need), have >= need))

    check("Chinese documents", c["documents_zh"], req["documents_zh"])
    check("English documents", c["documents_en"], req["documents_en"])
    for sector in schema.sector_ids:
        check(f"documents in sector {sector}", cov.sectors[sector], req["docs_per_sector"])
    for level in schema.risk_level_ids:
        check(f"share of risk level {level}", cov.risk_levels[level] / n,
              req["risk_level_share"], "{:.2f}")
    check("share of dual-use positives", c["dual_use"] / n, req["dual_use_share"], "{:.2f}")
    for channel in schema.risk_channel_ids:
        check(f"documents with channel {channel}", cov.channels[channel],
              req["docs_per_channel"])
    check("targets", c["targets"], req["targets"])
    check("Chinese targets", c["targets_zh"], req["targets_zh"])
    return cov


def read_labelled(path: str | Path) -> list[dict[str, Any]]:
    """Full labelled records (text + sectors) from a JSONL or Parquet file, or every JSONL
    under a folder."""
    from policynlp.corpus.validate import iter_corpus_files

    if Path(path).suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        return [r for r in rows if isinstance(r, dict) and "text" in r and "sectors" in r]
    out = []
    for file in iter_corpus_files(Path(path)):
        with file.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    if isinstance(rec, dict) and "text" in rec and "sectors" in rec:
                        out.append(rec)
    return out


__all__ = ["REQUIREMENTS", "Coverage", "coverage", "read_labelled"]
