"""Summaries: exact renderings, the faithfulness filter, the composer, generators, CLI, metrics."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import policynlp
from policynlp.cli import app
from policynlp.data import Analysis, Document, Summary, Target
from policynlp.evaluate.summaries import (
    MixedTokenizer,
    lead_sentences,
    reference_target_values,
    score_summaries,
)
from policynlp.extract import TargetExtractor, extract_targets, find_key_dates
from policynlp.summarize.composer import compose, issuing_bodies, pick_targets, target_bullet
from policynlp.summarize.facts import find_bodies_en
from policynlp.summarize.faithfulness import SourceFacts, _values, check, enforce
from policynlp.summarize.generators import (
    HOUSE_STYLE,
    Seq2SeqGenerator,
    SummaryComponent,
    VLLMGenerator,
    llm_prompt,
)
from policynlp.summarize.render import amount, deadline_phrase, number
from policynlp.summarize.sentences import SentenceScorer, default_scorer, reference_labels

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample.jsonl"
GWR = REPO.parent / "shared" / "data" / "gwr" / "government_work_reports_1954_2013.jsonl"
runner = CliRunner()

ZH_DOC = """工业和信息化部 国家发展改革委关于印发《光伏制造行业高质量发展行动计划》的通知
工信部联电子〔2024〕18号

各省、自治区、直辖市工业和信息化主管部门、发展改革委：
为推动光伏制造行业高质量发展，现将有关事项通知如下。
一、到2026年，光伏组件产能达到1200万千瓦以上，新建项目单位产品能耗降低10%。
二、支持企业研发投入，研发经费占营业收入比重不低于3%。
三、本通知自2024年7月1日起施行。

