"""Validate output and labelled records against the shipped JSON Schemas and the label schema.

JSON Schema checks the shape (field names, types, value sets); the label schema checks the
label ids; offsets are checked against the text when it is at hand.

Example:
    >>> check_output_record({"id": "1", "error": {"code": "E101", "message": "empty"}})
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from policynlp.errors import InvalidRecordError


@cache
def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` (``"output"`` or ``"labelled"``) shipped in the package."""
    text = resources.files("policynlp.schema").joinpath(f"{kind}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(json_schema(kind))


def _leaf_errors(error: Any, obj: Any) -> list[Any]:
    """Replace a ``oneOf`` failure by the errors of the branch the record was meant to match.

    The output schema is ``oneOf`` [analysis, error record]; without this, every mistake in an
    analysis would be reported as "is not valid under any of the given schemas".
    """
    if error.validator != "oneOf" or not error.context:
        return [error]
    wanted = 1 if isinstance(error.instance, dict) and "error" in error.instance else 0
    branch = [e for e in error.context if e.relative_schema_path[0] == wanted]
    out: list[Any] = []
    for e in branch or list(error.context):
        out += _leaf_errors(e, obj)
    return out


def _shape_errors(kind: str, obj: Any) -> list[str]:
    raw = [leaf for e in _validator(kind).iter_errors(obj) for leaf in _leaf_errors(e, obj)]
    errors = sorted(raw, key=lambda e: [str(p) for p in e.absolute_path])
    out = []
    for e in errors[:5]:
        where = "/".join(str(p) for p in e.absolute_path) or "(record)"
        out.append(f"{where}: {e.message[:200]}")
    return out


def _label_errors(obj: dict[str, Any], *, labelled: bool) -> list[str]:
    from policynlp.schema import load_schema

    schema = load_schema()
    sectors, channels = set(schema.sector_ids), set(schema.risk_channel_ids)
    out: list[str] = []
    if labelled:
        names = list(obj.get("sectors", []))
        chans = list((obj.get("risk") or {}).get("channels", []))
    else:
        names = [s["label"] for s in obj.get("sectors", [])] + list(obj.get("sector_scores", {}))
        chans = [c["label"] for c in (obj.get("risk") or {}).get("channels", [])]
        scores = obj.get("sector_scores") or {}
        if scores and set(scores) != sectors:
            out.append(f"sector_scores must have every sector label when present "
                       f"(missing: {sorted(sectors - set(scores))[:5]})")
    out += [f"unknown sector label {n!r}" for n in names if n not in sectors]
    out += [f"unknown risk channel {c!r}" for c in chans if c not in channels]
    return out


def _span_errors(obj: dict[str, Any], text: str) -> list[str]:
    out: list[str] = []
    n = len(text)
    spans: list[tuple[str, dict[str, Any]]] = []
    spans += [("dual_use.evidence", s) for s in (obj.get("dual_use") or {}).get("evidence", [])]
    spans += [("targets", t) for t in obj.get("targets", [])]
    spans += [("key_dates", k) for k in obj.get("key_dates", [])]
    for where, s in spans:
        start, end = s["start"], s["end"]
        if not 0 <= start < end <= n:
            out.append(f"{where}: span {start}-{end} is outside the text (length {n})")
        elif "text" in s and text[start:end] != s["text"]:
            out.append(f"{where}: text {s['text']!r} does not match the text at {start}-{end} "
                       f"({text[start:end]!r})")
    return out


def _raise(kind: str, obj: Any, problems: list[str]) -> None:
    if problems:
        rid = obj.get("id") if isinstance(obj, dict) else None
        raise InvalidRecordError(f"not a valid {kind} record: " + "; ".join(problems),
                                 record_id=None if rid is None else str(rid))


def check_output_record(obj: Any, text: str | None = None) -> None:
    """Raise :class:`InvalidRecordError` unless ``obj`` is a valid output record.

    Args:
        obj: the decoded JSON object of one output line.
        text: the document text, to check that spans lie inside it and match.
    """
    problems = _shape_errors("output", obj)
    if not problems and "error" not in obj:
        problems = _label_errors(obj, labelled=False)
        if text is not None:
            problems += _span_errors(obj, text)
    _raise("output", obj, problems)


def check_labelled_record(obj: Any) -> None:
    """Raise :class:`InvalidRecordError` unless ``obj`` is a valid labelled record.

    Checks the shape, the label ids and that every span lies inside ``text`` and matches it.

    Example:
        >>> check_labelled_record({"id": "b", "text": "…", "sectors": ["nonsense"],
        ...     "risk": {"level": "low", "channels": []},
        ...     "dual_use": {"relevant": False, "evidence": []}, "targets": [],
        ...     "key_dates": [], "summary": {"at_a_glance": None, "key_points": []}})
        Traceback (most recent call last):
        ...
        policynlp.errors.InvalidRecordError: [E202] record 'b': not a valid labelled record: ...
    """
    problems = _shape_errors("labelled", obj)
    if not problems:
        problems = _label_errors(obj, labelled=True) + _span_errors(obj, obj["text"])
    _raise("labelled", obj, problems)


__all__ = ["check_labelled_record", "check_output_record", "json_schema"]
