from __future__ import annotations

import json
from pathlib import Path

import pytest

from policynlp.data import Document
from policynlp.errors import BriefParseError, EncodingError, UnreadableFileError
from policynlp.io.brief import BriefItem, looks_like_brief, parse_brief, read_brief

HERE = Path(__file__).resolve().parent
BRIEFS = HERE.parent / "fixtures" / "briefs"
SAMPLE = HERE.parents[1] / "examples" / "brief_sample.txt"
FIXTURES = sorted(BRIEFS.glob("*.txt"))


def _parse(name: str) -> tuple[list[BriefItem], list[BriefItem]]:
    items = parse_brief((BRIEFS / name).read_text(encoding="utf-8"))
    return ([i for i in items if i.kind == "item"], [i for i in items if i.kind == "noteworthy"])


def _one(text: str) -> BriefItem:
    return parse_brief(text)[0]


# --- the Acme 2022 brief: •, -, * and 1) bullets, footers, Articles with two documents ----------


def test_acme_2022_counts_and_numbers() -> None:
    items, notes = _parse("acme_2022_w34.txt")
    assert [i.number for i in items] == [1, 2, 3, 4]
    assert len(notes) == 4


def test_acme_2022_item_1_fields_and_bullet_across_page_footer() -> None:
    it = _parse("acme_2022_w34.txt")[0][0]
    assert it.title == "MIIT releases measures to cultivate specialized SME clusters"
    assert it.glance.startswith("The Ministry of Industry and Information Technology (MIIT) "
                                "released interim measures to cultivate")
    assert it.glance.endswith("MIIT will recognize and review them. Key targets include:")
    assert it.bullets == [
        "Foster around 200 national-level SME clusters with distinctive industries by 2025.",
        'Cultivate a batch of specialized and sophisticated "little giant" firms inside the '
        "clusters and help them adopt digital tools and shared testing platforms.",
    ]
    assert it.comment_org == "Acme Insight"
    assert it.comment is not None and it.comment.startswith("The measures steer local support")
    assert it.article_titles_en == [
        "Interim Measures for Promoting the Development of Distinctive Industrial Clusters of SMEs"]
    assert it.article_titles_zh == ["促进中小企业特色产业集群发展暂行办法"]
    assert it.issuing_bodies == ["Ministry of Industry and Information Technology (MIIT)"]
    assert (it.date, it.date_text) == ("2022-08-10", "August 10, 2022")
    assert it.links == [
        "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2022/art_sme_clusters_example.html"]


def test_acme_2022_item_2_wrapped_chinese_title_dmy_date_and_dash_bullets() -> None:
    it = _parse("acme_2022_w34.txt")[0][1]
    assert it.article_titles_zh == ["数据出境安全评估办法"]
    assert it.article_titles_en == [
        "Measures for the Security Assessment of Outbound Data Transfers"]
    assert (it.date, it.date_text) == ("2022-07-07", "7 July 2022")
    assert len(it.bullets) == 3
    assert it.bullets[1] == ("Data processors that handle the personal information of more than "
                             "1 million individuals.")
    assert it.glance.endswith("An assessment is required for:")
    assert it.comment is not None and "so cross-border data flows will come up" in it.comment


def test_acme_2022_item_3_comma_and_bodies_across_footer_and_soft_hyphen() -> None:
    it = _parse("acme_2022_w34.txt")[0][2]
    assert it.issuing_bodies == [
        "Ministry of Industry and Information Technology (MIIT)",
        "National Development and Reform Commission (NDRC)",
        "Ministry of Ecology and Environment (MEE)",
    ]
    assert "green manufacturing and recycling" in it.glance  # "manu-\nfacturing"
    assert "non-ferrous metals" in it.glance
    assert it.date == "2022-08-01"
    assert it.bullets[2] == "Peak carbon dioxide emissions in the industrial sector by 2030."
    assert it.article_titles_zh == ["工业领域碳达峰实施方案"]


