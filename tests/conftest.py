"""Shared fixtures: paths to the shared development data, skipped when it is absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

# The output record of SPEC section 3, verbatim (the "…" entries aside): the data model
# must read and write exactly this shape.
SPEC_OUTPUT_EXAMPLE: dict[str, Any] = {
    "id": "doc-1", "lang": "zh",
    "sectors": [{"label": "automotive", "score": 0.93}],
    "sector_scores": {"automotive": 0.93, "semiconductors": 0.41},
    "risk": {"level": "medium", "scores": {"low": 0.2, "medium": 0.5, "high": 0.3},
             "channels": [{"label": "localization", "score": 0.81}]},
    "dual_use": {"relevant": False, "score": 0.12, "evidence": [{"start": 10, "end": 52}]},
    "targets": [{"text": "国内生产总值增长5%左右", "start": 8, "end": 20,
                 "metric": "GDP growth", "value": 5.0, "value_high": None, "unit": "percent",
                 "unit_text": "%", "comparator": "approx", "direction": "increase",
                 "deadline": "2024-12-31", "deadline_text": "今年", "baseline": None}],
    "key_dates": [{"type": "effective", "date": "2022-10-01",
                   "text": "effective as of October 1, 2022", "start": 0, "end": 31}],
    "summary": {"at_a_glance": "The State Council set a GDP growth target.",
                "key_points": ["GDP growth of around 5%"]},
    "model": {"name": "policynlp-e5-small", "version": "0.1.0", "components": ["language"]},
}


@pytest.fixture(scope="session")
def gwr_reports() -> list[dict[str, Any]]:
    """The Government Work Reports (1954–2013) from the shared data folder."""
    path = SHARED_DATA / "gwr" / "government_work_reports_1954_2013.jsonl"
    if not path.is_file():
        pytest.skip(f"shared data not found at {path} (clone the project beside shared/)")
    return [json.loads(line) for line in path.open(encoding="utf-8")]


@pytest.fixture(scope="session")
def govcn_csv() -> Path:
    """The gov.cn listing sample from the shared data folder."""
    path = SHARED_DATA / "govcn" / "listing_sample.csv"
    if not path.is_file():
        pytest.skip(f"shared data not found at {path} (clone the project beside shared/)")
    return path


@pytest.fixture(autouse=True)
def _rules_only_by_default(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run the rule-based pipeline unless marked ``default_model``: loading the shipped
    classifier (base conversion, encoder on CPU) belongs to the tests that are about it."""
    if "default_model" not in request.keywords:
        monkeypatch.setenv("POLICYNLP_MODEL", "none")
