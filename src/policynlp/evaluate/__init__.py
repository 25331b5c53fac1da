"""Evaluation: metrics that compare predictions with labelled records."""

from __future__ import annotations

from policynlp.evaluate.targets import TargetScores, match_targets, score_targets, unit_class

__all__ = ["TargetScores", "match_targets", "score_targets", "unit_class"]