工业和信息化部 国家发展改革委
2024年6月20日"""

EN_DOC = """MIIT sets 2027 goals for industrial robots
At a glance: The Ministry of Industry and Information Technology (MIIT) issued an action plan to raise the use of industrial robots in manufacturing. It asks provinces to fund pilot factories and sets a density target. Key targets include:
• Install at least 500 robots in pilot factories by 2027.
Harbour View comment: Foreign robot makers still hold most of the high-end market."""


# --- exact renderings -------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**13),
       st.sampled_from([("CNY", "亿元"), ("W", "万千瓦"), ("tonne", "万吨"), ("person", "万人"),
                        ("percent", "%"), ("USD", "美元"), ("item", "个"), ("km", "公里")]))
def test_rendered_amounts_read_back_to_the_same_value(raw: int, unit: tuple[str, str]) -> None:
    value = raw / 100 if unit[0] == "percent" else float(raw)
    text = amount(value, unit[0], unit[1])
    read = {v for *_, vals in _values(text, "en") for v in vals}
    assert any(abs(v - value) <= 1e-6 * max(1.0, value) for v in read), (value, text, read)


def test_numbers_are_never_rounded() -> None:
    assert number(12_345_678) == "12,345,678"
    assert number(3.44e11) == "344 billion" and number(1.25e12) == "1.25 trillion"
    assert amount(0.00027, "tonne", "克标准煤/千瓦时") == "270 grams"
    assert amount(13333.333333, "m2", "亩") == "20 mu"


def test_deadline_phrases() -> None:
    t = Target(text="", start=0, end=0, value=1, unit="item", deadline="2025-12-31",
               deadline_text="到2025年底")
    assert deadline_phrase(t) == "by end-2025"
    t.deadline, t.deadline_text = "2026-06-30", "2026年6月底前"
    assert deadline_phrase(t) == "by June 2026"
    t.deadline, t.deadline_text = "2026-03-15", "2026年3月15日前"
    assert deadline_phrase(t) == "by March 15, 2026"


# --- faithfulness -----------------------------------------------------------------------------

@pytest.mark.parametrize(("summary", "ok"), [
    ("Create 12 million urban jobs in 2024.", True),          # 1200万 = 12 million
    ("Create 12,000,000 urban jobs.", True),
    ("Create 13 million urban jobs.", False),
    ("Keep unemployment at about 5.5%.", True),
    ("Keep unemployment at about 5.6%.", False),
    ("GDP growth of around 5 percent.", True),
    ("The CAC issued the plan.", False),                      # a body the source lacks
    ("The State Council issued the plan.", True),
])
def test_check_normalises_units(summary: str, ok: bool) -> None:
    source = "国务院：2024年城镇新增就业1200万人以上，调查失业率5.5%左右，经济增长5%左右。"
    assert check(summary, source, "zh").faithful is ok


def test_glossary_terms_support_their_numbers() -> None:
    assert check("Targets of the 14th Five-Year Plan.", "“十四五”时期的目标", "zh").faithful
    assert not check("Targets of the 15th Five-Year Plan.", "“十四五”时期的目标", "zh").faithful


def test_enforce_drops_only_the_unsupported_pieces() -> None:
    draft = Summary("The NDRC set targets. It covers 31 provinces. Key targets include:\n"
                    "- 30% by 2025\n- 45% by 2030", ["Effective May 1, 2024", "Backed by MOF"])
    clean, report = enforce(draft, "国家发展改革委：到2025年达到30%。自2024年5月1日起施行。", "zh")
    assert clean.at_a_glance == "The NDRC set targets. Key targets include:\n- 30% by 2025"
    assert clean.key_points == ["Effective May 1, 2024"]
    assert {u.text for u in report.unsupported} == {"31", "45", "2030", "MOF"}


# --- the composer -----------------------------------------------------------------------------

def test_chinese_document_becomes_an_english_house_style_draft() -> None:
    targets = extract_targets(ZH_DOC, "zh", "2024-06-20")
    s = compose(ZH_DOC, "zh", targets=targets, key_dates=find_key_dates(ZH_DOC, "2024-06-20"),
                scorer=None)
    text = s.at_a_glance or ""
    assert text.startswith("The Ministry of Industry and Information Technology (MIIT) and "
                           "National Development and Reform Commission (NDRC) issued an action "
                           "plan on ")
    assert "Key targets include:\n- " in text
    assert "12 million kW by 2026" in text and "at least 3%" in text
    assert s.key_points == ["Takes effect on July 1, 2024"]
    assert not any("\u4e00" <= c <= "\u9fff" for c in text.split("[")[0][:80])
    assert check(text, ZH_DOC, "zh").faithful


def test_every_bullet_number_equals_an_extracted_number() -> None:
    targets = extract_targets(ZH_DOC, "zh", "2024-06-20")
    for t in pick_targets(targets):
        vals = {v for *_, vs in _values(target_bullet(t, "zh"), "en") for v in vs}
        assert any(abs(v - t.value) <= 1e-6 * max(1, t.value) for v in vals)


def test_english_document_keeps_its_own_sentences() -> None:
    targets = extract_targets(EN_DOC, "en", "2025-01-10")
    s = compose(EN_DOC, "en", title="MIIT sets 2027 goals for industrial robots",
                targets=targets, scorer=None).at_a_glance or ""
    assert s.startswith("The Ministry of Industry and Information Technology (MIIT) issued an "
                        "action plan")
    assert "At a glance" not in s and "MIIT sets 2027 goals" not in s
    assert "500" in s.split("Key targets include:")[1]


def test_issuing_bodies_from_title_signature_or_issuing_line() -> None:
    assert [b.abbr for b in issuing_bodies(ZH_DOC, "zh")] == ["MIIT", "NDRC"]
    assert [b.zh for b in issuing_bodies("关于加强管理的通知\n……\n广东省人民政府办公厅\n2024年1月2日",
                                         "zh")] == ["广东省人民政府办公厅"]
    assert [b.abbr for b in issuing_bodies("Rules on X\nText.\nIssuing body: CSRC", "en")] == [
        "CSRC"]
    assert find_bodies_en("the Hainan provincial government")[0].zh == "海南省人民政府"


def test_sentence_labels_and_shipped_scorer() -> None:
    import numpy as np

    s = np.eye(3)
    assert reference_labels(s, np.array([[0, 0, 1.0], [1.0, 0, 0]])).tolist() == [1, 0, 1]
    scorer = default_scorer()
    assert scorer is not None and scorer.dim == 384
    ranked = scorer.score(EN_DOC, "en")
    best = max(ranked, key=lambda p: p[1])[0]
    assert EN_DOC[best.start:best.end].startswith("At a glance")
    assert len(SentenceScorer.candidates("。".join(["句子"] * 100), "zh")) == 12


@pytest.mark.skipif(not GWR.is_file(), reason="needs ../shared/data/gwr (shared data absent)")
def test_real_government_work_report_draft_is_faithful() -> None:
    with GWR.open(encoding="utf-8") as fh:
        rec = json.loads(fh.readline())
    text = rec["text"]
    s = compose(text, "zh", targets=extract_targets(text, "zh", rec.get("date")), scorer=None)
    assert s.at_a_glance and check(s.at_a_glance, text, "zh").faithful


# --- generators -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 1-layer T5 with a word-level tokenizer, saved locally."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

    words = sorted(set((EN_DOC + " summarize: targets: document: The issued plan by 2026 "
                        "2027 12 million 999 at least Key include").split()))
    vocab = {t: i for i, t in enumerate(["<pad>", "</s>", "<unk>", *words])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(single="$A </s>",
                                                       special_tokens=[("</s>", 1)])
    folder = tmp_path_factory.mktemp("tiny-t5")
    PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(folder)
    torch.manual_seed(0)
    cfg = T5Config(vocab_size=len(vocab), d_model=16, d_kv=8, d_ff=32, num_layers=1,
                   num_heads=2, decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    T5ForConditionalGeneration(cfg).save_pretrained(folder, safe_serialization=True)
    return folder


def _docs(n: int) -> tuple[list[Document], list[Analysis]]:
    texts = [EN_DOC, "MIIT issued a plan.", ZH_DOC, "The issued plan by 2026.", EN_DOC[:200]]
    docs = [Document(id=str(i), text=texts[i % len(texts)] * (1 + i % 3)) for i in range(n)]
    analyses = [Analysis(id=d.id, lang="zh" if "工业" in d.text else "en") for d in docs]
    TargetExtractor().process(docs, analyses)
    return docs, analyses


def test_seq2seq_generator_batches_and_keeps_input_order(tiny_t5: Path) -> None:
    docs, analyses = _docs(7)
    gen = Seq2SeqGenerator(str(tiny_t5), batch_size=3, max_new_tokens=12)
    batched = gen.generate(docs, analyses)
    assert gen.calls == 3 and len(batched) == 7
    alone = [Seq2SeqGenerator(str(tiny_t5), batch_size=1, max_new_tokens=12).generate(
        [d], [a])[0] for d, a in zip(docs, analyses, strict=True)]
    assert batched == alone  # sorting by length for batching does not reorder the results


def test_seq2seq_drafts_pass_the_faithfulness_filter(tiny_t5: Path) -> None:
    docs, analyses = _docs(6)
    comp = SummaryComponent(Seq2SeqGenerator(str(tiny_t5), batch_size=4, max_new_tokens=24))
    comp.process(docs, analyses)
    for d, a in zip(docs, analyses, strict=True):
        if a.summary.at_a_glance:
            assert check(a.summary.at_a_glance, d.text, a.lang).faithful


class FakeLLM:
    """Stands in for ``vllm.LLM``: echoes a fixed draft, one result per prompt, in order."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def generate(self, prompts: list[str], params: object) -> list[SimpleNamespace]:
        self.prompts += prompts
        return [SimpleNamespace(outputs=[SimpleNamespace(text=(
            f"Draft {i}. MIIT issued a plan covering 999 firms. Key targets include:\n"
            "- 12 million kW by 2026\nKey points:\n- Backed by the PBOC\n- Applies nationwide"))])
            for i, _ in enumerate(prompts)]


