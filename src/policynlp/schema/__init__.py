"""The label schema (sectors, risk levels, risk channels, dual use) and the gov.cn topic table.

``labels.json`` holds every label id with its English and Chinese name and description
(``TAXONOMY.md``); ``govcn_topics.csv`` maps gov.cn's own topic labels (主题分类, such as
``工业、交通\\民航``) onto sector ids. Both ship inside the package and are read through
:mod:`importlib.resources`, so they work from an installed wheel as well as from a checkout.

Example:
    >>> schema = load_schema()
    >>> len(schema.sector_ids), schema.risk_level_ids
    (22, ('low', 'medium', 'high'))
    >>> govcn_topic_to_sectors("财政、金融、审计\\\\税务")
    ('finance',)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, NoReturn

from policynlp.errors import SchemaError, UnknownLabelError

LABELS_FILE = "labels.json"
GOVCN_TOPICS_FILE = "govcn_topics.csv"
#: How many labels each group must have (``TAXONOMY.md``).
GROUP_SIZES: dict[str, int] = {"sectors": 22, "risk_levels": 3, "risk_channels": 7}
#: The ordinal risk scale, lowest first.
RISK_LEVEL_ORDER: tuple[str, ...] = ("low", "medium", "high")
#: Separates the top-level and the sub-level of a gov.cn topic label.
GOVCN_SEPARATOR = "\\"
_LABEL_FIELDS = ("id", "en", "zh", "description", "description_zh")
_MAX_SECTORS_PER_TOPIC = 2


@dataclass(frozen=True)
class Label:
    """One label: its stable id, names and descriptions in English and Chinese."""

    id: str
    en: str
    zh: str
    description: str
    description_zh: str

    def to_dict(self) -> dict[str, str]:
        """The label as the JSON object of ``labels.json``."""
        return asdict(self)


def _parse_label(obj: Any, where: str) -> Label:
    if not isinstance(obj, dict):
        raise SchemaError(f"{where} must be a JSON object, not {type(obj).__name__}")
    for name in _LABEL_FIELDS:
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            raise SchemaError(f"{where} needs a non-empty string '{name}'")
    return Label(**{name: obj[name] for name in _LABEL_FIELDS})


def _unknown(kind: str, bad: object, valid: Iterable[str], record_id: str | None) -> NoReturn:
    raise UnknownLabelError(f"unknown {kind} {bad!r}; valid ids: {', '.join(valid)}.",
                            record_id=record_id)


def _check_ids(kind: str, ids: Iterable[str], valid: tuple[str, ...], rid: str | None) -> None:
    # A bare string is one id: iterating it would check its characters.
    for item in [ids] if isinstance(ids, str) else ids:
        if item not in valid:
            _unknown(kind, item, valid, rid)


@dataclass(frozen=True)
class LabelSchema:
    """Every label id of the output contract, in file order.

    Example:
        >>> s = load_schema()
        >>> s.label("semiconductors").zh
        '集成电路'
        >>> s.check_sectors(["energy", "cooking"], record_id="doc-1")
        Traceback (most recent call last):
        ...
        policynlp.errors.UnknownLabelError: [E201] record 'doc-1': unknown sector 'cooking'; ...
    """

    version: str
    sectors: tuple[Label, ...]
    risk_levels: tuple[Label, ...]
    risk_channels: tuple[Label, ...]
    dual_use: Label

    @property
    def sector_ids(self) -> tuple[str, ...]:
        """The sector ids in file order."""
        return tuple(label.id for label in self.sectors)

    @property
    def risk_level_ids(self) -> tuple[str, ...]:
        """The risk level ids, lowest first."""
        return tuple(label.id for label in self.risk_levels)

    @property
    def risk_channel_ids(self) -> tuple[str, ...]:
        """The risk channel ids in file order."""
        return tuple(label.id for label in self.risk_channels)

    def label(self, id: str) -> Label:
        """The label with this id, from any group.

        Raises:
            UnknownLabelError: no group has the id.
        """
        labels = (*self.sectors, *self.risk_levels, *self.risk_channels, self.dual_use)
        for label in labels:
            if label.id == id:
                return label
        _unknown("label", id, (label.id for label in labels), None)

    def check_sectors(self, ids: Iterable[str], record_id: str | None = None) -> None:
        """Raise :class:`UnknownLabelError` for the first id that is not a sector.

        A bare string counts as one id, not as a sequence of characters.
        """
        _check_ids("sector", ids, self.sector_ids, record_id)

    def check_risk_level(self, level: str, record_id: str | None = None) -> None:
        """Raise :class:`UnknownLabelError` unless ``level`` is ``low``, ``medium`` or ``high``."""
        _check_ids("risk level", [level], self.risk_level_ids, record_id)

    def check_risk_channels(self, ids: Iterable[str], record_id: str | None = None) -> None:
        """Raise :class:`UnknownLabelError` for the first id that is not a risk channel."""
        _check_ids("risk channel", ids, self.risk_channel_ids, record_id)

    def to_dict(self) -> dict[str, Any]:
        """The schema as the JSON structure of ``labels.json``."""
        return {
            "version": self.version,
            "sectors": [label.to_dict() for label in self.sectors],
            "risk_levels": [label.to_dict() for label in self.risk_levels],
            "risk_channels": [label.to_dict() for label in self.risk_channels],
            "dual_use": self.dual_use.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> LabelSchema:
        """Build and validate a schema from the JSON structure of ``labels.json``.

        Raises:
            SchemaError: a field is missing, a group has the wrong number of labels, an id
                occurs twice or the risk levels are not ``low``, ``medium``, ``high``.

        Example:
            >>> LabelSchema.from_dict(load_schema().to_dict()) == load_schema()
            True
        """
        if not isinstance(data, dict):
            raise SchemaError("the label schema must be a JSON object")
        version = data.get("version")
        if not isinstance(version, str) or not version:
            raise SchemaError("the label schema needs a non-empty string 'version'")
        groups: dict[str, tuple[Label, ...]] = {}
        for group, size in GROUP_SIZES.items():
            items = data.get(group)
            if not isinstance(items, list) or len(items) != size:
                found = len(items) if isinstance(items, list) else "no list"
                raise SchemaError(f"'{group}' must be a list of {size} labels (found {found})")
            groups[group] = tuple(_parse_label(o, f"{group}[{i}]") for i, o in enumerate(items))
        dual_use = _parse_label(data.get("dual_use"), "dual_use")
        seen: set[str] = set()
        for label in (*groups["sectors"], *groups["risk_levels"], *groups["risk_channels"],
                      dual_use):
            if label.id in seen:
                raise SchemaError(f"label id {label.id!r} occurs more than once")
            seen.add(label.id)
        levels = tuple(label.id for label in groups["risk_levels"])
        if levels != RISK_LEVEL_ORDER:
            raise SchemaError(f"risk_levels must be {list(RISK_LEVEL_ORDER)} in this order, "
                              f"not {list(levels)}")
        return cls(version=version, sectors=groups["sectors"],
                   risk_levels=groups["risk_levels"], risk_channels=groups["risk_channels"],
                   dual_use=dual_use)


def _read_package_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_schema() -> LabelSchema:
    """The label schema shipped with policynlp (read once, then cached).

    Raises:
        SchemaError: ``labels.json`` is not valid JSON or does not fit the schema rules.

    Example:
        >>> load_schema().risk_channel_ids[0]
        'localization'
    """
    try:
        data = json.loads(_read_package_text(LABELS_FILE))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"not valid JSON: {exc}", path=LABELS_FILE) from None
    try:
        return LabelSchema.from_dict(data)
    except SchemaError as exc:
        raise SchemaError(exc.message, path=LABELS_FILE) from None


def _parse_govcn_table(text: str, schema: LabelSchema) -> dict[str, tuple[str, ...]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != ["topic", "sectors", "note"]:
        raise SchemaError(f"the header must be topic,sectors,note, not {header}",
                          path=GOVCN_TOPICS_FILE)
    table: dict[str, tuple[str, ...]] = {}
    for line_no, row in enumerate(reader, start=2):
        where = f"line {line_no}"
        if len(row) != 3 or not row[0].strip():
            raise SchemaError(f"{where}: expected topic,sectors,note, got {row}",
                              path=GOVCN_TOPICS_FILE)
        topic = row[0].strip()
        sectors = tuple(s.strip() for s in row[1].split(";") if s.strip())
        if topic in table:
            raise SchemaError(f"{where}: topic {topic!r} occurs twice", path=GOVCN_TOPICS_FILE)
        if not 1 <= len(sectors) <= _MAX_SECTORS_PER_TOPIC:
            raise SchemaError(f"{where}: topic {topic!r} needs 1 to {_MAX_SECTORS_PER_TOPIC} "
                              f"sector ids, not {len(sectors)}", path=GOVCN_TOPICS_FILE)
        for sector in sectors:
            if sector not in schema.sector_ids:
                raise UnknownLabelError(
                    f"{where}: topic {topic!r} maps to unknown sector {sector!r}; valid ids: "
                    f"{', '.join(schema.sector_ids)}.", path=GOVCN_TOPICS_FILE)
        table[topic] = sectors
    for topic in table:
        top = topic.split(GOVCN_SEPARATOR)[0]
        if top not in table:
            raise SchemaError(f"topic {topic!r} has no fallback row for its top level {top!r}",
                              path=GOVCN_TOPICS_FILE)
    return table


@lru_cache(maxsize=1)
def govcn_mapping() -> dict[str, tuple[str, ...]]:
    """The gov.cn topic table: topic label (``top\\sub`` or ``top`` alone) → sector ids.

    The returned dict is shared by every caller: read it, do not change it.

    Raises:
        SchemaError: the table is malformed or names a sector that is not in the schema.

    Example:
        >>> govcn_mapping()["国防"]
        ('defense',)
    """
    return _parse_govcn_table(_read_package_text(GOVCN_TOPICS_FILE), load_schema())


def govcn_topic_to_sectors(topic: str) -> tuple[str, ...]:
    """The sector ids for a gov.cn topic label (the ``childtype`` of the listing).

    An exact ``top\\sub`` match wins; a sub-label that the table lacks falls back to the
    row of its top-level label. An empty topic has no sectors.

    Raises:
        UnknownLabelError: the topic's top-level label is not in the table.

    Example:
        >>> govcn_topic_to_sectors("工业、交通\\\\民航")
        ('transport_logistics',)
        >>> govcn_topic_to_sectors(" ")
        ()
    """
    topic = topic.strip()
    if not topic:
        return ()
    table = govcn_mapping()
    parts = [part.strip() for part in topic.split(GOVCN_SEPARATOR, 1)]
    key = GOVCN_SEPARATOR.join(parts)
    if key in table:
        return table[key]
    if parts[0] in table:
        return table[parts[0]]
    tops = sorted(t for t in table if GOVCN_SEPARATOR not in t)
    raise UnknownLabelError(
        f"unknown gov.cn topic {topic!r}: its top level {parts[0]!r} is not in "
        f"{GOVCN_TOPICS_FILE}",
        hint=f"Known top-level topics: {', '.join(tops)}. Add a row for it to the table.",
    )


__all__ = ["GROUP_SIZES", "RISK_LEVEL_ORDER", "Label", "LabelSchema", "govcn_mapping",
           "govcn_topic_to_sectors", "load_schema"]
