from __future__ import annotations

import copy
import json

import pytest

from conftest import SPEC_OUTPUT_EXAMPLE
from policynlp.data import Analysis, Document, KeyDate, LabelledRecord, Target
from policynlp.errors import InvalidFieldError, MissingFieldError
from policynlp.schema.validate import check_output_record


def test_spec_output_example_round_trips_exactly() -> None:
    full = copy.deepcopy(SPEC_OUTPUT_EXAMPLE)
    from policynlp.schema import load_schema

    full["sector_scores"] = {s: 0.0 for s in load_schema().sector_ids}
    full["sector_scores"].update({"automotive": 0.93, "semiconductors": 0.41})
    a = Analysis.from_dict(full)
    assert a.to_dict() == full
    assert json.loads(json.dumps(a.to_dict(), ensure_ascii=False)) == full
    check_output_record(a.to_dict())


def test_error_record_shape() -> None:
    a = Analysis.failed("doc-3", "E101", "the text is empty")
    assert a.to_dict() == {"id": "doc-3", "error": {"code": "E101", "message": "the text is empty"}}
    assert Analysis.from_dict(a.to_dict()).error == a.error
    assert not a.ok


def test_document_from_dict_keeps_extra_fields_and_defaults_id() -> None:
    d = Document.from_dict({"text": "国务院", "url": "https://www.gov.cn/x", "lang": "zh"},
                           default_id="7")
    assert d.id == "7" and d.lang == "zh" and d.meta == {"url": "https://www.gov.cn/x"}
    assert d.to_dict() == {"id": "7", "text": "国务院", "lang": "zh", "url": "https://www.gov.cn/x"}


def test_document_numeric_id_becomes_string() -> None:
    assert Document.from_dict({"id": 12, "text": "x"}).id == "12"


@pytest.mark.parametrize("record, error", [
    ({"id": "a"}, MissingFieldError),
    ({"id": "a", "text": 5}, InvalidFieldError),
    ({"id": "a", "text": "x", "date": "5 March 2024"}, InvalidFieldError),
    ({"id": "a", "text": "x", "lang": ["zh"]}, InvalidFieldError),
])
def test_document_from_dict_rejects_bad_fields(record: dict, error: type) -> None:
    with pytest.raises(error) as info:
        Document.from_dict(record)
    assert info.value.record_id == "a"


def test_target_and_key_date_round_trip() -> None:
    t = Target.from_dict(SPEC_OUTPUT_EXAMPLE["targets"][0])
    assert t.to_dict() == SPEC_OUTPUT_EXAMPLE["targets"][0]
    t2 = Target(text="CNY 500 billion", start=0, end=15, value=5e11, unit="CNY",
                baseline=None, deadline="2025-12-31")
    assert Target.from_dict(t2.to_dict()) == t2
    k = KeyDate(type="validity", text="有效期三年", start=3, end=8, duration="P3Y")
    assert KeyDate.from_dict(k.to_dict()) == k


def test_labelled_record_round_trip() -> None:
    text = "自2026年8月15日起施行。到2025年，培育200个左右特色产业集群。"
    rec = {
        "id": "b-1", "text": text, "lang": "zh", "date": "2026-08-13",
        "sectors": ["manufacturing_sme"],
        "risk": {"level": "medium", "channels": ["state_support"]},
        "dual_use": {"relevant": False, "evidence": []},
        "targets": [{"text": "培育200个左右特色产业集群", "start": 22, "end": 36,
                     "metric": "特色产业集群", "value": 200.0, "value_high": None, "unit": "item",
                     "unit_text": "个", "comparator": "approx", "direction": "level",
                     "deadline": "2025-12-31", "deadline_text": "到2025年", "baseline": None}],
        "key_dates": [{"type": "effective", "date": "2026-08-15", "text": "自2026年8月15日起施行",
                       "start": 0, "end": 14}],
        "summary": {"at_a_glance": "MIIT released measures.", "key_points": []},
        "notes": "second reading possible",
    }
    assert text[22:36] == rec["targets"][0]["text"]
    r = LabelledRecord.from_dict(rec)
    assert r.to_dict() == rec