def test_vllm_generator_prompt_order_and_filter() -> None:
    docs, analyses = _docs(3)
    llm = FakeLLM()
    gen = VLLMGenerator(llm, examples=[("示例文件", "The State Council issued a plan.")])
    comp = SummaryComponent(gen)
    comp.process(docs, analyses)
    assert len(llm.prompts) == 3 and all(p.startswith(HOUSE_STYLE) for p in llm.prompts)
    assert "Example 1 document:" in llm.prompts[0]
    zh = next(i for i, a in enumerate(analyses) if a.lang == "zh")
    assert "- Photovoltaic" in llm.prompts[zh] or "Targets (use these bullets exactly):" in \
        llm.prompts[zh]
    for i, a in enumerate(analyses):
        text = a.summary.at_a_glance or ""
        assert f"Draft {i}." in text or "Draft" not in text  # order kept
        assert "999" not in text and "PBOC" not in " ".join(a.summary.key_points)
    assert analyses[zh].summary.at_a_glance.endswith("- 12 million kW by 2026")
    assert comp.removed >= 6


def test_llm_prompt_carries_targets_as_fixed_bullets() -> None:
    docs, analyses = _docs(3)
    prompt = llm_prompt(docs[2], analyses[2])
    assert "Targets (use these bullets exactly):" in prompt and "12 million kW by 2026" in prompt


# --- pipeline and command line ----------------------------------------------------------------

def test_analyze_fills_the_summary() -> None:
    nlp = policynlp.load(summaries=True)
    a = nlp({"id": "x", "text": ZH_DOC, "date": "2024-06-20"})
    assert a.summary.at_a_glance and a.summary.at_a_glance.startswith("The Ministry")
    assert policynlp.load(summaries=False)(ZH_DOC).summary.at_a_glance is None


