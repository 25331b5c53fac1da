"""Shared fixtures: paths to the shared development data, skipped when it is absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

# The output record of SPEC section 3, verbatim (the "…" entries aside): the data model
# must read and write exactly this shape.
SPEC_OUTPUT_EXAMPLE: dict[str, Any] = {
    "id": "doc-1", "lang": "zh",
    "sectors": [{"label": "automotive", "score": 0.93}],
    "sector_scores": {"automotive": 0.93, "semiconductors": 0.41},
    "risk": {"level": "medium", "scores": {"low": 0.2, "medium": 0.5, "high": 0.3},
             "channels": [{"label": "localization", "score": 0.81}]},
    "dual_use": {"relevant": False, "score": 0.12, "evidence": [{"start": 10, "end": 52}]},
    "targets": [{"text": "国内生产总值增长5%左右", "start": 8, "end": 20,
                 "metric": "GDP growth", "value": 5.0, "value_high": None, "unit": "percent",
                 "unit_text": "%", "comparator": "approx", "direction": "increase",
                 "deadline": "2024-12-31", "deadline_text": "今年", "baseline": None}],
    "key_dates": [{"type": "effective", "date": "2022-10-01",
                   "text": "effective as of October 1, 2022", "start": 0, "end": 31}],
    "summary": {"at_a_glance": "The State Council set a GDP growth target.",
                "key_points": ["GDP growth of around 5%"]},
    "model": {"name": "policynlp-e5-small", "version": "0.1.0", "components": ["language"]},
}


@pytest.fixture(scope="session")
def gwr_reports() -> list[dict[str, Any]]:
    """The Government Work Reports (1954–2013) from the shared data folder."""
    path = SHARED_DATA / "gwr" / "government_work_reports_1954_2013.jsonl"
    if not path.is_file():
        pytest.skip(f"shared data not found at {path} (clone the project beside shared/)")
    return [json.loads(line) for line in path.open(encoding="utf-8")]


@pytest.fixture(scope="session")
def govcn_csv() -> Path:
    """The gov.cn listing sample from the shared data folder."""
    path = SHARED_DATA / "govcn" / "listing_sample.csv"
    if not path.is_file():
        pytest.skip(f"shared data not found at {path} (clone the project beside shared/)")
    return path


@pytest.fixture(autouse=True)
def _rules_only_by_default(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run the rule-based pipeline unless marked ``default_model``: loading the shipped
    classifier (base conversion, encoder on CPU) belongs to the tests that are about it."""
    if "default_model" not in request.keywords:
        monkeypatch.setenv("POLICYNLP_MODEL", "none")


# Words of the toy records in the tests; anything else is [UNK] to the tiny encoder.
TINY_VOCAB = """新能源汽车产业发展规划 汽车 电池 充电 semiconductor export controls on chips and
lithography 以旧换新 补贴 消费 foundry subsidies domestic substitution of the a b c d e f g h i
汽车产业规划 MIIT released measures for SMEs 半导体 出口管制 措施 policy plan"""


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised 2-layer BERT and a word-level fast tokenizer, saved locally."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    words = sorted(set(TINY_VOCAB.split()))
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *words])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    folder = tmp_path_factory.mktemp("tiny-bert")
    PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                            cls_token="[CLS]", sep_token="[SEP]").save_pretrained(folder)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    BertModel(cfg, add_pooling_layer=False).save_pretrained(folder, safe_serialization=True)
    return folder
