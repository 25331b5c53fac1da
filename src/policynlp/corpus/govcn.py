"""gov.cn listing labels: sectors from gov.cn's own topics, plus our own annotations.

``corpora/govcn_labels.jsonl`` holds one record per labelled row of the shared
``listing_sample.csv``, keyed by the document's URL and carrying no text:

``{"url": …, "topic": "工业、交通\\信息产业（含电信）", "sectors_mapped": [...],
"sectors": [...] | null, "risk": "low" | null, "dual_use": false | null, "annotator": "a1"}``

``sectors_mapped`` comes from gov.cn's topic through the mapping table shipped with the label
schema; ``sectors``, ``risk`` and ``dual_use`` are our own reading of the title and opening
(null where a row was not annotated). :func:`load_govcn` joins the labels with the CSV when
the shared data is present and yields labelled records ready for training or evaluation.

Example:
    >>> labels = [{"url": "u1", "topic": "x", "sectors_mapped": ["energy"], "sectors": None,
    ...            "risk": None, "dual_use": None}]
    >>> rows = {"u1": {"title": "关于印发能源规划的通知", "summary": "为推动能源…", "pub_date": "2022-01-01"}}
    >>> [(r["id"], r["sectors"], r["text"]) for r in join_labels(labels, rows)]
    [('u1', ['energy'], '关于印发能源规划的通知\\n为推动能源…')]
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

#: The shared gov.cn listing sample, relative to the repository root.
GOVCN_CSV = Path("..") / "shared" / "data" / "govcn" / "listing_sample.csv"


def read_listing(path: str | Path) -> dict[str, dict[str, str]]:
    """The rows of the gov.cn listing CSV, keyed by URL."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return {row["url"]: row for row in csv.DictReader(fh)}


def join_labels(labels: Iterable[dict[str, Any]], rows: dict[str, dict[str, str]], *,
                own_only: bool = False) -> Iterator[dict[str, Any]]:
    """Labelled records (id = URL, text = title + opening) for the labels whose row exists.

    ``sectors`` is our own annotation where there is one, else gov.cn's mapped sectors;
    with ``own_only`` only our annotated rows come out (they also carry risk and dual use).
    """
    for lab in labels:
        row = rows.get(lab["url"])
        if row is None:
            continue
        own = lab.get("sectors") is not None
        if own_only and not own:
            continue
        summary = (row.get("summary") or "").strip()
        text = row["title"] + ("\n" + summary if summary else "")
        rec: dict[str, Any] = {
            "id": lab["url"], "lang": "zh", "date": row.get("pub_date") or None,
            "title": row["title"], "text": text, "source": "gov.cn",
            "sectors": list(lab["sectors"] if own else lab.get("sectors_mapped") or []),
        }
        if own:
            rec["risk"] = {"level": lab.get("risk"), "channels": lab.get("channels") or []}
            rec["dual_use"] = {"relevant": lab.get("dual_use"), "evidence": []}
        yield rec


def load_govcn(labels_path: str | Path, csv_path: str | Path | None = None, *,
               own_only: bool = False) -> list[dict[str, Any]]:
    """Join ``govcn_labels.jsonl`` with the shared CSV; an empty list when the CSV is absent."""
    labels_path = Path(labels_path)
    csv_file = Path(csv_path) if csv_path else labels_path.resolve().parents[1] / GOVCN_CSV
    if not csv_file.is_file():
        return []
    with labels_path.open(encoding="utf-8") as fh:
        labels = [json.loads(line) for line in fh if line.strip()]
    return list(join_labels(labels, read_listing(csv_file), own_only=own_only))


__all__ = ["GOVCN_CSV", "join_labels", "load_govcn", "read_listing"]
