"""Per-document probabilities of the four tasks, and turning them into decisions.

Example:
    >>> s = TaskScores(sectors=np.array([[0.9, 0.2]]), risk=np.array([[0.1, 0.3, 0.6]]),
    ...                channels=np.zeros((1, 7)), dual_use=np.array([0.7]))
    >>> s.decide(Thresholds.default(2, 7)).sectors.tolist(), int(s.risk.argmax(1)[0])
    ([[1, 0]], 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class TaskScores:
    """Probabilities: sectors (n, 22), risk (n, 3), channels (n, 7), dual_use (n,)."""

    sectors: np.ndarray
    risk: np.ndarray
    channels: np.ndarray
    dual_use: np.ndarray

    def decide(self, thresholds: Thresholds) -> Decisions:
        """0/1 decisions; every document gets at least its best sector (the guidelines tag
        one to three sectors on every document)."""
        sectors = (self.sectors >= thresholds.sectors).astype(int)
        if sectors.size:
            sectors[np.arange(len(sectors)), self.sectors.argmax(1)] = 1
        return Decisions(
            sectors=sectors,
            risk=self.risk.argmax(1),
            channels=(self.channels >= thresholds.channels).astype(int),
            dual_use=(self.dual_use >= thresholds.dual_use).astype(int),
        )

    def subset(self, idx: np.ndarray) -> TaskScores:
        return TaskScores(self.sectors[idx], self.risk[idx], self.channels[idx],
                          self.dual_use[idx])


@dataclass
class Decisions:
    """0/1 label decisions (and the risk level index) for each document."""

    sectors: np.ndarray
    risk: np.ndarray
    channels: np.ndarray
    dual_use: np.ndarray


@dataclass
class Thresholds:
    """Per-label decision thresholds, fitted on dev."""

    sectors: np.ndarray
    channels: np.ndarray
    dual_use: float = 0.5
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def default(cls, n_sectors: int, n_channels: int) -> Thresholds:
        return cls(np.full(n_sectors, 0.5), np.full(n_channels, 0.5), 0.5)

    def to_dict(self) -> dict[str, Any]:
        return {"sectors": [round(float(x), 4) for x in self.sectors],
                "channels": [round(float(x), 4) for x in self.channels],
                "dual_use": round(float(self.dual_use), 4)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Thresholds:
        return cls(np.asarray(d["sectors"], float), np.asarray(d["channels"], float),
                   float(d["dual_use"]))


__all__ = ["Decisions", "TaskScores", "Thresholds"]
