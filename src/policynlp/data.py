"""The one data model of policynlp: documents in, analyses out, all offsets in characters.

Every stage reads a :class:`Document` and fills an :class:`Analysis`; the JSON produced by
``to_dict`` is exactly the output record of SPEC section 3, and ``from_dict`` reads it back.
A :class:`LabelledRecord` is an input document plus gold labels as an annotator writes them.

Offsets (``start``/``end``) are Python string indices into ``Document.text`` (code points,
end exclusive), so ``doc.text[span.start:span.end]`` is the evidence.

Example:
    >>> doc = Document(id="doc-1", text="到2025年，培育200个左右特色产业集群。")
    >>> a = Analysis.empty(doc.id, lang="zh")
    >>> a.to_dict()["sectors"]
    []
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Literal

from policynlp.errors import InvalidFieldError, MissingFieldError

Lang = Literal["zh", "en"]
RiskLevel = Literal["low", "medium", "high"]
Comparator = Literal["approx", "at_least", "at_most", "range", "exact"]
Direction = Literal["increase", "decrease", "level"]
KeyDateType = Literal["effective", "expires", "validity"]

SUPPORTED_LANGS: tuple[str, ...] = ("zh", "en")
#: Fields of an input record that policynlp interprets; any other field is kept in ``meta``.
DOCUMENT_FIELDS: tuple[str, ...] = ("id", "text", "lang", "title", "date", "source")


def _check_iso_date(value: Any, name: str, record_id: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidFieldError(
            f"'{name}' must be an ISO date string such as '2024-03-05', not {type(value).__name__}",
            record_id=record_id,
        )
    try:
        _dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidFieldError(
            f"'{name}' is {value!r}, not an ISO date such as '2024-03-05'", record_id=record_id
        ) from None
    return value


@dataclass(frozen=True)
class Span:
    """A character span of the document text (end exclusive)."""

    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(start=int(d["start"]), end=int(d["end"]))


@dataclass
class Document:
    """An input document.

    Only ``text`` is required by the record format; readers give ``id`` the line number
    when it is absent. Fields other than those of SPEC section 3 are kept in ``meta`` and
    written back unchanged.

    Example:
        >>> Document.from_dict({"text": "国务院关于…的通知"}, default_id="1").id
        '1'
    """

    id: str
    text: str
    lang: str | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "text": self.text}
        for name in ("lang", "title", "date", "source"):
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        d.update(self.meta)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], default_id: str | None = None) -> Document:
        """Build a document from an input record, checking field types.

        Raises:
            MissingFieldError: no ``text`` field.
            InvalidFieldError: a field has the wrong type or a date is not ISO.
        """
        raw_id = d.get("id", default_id)
        record_id = None if raw_id is None else str(raw_id)
        if "text" not in d:
            raise MissingFieldError("the record has no 'text' field", record_id=record_id)
        text = d["text"]
        if not isinstance(text, str):
            raise InvalidFieldError(
                f"'text' must be a string, not {type(text).__name__}", record_id=record_id
            )
        if record_id is None:
            raise InvalidFieldError("the record has no 'id' and no default was given")
        for name in ("lang", "title", "source"):
            value = d.get(name)
            if value is not None and not isinstance(value, str):
                raise InvalidFieldError(
                    f"'{name}' must be a string, not {type(value).__name__}", record_id=record_id
                )
        meta = {k: v for k, v in d.items() if k not in DOCUMENT_FIELDS}
        return cls(
            id=record_id,
            text=text,
            lang=d.get("lang") or None,
            title=d.get("title"),
            date=_check_iso_date(d.get("date"), "date", record_id),
            source=d.get("source"),
            meta=meta,
        )


@dataclass
class LabelScore:
    """A label with its calibrated score and, optionally, its evidence spans."""

    label: str
    score: float
    evidence: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"label": self.label, "score": round(float(self.score), 6)}
        if self.evidence:
            d["evidence"] = [s.to_dict() for s in self.evidence]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LabelScore:
        return cls(
            label=d["label"],
            score=float(d["score"]),
            evidence=[Span.from_dict(s) for s in d.get("evidence", [])],
        )


@dataclass
class Baseline:
    """What a target is measured against: a quantity ("up from CNY 100 billion") and/or a
    reference year (比2020年下降13.5% → ``year=2020`` with no value)."""

    value: float | None = None
    unit: str | None = None
    year: int | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "year": self.year, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Baseline:
        value = d.get("value")
        return cls(value=None if value is None else float(value), unit=d.get("unit"),
                   year=d.get("year"), text=d.get("text"))


@dataclass
class Target:
    """A numeric target (SPEC section 4) with the span of its evidence."""

    text: str
    start: int
    end: int
    value: float
    unit: str
    comparator: Comparator = "exact"
    metric: str | None = None
    value_high: float | None = None
    unit_text: str | None = None
    direction: Direction | None = None
    deadline: str | None = None
    deadline_text: str | None = None
    baseline: Baseline | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text, "start": self.start, "end": self.end, "metric": self.metric,
            "value": self.value, "value_high": self.value_high, "unit": self.unit,
            "unit_text": self.unit_text, "comparator": self.comparator,
            "direction": self.direction, "deadline": self.deadline,
            "deadline_text": self.deadline_text,
            "baseline": self.baseline.to_dict() if self.baseline else None,
        }
        if self.score is not None:
            d["score"] = round(float(self.score), 6)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Target:
        vh = d.get("value_high")
        return cls(
            text=d["text"], start=int(d["start"]), end=int(d["end"]),
            value=float(d["value"]), value_high=None if vh is None else float(vh),
            unit=d["unit"], unit_text=d.get("unit_text"),
            comparator=d.get("comparator", "exact"), metric=d.get("metric"),
            direction=d.get("direction"), deadline=d.get("deadline"),
            deadline_text=d.get("deadline_text"),
            baseline=Baseline.from_dict(d["baseline"]) if d.get("baseline") else None,
            score=d.get("score"),
        )


@dataclass
class KeyDate:
    """An effective date, expiry or validity period, normalised to ISO 8601."""

    type: KeyDateType
    text: str
    start: int
    end: int
    date: str | None = None
    duration: str | None = None  # ISO 8601 duration for validity periods, e.g. "P3Y"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "date": self.date, "text": self.text,
                             "start": self.start, "end": self.end}
        if self.duration is not None:
            d["duration"] = self.duration
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyDate:
        return cls(type=d["type"], text=d["text"], start=int(d["start"]), end=int(d["end"]),
                   date=d.get("date"), duration=d.get("duration"))


@dataclass
class Risk:
    """Risk to foreign firms: a level with a probability per level, and risk channels.

    ``level`` is ``None`` (and ``scores`` empty) when no risk model ran.
    """

    level: RiskLevel | None = None
    scores: dict[str, float] = field(default_factory=dict)
    channels: list[LabelScore] = field(default_factory=list)
    evidence: list[Span] = field(default_factory=list)
    #: every channel's probability (``channels`` lists the decided ones)
    channel_scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "level": self.level,
            "scores": {k: round(float(v), 6) for k, v in self.scores.items()},
            "channels": [c.to_dict() for c in self.channels],
        }
        if self.channel_scores:
            d["channel_scores"] = {k: round(float(v), 6) for k, v in self.channel_scores.items()}
        if self.evidence:
            d["evidence"] = [s.to_dict() for s in self.evidence]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Risk:
        return cls(
            level=d.get("level"),
            scores={k: float(v) for k, v in (d.get("scores") or {}).items()},
            channels=[LabelScore.from_dict(c) for c in d.get("channels", [])],
            evidence=[Span.from_dict(s) for s in d.get("evidence", [])],
            channel_scores={k: float(v) for k, v in (d.get("channel_scores") or {}).items()},
        )


@dataclass
class DualUse:
    """Dual-use relevance; ``relevant`` and ``score`` are ``None`` when no model ran."""

    relevant: bool | None = None
    score: float | None = None
    evidence: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "relevant": self.relevant,
            "score": None if self.score is None else round(float(self.score), 6),
            "evidence": [s.to_dict() for s in self.evidence],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DualUse:
        return cls(relevant=d.get("relevant"), score=d.get("score"),
                   evidence=[Span.from_dict(s) for s in d.get("evidence", [])])


@dataclass
class Summary:
    """The English "At a glance" paragraph and key points (SPEC section 5)."""

    at_a_glance: str | None = None
    key_points: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"at_a_glance": self.at_a_glance, "key_points": list(self.key_points)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Summary:
        return cls(at_a_glance=d.get("at_a_glance"), key_points=list(d.get("key_points", [])))


@dataclass
class ModelInfo:
    """Which model produced an analysis, and which components ran."""

    name: str
    version: str
    components: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "components": list(self.components)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelInfo:
        return cls(name=d["name"], version=d["version"], components=list(d.get("components", [])))


@dataclass
class RecordError:
    """Why a record could not be processed; written in the record's place."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Analysis:
    """Everything policynlp says about one document (the output record of SPEC section 3).

    An analysis either carries results or, when the record could not be processed, an
    ``error``; ``to_dict`` then writes ``{"id": …, "error": {…}}`` only.

    Example:
        >>> Analysis.failed("doc-9", "E101", "the text is empty").to_dict()
        {'id': 'doc-9', 'error': {'code': 'E101', 'message': 'the text is empty'}}
    """

    id: str
    lang: str | None = None
    sectors: list[LabelScore] = field(default_factory=list)
    sector_scores: dict[str, float] = field(default_factory=dict)
    risk: Risk = field(default_factory=Risk)
    dual_use: DualUse = field(default_factory=DualUse)
    targets: list[Target] = field(default_factory=list)
    key_dates: list[KeyDate] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    model: ModelInfo | None = None
    error: RecordError | None = None

    @classmethod
    def empty(cls, id: str, lang: str | None = None) -> Analysis:
        return cls(id=id, lang=lang)

    @classmethod
    def failed(cls, id: str, code: str, message: str) -> Analysis:
        return cls(id=id, error=RecordError(code=code, message=message))

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"id": self.id, "error": self.error.to_dict()}
        return {
            "id": self.id,
            "lang": self.lang,
            "sectors": [s.to_dict() for s in self.sectors],
            "sector_scores": {k: round(float(v), 6) for k, v in self.sector_scores.items()},
            "risk": self.risk.to_dict(),
            "dual_use": self.dual_use.to_dict(),
            "targets": [t.to_dict() for t in self.targets],
            "key_dates": [k.to_dict() for k in self.key_dates],
            "summary": self.summary.to_dict(),
            "model": self.model.to_dict() if self.model else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Analysis:
        if "error" in d:
            e = d["error"]
            return cls.failed(str(d["id"]), e["code"], e["message"])
        return cls(
            id=str(d["id"]),
            lang=d.get("lang"),
            sectors=[LabelScore.from_dict(s) for s in d.get("sectors", [])],
            sector_scores={k: float(v) for k, v in (d.get("sector_scores") or {}).items()},
            risk=Risk.from_dict(d.get("risk") or {}),
            dual_use=DualUse.from_dict(d.get("dual_use") or {}),
            targets=[Target.from_dict(t) for t in d.get("targets", [])],
            key_dates=[KeyDate.from_dict(k) for k in d.get("key_dates", [])],
            summary=Summary.from_dict(d.get("summary") or {}),
            model=ModelInfo.from_dict(d["model"]) if d.get("model") else None,
        )


@dataclass
class LabelledRecord:
    """An input document plus gold labels, as an annotator writes them (SPEC section 3).

    Example:
        >>> r = LabelledRecord.from_dict({"id": "b-1", "text": "…", "sectors": ["automotive"],
        ...     "risk": {"level": "medium", "channels": ["localization"]},
        ...     "dual_use": {"relevant": False, "evidence": []}})
        >>> r.sectors, r.risk_level
        (['automotive'], 'medium')
    """

    document: Document
    sectors: list[str] = field(default_factory=list)
    risk_level: RiskLevel | None = None
    risk_channels: list[str] = field(default_factory=list)
    dual_use: bool | None = None
    dual_use_evidence: list[Span] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    key_dates: list[KeyDate] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    notes: str | None = None

    LABEL_FIELDS = ("sectors", "risk", "dual_use", "targets", "key_dates", "summary", "notes")

    def to_dict(self) -> dict[str, Any]:
        d = self.document.to_dict()
        d.update({
            "sectors": list(self.sectors),
            "risk": {"level": self.risk_level, "channels": list(self.risk_channels)},
            "dual_use": {"relevant": self.dual_use,
                         "evidence": [s.to_dict() for s in self.dual_use_evidence]},
            "targets": [t.to_dict() for t in self.targets],
            "key_dates": [k.to_dict() for k in self.key_dates],
            "summary": self.summary.to_dict(),
        })
        if self.notes is not None:
            d["notes"] = self.notes
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], default_id: str | None = None) -> LabelledRecord:
        doc_fields = {k: v for k, v in d.items() if k not in cls.LABEL_FIELDS}
        risk = d.get("risk") or {}
        dual = d.get("dual_use") or {}
        return cls(
            document=Document.from_dict(doc_fields, default_id=default_id),
            sectors=list(d.get("sectors", [])),
            risk_level=risk.get("level"),
            risk_channels=list(risk.get("channels", [])),
            dual_use=dual.get("relevant"),
            dual_use_evidence=[Span.from_dict(s) for s in dual.get("evidence", [])],
            targets=[Target.from_dict(t) for t in d.get("targets", [])],
            key_dates=[KeyDate.from_dict(k) for k in d.get("key_dates", [])],
            summary=Summary.from_dict(d.get("summary") or {}),
            notes=d.get("notes"),
        )