def test_acme_2022_item_4_two_articles_semicolon_bodies_numbered_bullets() -> None:
    it = _parse("acme_2022_w34.txt")[0][3]
    assert it.article_titles_en == [
        "Guiding Opinions on Accelerating Scenario Innovation to Promote High-Quality Economic "
        "Development through High-Level Application of Artificial Intelligence",
        "Notice on Supporting the Construction of New-Generation Artificial Intelligence "
        "Demonstration Application Scenarios",
    ]
    assert it.article_titles_zh == [
        "关于加快场景创新以人工智能高水平应用促进经济高质量发展的指导意见",
        "关于支持建设新一代人工智能示范应用场景的通知"]
    assert it.issuing_bodies == [
        "MOST", "Ministry of Education (MOE)", "MIIT", "Ministry of Transport (MOT)",
        "Ministry of Agriculture and Rural Affairs (MARA)", "National Health Commission (NHC)"]
    assert (it.date, it.date_text) == ("2022-08-12", "Aug. 12, 2022")
    assert it.bullets == [
        "Companies, especially large state-owned ones, are encouraged to open their own "
        "operations as test scenarios for AI suppliers.",
        "Local governments should build scenario pilot zones and fund scenario projects.",
    ]


def test_acme_2022_noteworthy_dates_wrapped_link_and_trailer_left_out() -> None:
    notes = _parse("acme_2022_w34.txt")[1]
    assert notes[0].title == ("The State Council executive meeting decided to extend the purchase "
                              "tax exemption for new energy vehicles (NEVs) to the end of 2023")
    assert [n.date for n in notes] == ["2022-08-19", "2022-08-22", "2022-08-24", None]
    assert notes[1].date_text == "August 22, 2022"
    assert notes[3].links == ["https://www.sz.gov.cn/cn/xxgk/zfxxgj/example_icv_regulations.html"]
    assert notes[3].title.endswith("took effect on August 1")
    assert all("example brief" not in n.title for n in notes)
    assert all(n.number is None and n.bullets == [] for n in notes)


@pytest.mark.parametrize("path", FIXTURES + [SAMPLE], ids=lambda p: p.name)
def test_page_headers_and_footers_are_dropped(path: Path) -> None:
    for it in parse_brief(path.read_text(encoding="utf-8")):
        fields = [it.title, it.glance, it.comment or "", *it.bullets, *it.issuing_bodies,
                  *it.article_titles_en, *it.article_titles_zh]
        for text in fields:
            assert "|" not in text and "Page " not in text and "Meridian" not in text
            assert "China Top 5" not in text
            assert not any(line.strip().isdigit() for line in text.splitlines())


# --- the Acme 2023 brief: ▪ and – bullets, full-width brackets, zh dates, hyphens ---------------


def test_acme_2023_items() -> None:
    items, notes = _parse("acme_2023_w47.txt")
    icv, computing, robots, graphite = items
    assert icv.issuing_bodies == [
        "Ministry of Industry and Information Technology (MIIT)",
        "Ministry of Public Security (MPS)",
        "Ministry of Housing and Urban-Rural Development (MOHURD)",  # "Urban-\nRural"
        "Ministry of Transport (MOT)",
    ]
    assert icv.glance.endswith("such as taxi, bus or logistics companies. Key points:")
    assert len(icv.bullets) == 3
    assert (icv.date, icv.date_text) == ("2023-11-17", "November 17, 2023")
    assert computing.issuing_bodies == ["MIIT", "CAC", "MOE", "NHC", "PBOC", "SASAC"]
    assert computing.article_titles_zh == ["算力基础设施高质量发展行动计划"]
    assert (computing.date, computing.date_text) == ("2023-10-08", "2023年10月8日")
    assert computing.bullets[0] == ("Total computing power of more than 300 EFLOPS, with "
                                    "intelligent computing accounting for 35 percent.")
    assert "call for breakthroughs in the robot" in robots.glance  # "break-\nthroughs"
    assert robots.issuing_bodies == ["MIIT"] and robots.date == "2023-11-02"
    assert robots.bullets[1] == ("By 2025, cultivate 2-3 ecosystem-leading companies with global "
                                 "influence and build 2-3 industrial clusters.")
    assert graphite.bullets == [] and graphite.date == "2023-10-20"
    assert graphite.comment is not None and "the dual-use label" in graphite.comment
    assert graphite.article_titles_en == [
        "Announcement on Optimizing and Adjusting Temporary Export Control Measures on Graphite "
        "Items (MOFCOM and GAC Announcement No. 39 of 2023)"]
    assert graphite.article_titles_zh == ["关于优化调整石墨物项临时出口管制措施的公告"]
    assert graphite.issuing_bodies == ["Ministry of Commerce (MOFCOM)",
                                       "General Administration of Customs (GAC)"]
    assert len(notes) == 3
    assert notes[0].title.startswith("Xi Jinping and Joe Biden met in Woodside, California, and "
                                     "agreed to resume military-to-military communication")
    assert [n.date for n in notes] == ["2023-11-15", "2023-11-24", "2023-11-01"]
    assert notes[2].title == ("The China (Xinjiang) Pilot Free Trade Zone, the country's 22nd, "
                              "was inaugurated in Urumqi")


