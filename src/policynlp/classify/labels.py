"""Label matrices for the four document tasks, read from labelled records.

The tasks and their label ids come from the label schema: ``sectors`` (multi-label, 22),
``risk`` (one of three ordered levels), ``channels`` (multi-label, 7) and ``dual_use``
(binary). A record may lack a task (gov.cn rows have sectors only); its mask is then 0.

Example:
    >>> space = LabelSpace.from_schema()
    >>> y = space.encode([{"sectors": ["energy"], "risk": {"level": "high", "channels": []},
    ...                    "dual_use": {"relevant": True}}])
    >>> int(y.sectors.sum()), int(y.risk[0]), int(y.dual_use[0]), y.mask["channels"].tolist()
    (1, 2, 1, [1.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

TASKS = ("sectors", "risk", "channels", "dual_use")


@dataclass(frozen=True)
class LabelSpace:
    """The label ids of every task, in schema order."""

    sectors: tuple[str, ...]
    risk_levels: tuple[str, ...]
    channels: tuple[str, ...]

    @classmethod
    def from_schema(cls) -> LabelSpace:
        from policynlp.schema import load_schema

        s = load_schema()
        return cls(s.sector_ids, s.risk_level_ids, s.risk_channel_ids)

    def to_dict(self) -> dict[str, list[str]]:
        return {"sectors": list(self.sectors), "risk_levels": list(self.risk_levels),
                "channels": list(self.channels)}

    @classmethod
    def from_dict(cls, d: dict[str, Sequence[str]]) -> LabelSpace:
        return cls(tuple(d["sectors"]), tuple(d["risk_levels"]), tuple(d["channels"]))

    def encode(self, records: Sequence[dict[str, Any]]) -> Targets:
        """Gold labels of ``records`` as arrays, with a 0/1 mask per task and record."""
        n = len(records)
        sectors = np.zeros((n, len(self.sectors)), np.float32)
        channels = np.zeros((n, len(self.channels)), np.float32)
        risk = np.zeros(n, np.int64)
        dual = np.zeros(n, np.float32)
        mask = {t: np.zeros(n, np.float32) for t in TASKS}
        for i, rec in enumerate(records):
            if rec.get("sectors"):
                mask["sectors"][i] = 1
                for s in rec["sectors"]:
                    sectors[i, self.sectors.index(s)] = 1
            level = (rec.get("risk") or {}).get("level")
            if level is not None:
                mask["risk"][i] = mask["channels"][i] = 1
                risk[i] = self.risk_levels.index(level)
                for c in rec["risk"].get("channels", []):
                    channels[i, self.channels.index(c)] = 1
            relevant = (rec.get("dual_use") or {}).get("relevant")
            if relevant is not None:
                mask["dual_use"][i] = 1
                dual[i] = float(relevant)
        return Targets(sectors, risk, channels, dual, mask)


@dataclass
class Targets:
    """Gold label arrays for a set of records (see :meth:`LabelSpace.encode`)."""

    sectors: np.ndarray
    risk: np.ndarray
    channels: np.ndarray
    dual_use: np.ndarray
    mask: dict[str, np.ndarray]

    def subset(self, idx: np.ndarray) -> Targets:
        return Targets(self.sectors[idx], self.risk[idx], self.channels[idx], self.dual_use[idx],
                       {k: v[idx] for k, v in self.mask.items()})


__all__ = ["TASKS", "LabelSpace", "Targets"]
