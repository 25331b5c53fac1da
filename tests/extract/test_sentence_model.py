"""The learned target-vs-report sentence classifier and how the extractor uses it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from policynlp.extract import extract_targets
from policynlp.extract.sentence_model import TargetSentenceClassifier, sentence_examples

TARGETS = ["今年新增就业1200万人以上。", "到2025年培育200个集群。", "力争粮食产量达到1.3万亿斤。",
           "The plan will add 300 GW of capacity.", "Exports are to reach USD 50 billion."]
REPORTS = ["上年国内生产总值增长5.2%。", "过去五年累计完成投资1200亿元。", "去年粮食产量6.9亿吨。",
           "Exports rose 7% last year.", "The ministry completed 1,200 projects in 2023."]


def _fitted() -> TargetSentenceClassifier:
    return TargetSentenceClassifier.fit(TARGETS * 3 + REPORTS * 3, [1] * 15 + [0] * 15)


def test_save_and_load_give_the_same_probabilities(tmp_path: Path) -> None:
    clf = _fitted()
    clf.save(tmp_path / "m")
    assert {p.name for p in tmp_path.iterdir()} == {"m.json", "m.safetensors"}
    again = TargetSentenceClassifier.load(tmp_path / "m")
    probe = ["明年新增就业1100万人。", "Imports fell 3% last year."]
    np.testing.assert_allclose(again.predict_proba(probe), clf.predict_proba(probe), rtol=1e-5)


def test_digits_are_folded_so_values_do_not_matter() -> None:
    clf = _fitted()
    p = clf.predict_proba(["今年新增就业1200万人以上。", "今年新增就业9876万人以上。"])
    assert abs(p[0] - p[1]) < 1e-6


class _Always:
    """A stand-in classifier with a fixed answer, to see where the extractor consults it."""

    def __init__(self, answer: bool, languages: tuple[str, ...] = ("zh", "en")) -> None:
        self.answer = answer
        self.calls = 0
        self.languages = languages

    def is_target(self, sentence: str) -> bool:
        self.calls += 1
        return self.answer


def test_classifier_decides_only_where_the_rules_are_unsure() -> None:
    # firm: a deadline makes a target, explicit past wording a report, whatever the model says
    firm_yes = "到2025年，培育200个左右特色产业集群。"
    firm_no = "上年国内生产总值增长5.2%。"
    no = _Always(False)
    assert len(extract_targets(firm_yes, "zh", "2023-01-01", classifier=no)) == 1
    assert extract_targets(firm_no, "zh", "2024-03-05", classifier=no) == []
    # unsure (a planning verb, no deadline): the classifier's answer is taken, once per sentence
    unsure = "支持建设30个公共服务平台和10个创新中心。"
    assert len(extract_targets(unsure, "zh", None, classifier=None)) == 2
    assert extract_targets(unsure, "zh", None, classifier=no) == []
    assert no.calls == 1
    # a classifier chosen for English only leaves Chinese to the rules
    assert len(extract_targets(unsure, "zh", None, classifier=_Always(False, ("en",)))) == 2


def test_sentence_examples_label_sentences_with_gold_targets() -> None:
    text = "今年新增就业1200万人以上。上年增长5.2%。"
    rec = {"text": text, "lang": "zh", "targets": [{"start": 2, "end": 15}]}
    assert [(s, y) for s, _, y in sentence_examples([rec])] == [
        ("今年新增就业1200万人以上。", 1), ("上年增长5.2%。", 0)]


DEV = Path(__file__).resolve().parents[2] / "corpora" / "briefs" / "dev.jsonl"


@pytest.mark.skipif(not DEV.is_file(), reason="the corpus dev split is not built")
def test_the_shipped_classifier_beats_the_rules_on_dev_sentences() -> None:
    import json

    from sklearn.metrics import f1_score

    from policynlp.extract.sentence_model import default_classifier

    clf = default_classifier()
    assert clf is not None, "src/policynlp/extract/data/target_sentences.* should ship"
    assert set(clf.languages) <= {"zh", "en"}
    with DEV.open(encoding="utf-8") as fh:
        examples = sentence_examples(json.loads(line) for line in fh)
    gold = [y for _, _, y in examples]
    model = (clf.predict_proba([s for s, _, _ in examples]) >= clf.threshold).astype(int)
    rules = [int(bool(extract_targets(s, lang, None, classifier=None)))
             for s, lang, _ in examples]
    assert f1_score(gold, model) > f1_score(gold, rules)
