"""Check the labelled corpus files: shapes, label ids, spans, values and dates.

``policynlp corpus validate PATH`` runs :func:`validate_path` on a file or on every ``.jsonl``
under a folder. Five kinds of file live under ``corpora/``, told apart by their records' keys:

* full labelled records (``text`` and ``sectors``; SPEC section 3) — the JSON Schema, label
  ids, every span inside the text and equal to it, every target value readable from its span,
  real ISO dates;
* target-only records (``text`` and ``targets``, no ``sectors``) — the development sets of the
  target extractor: spans, values and dates as above;
* offset labels on shared texts (``segments``) — e.g. the Government Work Report targets;
  spans are checked against the shared text when ``../shared/data`` is present;
* gov.cn labels (``url``) — label ids and label sources;
* a second annotator's labels (``id``, ``sectors``, ``risk``, no text) — label ids and dates.

Example:
    >>> rec = {"id": "x", "text": "培育200个集群", "targets": [{"text": "培育200个集群",
    ...        "start": 0, "end": 8, "value": 300, "unit": "item", "comparator": "exact"}]}
    >>> [p.message for p in validate_record(rec, "f.jsonl", 1)]
    ['targets[0]: value 300 cannot be read from its span "培育200个集群"']
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policynlp.errors import InvalidRecordError

#: Where the shared development data is expected, relative to the repository root.
SHARED_GWR = Path("..") / "shared" / "data" / "gwr" / "government_work_reports_1954_2013.jsonl"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where it is and what is wrong."""

    path: str
    line: int
    record_id: str | None
    message: str

    def __str__(self) -> str:
        rid = f" ({self.record_id})" if self.record_id else ""
        return f"{self.path}:{self.line}{rid}: {self.message}"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def value_readable(span: str, lang: str, value: float, value_high: float | None = None,
                   context: str = "") -> bool:
    """Whether ``value`` (and ``value_high``) can be read from the target's span text.

    The span's numbers are read with their units the way the extractor reads them (万/亿,
    Chinese numerals, ranges, currencies, 万千瓦 → W …); a bare number counts as it is.
    ``context`` is the text right before the span (a unit may depend on it: 每斤提高3分、5分).

    Example:
        >>> value_readable("粮食产量1.3万亿斤以上", "zh", 1.3e12)
        True
        >>> value_readable("国内生产总值增长6%－6.5%", "zh", 6, 6.5)
        True
    """
    from policynlp.extract.numbers import find_numbers
    from policynlp.extract.targets import _read_quantity

    full = context + span
    nums = [n for n in find_numbers(full, lang) if n.start >= len(context)]
    for i, num in enumerate(nums):
        q, _ = _read_quantity(full, num, nums, i, lang)
        candidates = [(q.value, q.value_high), (num.value, None)]
        if num.kind == "fraction":
            candidates.append((num.value * 100, None))
        for v, vh in candidates:
            if _close(v, value) and (value_high is None or (vh is not None and _close(
                    vh, value_high)) or any(_close(n.value * (q.value / num.value if num.value
                                                              else 1), value_high)
                                            for n in nums[i + 1:])):
                return True
    return False


def _date_ok(s: str | None) -> bool:
    if s is None:
        return True
    try:
        dt.date.fromisoformat(s)
    except (TypeError, ValueError):
        return False
    return True


def _target_problems(rec: dict[str, Any], text: str, lang: str) -> list[str]:
    out = []
    for i, t in enumerate(rec.get("targets", [])):
        where = f"targets[{i}]"
        s, e = t.get("start"), t.get("end")
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            out.append(f"{where}: span {s}-{e} is outside the text (length {len(text)})")
            continue
        span = text[s:e]
        if "text" in t and t["text"] != span:
            out.append(f"{where}: text {t['text']!r} differs from the span {span!r}")
        if not value_readable(span, lang, float(t["value"]), t.get("value_high"),
                              text[max(0, s - 20):s]):
            out.append(f'{where}: value {t["value"]:g} cannot be read from its span "{span}"')
        if not _date_ok(t.get("deadline")):
            out.append(f"{where}: deadline {t.get('deadline')!r} is not a real ISO date")
    for i, k in enumerate(rec.get("key_dates", [])):
        if not _date_ok(k.get("date")):
            out.append(f"key_dates[{i}]: date {k.get('date')!r} is not a real ISO date")
    return out