def test_summarize_command_writes_only_summaries(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    result = runner.invoke(app, ["summarize", str(SAMPLE), "-o", str(out), "-q"])
    assert result.exit_code == 3, result.output  # the sample holds two bad records on purpose
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 8
    good = [r for r in rows if "error" not in r]
    assert good and all(set(r) == {"id", "lang", "summary"} for r in good)
    assert all(r["summary"]["at_a_glance"] for r in good)
    assert sum("error" in r for r in rows) == 2


def test_summarize_command_with_a_seq2seq_model(tmp_path: Path, tiny_t5: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(json.dumps({"id": str(i), "text": t}, ensure_ascii=False)
                             for i, t in enumerate([EN_DOC, ZH_DOC, ""])) + "\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["summarize", str(src), "-o", str(out), "--generator", "seq2seq",
                                 "--generator-model", str(tiny_t5), "--device", "cpu", "-q"])
    assert result.exit_code == 3, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["0", "1", "2"] and rows[2]["error"]["code"] == "E101"


def test_seq2seq_training_script_runs_on_a_tiny_model(tmp_path: Path, tiny_t5: Path) -> None:
    sys.path.insert(0, str(REPO / "training"))
    try:
        from train_seq2seq import pairs, train
    finally:
        sys.path.pop(0)
    records = [{"id": str(i), "lang": "en", "text": EN_DOC, "date": "2025-01-10",
                "summary": {"at_a_glance": "The MIIT issued a plan. Key targets include:\n"
                                           "- 500 per 10,000 workers by 2027"}}
               for i in range(4)]
    assert pairs(records[:1])[0][0].startswith("summarize: targets: ")
    metrics = train(str(tiny_t5), records, records[:2], tmp_path / "m", epochs=1, batch_size=2)
    assert (tmp_path / "m" / "model.safetensors").is_file()
    assert set(metrics["dev"]) == {"seq2seq", "lead3", "removed_by_filter"}


# --- metrics ----------------------------------------------------------------------------------

def test_rouge_uses_characters_for_chinese() -> None:
    assert MixedTokenizer().tokenize("国务院 issued 2 Plans") == ["国", "务", "院", "issued", "2",
                                                                  "plans"]
    s = score_summaries([("国务院发布", "国务院印发", "国务院印发")])
    assert s["rouge"]["rouge1"] == pytest.approx(0.8)  # 国务院发: 4 of 5 characters each side
    assert s["rouge"]["rouge2"] == pytest.approx(0.5)  # 国务, 务院: 2 of 4 bigrams


def test_coverage_body_accuracy_and_faithfulness_by_hand() -> None:
    ref = ("The Ministry of Commerce (MOFCOM) issued rules. Key targets include:\n"
           "- CNY 5 billion by 2025\n- 30% by 2026\n- 12 ports")
    assert reference_target_values(ref) == [{5e9}, {30.0}, {12.0}]
    draft = "MOFCOM issued rules. Key targets include:\n- CNY 5 billion by 2025\n- 40% by 2026"
    source = "商务部：到2025年安排50亿元，到2026年达到30%，建设12个港口。"
    s = score_summaries([(draft, ref, source)])
    assert s["target_coverage"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["body_accuracy"] == 1.0
    assert s["numeric_faithfulness"] == 0.0  # 40 is not in the source
    assert s["numbers_supported"] == pytest.approx(3 / 4)  # 5 billion, 2025, 2026; not 40
    empty = score_summaries([(None, ref, source)])
    assert empty["rouge"]["rougeL"] == 0.0 and empty["target_coverage"] == 0.0


def test_lead_baseline_takes_the_first_sentences() -> None:
    assert lead_sentences("A one. B two. C three. D four.", "en", 3) == "A one. B two. C three."


def test_source_facts_are_reusable() -> None:
    facts = SourceFacts(ZH_DOC, "zh")
    assert facts.supports(1.2e10) and not facts.supports(7.7e10)
    assert [b.abbr for b in facts.bodies][:2] == ["MIIT", "NDRC"]


def test_summarize_command_explains_a_missing_vllm(tmp_path: Path) -> None:
    pytest.importorskip("typer")
    if __import__("importlib").util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here")
    result = runner.invoke(app, ["summarize", str(SAMPLE), "-o", str(tmp_path / "o.jsonl"),
                                 "--generator", "vllm", "--generator-model", "some/model"])
    assert result.exit_code == 1 and "policynlp[llm]" in result.output
