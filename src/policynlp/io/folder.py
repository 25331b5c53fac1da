"""Folders of ``.txt``/``.md`` files and Hugging Face ``datasets.Dataset`` objects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from policynlp.data import Document
from policynlp.errors import EncodingError, UnreadableFileError
from policynlp.io.records import BadRecord, InputItem, document_from_mapping

TEXT_SUFFIXES = (".txt", ".md")


def read_folder(path: str | Path) -> Iterator[InputItem]:
    """Yield one document per ``.txt``/``.md`` file under ``path``, in sorted path order.

    The id is the file's path relative to the folder without its suffix (``notices/2024-01``),
    ``source`` the relative path; a Markdown file's first ``# heading`` becomes its title.
    A file that is not valid UTF-8 or cannot be read becomes a :class:`BadRecord`.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.txt").write_text("国务院关于…的通知", encoding="utf-8")
        >>> [r.id for r in read_folder(d)]
        ['a']
    """
    root = Path(path)
    if not root.is_dir():
        raise UnreadableFileError("is not a folder", path=str(root))
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    for file in files:
        yield read_text_file(file, root)


def read_text_file(file: str | Path, root: str | Path | None = None) -> InputItem:
    """Read one text file as a document; its id is the path relative to ``root`` sans suffix.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "notice.md"
        >>> _ = f.write_text("# 通知\\n正文", encoding="utf-8")
        >>> read_text_file(f).title
        '通知'
    """
    file = Path(file)
    rel = file.relative_to(root) if root is not None else Path(file.name)
    rid = rel.with_suffix("").as_posix()
    try:
        raw = file.read_bytes()
    except OSError as err:
        return BadRecord(rid, UnreadableFileError(f"cannot read: {err.strerror}",
                                                  path=str(file), record_id=rid))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return BadRecord(rid, EncodingError(f"not valid UTF-8 at byte {err.start}",
                                            path=str(file), record_id=rid))
    title = None
    if file.suffix.lower() == ".md":
        first = text.lstrip().split("\n", 1)[0]
        if first.startswith("# "):
            title = first[2:].strip()
    return Document(id=rid, text=text, title=title, source=rel.as_posix())


def read_dataset(dataset: Iterable[dict[str, Any]]) -> Iterator[InputItem]:
    """Yield the records of a Hugging Face ``datasets.Dataset`` (or any iterable of dicts).

    Rows without ``id`` get their 1-based row number.

    Example:
        >>> from datasets import Dataset
        >>> ds = Dataset.from_list([{"id": "a", "text": "国务院"}, {"text": "MIIT"}])
        >>> [r.id for r in read_dataset(ds)]
        ['a', '2']
    """
    for row, obj in enumerate(dataset, start=1):
        if isinstance(obj, dict):
            obj = {k: v for k, v in obj.items() if v is not None or k == "text"}
        yield document_from_mapping(obj, str(row), where=f"row {row}")


def documents_to_dataset(docs: Iterable[Document]) -> Any:
    """Build a ``datasets.Dataset`` from documents (the inverse of :func:`read_dataset`)."""
    from datasets import Dataset

    return Dataset.from_list([d.to_dict() for d in docs])


__all__ = ["BadRecord", "documents_to_dataset", "read_dataset", "read_folder", "read_text_file"]
