"""Which sentences of a document say what it is for and what it covers (purpose and scope).

A logistic regression over e5 sentence embeddings of the embedded base encoder (SPEC §6:
the same encoder everywhere, offline) plus position and shape features. It is learned from the
corpus' reference "At a glance" paragraphs: a source sentence is positive when it is among the
source sentences closest, in e5 space (which is cross-lingual, so Chinese sentences are matched
with the English references), to a prose sentence of its reference summary. At run time no
reference is needed: the scorer ranks the opening sentences of a document and the composer takes
the best ones.

The fitted model is stored without pickle: settings as JSON, weights as safetensors.

Example:
    >>> import numpy as np
    >>> scorer = SentenceScorer(np.zeros(SentenceScorer.n_features(4)), 0.0, dim=4)
    >>> text = "关于推进算力建设的通知\\n为加快算力建设，制定本方案。\\n一、总体要求"
    >>> scorer.candidates(text, "zh")
    [Span(start=0, end=11), Span(start=12, end=26), Span(start=27, end=33)]
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from policynlp.data import Span
from policynlp.text.sentences import split_sentences

#: Where the shipped scorer lives (package data).
DEFAULT_PATH = Path(__file__).with_name("data") / "sentence_scorer"
#: Only the opening sentences of a document are candidates (purpose and scope come early;
#: a 20,000-character plan is not embedded whole to write two sentences).
MAX_CANDIDATES = 12
#: Tokens of each candidate the encoder reads (the opening words carry purpose and scope).
MAX_TOKENS = 96
#: Embeddings of recently seen sentences, reused (boilerplate lines repeat across documents).
_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_CACHE_SIZE = 50_000

_PURPOSE = re.compile(r"^(?:为了?|为进一步|根据|按照|to |in order to |aims? |at a glance)", re.I)
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|"
                      r"\d+[.、]|第.{1,3}[章条])")
_SHAPE = 10


def _shape(text: str, span: Span, index: int, n: int) -> list[float]:
    s = text[span.start:span.end]
    digits = sum(c.isdigit() for c in s)
    return [
        1.0 if index == 0 else 0.0,                      # the title line
        min(index, MAX_CANDIDATES) / MAX_CANDIDATES,     # position
        1.0 / (1 + index),                               # early sentences
        min(len(s), 400) / 400,                          # length
        1.0 if len(s) < 20 else 0.0,                     # very short (headings, addressees)
        min(digits, 20) / 20,                            # number-heavy (targets, dates)
        1.0 if _PURPOSE.search(s) else 0.0,              # "为…", "To …", "At a glance"
        1.0 if _HEADING.match(s) else 0.0,               # numbered heading
        1.0 if s.rstrip().endswith(("：", ":")) else 0.0,  # addressee line or list lead-in
        1.0 if re.search(r"[\u4e00-\u9fff]", s) else 0.0,  # Chinese
    ]


@lru_cache(maxsize=1)
def _base_encoder() -> tuple[Any, Any]:
    from policynlp.models.e5 import load_base

    return load_base()


def embed_sentences(sentences: Sequence[str], encoder: tuple[Any, Any] | None = None
                    ) -> np.ndarray:
    """e5 embeddings (``query:`` prefix, :data:`MAX_TOKENS` tokens) of sentences with the
    base encoder; sentences seen recently come from a cache, the rest are embedded in one
    batched pass sorted by length."""
    from policynlp.models.e5 import embed

    todo = sorted({s for s in sentences if s not in _CACHE}, key=len)
    if todo:
        model, tok = encoder or _base_encoder()
        vecs = embed(model, tok, [f"query: {s}" for s in todo], max_length=MAX_TOKENS)
        for sent, vec in zip(todo, vecs, strict=True):
            _CACHE[sent] = vec
            if len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    if not sentences:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_CACHE[s] for s in sentences])


class SentenceScorer:
    """Scores the candidate sentences of a document for the summary's purpose and scope."""

    def __init__(self, coef: np.ndarray, intercept: float, *, dim: int = 384,
                 k: int = 2) -> None:
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.dim = dim
        #: how many sentences the composer takes (chosen on the dev split)
        self.k = k

    @staticmethod
    def n_features(dim: int) -> int:
        return dim + _SHAPE

    @staticmethod
    def candidates(text: str, lang: str | None = None) -> list[Span]:
        """The sentences that may be picked: the first :data:`MAX_CANDIDATES` (only the
        opening of a long document is split)."""
        head = text[:4000] if len(text) > 4000 else text
        spans = split_sentences(head, lang)
        if len(head) < len(text) and spans:
            spans = spans[:-1]  # the last one may be cut off
        return spans[:MAX_CANDIDATES]

    @staticmethod
    def features(text: str, spans: Sequence[Span], embeddings: np.ndarray) -> np.ndarray:
        shape = np.array([_shape(text, s, i, len(spans)) for i, s in enumerate(spans)])
        return np.hstack([embeddings, shape.reshape(len(spans), _SHAPE)])

    def score(self, text: str, lang: str | None = None, *,
              encoder: tuple[Any, Any] | None = None) -> list[tuple[Span, float]]:
        """``(sentence span, probability)`` for each candidate, in document order."""
        return self.score_many([(text, lang)], encoder=encoder)[0]

    def score_many(self, docs: Sequence[tuple[str, str | None]], *,
                   encoder: tuple[Any, Any] | None = None) -> list[list[tuple[Span, float]]]:
        """:meth:`score` for many documents with one batched encoder pass."""
        spans = [self.candidates(text, lang) for text, lang in docs]
        sentences = [text[s.start:s.end]
                     for (text, _), sp in zip(docs, spans, strict=True) for s in sp]
        emb = embed_sentences(sentences, encoder)
        out: list[list[tuple[Span, float]]] = []
        at = 0
        for (text, _), sp in zip(docs, spans, strict=True):
            if not sp:
                out.append([])
                continue
            x = self.features(text, sp, emb[at:at + len(sp)])
            at += len(sp)
            p = 1 / (1 + np.exp(-(x @ self.coef + self.intercept)))
            out.append(list(zip(sp, p.tolist(), strict=False)))
        return out

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, *, c: float = 1.0, k: int = 2,
            seed: int = 0) -> SentenceScorer:
        """Fit on feature rows (:meth:`features`) and 0/1 labels."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced",
                                   random_state=seed)
        model.fit(x, y)
        return cls(model.coef_[0], float(model.intercept_[0]), dim=x.shape[1] - _SHAPE, k=k)

    def save(self, path: str | Path, meta: dict[str, Any] | None = None) -> None:
        """Write ``path.json`` (settings, training figures) and ``path.safetensors``."""
        from safetensors.numpy import save_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        info = {"format": "policynlp-sentence-scorer/1", "dim": self.dim, "k": self.k,
                "intercept": self.intercept, **(meta or {})}
        path.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n",
                                             encoding="utf-8")
        save_file({"coef": self.coef.astype(np.float32)}, str(path.with_suffix(".safetensors")))

    @classmethod
    def load(cls, path: str | Path) -> SentenceScorer:
        """Read a scorer written by :meth:`save`."""
        from safetensors.numpy import load_file

        path = Path(path)
        info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        coef = load_file(str(path.with_suffix(".safetensors")))["coef"]
        return cls(coef, info["intercept"], dim=int(info["dim"]), k=int(info["k"]))


@lru_cache(maxsize=1)
def default_scorer() -> SentenceScorer | None:
    """The shipped scorer, or ``None`` when the package carries none (position only)."""
    if not DEFAULT_PATH.with_suffix(".json").is_file():
        return None
    return SentenceScorer.load(DEFAULT_PATH)


def reference_labels(sent_emb: np.ndarray, ref_emb: np.ndarray, top: int = 1) -> np.ndarray:
    """0/1 per source sentence: among the ``top`` closest to some reference sentence.

    Example:
        >>> s = np.array([[1.0, 0], [0, 1.0], [0.7, 0.7]])
        >>> reference_labels(s, np.array([[0.0, 1.0]])).tolist()
        [0, 1, 0]
    """
    labels = np.zeros(len(sent_emb), dtype=int)
    if len(sent_emb) == 0 or len(ref_emb) == 0:
        return labels
    sim = sent_emb @ ref_emb.T
    for j in range(sim.shape[1]):
        labels[np.argsort(-sim[:, j])[:top]] = 1
    return labels


__all__ = ["DEFAULT_PATH", "MAX_CANDIDATES", "SentenceScorer", "default_scorer",
           "embed_sentences", "reference_labels"]
