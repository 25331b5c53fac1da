"""The committed corpus itself: valid, covering its requirements, with clean splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policynlp.corpus.stats import coverage, read_labelled
from policynlp.corpus.validate import validate_path

CORPORA = Path(__file__).resolve().parents[2] / "corpora"
BRIEFS = CORPORA / "briefs"
pytestmark = pytest.mark.skipif(not (BRIEFS / "train.jsonl").is_file(),
                                reason="the authored corpus splits are not built yet")


def _ids(split: str) -> set[str]:
    with (BRIEFS / f"{split}.jsonl").open(encoding="utf-8") as fh:
        return {json.loads(line)["id"] for line in fh}


def test_every_corpus_file_validates() -> None:
    n, problems = validate_path(CORPORA)
    assert n > 0
    assert problems == [], "\n".join(map(str, problems[:20]))


def test_coverage_requirements_are_met() -> None:
    cov = coverage(read_labelled(BRIEFS))
    unmet = [(what, have, need) for what, have, need, ok in cov.checks if not ok]
    assert unmet == []


def test_splits_are_disjoint_and_recorded() -> None:
    train, dev, test = _ids("train"), _ids("dev"), _ids("test")
    assert not (train & dev) and not (train & test) and not (dev & test)
    report = json.loads((BRIEFS / "splits.json").read_text(encoding="utf-8"))
    assert report["sizes"] == {"train": len(train), "dev": len(dev), "test": len(test)}
    assert max(report["max_similarity_to_train"].values()) < report["threshold"]


def test_set_aside_documents_are_in_no_split_and_each_twins_a_held_out_one() -> None:
    report = json.loads((BRIEFS / "splits.json").read_text(encoding="utf-8"))
    train, held = _ids("train"), _ids("dev") | _ids("test")
    aside = _ids("set_aside") if (BRIEFS / "set_aside.jsonl").is_file() else set()
    twins = {k: v for entry in report.get("set_aside", []) for k, v in entry["twins"].items()}
    assert set(twins) == aside and not (aside & (train | held))
    assert all(v and set(v) <= held for v in twins.values())
    added = {i for s in report.get("supplements", []) if s.get("to") == "heldout"
             for ids in s.get("ids", {}).values() for i in ids}
    assert added <= held