def _kind(rec: dict[str, Any]) -> str:
    if "segments" in rec:
        return "offsets"
    if "url" in rec:
        return "govcn"
    if "text" in rec and "sectors" in rec:
        return "labelled"
    if "text" in rec and "targets" in rec:
        return "targets"
    if "id" in rec and "sectors" in rec and "risk" in rec:
        return "labels"
    return "unknown"


def validate_record(rec: Any, path: str, line: int,
                    shared_texts: dict[str, str] | None = None) -> list[Problem]:
    """Every problem of one corpus record (an empty list when it is valid)."""
    if not isinstance(rec, dict):
        return [Problem(path, line, None, "not a JSON object")]
    rid = rec.get("id") or rec.get("url")
    problems: list[str] = []
    kind = _kind(rec)
    if kind == "labelled":
        from policynlp.schema.validate import check_labelled_record

        try:
            check_labelled_record(rec)
        except InvalidRecordError as err:
            problems.append(err.message)
        else:
            problems += _target_problems(rec, rec["text"], rec.get("lang") or "zh")
    elif kind == "targets":
        problems += _target_problems(rec, rec["text"], rec.get("lang") or "en")
    elif kind == "offsets":
        text = (shared_texts or {}).get(str(rec.get("id")))
        if text is not None:
            problems += _target_problems(rec, text, "zh")
        for seg in rec.get("segments", []):
            if text is not None and not 0 <= seg["start"] < seg["end"] <= len(text):
                problems.append(f"segment {seg['start']}-{seg['end']} is outside the text")
    elif kind == "govcn":
        problems += _govcn_problems(rec)
    elif kind == "labels":  # a second annotator's labels, keyed by id (no text)
        problems += _second_pass_problems(rec)
    else:
        problems.append("unknown record kind: expected text+sectors, text+targets, segments, "
                        "url or id+sectors+risk")
    return [Problem(path, line, str(rid) if rid is not None else None, m) for m in problems]


def _govcn_problems(rec: dict[str, Any]) -> list[str]:
    from policynlp.schema import load_schema

    schema = load_schema()
    out = []
    for key in ("sectors_mapped", "sectors"):
        for s in rec.get(key) or []:
            if s not in schema.sector_ids:
                out.append(f"{key}: unknown sector label {s!r}")
    risk = rec.get("risk")
    if risk is not None and risk not in schema.risk_level_ids:
        out.append(f"risk: unknown level {risk!r}")
    if "dual_use" in rec and rec["dual_use"] not in (True, False, None):
        out.append(f"dual_use: must be true, false or null, not {rec['dual_use']!r}")
    return out


def _second_pass_problems(rec: dict[str, Any]) -> list[str]:
    from policynlp.schema import load_schema

    schema = load_schema()
    out = [f"unknown sector label {s!r}" for s in rec.get("sectors", [])
           if s not in schema.sector_ids]
    risk = rec.get("risk") or {}
    if risk.get("level") not in schema.risk_level_ids:
        out.append(f"risk: unknown level {risk.get('level')!r}")
    out += [f"unknown risk channel {c!r}" for c in risk.get("channels", [])
            if c not in schema.risk_channel_ids]
    for i, t in enumerate(rec.get("targets", [])):
        if not _date_ok(t.get("deadline")):
            out.append(f"targets[{i}]: deadline {t.get('deadline')!r} is not a real ISO date")
    return out


def _shared_texts(root: Path) -> dict[str, str] | None:
    for base in (root, *root.parents):
        candidate = base / SHARED_GWR
        if candidate.is_file():
            with candidate.open(encoding="utf-8") as fh:
                return {r["id"]: r["text"] for r in map(json.loads, fh)}
    return None


def iter_corpus_files(path: Path) -> Iterator[Path]:
    """``path`` itself, or every ``.jsonl`` under it, in a stable order."""
    if path.is_file():
        yield path
    else:
        yield from sorted(p for p in path.rglob("*.jsonl") if p.is_file())


def validate_path(path: str | Path) -> tuple[int, list[Problem]]:
    """Validate a corpus file or folder; returns (records checked, problems)."""
    root = Path(path).resolve()
    shared = None
    n = 0
    problems: list[Problem] = []
    for file in iter_corpus_files(root):
        with file.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                n += 1
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as err:
                    problems.append(Problem(str(file), line_no, None, f"not JSON: {err.msg}"))
                    continue
                if isinstance(rec, dict) and "segments" in rec and shared is None:
                    shared = _shared_texts(root) or {}
                problems += validate_record(rec, str(file), line_no, shared)
    return n, problems


__all__ = ["Problem", "iter_corpus_files", "validate_path", "validate_record", "value_readable"]
