"""Scoring engine: token batches, agreement with the classifier, order, errors, OOM, streaming."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from policynlp.classify.labels import LabelSpace
from policynlp.classify.model import ClassifierSettings, DocumentClassifier, load_encoder
from policynlp.engine import ScoringEngine, pack_by_tokens, padding_efficiency
from policynlp.engine.batching import PaddedBatch

TEXTS = [
    "新能源汽车产业发展规划 汽车 电池 充电",
    "semiconductor export controls on chips and lithography " * 5,
    "汽车 以旧换新 补贴 消费",
    "chips foundry subsidies and domestic substitution of chips " * 3,
    "MIIT released measures for SMEs",
]


def _classifier(folder: Path, **settings: Any) -> DocumentClassifier:
    s = ClassifierSettings(encoder=str(folder), prefix="", max_length=8, stride=5, **settings)
    enc, tok = load_encoder(s.encoder)
    torch.manual_seed(1)
    return DocumentClassifier(enc, tok, LabelSpace.from_schema(), s).eval()


@pytest.mark.parametrize("seed", range(5))
def test_token_batches_cover_every_item_once_within_the_budget(seed: int) -> None:
    rng = random.Random(seed)
    lengths = [rng.randint(1, 60) for _ in range(rng.randint(0, 80))]
    batches = pack_by_tokens(lengths, batch_tokens=100, max_batch=7)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= 7
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 100
    if lengths:
        assert padding_efficiency(lengths, batches) > 0.5


def test_a_headline_does_not_ride_with_full_windows() -> None:
    assert pack_by_tokens([512, 512, 30, 500, 20], batch_tokens=4096) == [[0, 1, 3], [2, 4]]
    assert pack_by_tokens([512, 30], batch_tokens=4096, fill=0.0) == [[0, 1]]


def test_an_item_over_the_budget_gets_a_batch_of_its_own() -> None:
    assert pack_by_tokens([500, 10, 10], batch_tokens=100) == [[0], [1, 2]]
    with pytest.raises(ValueError):
        pack_by_tokens([1], batch_tokens=0)


@pytest.mark.parametrize(("ngram_branch", "token_pooling"),
                         [(False, False), (True, False), (False, True)])
def test_engine_agrees_with_the_classifier_and_keeps_input_order(
        tiny_encoder_dir: Path, ngram_branch: bool, token_pooling: bool) -> None:
    model = _classifier(tiny_encoder_dir, token_pooling=token_pooling)
    if model.heads.tokens is not None:  # windows of one document pooled across batches
        torch.nn.init.normal_(model.heads.tokens.weight, std=0.5)
    if ngram_branch:  # the engine blends the n-gram logits of the same texts, in input order
        from policynlp.classify.baseline import TfidfBaseline

        recs = [{"text": t, "sectors": [s], "risk": {"level": lv, "channels": []},
                 "dual_use": {"relevant": lv == "high"}}
                for t, s, lv in zip(TEXTS, ["automotive", "semiconductors", "automotive",
                                            "semiconductors", "manufacturing_sme"],
                                    ["low", "high", "medium", "high", "low"], strict=True)]
        scales = {h: [1.0, 0.5] for h in ("sectors", "risk", "channels", "dual_use")}
        model.attach_ngram(TfidfBaseline(c=10.0).fit(recs * 2), 0.6, scales)
    expected = model.predict(TEXTS)
    engine = ScoringEngine(model, device="cpu", batch_tokens=24, chunk_docs=2)
    items: list[Any] = [{"id": f"d{i}", "text": t} for i, t in enumerate(TEXTS)]
    items.insert(2, {"id": "empty", "text": "  "})
    items.insert(4, {"id": "no-text"})
    out = list(engine.score(items))
    assert [a.id for a in out] == ["d0", "d1", "empty", "d2", "no-text", "d3", "d4"]
    assert out[2].error is not None and out[2].error.code == "E101"
    assert out[4].error is not None and out[4].error.code == "E105"
    good = [a for a in out if a.error is None]
    space = model.space
    got = np.array([[a.sector_scores[s] for s in space.sectors] for a in good])
    np.testing.assert_allclose(got, expected.sectors, atol=1e-4)
    risk = np.array([[a.risk.scores[lv] for lv in space.risk_levels] for a in good])
    np.testing.assert_allclose(risk, expected.risk, atol=1e-4)
    np.testing.assert_allclose([a.dual_use.score for a in good], expected.dual_use, atol=1e-4)
    assert all(a.sectors for a in good)  # at least one sector each
    stats = engine.stats
    assert stats.documents == 7 and stats.errors == 2
    assert 0 < stats.padding_efficiency <= 1 and stats.windows > len(TEXTS)  # long texts split


def test_tasks_choose_the_fields(tiny_encoder_dir: Path) -> None:
    model = _classifier(tiny_encoder_dir)
    a = next(ScoringEngine(model, device="cpu", tasks=["risk"]).score(
        ["国务院关于推动新能源汽车产业发展规划 到2025年产量达到100万辆"]))
    assert a.risk.level is not None and a.sector_scores == {} and a.dual_use.score is None
    t = next(ScoringEngine(model, device="cpu", tasks=["targets"]).score(
        ["到2025年，新能源汽车产量达到100万辆。"]))
    assert [x.value for x in t.targets] == [1_000_000.0] and t.risk.level is None
    with pytest.raises(ValueError, match="unknown task"):
        ScoringEngine(model, device="cpu", tasks=["sentiment"])


def test_out_of_memory_splits_the_batch_and_a_window_too_large_becomes_an_error(
        tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = _classifier(tiny_encoder_dir)
    reference = [a.risk.scores for a in ScoringEngine(model, device="cpu").score(TEXTS)]
    engine = ScoringEngine(model, device="cpu", batch_tokens=10_000)
    real_forward = engine._forward

    def limited(batch: PaddedBatch) -> torch.Tensor:
        if len(batch.index) > 2:  # the device "runs out of memory" beyond two windows
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        if batch.real_tokens >= 8 and "too-long" in flagged:
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real_forward(batch)

    flagged: set[str] = set()
    monkeypatch.setattr(engine, "_forward", limited)
    out = list(engine.score(TEXTS))
    assert engine.stats.oom_splits > 0
    for a, ref in zip(out, reference, strict=True):
        assert a.risk.scores == pytest.approx(ref, abs=1e-5)
    flagged.add("too-long")  # now no full-length window fits, even alone
    out = list(engine.score(["汽车 补贴", TEXTS[1]]))
    assert out[0].error is None
    assert out[1].error is not None and out[1].error.code == "E501"


def test_input_is_consumed_lazily(tiny_encoder_dir: Path) -> None:
    model = _classifier(tiny_encoder_dir)
    pulled = 0

    def endless() -> Iterator[str]:
        nonlocal pulled
        while True:
            pulled += 1
            yield TEXTS[pulled % len(TEXTS)]

    engine = ScoringEngine(model, device="cpu", chunk_docs=4, prefetch=1)
    stream = engine.score(endless())
    first = [next(stream) for _ in range(5)]
    assert all(a.error is None for a in first)
    assert pulled <= 4 * 4  # a few chunks ahead at most, never the whole input
    stream.close()
