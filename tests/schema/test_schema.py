from __future__ import annotations

import copy
import csv
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from policynlp.errors import SchemaError, UnknownLabelError
from policynlp.schema import (
    LabelSchema,
    _parse_govcn_table,
    govcn_mapping,
    govcn_topic_to_sectors,
    load_schema,
)

# The contract of TAXONOMY.md: ids, English and Chinese names, in this order.
SECTORS: list[tuple[str, str, str]] = [
    ("semiconductors", "Semiconductors", "集成电路"),
    ("ai_software", "AI, software and digital economy", "人工智能、软件、数字经济"),
    ("data_cyber", "Data, cybersecurity and internet regulation", "数据、网络安全"),
    ("telecom_computing", "Telecom and computing infrastructure", "信息通信、算力"),
    ("automotive", "Automotive and new-energy vehicles", "汽车、新能源汽车"),
    ("transport_logistics", "Transport and logistics", "交通运输、物流"),
    ("maritime", "Maritime and shipbuilding", "船舶、海洋"),
    ("aerospace", "Aerospace", "航空航天"),
    ("defense", "Defence and military-civil fusion", "国防、军民融合"),
    ("materials", "Materials and resources", "原材料、新材料"),
    ("energy", "Energy", "能源"),
    ("environment_climate", "Environment and climate", "生态环境、双碳"),
    ("health_biotech", "Health and biotech", "医药、生物、卫生"),
    ("finance", "Finance and fiscal policy", "金融、财税"),
    ("trade_investment", "Trade, investment and export control", "贸易、投资"),
    ("manufacturing_sme", "Manufacturing, SMEs and standards", "制造业、中小企业"),
    ("science_technology", "Science, technology and IP", "科技、知识产权"),
    ("labour_education", "Labour, education and talent", "就业、教育、人才"),
    ("agriculture_food", "Agriculture and food", "农业、粮食"),
    ("governance_macro", "Governance and macroeconomy", "宏观经济、治理"),
    ("real_estate_construction", "Real estate and construction", "房地产、城乡建设"),
    ("consumer_services", "Consumer markets and services", "消费、服务业"),
]
RISK_LEVELS = ("low", "medium", "high")
RISK_CHANNELS = ("localization", "market_access", "state_support", "standards",
                 "data_compliance", "export_controls_security", "competition_overseas")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def schema() -> LabelSchema:
    return load_schema()


def _raw_labels() -> dict[str, Any]:
    text = resources.files("policynlp.schema").joinpath("labels.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# --- the label schema --------------------------------------------------------------------


def test_ids_and_names_match_taxonomy(schema: LabelSchema) -> None:
    assert [(s.id, s.en, s.zh) for s in schema.sectors] == SECTORS
    assert schema.sector_ids == tuple(s[0] for s in SECTORS)
    assert schema.risk_level_ids == RISK_LEVELS
    assert schema.risk_channel_ids == RISK_CHANNELS
    assert schema.dual_use.id == "dual_use"
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema.version)


def test_every_label_is_fully_described(schema: LabelSchema) -> None:
    labels = [*schema.sectors, *schema.risk_levels, *schema.risk_channels, schema.dual_use]
    assert len(labels) == 22 + 3 + 7 + 1
    for label in labels:
        assert label.en.strip() and label.description.strip(), label.id
        assert not CJK.search(label.en + label.description), f"{label.id}: English fields"
        assert CJK.search(label.zh) and CJK.search(label.description_zh), label.id
        assert len(label.description) >= 30, f"{label.id}: description too short"


def test_label_lookup_searches_every_group(schema: LabelSchema) -> None:
    assert schema.label("energy").en == "Energy"
    assert schema.label("high") is schema.risk_levels[2]
    assert schema.label("standards") is schema.risk_channels[3]
    assert schema.label("dual_use") is schema.dual_use


def test_file_is_readable_utf8_json_and_round_trips(schema: LabelSchema) -> None:
    text = resources.files("policynlp.schema").joinpath("labels.json").read_text("utf-8")
    assert "集成电路" in text and "\\u" not in text  # written with ensure_ascii=False
    assert schema.to_dict() == _raw_labels()
    assert LabelSchema.from_dict(schema.to_dict()) == schema
    assert load_schema() is schema  # cached


def test_valid_labels_pass_checks(schema: LabelSchema) -> None:
    schema.check_sectors(["energy", "finance"], record_id="doc-1")
    schema.check_sectors([])
    schema.check_sectors("energy")  # one bare id, not its characters
    for level in RISK_LEVELS:
        schema.check_risk_level(level)
    schema.check_risk_channels(list(RISK_CHANNELS))


@pytest.mark.parametrize("call, bad, valid_example", [
    (lambda s: s.check_sectors(["energy", "cooking"], record_id="doc-9"), "cooking", "maritime"),
    (lambda s: s.check_sectors("Energy", record_id="doc-9"), "Energy", "energy"),
    (lambda s: s.check_risk_level("severe", record_id="doc-9"), "severe", "medium"),
    (lambda s: s.check_risk_channels(["bribery"], record_id="doc-9"), "bribery", "localization"),
])
def test_unknown_labels_name_id_record_and_valid_ids(call, bad: str, valid_example: str,
                                                     schema: LabelSchema) -> None:
    with pytest.raises(UnknownLabelError) as info:
        call(schema)
    err = info.value
    assert err.code == "E201" and isinstance(err, SchemaError)
    assert repr(bad) in err.message and err.record_id == "doc-9" and "doc-9" in str(err)
    assert valid_example in err.message


def test_unknown_label_lookup(schema: LabelSchema) -> None:
    with pytest.raises(UnknownLabelError, match="'nope'.*semiconductors") as info:
        schema.label("nope")
    assert info.value.code == "E201"