# --- the Meridian brief: other labels, a contents list, nested full-width brackets -------------


def test_meridian_contents_list_is_dropped_and_labels_are_read() -> None:
    items, notes = _parse("meridian_2024_07.txt")
    assert [i.number for i in items] == [1, 2, 3, 4]
    assert all(i.glance and i.comment for i in items)
    assert {i.comment_org for i in items} == {"Analyst"}
    rare, ai, plenum, renewal = items
    assert rare.article_titles_zh == ["稀土管理条例"] and rare.issuing_bodies == ["State Council"]
    assert rare.links == ["https://www.gov.cn/zhengce/content/202406/content_example_rare_earth.htm"]
    assert rare.bullets[2] == ("Exports of rare earth products must comply with the laws on "
                               "foreign trade and export control.")
    assert ai.article_titles_zh == ["国家人工智能产业综合标准化体系建设指南（2024版）"]
    assert ai.article_titles_en == [
        "Guidelines for the Construction of a Comprehensive Standardization System for the "
        "National Artificial Intelligence Industry (2024 Edition)"]
    assert ai.issuing_bodies == ["MIIT", "Cyberspace Administration of China (CAC)",
                                 "National Development and Reform Commission (NDRC)",
                                 "Standardization Administration of China (SAC)"]
    assert ai.bullets == ["Formulate more than 50 new national and industry standards for AI.",
                          "Have more than 1,000 companies adopt and promote the standards.",
                          "Take part in drafting more than 20 international standards."]
    assert (ai.date, rare.date, plenum.date, renewal.date) == (
        "2024-07-02", "2024-06-29", "2024-07-21", "2024-07-25")
    # a page number and the next page's running header sit inside the plenum's document title
    assert plenum.article_titles_en == [
        "Resolution of the CPC Central Committee on Further Deepening Reform Comprehensively to "
        "Advance Chinese Modernization"]
    assert plenum.article_titles_zh == ["中共中央关于进一步全面深化改革、推进中国式现代化的决定"]
    assert plenum.comment is not None and "treatment of foreign-invested firms" in plenum.comment
    assert renewal.issuing_bodies == ["NDRC", "MOF"]
    assert [n.date for n in notes] == ["2024-07-15", "2024-07-22", "2024-07-05"]
    assert notes[2].date_text == "5 July 2024"
    assert notes[1].title.endswith("by 10 basis points to 3.35 and 3.85 percent")


# --- the demo sample -------------------------------------------------------------------------


def test_sample_brief_for_the_demo() -> None:
    items = parse_brief(SAMPLE.read_text(encoding="utf-8"))
    main = [i for i in items if i.kind == "item"]
    assert len(main) == 4 and len(items) == 7
    assert "used in semiconductors, solar cells" in main[0].glance  # "semi-\nconductors"
    assert "gallium- and germanium-related items" in main[0].glance
    assert main[0].article_titles_zh == ["关于对镓、锗相关物项实施出口管制的公告"]
    assert main[1].bullets[-1] == "The measures take effect on August 15, 2023."
    assert main[1].issuing_bodies[3] == "Ministry of Science and Technology (MOST)"
    assert main[1].issuing_bodies[-1] == "National Radio and Television Administration (NRTA)"
    assert main[2].issuing_bodies == ["CPC Central Committee", "State Council"]
    assert main[3].issuing_bodies == ["National Development and Reform Commission (NDRC)", "MIIT",
                                      "Ministry of Commerce (MOFCOM)", "ten other departments"]
    assert main[3].date == "2023-07-21"
    # the date in parentheses is wrapped: "(July 3,\n2023)"
    assert (items[-1].date, items[-1].date_text) == ("2023-07-03", "July 3, 2023")


