"""JSON Lines: streaming reader of input records and writer of output records."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from policynlp.data import Analysis
from policynlp.errors import EncodingError, MalformedRecordError, UnreadableFileError
from policynlp.io.records import BadRecord, InputItem, document_from_mapping


def _open_binary(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as err:
        raise UnreadableFileError(f"cannot open: {err.strerror}", path=str(path)) from None


def read_jsonl(path: str | Path) -> Iterator[InputItem]:
    """Stream the records of a JSONL file, one :class:`Document` or :class:`BadRecord` a line.

    Lines are decoded one at a time, so a 10-million-line file is never held in memory, and
    a line with invalid UTF-8 or broken JSON becomes a ``BadRecord`` that names its line.
    Blank lines are skipped. A record without ``id`` gets its 1-based line number.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "in.jsonl"
        >>> _ = p.write_text('{"text": "国务院"}\\n{broken\\n', encoding="utf-8")
        >>> [type(r).__name__ for r in read_jsonl(p)]
        ['Document', 'BadRecord']
    """
    path = Path(path)
    with _open_binary(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            rid = str(lineno)
            where = f"line {lineno}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield BadRecord(rid, EncodingError(
                    f"{where} is not valid UTF-8 (byte {err.start} of the line)",
                    path=str(path), record_id=rid))
                continue
            try:
                obj: Any = json.loads(line)
            except json.JSONDecodeError as err:
                yield BadRecord(rid, MalformedRecordError(
                    f"{where} is not valid JSON ({err.msg} at column {err.colno})",
                    path=str(path), record_id=rid))
                continue
            yield document_from_mapping(obj, rid, where=where, path=str(path))


def read_jsonl_dicts(path: str | Path) -> Iterator[dict[str, Any]]:
    """Stream the JSON objects of a JSONL file written by policynlp (outputs, gold files).

    Unlike :func:`read_jsonl` this raises on a bad line: it is meant for files policynlp
    wrote itself, where a bad line is a real fault.

    Raises:
        MalformedRecordError: a line is not a JSON object.
    """
    path = Path(path)
    with _open_binary(path) as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise MalformedRecordError(f"line {lineno} cannot be read: {err}",
                                           path=str(path)) from None
            if not isinstance(obj, dict):
                raise MalformedRecordError(f"line {lineno} is not a JSON object", path=str(path))
            yield obj


class JsonlWriter:
    """Write one JSON object a line, flushed after each line.

    Each line is written whole and flushed at once, so a killed job leaves at most the
    lines it finished (resuming relies on this). ``path="-"`` writes to standard output.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
        >>> with JsonlWriter(p) as w:
        ...     w.write(Analysis.failed("1", "E101", "the text is empty"))
        >>> p.read_text(encoding="utf-8").count("\\n")
        1
    """

    def __init__(self, path: str | Path, *, append: bool = False, fsync: bool = False) -> None:
        self.path = str(path)
        self._fsync = fsync
        if self.path == "-":
            import sys

            self._fh: IO[str] = sys.stdout
            self._owned = False
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a" if append else "w", encoding="utf-8", newline="\n")
            self._owned = True
        self.count = 0

    def write(self, record: Analysis | dict[str, Any]) -> None:
        obj = record.to_dict() if isinstance(record, Analysis) else record
        self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self._fh.flush()
        if self._fsync and self._owned:
            os.fsync(self._fh.fileno())
        self.count += 1

    def close(self) -> None:
        if self._owned and not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


__all__ = ["BadRecord", "JsonlWriter", "read_jsonl", "read_jsonl_dicts"]
