from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policynlp.cli import app
from policynlp.schema.validate import check_output_record

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample.jsonl"
runner = CliRunner()


def _mixed_input(path: Path, n: int = 1000) -> dict[int, str]:
    """Write ``n`` JSONL lines, some of them bad; return {line number: expected error code}."""
    base = [json.loads(line)["text"] for line in SAMPLE.open(encoding="utf-8")][:6]
    bad = {17: "E101", 233: "E102", 500: "E104", 777: "E106", 901: "E105"}
    with path.open("wb") as fh:
        for i in range(1, n + 1):
            if i == 17:
                line = json.dumps({"id": f"doc-{i}", "text": ""})
            elif i == 233:
                blob = bytes(range(256)).decode("latin-1") * 4
                line = json.dumps({"id": f"doc-{i}", "text": blob})
            elif i == 500:
                line = '{"id": "doc-500", "text": "unterminated'
            elif i == 777:
                line = json.dumps({"id": f"doc-{i}", "text": "国务院" * 5_600_000},
                                  ensure_ascii=False)
            elif i == 901:
                line = json.dumps({"id": f"doc-{i}", "body": "no text field"})
            else:
                line = json.dumps({"id": f"doc-{i}", "text": base[i % len(base)]},
                                  ensure_ascii=False)
            fh.write(line.encode("utf-8") + b"\n")
    return bad


def test_analyze_1000_mixed_records_end_to_end(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    bad = _mixed_input(src)
    assert src.stat().st_size > 50_000_000
    proc = subprocess.run([sys.executable, "-m", "policynlp", "analyze", str(src), "-o", str(out),
                           "--quiet"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 3, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1000
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [str(500) if i == 500 else f"doc-{i}"
                                          for i in range(1, 1001)]
    for r in records:
        check_output_record(r)
    errors = {i: r["error"]["code"] for i, r in enumerate(records, start=1) if "error" in r}
    assert errors == bad
    assert "line 500" in records[499]["error"]["message"]
    assert "16,800,000 characters" in records[776]["error"]["message"]


def test_analyze_sample_prints_table_and_signals_errors(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", str(SAMPLE), "-o", str(out), "--table"])
    assert result.exit_code == 3
    assert "sample-zh-1" in result.stdout and "E107" in result.stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 8


def test_analyze_parquet_output_and_input(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["国务院通知", "MIIT notice"]}), src)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["analyze", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rows = pq.read_table(out).to_pylist()
    assert [(r["id"], r["lang"]) for r in rows] == [("a", "zh"), ("b", "en")]


def test_analyze_folder_and_clean_exit(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "one.txt").write_text("国务院关于印发规划的通知", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", str(tmp_path / "docs"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "one"


@pytest.mark.parametrize("args, message", [
    (["analyze", "/nonexistent.jsonl", "-o", "x.jsonl"], "E110"),
    (["analyze", "{sample}", "-o", "x.csv"], "E401"),
    (["analyze", "{sample}", "-o", "x.jsonl", "--model", "/nonexistent/model"], "E301"),
    (["analyze", "{sample}", "-o", "x.jsonl", "--device", "tpu"], "E303"),
])
def test_analyze_fatal_errors_exit_1(tmp_path: Path, args: list[str], message: str) -> None:
    args = [a.replace("{sample}", str(SAMPLE)) for a in args]
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output


def test_schema_and_version_commands() -> None:
    result = runner.invoke(app, ["schema", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["sectors"]) == 22 and len(data["risk_channels"]) == 7
    table = runner.invoke(app, ["schema"])
    assert "semiconductors" in table.stdout and "集成电路" in table.stdout
    version = runner.invoke(app, ["version"])
    assert version.stdout.startswith("policynlp ")
