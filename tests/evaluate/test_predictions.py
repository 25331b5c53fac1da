"""evaluate_predictions against hand-computed values (SPEC section 7)."""

from __future__ import annotations

import numpy as np
import pytest

from policynlp.errors import UnknownLabelError
from policynlp.evaluate.predictions import evaluate_predictions


def _gold(rid: str, sectors: list[str], level: str, dual: bool, lang: str = "zh",
          targets: list[dict] | None = None, key_dates: list[dict] | None = None) -> dict:
    return {"id": rid, "lang": lang, "text": "到2025年达到30%。自2024年1月1日起施行。",
            "sectors": sectors, "risk": {"level": level, "channels": []},
            "dual_use": {"relevant": dual, "evidence": []}, "targets": targets or [],
            "key_dates": key_dates or [], "summary": {"at_a_glance": None, "key_points": []}}


def _pred(rid: str, sectors: list[str], level: str | None, dual: bool, score: float,
          targets: list[dict] | None = None, key_dates: list[dict] | None = None) -> dict:
    return {"id": rid, "sectors": [{"label": s, "score": 0.9} for s in sectors],
            "risk": {"level": level, "scores": {}, "channels": []},
            "dual_use": {"relevant": dual, "score": score}, "targets": targets or [],
            "key_dates": key_dates or []}


TARGET = {"text": "到2025年达到30%", "start": 0, "end": 11, "value": 30.0, "unit": "percent",
          "comparator": "exact", "deadline": "2025-12-31"}
KEY_DATE = {"type": "effective", "date": "2024-01-01", "text": "自2024年1月1日起施行",
            "start": 12, "end": 26}


def test_hand_computed_figures() -> None:
    gold = [_gold("1", ["energy", "finance"], "low", True, targets=[TARGET],
                  key_dates=[KEY_DATE]),
            _gold("2", ["automotive"], "high", False, targets=[TARGET]),
            _gold("3", ["maritime"], "medium", True, lang="en")]
    pred = [_pred("1", ["energy"], "low", True, 0.9, targets=[TARGET], key_dates=[KEY_DATE]),
            _pred("2", ["automotive", "defense"], "medium", True, 0.6),
            _pred("3", ["maritime"], "medium", False, 0.3)]
    m = evaluate_predictions(gold, pred, bootstrap=0)["all"]
    # sectors: TP energy, automotive, maritime; FP defense; FN finance
    assert m["sectors"]["micro_precision"] == pytest.approx(3 / 4, abs=1e-4)
    assert m["sectors"]["micro_recall"] == pytest.approx(3 / 4, abs=1e-4)
    # risk: low→low, high→medium, medium→medium
    assert m["risk"]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["risk"]["mae"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["risk"]["macro_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3, abs=1e-4)
    assert m["risk"]["confusion"] == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]]
    # dual use: gold 1,0,1; pred 1,1,0; scores .9,.6,.3
    assert (m["dual_use"]["precision"], m["dual_use"]["recall"]) == (0.5, 0.5)
    assert m["dual_use"]["auroc"] == 0.5
    # targets: 2 gold, 1 predicted and matched
    assert (m["targets"]["precision"], m["targets"]["recall"]) == (1.0, 0.5)
    assert m["target_errors"] == {"missed": 1, "spurious": 0, "value": 0, "unit": 0,
                                  "comparator": 0, "deadline": 0}
    assert m["key_dates"] == {"gold": 1, "correct": 1, "accuracy": 1.0}


def test_target_errors_by_type() -> None:
    wrong_unit = dict(TARGET, unit="item")
    wrong_cmp = dict(TARGET, comparator="at_least")
    late = dict(TARGET, deadline="2026-12-31")
    gold = [_gold(str(i), ["energy"], "low", False, targets=[TARGET]) for i in range(5)]
    pred = [_pred("0", ["energy"], "low", False, 0.1, targets=[dict(TARGET, value=35.0)]),
            _pred("1", ["energy"], "low", False, 0.1, targets=[wrong_unit]),
            _pred("2", ["energy"], "low", False, 0.1, targets=[wrong_cmp]),
            _pred("3", ["energy"], "low", False, 0.1, targets=[late]),
            _pred("4", ["energy"], "low", False, 0.1,
                  targets=[dict(TARGET, start=12, end=26, value=1.0, unit="day")])]
    errors = evaluate_predictions(gold, pred, bootstrap=0)["all"]["target_errors"]
    assert errors == {"missed": 1, "spurious": 1, "value": 1, "unit": 1, "comparator": 1,
                      "deadline": 1}


def test_per_language_blocks() -> None:
    gold = [_gold("1", ["energy"], "low", False), _gold("2", ["finance"], "low", False, "en")]
    pred = [_pred("1", ["energy"], "low", False, 0.1), _pred("2", ["energy"], "low", False, 0.1)]
    m = evaluate_predictions(gold, pred, bootstrap=0)
    assert m["zh"]["sectors"]["micro_f1"] == 1.0 and m["en"]["sectors"]["micro_f1"] == 0.0
    assert m["zh"]["documents"] == m["en"]["documents"] == 1


