"""Resumable scoring jobs: a real subprocess killed with SIGKILL, then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from policynlp.engine import completed_output
from policynlp.errors import ResumeError

WORDS = ["汽车", "补贴", "chips", "export", "controls", "电池", "充电", "foundry", "subsidies"]


@pytest.fixture(scope="module")
def tiny_model_folder(tiny_encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch

    from policynlp.classify.component import write_model_folder
    from policynlp.classify.labels import LabelSpace
    from policynlp.classify.model import ClassifierSettings, DocumentClassifier, load_encoder

    s = ClassifierSettings(encoder=str(tiny_encoder_dir), prefix="", max_length=8, stride=5)
    enc, tok = load_encoder(s.encoder)
    torch.manual_seed(3)
    model = DocumentClassifier(enc, tok, LabelSpace.from_schema(), s)
    return write_model_folder(tmp_path_factory.mktemp("tiny-model") / "m", model,
                              name="tiny", version="0", card="# tiny test model\n")


def _input(path: Path, n: int) -> Path:
    lines = []
    for i in range(n):
        if i % 97 == 13:
            lines.append("{broken json")
        else:
            text = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 3 + i % 11))
            lines.append(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _score(src: Path, out: Path, model: Path, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "policynlp", "score", str(src), "-o", str(out), "--model",
           str(model), "--device", "cpu", "--chunk-docs", "8", "-q", *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    """Equal record for record; scores to 1e-5 (batches differ after a resume)."""
    assert [r["id"] for r in a] == [r["id"] for r in b]
    for x, y in zip(a, b, strict=True):
        assert ("error" in x) == ("error" in y)
        if "error" in x:
            assert x == y
            continue
        assert {s["label"] for s in x["sectors"]} == {s["label"] for s in y["sectors"]}
        for k, v in x["sector_scores"].items():
            assert v == pytest.approx(y["sector_scores"][k], abs=1e-5)
        assert x["risk"]["scores"] == pytest.approx(y["risk"]["scores"], abs=1e-5)
        assert x["dual_use"]["score"] == pytest.approx(y["dual_use"]["score"], abs=1e-5)
        assert x["model"] == y["model"] and x["lang"] == y["lang"]


def test_a_job_killed_with_sigkill_resumes_without_loss_or_duplicates(
        tiny_model_folder: Path, tmp_path: Path) -> None:
    n = 1500
    src = _input(tmp_path / "in.jsonl", n)
    full = tmp_path / "full.jsonl"
    done = _score(src, full, tiny_model_folder)
    _, err = done.communicate(timeout=600)
    assert done.returncode == 3, err.decode()  # the broken lines are error records
    reference = _records(full)
    assert len(reference) == n

    out = tmp_path / "killed.jsonl"
    job = _score(src, out, tiny_model_folder)
    deadline = time.time() + 300
    while time.time() < deadline and job.poll() is None:
        if out.is_file() and out.read_bytes().count(b"\n") >= 100:
            break
        time.sleep(0.02)
    assert job.poll() is None, "the job finished before it could be killed"
    job.send_signal(signal.SIGKILL)
    job.wait(timeout=60)
    assert job.returncode == -signal.SIGKILL
    written = out.read_bytes().count(b"\n")
    assert 100 <= written < n
    with out.open("ab") as fh:  # as if the kill had cut the last line in half
        fh.write(b'{"id": "r9999", "sec')

    resumed = _score(src, out, tiny_model_folder, "--resume")
    _, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 3, err.decode()
    _same(_records(out), reference)


def test_resume_refuses_an_output_from_another_input(tiny_model_folder: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "x1"}\n{"id": "x2"}\n', encoding="utf-8")
    src = _input(tmp_path / "in.jsonl", 5)
    job = _score(src, out, tiny_model_folder, "--resume")
    _, err = job.communicate(timeout=300)
    assert job.returncode == 1
    assert "E403" in err.decode() and "not from this input" in err.decode()


def test_completed_output_of_an_empty_or_garbled_file(tmp_path: Path) -> None:
    p = tmp_path / "o.jsonl"
    p.write_bytes(b'{"id": "a", "sect')
    assert completed_output(p) == (0, None) and p.read_bytes() == b""
    p.write_bytes(b"not json\n")
    with pytest.raises(ResumeError):
        completed_output(p)


def test_score_command_rejects_unknown_tasks(tiny_model_folder: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from policynlp.cli import app

    src = _input(tmp_path / "in.jsonl", 3)
    result = CliRunner().invoke(app, ["score", str(src), "-o", str(tmp_path / "o.jsonl"),
                                      "--model", str(tiny_model_folder), "--tasks", "mood"])
    assert result.exit_code == 2 and "unknown task" in result.output


@pytest.mark.slow
def test_memory_stays_flat_over_200k_records(tiny_model_folder: Path, tmp_path: Path) -> None:
    from policynlp.engine import ScoringEngine, score_file

    src = _input(tmp_path / "in.jsonl", 200_000)
    engine = ScoringEngine.from_model_path(tiny_model_folder, device="cpu")
    samples: list[float] = []

    def rss(_: object, stats: Any) -> None:
        if stats.documents % 10_000 == 0:
            with open("/proc/self/statm") as fh:
                samples.append(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20)

    stats = score_file(engine, src, tmp_path / "out.jsonl", on_record=rss)
    assert stats.documents == 200_000
    steady = samples[2:]
    assert max(steady) - min(steady) < 200
