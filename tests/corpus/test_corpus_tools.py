"""Corpus tooling: validation, coverage, splits, near-duplicates, agreement, gov.cn join."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from policynlp.cli import app
from policynlp.corpus.agreement import agreement
from policynlp.corpus.govcn import join_labels, load_govcn
from policynlp.corpus.splits import (
    make_splits,
    remove_near_duplicates,
    supplement_eval,
    supplement_train,
)
from policynlp.corpus.stats import coverage
from policynlp.corpus.validate import validate_path, validate_record, value_readable

REPO = Path(__file__).resolve().parents[2]
GOVCN = REPO.parent / "shared" / "data" / "govcn" / "listing_sample.csv"

TEXT = "到2025年，培育200个左右特色产业集群。本办法自2026年8月15日起施行。"


def _record(**changes: object) -> dict:
    rec = {"id": "r1", "lang": "zh", "date": "2023-01-01", "text": TEXT,
           "sectors": ["manufacturing_sme"], "risk": {"level": "low", "channels": []},
           "dual_use": {"relevant": False, "evidence": []},
           "targets": [{"text": "培育200个左右特色产业集群", "start": 7, "end": 21, "value": 200,
                        "value_high": None, "unit": "item", "unit_text": "个",
                        "comparator": "approx", "direction": "level",
                        "deadline": "2025-12-31", "deadline_text": "到2025年", "baseline": None}],
           "key_dates": [{"type": "effective", "date": "2026-08-15",
                          "text": "自2026年8月15日起施行", "start": 25, "end": 39}],
           "summary": {"at_a_glance": "MIIT …", "key_points": []}}
    rec.update(changes)
    return rec


def test_a_correct_record_has_no_problems() -> None:
    assert validate_record(_record(), "f.jsonl", 1) == []


@pytest.mark.parametrize("change, expected", [
    ({"sectors": ["steel"]}, "unknown sector label 'steel'"),
    ({"risk": {"level": "low", "channels": ["tariffs"]}}, "unknown risk channel 'tariffs'"),
    ({"key_dates": [{"type": "effective", "date": "2026-02-30", "text": "自2026年8月15日起施行",
                     "start": 25, "end": 39}]}, "not a real ISO date"),
])
def test_label_and_date_problems_are_named(change: dict, expected: str) -> None:
    messages = [p.message for p in validate_record(_record(**change), "f.jsonl", 3)]
    assert any(expected in m for m in messages), messages


def test_span_text_and_value_are_checked() -> None:
    bad_span = _record()
    bad_span["targets"][0]["start"] = 8
    assert "does not match the text at 8-21" in validate_record(bad_span, "f", 1)[0].message
    bad_value = _record()
    bad_value["targets"][0]["value"] = 2000
    assert "cannot be read from its span" in validate_record(bad_value, "f", 1)[0].message


@pytest.mark.parametrize("span, lang, value, high", [
    ("国内生产总值增长6%－6.5%", "zh", 6, 6.5), ("装机容量达到1200万千瓦", "zh", 1.2e10, None),
    ("减少三分之一", "zh", 100 / 3, None), ("CNY 500 billion revenue", "en", 5e11, None),
    ("between 5 and 10 percent", "en", 5, 10), ("45-million-tonne cap", "en", 4.5e7, None),
])
def test_values_readable_from_spans(span: str, lang: str, value: float, high: float | None
                                    ) -> None:
    assert value_readable(span, lang, value, high)


def test_validate_path_reports_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps(_record(), ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    n, problems = validate_path(tmp_path)
    assert n == 2 and len(problems) == 1
    assert problems[0].line == 2 and "not JSON" in problems[0].message


def test_cli_validate_and_stats_exit_codes(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps(_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["corpus", "validate", str(f)])
    assert ok.exit_code == 0 and "1 records checked, 0 problems" in ok.stdout
    f.write_text(json.dumps(_record(sectors=["steel"])) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["corpus", "validate", str(f)]).exit_code == 3
    stats = runner.invoke(app, ["corpus", "stats", str(tmp_path), "--json"])
    assert stats.exit_code == 3  # one document meets none of the coverage requirements
    assert json.loads(stats.stdout)["counts"]["documents"] == 1


def test_coverage_counts_and_checks() -> None:
    recs = [_record(id=str(i), lang="zh" if i % 2 else "en") for i in range(4)]
    cov = coverage(recs)
    assert cov.counts["documents_zh"] == 2 and cov.counts["targets"] == 4
    assert cov.sectors["manufacturing_sme"] == 4 and cov.risk_levels["low"] == 4
    assert not cov.ok


def test_splits_are_stratified_and_fixed() -> None:
    recs = [{"id": f"d{i}", "lang": ("zh", "en")[i % 2], "sectors": [("energy", "finance")[i % 3 == 0]],
             "text": f"text {i}"} for i in range(100)]
    a, b = make_splits(recs, seed=3), make_splits(list(reversed(recs)), seed=3)
    assert {k: [r["id"] for r in v] for k, v in a.items()} == {
        k: [r["id"] for r in v] for k, v in b.items()}
    assert [len(a[s]) for s in ("train", "dev", "test")] == [70, 15, 15]
    for split in a.values():
        assert {r["lang"] for r in split} == {"zh", "en"}


def test_near_duplicates_move_to_train() -> None:
    base = "国务院关于推动新能源汽车产业高质量发展的实施意见，到2025年新能源汽车销量占比达到20%左右。"
    parts = {"train": [{"id": "t", "text": base}],
             "dev": [{"id": "d", "text": base.replace("20%", "25%")}],
             "test": [{"id": "x", "text": "The PBOC cut the reserve requirement ratio by 0.5 points."}]}
    report = remove_near_duplicates(parts, threshold=0.8)
    assert report.moved_to_train == ["d"] and [r["id"] for r in parts["train"]] == ["t", "d"]
    assert report.max_similarity["test"] < 0.8


def test_supplement_adds_to_train_only_and_refuses_leaks() -> None:
    base = "国务院关于推动新能源汽车产业高质量发展的实施意见，到2025年新能源汽车销量占比达到20%左右。"
    parts = {"train": [{"id": "t", "text": "农业农村部关于加快种业振兴的通知"}],
             "dev": [{"id": "d", "text": "The PBOC cut the reserve requirement ratio."}],
             "test": [{"id": "x", "text": base}]}
    new = [{"id": "n1", "text": base.replace("20%", "25%")},
           {"id": "t", "text": "海关总署关于跨境电商零售进口的公告"},
           {"id": "n2", "text": "工业和信息化部关于促进中小企业特色产业集群发展的通知"}]
    report = supplement_train(parts, new, threshold=0.8)
    assert report.added == ["n2"]
    assert report.refused["t"] == "id already in the corpus"
    assert report.refused["n1"].startswith("similarity") and "test document x" in report.refused["n1"]
    assert [r["id"] for r in parts["train"]] == ["t", "n2"]
    assert [r["id"] for r in parts["test"]] == ["x"] and [r["id"] for r in parts["dev"]] == ["d"]
    assert report.closest_pair["test"] == ("n1", "x") and report.max_similarity["test"] >= 0.8


def test_supplement_eval_deals_new_records_to_dev_and_test_without_leaks() -> None:
    base = "国务院关于推动新能源汽车产业高质量发展的实施意见，到2025年新能源汽车销量占比达到20%左右。"
    parts = {"train": [{"id": "t", "text": base}], "dev": [], "test": []}
    new = [{"id": f"n{i}", "lang": ("zh", "en")[i % 2], "sectors": [("energy", "finance")[i % 3 == 0]],
            "text": f"document {i}: " + " ".join(f"w{i}x{j}" for j in range(12))} for i in range(30)]
    new += [{"id": "leak", "lang": "zh", "sectors": ["automotive"], "text": base.replace("20%", "25%")},
            {"id": "twin", "lang": "en", "sectors": ["energy"], "text": new[4]["text"] + "."},
            {"id": "n3", "lang": "zh", "sectors": ["energy"], "text": "海关总署关于跨境电商的公告"}]
    report = supplement_eval(parts, new, dev_share=1 / 3, threshold=0.8)
    assert report.refused["leak"].endswith("train document t")
    assert report.refused["twin"].endswith("new document n4")
    assert report.refused["n3"] == "id already in the corpus"
    assert sorted(report.added) == sorted(f"n{i}" for i in range(30))
    assert [len(parts["dev"]), len(parts["test"])] == [10, 20] and len(parts["train"]) == 1
    for split in ("dev", "test"):
        assert {r["lang"] for r in parts[split]} == {"zh", "en"}
    again = {"train": [{"id": "t", "text": base}], "dev": [], "test": []}
    supplement_eval(again, list(reversed(new[:30])), dev_share=1 / 3, threshold=0.8)
    assert sorted(r["id"] for r in again["dev"]) == sorted(r["id"] for r in parts["dev"])


def test_fill_offsets_locates_span_words_and_validates(tmp_path: Path) -> None:
    import subprocess
    import sys

    draft = _record()
    draft["text"] = TEXT + "到2030年，培育200个左右特色产业集群。"
    draft["targets"][0].pop("start"), draft["targets"][0].pop("end")
    second = dict(draft["targets"][0], occurrence=2, deadline="2030-12-31", deadline_text="到2030年")
    draft["targets"].append(second)
    for kd in draft["key_dates"]:
        kd.pop("start"), kd.pop("end")
    bad = dict(draft, id="r2", targets=[dict(second, text="培育300个集群")])
    (tmp_path / "draft.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False)
                                                    for r in (draft, bad)) + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(REPO / "corpora" / "tools" / "fill_offsets.py"),
                          str(tmp_path / "draft.jsonl"), "-o", str(tmp_path / "batch.jsonl")],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "(r2): targets[0]: span '培育300个集群' occurs 0 time(s)" in run.stderr
    rows = [json.loads(line) for line in (tmp_path / "batch.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["r1"]
    first, again = rows[0]["targets"]
    assert (first["start"], first["end"]) == (7, 21)
    assert rows[0]["text"][again["start"]:again["end"]] == first["text"] and again["start"] > 40
    assert (rows[0]["key_dates"][0]["start"], rows[0]["key_dates"][0]["end"]) == (25, 39)


def test_agreement_matches_hand_computed_kappa() -> None:
    def rec(i: int, level: str, dual: bool, sectors: list[str]) -> dict:
        return {"id": str(i), "sectors": sectors, "risk": {"level": level},
                "dual_use": {"relevant": dual}, "targets": []}
    a = [rec(0, "low", False, ["energy"]), rec(1, "high", True, ["defense"]),
         rec(2, "medium", False, ["energy"]), rec(3, "low", False, ["finance"])]
    b = [rec(0, "low", False, ["energy"]), rec(1, "medium", True, ["defense", "aerospace"]),
         rec(2, "medium", True, ["energy"]), rec(3, "low", False, ["finance"])]
    got = agreement(a, b)
    assert got["risk_kappa"] == round(cohen_kappa_score(
        ["low", "high", "medium", "low"], ["low", "medium", "medium", "low"]), 3)
    # risk: p_o = 3/4, p_e = (2*2 + 1*0 + 1*2)/16 = 6/16 → kappa = (0.75 - 0.375)/0.625 = 0.6
    assert got["risk_kappa"] == 0.6
    assert got["sector_kappa"]["energy"] == 1.0 and got["sector_kappa"]["aerospace"] == 0.0
    f1 = got["f1_second_against_first"]
    # sectors: 4 shared, 1 extra in b → 2·4 / (2·4 + 1) ; dual use: 1 shared, 1 extra → 2/3
    assert f1["sectors_micro_f1"] == round(8 / 9, 3) and f1["dual_use_f1"] == round(2 / 3, 3)
    # risk per level: low 1.0, medium 2/3 (1 shared, 1 extra), high 0 → macro 5/9
    assert f1["risk_macro_f1"] == round(5 / 9, 3) and f1["channels_micro_f1"] is None


def test_agreement_target_exact_match() -> None:
    t = {"text": "", "start": 0, "end": 1, "value": 5.0, "unit": "percent", "comparator": "approx"}
    a = [{"id": "1", "sectors": [], "risk": {"level": "low"}, "dual_use": {"relevant": False},
          "targets": [t, {**t, "value": 7.0}]}]
    b = [{**a[0], "targets": [t, {**t, "value": 7.0, "comparator": "exact"}]}]
    assert agreement(a, b)["target_exact_match"] == 0.5


def test_govcn_join_prefers_own_labels() -> None:
    labels = [{"url": "u1", "topic": "t", "sectors_mapped": ["energy"], "sectors": ["materials"],
               "risk": "medium", "dual_use": True},
              {"url": "u2", "topic": "t", "sectors_mapped": ["finance"], "sectors": None,
               "risk": None, "dual_use": None},
              {"url": "missing", "topic": "t", "sectors_mapped": ["finance"], "sectors": None}]
    rows = {u: {"title": f"title {u}", "summary": "", "pub_date": "2024-01-01"} for u in ("u1", "u2")}
    recs = list(join_labels(labels, rows))
    assert [(r["id"], r["sectors"]) for r in recs] == [("u1", ["materials"]), ("u2", ["finance"])]
    assert recs[0]["risk"]["level"] == "medium" and "risk" not in recs[1]
    assert [r["id"] for r in join_labels(labels, rows, own_only=True)] == ["u1"]


@pytest.mark.skipif(not GOVCN.is_file(), reason=f"shared data not found at {GOVCN}")
def test_govcn_labels_cover_every_labelled_row() -> None:
    import csv

    with GOVCN.open(encoding="utf-8", newline="") as fh:
        labelled = {r["url"] for r in csv.DictReader(fh) if r["childtype"].strip()}
    with (REPO / "corpora" / "govcn_labels.jsonl").open(encoding="utf-8") as fh:
        urls = {json.loads(line)["url"] for line in fh}
    assert urls == labelled
    assert len(load_govcn(REPO / "corpora" / "govcn_labels.jsonl", GOVCN)) == len(labelled)


def test_set_aside_moves_twins_of_held_out_documents_out_of_train(tmp_path: Path) -> None:
    import subprocess
    import sys

    def write(name: str, ids: list[str]) -> None:
        (tmp_path / f"{name}.jsonl").write_text("".join(
            json.dumps({"id": i, "lang": "zh", "text": i}) + "\n" for i in ids), encoding="utf-8")

    write("train", ["a", "b", "c"])
    write("dev", ["d"])
    write("test", ["t"])
    (tmp_path / "splits.json").write_text(json.dumps(
        {"sizes": {"train": 3}, "sizes_by_lang": {"train": {"zh": 3}}}), encoding="utf-8")
    tool = str(REPO / "corpora" / "tools" / "set_aside.py")
    (tmp_path / "bad.json").write_text(json.dumps({"a": ["x"]}), encoding="utf-8")
    run = subprocess.run([sys.executable, tool, str(tmp_path / "bad.json"), "--corpus",
                          str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 1 and "twin x not in dev or test" in run.stderr
    (tmp_path / "twins.json").write_text(json.dumps({"b": ["t"], "c": ["d", "t"]}),
                                         encoding="utf-8")
    run = subprocess.run([sys.executable, tool, str(tmp_path / "twins.json"), "--corpus",
                          str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr

    def ids(name: str) -> list[str]:
        return [json.loads(line)["id"] for line in
                (tmp_path / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]

    assert ids("train") == ["a"] and ids("set_aside") == ["b", "c"] and ids("test") == ["t"]
    summary = json.loads((tmp_path / "splits.json").read_text(encoding="utf-8"))
    assert summary["sizes"]["train"] == 1 and summary["set_aside"][0]["twins"]["c"] == ["d", "t"]
