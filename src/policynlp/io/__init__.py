"""Readers and writers for every input and output format, chosen by path or by name.

Readers are registered in :data:`READERS` (a plain dict: add your own format there); each
takes a path and yields :class:`~policynlp.data.Document` or :class:`BadRecord` items.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "in.jsonl"
    >>> _ = p.write_text('{"id": "a", "text": "国务院"}\\n', encoding="utf-8")
    >>> [d.id for d in read_documents(p)]
    ['a']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal, Protocol

from policynlp.data import Analysis
from policynlp.errors import UnknownFormatError, UnreadableFileError
from policynlp.io.brief import looks_like_brief, parse_brief, read_brief
from policynlp.io.folder import documents_to_dataset, read_dataset, read_folder, read_text_file
from policynlp.io.jsonl import JsonlWriter, read_jsonl, read_jsonl_dicts
from policynlp.io.parquet import ParquetWriter, read_analyses_parquet, read_parquet
from policynlp.io.records import BadRecord, InputItem

InputFormat = Literal["auto", "jsonl", "parquet", "folder", "brief", "text"]
OutputFormat = Literal["auto", "jsonl", "parquet"]


def _read_text_file(path: str | Path) -> Iterator[InputItem]:
    """A single plain-text document (a ``.txt``/``.md`` file that is not a brief)."""
    yield read_text_file(path)


READERS: dict[str, Callable[[str | Path], Iterator[InputItem]]] = {
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "folder": read_folder,
    "brief": read_brief,
    "text": _read_text_file,
}


def infer_input_format(path: str | Path) -> str:
    """Guess the input format from the path (and, for ``.txt``, from the first few KB).

    Raises:
        UnreadableFileError: the path does not exist.
        UnknownFormatError: the suffix is not one policynlp reads.
    """
    p = Path(path)
    if not p.exists():
        raise UnreadableFileError("does not exist", path=str(p))
    if p.is_dir():
        return "folder"
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".txt", ".md"):
        with p.open("rb") as fh:
            head = fh.read(16384).decode("utf-8", errors="replace")
        return "brief" if looks_like_brief(head) else "text"
    raise UnknownFormatError(f"cannot tell the format of a '{suffix or 'suffix-less'}' file",
                             path=str(p))


def read_documents(path: str | Path, format: InputFormat = "auto") -> Iterator[InputItem]:
    """Stream the documents of a JSONL/Parquet file, a text folder or a brief.

    Args:
        path: file or folder.
        format: one of :data:`READERS`' keys, or ``"auto"`` to infer it from the path.
    """
    fmt = infer_input_format(path) if format == "auto" else format
    if fmt not in READERS:
        raise UnknownFormatError(f"unknown input format {fmt!r}; known: {sorted(READERS)}")
    return READERS[fmt](path)


class RecordWriter(Protocol):
    count: int

    def write(self, record: Analysis) -> None: ...
    def close(self) -> None: ...


def infer_output_format(path: str | Path) -> str:
    if str(path) == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise UnknownFormatError(f"cannot write a '{suffix or 'suffix-less'}' file",
                             path=str(path), hint="Name the output .jsonl or .parquet.")


def open_writer(path: str | Path, format: OutputFormat = "auto",
                *, append: bool = False) -> RecordWriter:
    """Open a writer of output records for ``path`` (``-`` is standard output, as JSONL)."""
    fmt = infer_output_format(path) if format == "auto" else format
    if fmt == "parquet":
        if append:
            raise UnknownFormatError("Parquet output cannot be appended to", path=str(path),
                                     hint="Write JSONL to resume a job, then convert.")
        return ParquetWriter(path)
    return JsonlWriter(path, append=append)


def read_analyses(path: str | Path) -> Iterator[Analysis]:
    """Read output records back from a JSONL or Parquet file written by policynlp."""
    if infer_output_format(path) == "parquet":
        yield from read_analyses_parquet(path)
    else:
        for obj in read_jsonl_dicts(path):
            yield Analysis.from_dict(obj)


__all__ = [
    "READERS",
    "BadRecord",
    "InputItem",
    "JsonlWriter",
    "ParquetWriter",
    "RecordWriter",
    "documents_to_dataset",
    "infer_input_format",
    "infer_output_format",
    "open_writer",
    "parse_brief",
    "read_analyses",
    "read_brief",
    "read_dataset",
    "read_documents",
    "read_folder",
    "read_jsonl",
    "read_jsonl_dicts",
    "read_parquet",
    "read_text_file",
]
