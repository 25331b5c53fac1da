"""Glossary, issuing bodies and document types: the shipped data and its lookups."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from policynlp.summarize import Glossary, Term, document_type, find_bodies
from policynlp.summarize.glossary import DATA, read_terms

SHARED_LISTING = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "govcn" / \
    "listing_sample.csv"


def _han(s: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def test_the_shipped_glossary_is_large_clean_and_consistent() -> None:
    terms = read_terms(DATA / "glossary")
    assert len({t.zh for t in terms}) >= 3000
    for t in terms:
        assert _han(t.zh) and t.en.strip() and not _han(t.en), t
        assert t.zh == t.zh.strip() and t.en == t.en.strip(), t
    renderings: dict[str, set[str]] = {}
    for t in terms:
        renderings.setdefault(t.zh, set()).add(t.en)
    conflicts = {zh: en for zh, en in renderings.items() if len(en) > 1}
    assert not conflicts, f"terms rendered differently in two files: {sorted(conflicts)[:10]}"


@pytest.mark.parametrize(("zh", "en"), [
    ("十四五", "14th Five-Year Plan"),
    ("新质生产力", "new quality productive forces"),
    ("国内生产总值", "gross domestic product"),
    ("专精特新", "specialized and sophisticated"),
    ("碳达峰", "peak"),
    ("新能源汽车", "new energy vehicle"),
    ("集成电路", "integrated circuit"),
])
def test_standard_renderings(zh: str, en: str) -> None:
    term = Glossary.load().get(zh)
    assert term is not None and en.lower() in term.en.lower()


def test_unknown_chinese_stays_in_brackets() -> None:
    g = Glossary([Term("数字经济", "digital economy", "technology")])
    r = g.render("数字经济发展 2025")
    assert r.text == "digital economy [发展] 2025"
    assert r.coverage == pytest.approx(4 / 6, abs=1e-3)
    assert Glossary([]).render("abc").coverage == 1.0


@pytest.mark.parametrize(("text", "abbrs"), [
    ("国家发展改革委 工业和信息化部关于印发…的通知", ["NDRC", "MIIT"]),
    ("商务部 海关总署公告", ["MOFCOM", "GACC"]),
    ("国家网信办等部门", ["CAC"]),
    ("市场监管总局 国资委 科技部 财政部", ["SAMR", "SASAC", "MOST", "MOF"]),
    ("中国人民银行 证监会 交通运输部", ["PBOC", "CSRC", "MOT"]),
])
def test_bodies_and_their_acronyms(text: str, abbrs: list[str]) -> None:
    assert [b.abbr for b in find_bodies(text)] == abbrs


def test_the_general_office_is_not_the_state_council() -> None:
    found = find_bodies("国务院办公厅关于进一步优化营商环境的意见")
    assert [b.en for b in found] == ["General Office of the State Council"]


def test_every_mainland_province_has_a_government_entry() -> None:
    rows = [json.loads(line) for line in (DATA / "bodies.jsonl").open(encoding="utf-8")]
    provincial = {r["zh"] for r in rows if r["level"] == "provincial"}
    for p in ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
              "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
              "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
              "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"):
        assert f"{p}人民政府" in provincial, p


@pytest.mark.parametrize(("title", "kind"), [
    ("国务院关于印发《新一代人工智能发展规划》的通知", "notice"),
    ("关于推动未来产业创新发展的实施意见", "implementation opinions"),
    ("数字中国建设整体布局规划", "plan"),
    ("关于进一步做好稳外贸稳外资工作的若干措施", "measures"),
    ("2025年国务院政府工作报告", "government work report"),
    ("新闻发布会实录", None),
    ("湖北省突破性发展光电子信息产业三年行动方案（2022—2024年）", "action plan"),
    ("数据出境安全评估办法（试行）", "measures"),
    ("网络数据安全管理条例", "regulations"),
    ("关于加快发展先进制造业集群的指导意见", "guiding opinions"),
    ("制造业数字化转型行动计划", "action plan"),
    ("促进和规范数据跨境流动规定", "provisions"),
])
def test_document_types(title: str, kind: str | None) -> None:
    found = document_type(title)
    assert (found[1] if found else None) == kind


def test_real_gov_cn_titles() -> None:
    if not SHARED_LISTING.is_file():
        pytest.skip(f"shared data not found at {SHARED_LISTING}")
    with SHARED_LISTING.open(encoding="utf-8") as fh:
        titles = [r["title"] for r in csv.DictReader(fh) if r.get("title")]
    typed = [t for t in titles if document_type(t)]
    with_body = [t for t in titles if t.startswith(("国务院", "国家", "工业和信息化部", "商务部"))
                 and find_bodies(t[:20])]
    assert len(typed) / len(titles) > 0.3
    assert with_body