def _broken(mutate) -> dict[str, Any]:
    data = copy.deepcopy(_raw_labels())
    mutate(data)
    return data


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d["sectors"].pop(), "22"),
    (lambda d: d["risk_channels"].append(dict(d["risk_channels"][0], id="extra")), "7"),
    (lambda d: d["sectors"][1].update(id="semiconductors"), "more than once"),
    (lambda d: d["risk_channels"][0].update(id="energy"), "more than once"),
    (lambda d: d["risk_levels"].reverse(), "in this order"),
    (lambda d: d["sectors"][3].update(zh=""), "zh"),
    (lambda d: d["dual_use"].pop("description_zh"), "description_zh"),
    (lambda d: d.pop("version"), "version"),
    (lambda d: d.update(risk_levels="low,medium,high"), "risk_levels"),
])
def test_broken_schema_is_rejected(mutate, needle: str) -> None:
    with pytest.raises(SchemaError, match=needle) as info:
        LabelSchema.from_dict(_broken(mutate))
    assert info.value.code == "E200"


# --- the gov.cn topic table --------------------------------------------------------------


def test_table_is_package_data_and_well_formed(schema: LabelSchema) -> None:
    res = resources.files("policynlp.schema").joinpath("govcn_topics.csv")
    rows = list(csv.DictReader(res.read_text("utf-8").splitlines()))
    assert list(rows[0]) == ["topic", "sectors", "note"]
    table = govcn_mapping()
    assert len(table) == len(rows)
    for row in rows:
        # English glosses only: no Chinese document text copied into the repository.
        assert row["note"].strip() and not CJK.search(row["note"]), row["topic"]
        sectors = table[row["topic"]]
        assert 1 <= len(sectors) <= 2 and set(sectors) <= set(schema.sector_ids)
        assert row["topic"].split("\\")[0] in table  # every top level has a fallback row


def test_every_sample_topic_maps_to_valid_sectors(govcn_csv: Path,
                                                  schema: LabelSchema) -> None:
    with govcn_csv.open(encoding="utf-8", newline="") as f:
        topics = {row["childtype"].strip() for row in csv.DictReader(f)} - {""}
    assert len(topics) >= 100
    table = govcn_mapping()
    for topic in topics:
        assert topic in table, f"{topic} has no row of its own"
        sectors = govcn_topic_to_sectors(topic)
        assert sectors and set(sectors) <= set(schema.sector_ids), topic


@pytest.mark.parametrize("topic, sectors", [
    ("财政、金融、审计\\税务", ("finance",)),
    ("工业、交通\\信息产业（含电信）", ("telecom_computing",)),
    ("工业、交通\\民航", ("transport_logistics",)),
    ("卫生、体育\\医药管理", ("health_biotech",)),
    ("卫生、体育\\体育", ("consumer_services",)),
    ("工业、交通\\航天、航空", ("aerospace",)),
    ("工业、交通\\国防工业", ("defense",)),
    ("国防\\国防动员", ("defense",)),
    ("国土资源、能源\\海洋", ("maritime",)),
    ("国土资源、能源\\电力", ("energy",)),
    ("市场监管、安全生产监管\\标准", ("manufacturing_sme",)),
    ("科技、教育\\知识产权", ("science_technology",)),
    ("科技、教育\\教育", ("labour_education",)),
    ("商贸、海关、旅游\\海关", ("trade_investment",)),
])
def test_spot_checks(topic: str, sectors: tuple[str, ...]) -> None:
    assert govcn_topic_to_sectors(topic) == sectors


def test_unseen_sub_label_falls_back_to_top_level() -> None:
    top = govcn_mapping()["工业、交通"]
    assert govcn_topic_to_sectors("工业、交通\\某新子类") == top
    assert govcn_topic_to_sectors("工业、交通") == top
    assert top != govcn_topic_to_sectors("工业、交通\\民航")  # the exact row wins


def test_whitespace_and_empty_topics() -> None:
    assert govcn_topic_to_sectors("") == ()
    assert govcn_topic_to_sectors("  \n") == ()
    assert govcn_topic_to_sectors(" 财政、金融、审计 \\ 税务 ") == ("finance",)


@pytest.mark.parametrize("topic", ["不存在的类别\\子类", "不存在的类别"])
def test_unknown_top_level_is_an_error(topic: str) -> None:
    with pytest.raises(UnknownLabelError, match="不存在的类别") as info:
        govcn_topic_to_sectors(topic)
    assert info.value.code == "E201" and "工业、交通" in info.value.hint


_HEADER = "topic,sectors,note\n"


@pytest.mark.parametrize("text, error, needle", [
    (_HEADER + "国防,defense,x\n国防\\新,cooking,x\n", UnknownLabelError, "cooking"),
    (_HEADER + "国防,defense,x\n国防,energy,x\n", SchemaError, "twice"),
    (_HEADER + "国防,defense;energy;finance,x\n", SchemaError, "1 to 2"),
    (_HEADER + "国防,,x\n", SchemaError, "1 to 2"),
    (_HEADER + "国防\\国防动员,defense,x\n", SchemaError, "no fallback row"),
    (_HEADER + "国防,defense\n", SchemaError, "expected topic,sectors,note"),
    ("topic,sector\n国防,defense\n", SchemaError, "header"),
])
def test_broken_table_is_rejected(text: str, error: type[SchemaError], needle: str,
                                  schema: LabelSchema) -> None:
    with pytest.raises(error, match=needle) as info:
        _parse_govcn_table(text, schema)
    assert info.value.path == "govcn_topics.csv"


def test_table_parser_accepts_two_sectors(schema: LabelSchema) -> None:
    table = _parse_govcn_table(_HEADER + "国防, defense ; energy ,x\n", schema)
    assert table == {"国防": ("defense", "energy")}
