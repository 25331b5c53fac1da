from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import SPEC_OUTPUT_EXAMPLE
from policynlp.data import Analysis, Document
from policynlp.errors import UnknownFormatError, UnreadableFileError
from policynlp.io import (
    BadRecord,
    JsonlWriter,
    ParquetWriter,
    documents_to_dataset,
    infer_input_format,
    open_writer,
    read_analyses,
    read_dataset,
    read_documents,
    read_folder,
    read_jsonl,
    read_parquet,
)

DOCS = [
    Document(id="a", text="国务院关于印发《“十四五”数字经济发展规划》的通知", lang="zh",
             date="2022-01-12", title="数字经济规划", source="gov.cn"),
    Document(id="b", text="MIIT released measures to cultivate SME clusters.", lang="en"),
    Document(id="c", text="全角数字２０２５年\n第二行", meta={"url": "https://www.gov.cn/c"}),
]


def _analyses() -> list[Analysis]:
    good = Analysis.from_dict(SPEC_OUTPUT_EXAMPLE)
    bare = Analysis(id="x", lang="en")
    return [good, Analysis.failed("bad", "E104", "line 2 is not valid JSON"), bare]


def test_jsonl_reader_round_trips_documents(tmp_path: Path) -> None:
    p = tmp_path / "in.jsonl"
    p.write_text("".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in DOCS),
                 encoding="utf-8")
    assert list(read_jsonl(p)) == DOCS


def test_jsonl_reader_reports_bad_lines_by_number(tmp_path: Path) -> None:
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'{"text": "ok"}\n'
                  b'{"text": "broken"\n'
                  b'\n'
                  b'[1, 2]\n'
                  b'{"id": "k", "nottext": 1}\n'
                  b'{"text": "\xff\xfe bad bytes"}\n'
                  b'{"text": "last"}')
    items = list(read_jsonl(p))
    assert [type(i).__name__ for i in items] == [
        "Document", "BadRecord", "BadRecord", "BadRecord", "BadRecord", "Document"]
    assert items[0].id == "1" and items[-1].id == "7"
    codes = [(i.id, i.error.code) for i in items if isinstance(i, BadRecord)]
    assert codes == [("2", "E104"), ("4", "E104"), ("k", "E105"), ("6", "E103")]
    assert "line 2" in str(items[1].error) and str(p) in str(items[1].error)
    assert "line 5" in str(items[3].error)


def test_jsonl_missing_file() -> None:
    with pytest.raises(UnreadableFileError):
        list(read_jsonl("/nonexistent/in.jsonl"))


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_output_round_trip(tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"out{suffix}"
    writer = open_writer(p)
    for a in _analyses():
        writer.write(a)
    writer.close()
    back = list(read_analyses(p))
    assert [b.to_dict() for b in back] == [a.to_dict() for a in _analyses()]


def test_parquet_writer_uses_several_row_groups(tmp_path: Path) -> None:
    p = tmp_path / "out.parquet"
    with ParquetWriter(p, row_group_size=2) as w:
        for i in range(5):
            w.write(Analysis(id=str(i), lang="zh"))
    assert pq.ParquetFile(p).metadata.num_row_groups == 3
    assert [a.id for a in read_analyses(p)] == ["0", "1", "2", "3", "4"]


def test_jsonl_writer_appends(tmp_path: Path) -> None:
    p = tmp_path / "out.jsonl"
    with JsonlWriter(p) as w:
        w.write(Analysis(id="1", lang="zh"))
    with JsonlWriter(p, append=True) as w:
        w.write(Analysis(id="2", lang="en"))
    assert [a.id for a in read_analyses(p)] == ["1", "2"]


def test_parquet_input_reader(tmp_path: Path) -> None:
    p = tmp_path / "in.parquet"
    rows = [d.to_dict() for d in DOCS[:2]] + [{"id": "n", "text": None}]
    pq.write_table(pa.Table.from_pylist(rows), p)
    items = list(read_parquet(p, batch_size=2))
    assert items[:2] == DOCS[:2]
    assert isinstance(items[2], BadRecord) and items[2].error.code == "E109"


def test_parquet_input_without_ids_uses_row_numbers(tmp_path: Path) -> None:
    p = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["一", "二", "三"]}), p)
    assert [d.id for d in read_parquet(p)] == ["1", "2", "3"]


def test_folder_reader(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("国务院通知", encoding="utf-8")
    (tmp_path / "sub" / "a.md").write_text("# 标题\n正文", encoding="utf-8")
    (tmp_path / "c.txt").write_bytes("GBK 编码".encode("gbk"))
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF-1.4")
    items = list(read_folder(tmp_path))
    assert [i.id for i in items] == ["b", "c", "sub/a"]
    assert items[0] == Document(id="b", text="国务院通知", source="b.txt")
    assert isinstance(items[1], BadRecord) and items[1].error.code == "E103"
    assert items[2].title == "标题" and items[2].source == "sub/a.md"


def test_hf_dataset_round_trip() -> None:
    docs = [DOCS[0], DOCS[1]]
    ds = documents_to_dataset(docs)
    back = list(read_dataset(ds))
    assert [d.to_dict() for d in back] == [d.to_dict() for d in docs]


def test_format_inference(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "x.docx").write_bytes(b"PK")
    (tmp_path / "plain.txt").write_text("国务院关于印发某规划的通知。", encoding="utf-8")
    assert infer_input_format(tmp_path / "x.jsonl") == "jsonl"
    assert infer_input_format(tmp_path) == "folder"
    assert infer_input_format(tmp_path / "plain.txt") == "text"
    with pytest.raises(UnknownFormatError) as info:
        infer_input_format(tmp_path / "x.docx")
    assert info.value.code == "E401"
    with pytest.raises(UnreadableFileError):
        infer_input_format(tmp_path / "missing.jsonl")
    [doc] = list(read_documents(tmp_path / "plain.txt"))
    assert doc.id == "plain" and doc.text.startswith("国务院")