# --- line joining, dates and structure on small inputs ---------------------------------------


@pytest.mark.parametrize(("written", "iso"), [
    ("August 10, 2022", "2022-08-10"),
    ("10 August 2022", "2022-08-10"),
    ("2022-08-10", "2022-08-10"),
    ("2022年8月10日", "2022-08-10"),
    ("２０２２年８月１０日", "2022-08-10"),
    ("Aug. 10, 2022", "2022-08-10"),
    ("Sept. 1, 2022 (effective October 1, 2022)", "2022-09-01"),
    ("February 30, 2022", None),
    ("August 2022", None),
])
def test_date_formats(written: str, iso: str | None) -> None:
    it = _one(f"1. T\nAt a glance: G.\nDate: {written}\n")
    assert (it.date, it.date_text) == (iso, written)


@pytest.mark.parametrize(("lines", "joined"), [
    ("semi-\nconductor makers", "semiconductor makers"),
    ("dual-\nuse items", "dual-use items"),  # a compound head keeps its hyphen
    ("self-\nreliance", "self-reliance"),
    ("new-\nly set", "newly set"),  # ... unless the second part is a suffix
    ("Sino-\nUS trade", "Sino-US trade"),
    ("2023-\n2025 plan", "2023-2025 plan"),
    ("state-of-the-\nart chips", "state-of-the-art chips"),
    ("a state-owned bank and state-\nowned firms", "a state-owned bank and state-owned firms"),
    ("soft\u00ad\nware", "software"),
    ("the plan (十四五\n规划) says", "the plan (十四五规划) says"),
    ("(推进5G\n轻量化技术演进)", "(推进5G轻量化技术演进)"),
    ("（\n促进）", "（促进）"),
    ("at level\n(L3)", "at level (L3)"),
])
def test_hard_wrap_joining(lines: str, joined: str) -> None:
    assert _one(f"1. T\nAt a glance: {lines}\n").glance == joined


def test_numbered_bullets_inside_an_item_do_not_open_items() -> None:
    items = parse_brief("1. First\nAt a glance: Targets:\n1. Reach 50 by 2026.\n2. Reach 20.\n"
                        "Date: 2024-07-02\n2. Second\nAt a glance: More.\n")
    assert [(i.number, i.title) for i in items] == [(1, "First"), (2, "Second")]
    assert items[0].bullets == ["Reach 50 by 2026.", "Reach 20."]


def test_items_without_at_a_glance_are_still_found() -> None:
    items = parse_brief("1. First\nAnalyst comment: C.\nDate: 2024-01-02\n2. Second\n"
                        "Article: Plan (规划)\n3. Third\nAt a glance: G.\n")
    assert [(i.number, i.title) for i in items] == [(1, "First"), (2, "Second"), (3, "Third")]
    assert items[0].comment == "C." and items[1].article_titles_zh == ["规划"]


def test_prose_after_bullets_and_a_blank_line_returns_to_the_glance() -> None:
    it = _one("1. T\nAt a glance: Intro.\n• one\ncontinued\n\nMore prose.\nDate: 2024-01-02")
    assert it.bullets == ["one continued"]
    assert it.glance == "Intro. More prose."


def test_wrapped_title_and_blank_lines_between_fields() -> None:
    it = _one("1. A long title that\nwraps\n\nAt a glance: G.\n\nAnalyst comment: C.\n\n"
              "Issuing body: MIIT and the Ministry of Finance (MOF)\n\nLink: https://a.b/c/\n"
              "d.html and https://e.f/g\n")
    assert it.title == "A long title that wraps"
    assert (it.glance, it.comment, it.comment_org) == ("G.", "C.", "Analyst")
    assert it.issuing_bodies == ["MIIT", "Ministry of Finance (MOF)"]
    assert it.links == ["https://a.b/c/d.html", "https://e.f/g"]


def test_crlf_form_feeds_and_bom_parse_like_plain_text() -> None:
    text = (BRIEFS / "acme_2022_w34.txt").read_text(encoding="utf-8")
    messy = "\ufeff" + text.replace("\n\nAcme Insight |", "\n\f\nAcme Insight |").replace(
        "\n", "\r\n")
    assert parse_brief(messy) == parse_brief(text)


