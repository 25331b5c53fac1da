"""The engine on CUDA: bf16 autocast and pinned copies agree with fp32 (deselected by default)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from policynlp.classify.labels import LabelSpace
from policynlp.classify.model import ClassifierSettings, DocumentClassifier, load_encoder
from policynlp.engine import ScoringEngine

pytestmark = pytest.mark.gpu


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_bf16_on_cuda_agrees_with_fp32_on_cpu(tiny_encoder_dir: Path) -> None:
    s = ClassifierSettings(encoder=str(tiny_encoder_dir), prefix="", max_length=8, stride=5)
    enc, tok = load_encoder(s.encoder)
    model = DocumentClassifier(enc, tok, LabelSpace.from_schema(), s).eval()
    texts = ["汽车 补贴 消费", "chips export controls " * 6, "MIIT released measures"] * 20
    cpu = [a.risk.scores for a in ScoringEngine(model, device="cpu").score(texts)]
    gpu_engine = ScoringEngine(model, device="cuda", dtype="bf16")
    assert gpu_engine.pin and gpu_engine.autocast_dtype == torch.bfloat16
    gpu = [a.risk.scores for a in gpu_engine.score(texts)]
    for a, b in zip(cpu, gpu, strict=True):
        np.testing.assert_allclose(list(a.values()), list(b.values()), atol=2e-2)
