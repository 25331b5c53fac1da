from __future__ import annotations

from collections.abc import Sequence

import pytest

import policynlp
from policynlp import COMPONENT_FACTORIES, Analysis, Document, Pipeline
from policynlp.errors import (
    BinaryContentError,
    DocumentTooLargeError,
    EmptyTextError,
    InvalidFieldError,
    LanguageMismatchError,
    UnsupportedLanguageError,
)
from policynlp.pipeline import check_document


class Recorder:
    """A component that records the batches it sees and fails on a marker text."""

    name = "recorder"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def process(self, docs: Sequence[Document], analyses: Sequence[Analysis]) -> None:
        self.batches.append([d.id for d in docs])
        for d, a in zip(docs, analyses, strict=False):
            if "BOOM" in d.text:
                raise RuntimeError("component exploded")
            a.summary.key_points.append(f"{len(d.text)} chars")


def test_load_default_pipeline_analyses_zh_and_en() -> None:
    nlp = policynlp.load()
    zh = nlp("国务院关于加快发展先进制造业集群的意见")
    en = nlp("The State Council issued opinions on advanced manufacturing clusters.")
    assert (zh.lang, en.lang) == ("zh", "en")
    d = zh.to_dict()
    assert set(d) == {"id", "lang", "sectors", "sector_scores", "risk", "dual_use", "targets",
                      "key_dates", "summary", "model"}
    assert d["model"]["components"][0] == "language"


def test_pipe_keeps_order_and_turns_bad_records_into_errors() -> None:
    nlp = policynlp.load()
    items = ["国务院通知", "", {"id": "z", "text": "x" * 10, "lang": "de"}, {"no": "text"},
             Document(id="d", text="MIIT notice"), "\x00\x01\x02binary"]
    out = list(nlp.pipe(items, batch_size=2))
    assert [a.id for a in out] == ["1", "2", "z", "4", "d", "6"]
    assert [a.error.code if a.error else "ok" for a in out] == [
        "ok", "E101", "E107", "E105", "ok", "E102"]
    assert "record '2'" in out[1].error.message


def test_call_raises_on_bad_input() -> None:
    with pytest.raises(EmptyTextError) as info:
        policynlp.load()(" \n\t")
    assert info.value.code == "E101"


def test_component_failure_is_isolated_to_its_record() -> None:
    rec = Recorder()
    nlp = Pipeline(components=[rec])
    out = list(nlp.pipe(["第一篇", "BOOM 第二篇", "第三篇"], batch_size=3))
    assert [a.ok for a in out] == [True, False, True]
    assert out[1].error.code == "E500" and "component exploded" in out[1].error.message
    assert out[0].summary.key_points == ["3 chars"] and out[2].summary.key_points == ["3 chars"]
    assert rec.batches[0] == ["1", "2", "3"]
    assert out[0].model.components == ["language", "recorder"]


def test_pipe_errors_raise_mode() -> None:
    with pytest.raises(UnsupportedLanguageError):
        list(policynlp.load().pipe([{"text": "abc", "lang": "xx"}], errors="raise"))


def test_pipe_is_lazy_and_streams() -> None:
    def endless():
        i = 0
        while True:
            i += 1
            yield f"第{i}号通知"

    out = policynlp.load().pipe(endless(), batch_size=4)
    first = [next(out).id for _ in range(10)]
    assert first == [str(i) for i in range(1, 11)]


@pytest.mark.parametrize("doc, error", [
    (Document(id="1", text=""), EmptyTextError),
    (Document(id="1", text="\u3000 \n"), EmptyTextError),
    (Document(id="1", text="a" * 101), DocumentTooLargeError),
    (Document(id="1", text="\x00" * 50), BinaryContentError),
    (Document(id="1", text="国务院关于印发规划的通知", lang="en"), LanguageMismatchError),
    (Document(id="1", text="The State Council issued a plan.", lang="zh"),
     LanguageMismatchError),
    (Document(id="1", text="Госсовет опубликовал план"), UnsupportedLanguageError),
    (Document(id="1", text="2025 — 100%"), UnsupportedLanguageError),
])
def test_check_document_errors(doc: Document, error: type) -> None:
    with pytest.raises(error) as info:
        check_document(doc, max_chars=100)
    assert info.value.record_id == "1" and info.value.hint


def test_check_document_mixed_text_with_declared_lang() -> None:
    text = "MIIT released the 《促进中小企业特色产业集群发展暂行办法》 for SME clusters."
    doc = Document(id="1", text=text, lang="en")
    assert check_document(doc) == "en"
    assert check_document(Document(id="2", text="國務院政府工作報告")) == "zh"


def test_default_lang_skips_detection() -> None:
    nlp = policynlp.load(lang="en")
    assert nlp("国务院").lang == "en"


def test_component_registry_and_unknown_component(tmp_path) -> None:
    (tmp_path / "config.json").write_text(
        '{"name": "m", "version": "1", "components": ["sectors-v9"]}', encoding="utf-8")
    with pytest.raises(policynlp.errors.ModelFilesError) as info:
        policynlp.load(tmp_path, device="cpu")
    assert "sectors-v9" in str(info.value)

    class Fixed:
        name = "fixed"

        def process(self, docs, analyses):
            for a in analyses:
                a.risk.level = "low"

    COMPONENT_FACTORIES["sectors-v9"] = lambda cfg, device: Fixed()
    try:
        nlp = policynlp.load(tmp_path, device="cpu")
        a = nlp("国务院通知")
        assert a.risk.level == "low" and a.model.name == "m"
        assert a.model.components[-2:] == ["fixed", "summary"]  # the summary comes last
    finally:
        del COMPONENT_FACTORIES["sectors-v9"]


def test_invalid_date_in_dict_input() -> None:
    [a] = policynlp.load().pipe([{"id": "q", "text": "国务院", "date": "yesterday"}])
    assert a.error.code == InvalidFieldError.code
