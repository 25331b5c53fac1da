from __future__ import annotations

import copy

import pytest

from conftest import SPEC_OUTPUT_EXAMPLE
from policynlp.errors import InvalidRecordError
from policynlp.schema import load_schema
from policynlp.schema.validate import check_labelled_record, check_output_record


def _full_output() -> dict:
    d = copy.deepcopy(SPEC_OUTPUT_EXAMPLE)
    d["sector_scores"] = {s: 0.0 for s in load_schema().sector_ids}
    return d


def _labelled() -> dict:
    return {"id": "b", "text": "到2025年，培育200个左右特色产业集群。", "lang": "zh",
            "sectors": ["manufacturing_sme"], "risk": {"level": "low", "channels": []},
            "dual_use": {"relevant": False, "evidence": []},
            "targets": [{"text": "培育200个左右特色产业集群", "start": 7, "end": 21,
                         "value": 200, "unit": "item", "comparator": "approx"}],
            "key_dates": [], "summary": {"at_a_glance": None, "key_points": []}}


def test_valid_records_pass() -> None:
    check_output_record(_full_output())
    check_labelled_record(_labelled())


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d.pop("targets"), "targets"),
    (lambda d: d["risk"].update(level="severe"), "severe"),
    (lambda d: d["targets"][0].update(comparator="roughly"), "roughly"),
    (lambda d: d["targets"][0].update(unit="bushels"), "bushels"),
    (lambda d: d["sectors"].append({"label": "cooking", "score": 0.5}), "cooking"),
    (lambda d: d["sector_scores"].pop("energy"), "energy"),
    (lambda d: d["dual_use"].update(score=1.5), "1.5"),
    (lambda d: d["key_dates"][0].update(date="Oct 1"), "Oct 1"),
])
def test_invalid_output_records(mutate, needle: str) -> None:
    d = _full_output()
    mutate(d)
    with pytest.raises(InvalidRecordError) as info:
        check_output_record(d)
    assert needle in str(info.value) and info.value.code == "E202"


def test_output_spans_checked_against_text() -> None:
    d = _full_output()
    with pytest.raises(InvalidRecordError, match="does not match"):
        check_output_record(d, text="x" * 100)
    with pytest.raises(InvalidRecordError, match="outside the text"):
        check_output_record(d, text="短")


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d.update(sectors=["nonsense"]), "nonsense"),
    (lambda d: d["risk"].update(channels=["bribery"]), "bribery"),
    (lambda d: d["targets"][0].update(start=8), "does not match"),
    (lambda d: d["targets"][0].update(end=999), "outside"),
    (lambda d: d["dual_use"].update(relevant=None), "relevant"),
])
def test_invalid_labelled_records(mutate, needle: str) -> None:
    d = _labelled()
    mutate(d)
    with pytest.raises(InvalidRecordError) as info:
        check_labelled_record(d)
    assert needle in str(info.value)