def test_text_and_to_document() -> None:
    it = _parse("acme_2023_w47.txt")[0][1]
    text = it.text()
    assert text.startswith("Six departments issue action plan for high-quality computing "
                           "infrastructure\n\nThe MIIT and five other departments")
    assert "Key targets for 2025 include:\n- Total computing power of more than 300 EFLOPS" in text
    assert text.endswith("\n\nThe plan will sustain demand for servers, storage and optical "
                         "modules, but state-owned operators, banks and hospitals are expected "
                         "to buy domestic chips and software where they can. Foreign vendors "
                         "should expect to compete mainly for components that China cannot yet "
                         "make at scale.")
    doc = it.to_document("w47-2", source="acme_2023_w47.txt")
    assert (doc.id, doc.lang, doc.title, doc.date) == (
        "w47-2", "en", it.title, "2023-10-08")
    brief = doc.meta["brief"]
    assert brief["issuing_bodies"] == ["MIIT", "CAC", "MOE", "NHC", "PBOC", "SASAC"]
    assert brief["date_text"] == "2023年10月8日" and brief["kind"] == "item"
    assert "title" not in brief and "date" not in brief
    back = Document.from_dict(json.loads(json.dumps(doc.to_dict(), ensure_ascii=False)))
    assert back == doc


def test_read_brief_ids_and_sources() -> None:
    docs = list(read_brief(BRIEFS / "acme_2022_w34.txt"))
    assert [d.id for d in docs] == [
        "acme_2022_w34-1", "acme_2022_w34-2", "acme_2022_w34-3", "acme_2022_w34-4",
        "acme_2022_w34-nw1", "acme_2022_w34-nw2", "acme_2022_w34-nw3", "acme_2022_w34-nw4"]
    assert {d.source for d in docs} == {"acme_2022_w34.txt"}
    assert docs[5].text == docs[5].title and docs[5].date == "2022-08-22"
    assert docs[5].meta["brief"]["kind"] == "noteworthy"
    assert docs[0].date == "2022-08-10" and docs[0].text.count("\n- ") == 2


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "  \n\n\t\n"])
def test_empty_file_is_a_brief_parse_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BriefParseError) as info:
        read_brief(path)
    assert info.value.code == "E402" and "empty.txt" in str(info.value)


def test_text_without_items_is_a_brief_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Acme Insight\nChina Top 5\nNo items this week.\n", encoding="utf-8")
    with pytest.raises(BriefParseError, match=r"no numbered item title") as info:
        read_brief(path)
    assert info.value.path == str(path)


def test_glance_before_any_item_names_the_line() -> None:
    with pytest.raises(BriefParseError, match=r"line 3: 'At a glance:'"):
        parse_brief("Acme Insight\n\nAt a glance: orphan text\n1. T\nAt a glance: G.\n",
                    source="x.txt")


def test_invalid_utf8_is_an_encoding_error_with_offset(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    head = b"1. MIIT\nAt a glance: "
    path.write_bytes(head + "工业".encode("gb18030"))
    with pytest.raises(EncodingError) as info:
        read_brief(path)
    assert info.value.code == "E103"
    assert "gbk.txt" in str(info.value) and f"at byte {len(head)}" in str(info.value)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError) as info:
        read_brief(tmp_path / "nope.txt")
    assert info.value.code == "E110" and "nope.txt" in str(info.value)


# --- format detection ------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURES + [SAMPLE], ids=lambda p: p.name)
def test_looks_like_brief_on_the_examples(path: Path) -> None:
    assert looks_like_brief(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", [
    "",
    "国务院关于印发《2024年政府工作报告》的通知\n一、总体要求",
    '{"id": "a", "text": "At a glance: not a brief"}',
    "1. Introduction\n2. Method\nThe method is simple.",
    "At a glance: the summary comes first\n1. then a numbered line",
])
def test_looks_like_brief_rejects_other_text(text: str) -> None:
    assert not looks_like_brief(text)


def test_at_least_three_fixture_briefs() -> None:
    assert len(FIXTURES) >= 3