def test_missing_records_count_as_misses_and_empty_predictions_score_zero() -> None:
    gold = [_gold("1", ["energy"], "low", True), _gold("2", ["finance"], "high", True)]
    m = evaluate_predictions(gold, [_pred("1", ["energy"], "low", True, 0.8)], bootstrap=0)
    assert m["missing_predictions"] == 1
    assert m["all"]["sectors"]["micro_recall"] == 0.5
    assert m["all"]["risk"]["accuracy"] == 0.5 and m["all"]["risk"]["mae"] == 1.0
    assert m["all"]["dual_use"]["recall"] == 0.5
    empty = evaluate_predictions(gold, [{"id": "1"}, {"id": "2"}], bootstrap=0)["all"]
    assert empty["sectors"]["micro_f1"] == 0.0 and empty["dual_use"]["f1"] == 0.0


def test_unknown_labels_are_clear_errors() -> None:
    gold = [_gold("doc-7", ["energy"], "low", False)]
    with pytest.raises(UnknownLabelError, match="'doc-7'.*cooking"):
        evaluate_predictions(gold, [_pred("doc-7", ["cooking"], "low", False, 0.1)], bootstrap=0)
    with pytest.raises(UnknownLabelError, match="gold record 'doc-8'"):
        evaluate_predictions([_gold("doc-8", ["weather"], "low", False)], [], bootstrap=0)


def test_bootstrap_intervals_bracket_the_figure() -> None:
    gold = [_gold(str(i), ["energy" if i % 2 else "finance"], "low", bool(i % 3))
            for i in range(30)]
    pred = [_pred(str(i), ["energy"], "low", bool(i % 2), 0.5) for i in range(30)]
    m = evaluate_predictions(gold, pred, bootstrap=200, seed=1)
    low, high = m["intervals"]["sectors.micro_f1"]
    assert low <= m["all"]["sectors"]["micro_f1"] <= high and low < high


def test_evaluate_and_compare_commands(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from policynlp.cli import app

    gold = [_gold("1", ["energy"], "low", True), _gold("2", ["finance"], "high", False, "en")]
    good = [_pred("1", ["energy"], "low", True, 0.8), _pred("2", ["finance"], "high", False, 0.2)]
    bad = [_pred("1", ["finance"], "high", False, 0.2)]
    for name, rows in (("gold", gold), ("good", good), ("bad", bad)):
        (tmp_path / f"{name}.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    runner = CliRunner()
    for name in ("good", "bad"):
        result = runner.invoke(app, ["evaluate", str(tmp_path / "gold.jsonl"), "--pred",
                                     str(tmp_path / f"{name}.jsonl"), "--json",
                                     str(tmp_path / f"{name}.json"), "--bootstrap", "50"])
        assert result.exit_code == 0, result.output
    good_m = json.loads((tmp_path / "good.json").read_text())
    bad_m = json.loads((tmp_path / "bad.json").read_text())
    assert good_m["all"]["sectors"]["micro_f1"] == 1.0 and bad_m["missing_predictions"] == 1
    assert bad_m["all"]["sectors"]["micro_f1"] == 0.0
    result = runner.invoke(app, ["compare", str(tmp_path / "good.json"),
                                 str(tmp_path / "bad.json"), "--report", str(tmp_path / "d.html")])
    assert result.exit_code == 0 and "sectors.micro_f1" in result.output
    assert "-1.0000" in result.output and 'id="deltas"' in (tmp_path / "d.html").read_text()
    # gold as Parquet reads the same
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(gold), tmp_path / "gold.parquet")
    result = runner.invoke(app, ["evaluate", str(tmp_path / "gold.parquet"), "--pred",
                                 str(tmp_path / "good.jsonl"), "--json",
                                 str(tmp_path / "pq.json"), "--bootstrap", "0", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "pq.json").read_text())["all"] == good_m["all"]


def test_channel_probabilities_give_channel_ece() -> None:
    gold = [_gold("1", ["energy"], "high", False), _gold("2", ["energy"], "low", False)]
    gold[0]["risk"]["channels"] = ["localization"]
    channels = ("localization", "market_access", "state_support", "standards",
                "data_compliance", "export_controls_security", "competition_overseas")
    pred = [_pred("1", ["energy"], "high", False, 0.1), _pred("2", ["energy"], "low", False, 0.1)]
    pred[0]["risk"]["channel_scores"] = {c: (0.9 if c == "localization" else 0.0)
                                         for c in channels}
    pred[1]["risk"]["channel_scores"] = {c: 0.0 for c in channels}
    m = evaluate_predictions(gold, pred, bootstrap=0)["all"]
    # 13 scores of 0.0 that are right, one of 0.9 that is right: |0.9 - 1| × 1/14
    assert m["channels"]["ece"] == pytest.approx(0.1 / 14, abs=1e-4)
    assert "ece" not in evaluate_predictions(gold, [_pred("1", [], "low", False, 0.1)],
                                             bootstrap=0)["all"]["channels"]


def test_ece_floor_is_what_a_calibrated_head_scores_on_a_small_sample() -> None:
    from policynlp.evaluate.classification import ece_floor, expected_calibration_error

    rng = np.random.default_rng(7)
    prob = rng.random(76)
    drawn = [expected_calibration_error(prob, (rng.random(76) < prob).astype(float))
             for _ in range(300)]  # a perfectly calibrated head, 300 test sets of 76
    floor = ece_floor(prob)
    assert abs(float(np.mean(drawn)) - floor) < 0.01
    assert floor > 0.05  # why ECE on 76 documents is read against the floor, not zero
    big = rng.random(20000)
    assert ece_floor(big) < 0.01
    assert expected_calibration_error(prob, (prob > 2).astype(float)) > 3 * floor  # never 1
