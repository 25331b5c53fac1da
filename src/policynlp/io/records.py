"""What readers yield: a document, or the reason a record could not be read.

Readers never raise for one bad record: they yield a :class:`BadRecord` in its place so a
batch job can write an error record there and go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policynlp.data import Document
from policynlp.errors import PolicyNLPError


@dataclass
class BadRecord:
    """A record that could not be read, with its id (the line or row number when unknown)."""

    id: str
    error: PolicyNLPError


InputItem = Document | BadRecord


def document_from_mapping(
    row: Any, default_id: str, *, where: str, path: str | None = None
) -> InputItem:
    """Turn one raw row (a JSON object, a Parquet or datasets row) into a document.

    Args:
        row: the decoded row; anything but a mapping is a malformed record.
        default_id: the id to use when the row has none (its 1-based line or row number).
        where: a human description of the position, e.g. ``"line 17"``.
        path: the file the row came from, named in error messages.

    Example:
        >>> document_from_mapping({"text": "你好"}, "3", where="line 3").id
        '3'
    """
    from policynlp.errors import MalformedRecordError

    if not isinstance(row, dict):
        return BadRecord(
            default_id,
            MalformedRecordError(
                f"{where} is a JSON {type(row).__name__}, not an object", path=path,
                record_id=default_id,
            ),
        )
    try:
        return Document.from_dict(row, default_id=default_id)
    except PolicyNLPError as err:
        rid = row.get("id", default_id)
        err.record_id = str(rid) if rid is not None else default_id
        err.path = path
        err.message = f"{where}: {err.message}"
        return BadRecord(err.record_id, err)
