"""Parquet (pyarrow): streaming reader of input records, typed writer/reader of analyses.

Output records are written with an explicit Arrow schema (nested structs, lists and maps)
so that every file has the same columns whatever its first rows hold, and so that readers
in other tools (pandas, DuckDB, Spark) see real types rather than JSON strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from policynlp.data import Analysis
from policynlp.errors import UnreadableFileError
from policynlp.io.records import InputItem, document_from_mapping

_SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64())])
_LABEL_SCORE = pa.struct([("label", pa.string()), ("score", pa.float64()),
                          ("evidence", pa.list_(_SPAN))])
_SCORES = pa.map_(pa.string(), pa.float64())
_BASELINE = pa.struct([("value", pa.float64()), ("unit", pa.string()), ("year", pa.int64()),
                       ("text", pa.string())])
_TARGET = pa.struct([
    ("text", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("metric", pa.string()),
    ("value", pa.float64()), ("value_high", pa.float64()), ("unit", pa.string()),
    ("unit_text", pa.string()), ("comparator", pa.string()), ("direction", pa.string()),
    ("deadline", pa.string()), ("deadline_text", pa.string()), ("baseline", _BASELINE),
    ("score", pa.float64()),
])
_KEY_DATE = pa.struct([("type", pa.string()), ("date", pa.string()), ("text", pa.string()),
                       ("start", pa.int64()), ("end", pa.int64()), ("duration", pa.string())])

#: The Arrow schema of an output record (SPEC section 3); error records fill ``error`` only.
ANALYSIS_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("lang", pa.string()),
    ("sectors", pa.list_(_LABEL_SCORE)),
    ("sector_scores", _SCORES),
    ("risk", pa.struct([("level", pa.string()), ("scores", _SCORES),
                        ("channels", pa.list_(_LABEL_SCORE)), ("evidence", pa.list_(_SPAN)),
                        ("channel_scores", _SCORES)])),
    ("dual_use", pa.struct([("relevant", pa.bool_()), ("score", pa.float64()),
                            ("evidence", pa.list_(_SPAN))])),
    ("targets", pa.list_(_TARGET)),
    ("key_dates", pa.list_(_KEY_DATE)),
    ("summary", pa.struct([("at_a_glance", pa.string()), ("key_points", pa.list_(pa.string()))])),
    ("model", pa.struct([("name", pa.string()), ("version", pa.string()),
                         ("components", pa.list_(pa.string()))])),
    ("error", pa.struct([("code", pa.string()), ("message", pa.string())])),
])


def _open(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (OSError, pa.ArrowInvalid) as err:
        raise UnreadableFileError(f"cannot read as Parquet: {err}", path=str(path)) from None


def read_parquet(path: str | Path, *, batch_size: int = 1024) -> Iterator[InputItem]:
    """Stream the input records of a Parquet file, batch by batch.

    A row without ``id`` gets its 1-based row number; a row that does not make a document
    (no ``text`` column, a non-string text) becomes a :class:`BadRecord`.

    Example:
        >>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "in.parquet"
        >>> pq.write_table(pa.table({"text": ["国务院", None]}), p)
        >>> [type(r).__name__ for r in read_parquet(p)]
        ['Document', 'BadRecord']
    """
    path = Path(path)
    pf = _open(path)
    row = 0
    for batch in pf.iter_batches(batch_size=batch_size):
        for obj in batch.to_pylist():
            row += 1
            clean = {k: v for k, v in obj.items() if v is not None or k == "text"}
            yield document_from_mapping(clean, str(row), where=f"row {row}", path=str(path))


def _plain(obj: Any) -> Any:
    """Arrow maps come back as lists of pairs: turn them into dicts, drop null keys."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        if obj and all(isinstance(x, tuple) and len(x) == 2 for x in obj):
            return {k: v for k, v in obj}
        return [_plain(x) for x in obj]
    return obj


def read_analyses_parquet(path: str | Path) -> Iterator[Analysis]:
    """Read back the output records of a Parquet file written by :class:`ParquetWriter`."""
    pf = _open(Path(path))
    for batch in pf.iter_batches(batch_size=1024):
        for obj in batch.to_pylist():
            d = _plain(obj)
            for key in ("sector_scores",):
                if isinstance(d.get(key), list) and not d[key]:
                    d[key] = {}
            for key in ("scores", "channel_scores"):
                if d.get("risk") and isinstance(d["risk"].get(key), list):
                    d["risk"][key] = {}
            yield Analysis.from_dict(d)


class ParquetWriter:
    """Write output records to Parquet with :data:`ANALYSIS_SCHEMA`, in row groups.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.parquet"
        >>> with ParquetWriter(p) as w:
        ...     w.write(Analysis.failed("1", "E101", "the text is empty"))
        >>> next(read_analyses_parquet(p)).error.code
        'E101'
    """

    def __init__(self, path: str | Path, *, row_group_size: int = 1000) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(self.path, ANALYSIS_SCHEMA)
        self._rows: list[dict[str, Any]] = []
        self._row_group_size = row_group_size
        self.count = 0

    def write(self, record: Analysis) -> None:
        d = record.to_dict()
        if "error" not in d:
            d["error"] = None
        self._rows.append(d)
        self.count += 1
        if len(self._rows) >= self._row_group_size:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=ANALYSIS_SCHEMA))
            self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()

    def __enter__(self) -> ParquetWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


__all__ = ["ANALYSIS_SCHEMA", "ParquetWriter", "read_analyses_parquet", "read_parquet"]
