"""The shipped default model, loaded the way users load it."""

from __future__ import annotations

from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[2] / "models" / "policynlp-e5-small"
pytestmark = [pytest.mark.default_model,
              pytest.mark.skipif(not (MODEL / "config.json").is_file(),
                                 reason="models/policynlp-e5-small is not built")]


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    import policynlp

    return policynlp.load()


def test_default_model_fills_every_field_schema_valid(nlp) -> None:  # type: ignore[no-untyped-def]
    from policynlp.schema.validate import check_output_record

    docs = [
        {"id": "chips", "date": "2023-07-03", "text": "商务部 海关总署关于对镓、锗相关物项实施出口管制"
         "的公告。为维护国家安全和利益，对下列物项实施出口管制，未经许可，不得出口。本公告自2023年8月1日起正式实施。"},
        {"id": "cars", "date": "2024-04-26", "text": "The Ministry of Commerce and six other departments "
         "issued rules on trade-in subsidies for passenger cars: buyers who scrap an old car and buy a "
         "new energy vehicle receive CNY 10,000."},
    ]
    out = list(nlp.pipe(docs))
    for a in out:
        d = a.to_dict()
        check_output_record(d, docs[out.index(a)]["text"])
        assert d["model"]["components"] == ["language", "targets", "classifier", "summary"]
        assert len(d["sector_scores"]) == 22 and d["risk"]["level"] in ("low", "medium", "high")
        assert 0.0 <= d["dual_use"]["score"] <= 1.0
    top = {a.id: sorted(a.sector_scores, key=a.sector_scores.get, reverse=True)[:3] for a in out}
    assert "automotive" in top["cars"]
    assert {"materials", "trade_investment", "semiconductors"} & set(top["chips"])
