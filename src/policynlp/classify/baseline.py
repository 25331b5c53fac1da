"""The baseline: TF-IDF character n-grams + logistic regression for every task.

Same interface as the transformer model (:class:`~policynlp.classify.model.Predictor`):
``fit`` on labelled records, ``logits`` and ``predict`` on texts. Each multi-label task is one
binary logistic regression per label; risk is a multinomial logistic regression; records
without a task's labels are left out of that task.

Example:
    >>> recs = [{"text": t, "sectors": [s], "risk": {"level": l, "channels": []},
    ...          "dual_use": {"relevant": d}} for t, s, l, d in [
    ...     ("新能源汽车产业发展规划", "automotive", "low", False),
    ...     ("半导体出口管制措施", "semiconductors", "high", True)] * 5]
    >>> model = TfidfBaseline().fit(recs)
    >>> model.predict(["汽车产业规划"]).sectors.argmax(1).tolist()
    [4]
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policynlp.classify.calibration import sigmoid, softmax
from policynlp.classify.labels import LabelSpace
from policynlp.classify.scores import TaskScores


class TfidfBaseline:
    """TF-IDF char 1–3-grams (sublinear, 60k features) and balanced logistic regressions.

    After ``fit`` every task is a dense weight matrix over the n-gram features and a bias per
    column (``weights``), so the baseline saves to safetensors and serves as the character
    n-gram branch of a :class:`~policynlp.classify.model.DocumentClassifier`.
    """

    name = "tfidf-char-logreg"
    #: The vectorizer's settings (stored with a saved baseline, so it reads text the same way).
    VECTORIZER: dict[str, Any] = {"analyzer": "char", "ngram_range": [1, 3],
                                  "lowercase": True, "sublinear_tf": True, "norm": "l2",
                                  "smooth_idf": True}

    def __init__(self, space: LabelSpace | None = None, *, c: float = 4.0,
                 max_features: int = 60000, seed: int = 0) -> None:
        self.space = space or LabelSpace.from_schema()
        self.c, self.max_features, self.seed = c, max_features, seed
        self.vectorizer: Any = None
        self.weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _lr(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.c, max_iter=3000, class_weight="balanced",
                                  random_state=self.seed)

    def _vectorizer(self, **extra: Any) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer

        v = dict(self.VECTORIZER)
        return TfidfVectorizer(**{**v, "ngram_range": tuple(v["ngram_range"])},
                               dtype=np.float32, **extra)

    def fit(self, records: Sequence[dict[str, Any]],
            sample_weight: np.ndarray | None = None) -> TfidfBaseline:
        """Fit every task on the records that carry its labels (``sample_weight`` per record)."""
        self.vectorizer = self._vectorizer(min_df=2, max_features=self.max_features)
        x = self.vectorizer.fit_transform([r["text"] for r in records])
        y = self.space.encode(records)
        w = np.ones(len(records)) if sample_weight is None else np.asarray(sample_weight, float)
        for task, matrix in (("sectors", y.sectors), ("channels", y.channels)):
            rows = np.flatnonzero(y.mask[task])
            self.weights[task] = _stack([self._fit_binary(x[rows], matrix[rows, j], w[rows])
                                         for j in range(matrix.shape[1])], x.shape[1])
        rows = np.flatnonzero(y.mask["risk"])
        k = len(self.space.risk_levels)
        self.weights["risk"] = (np.zeros((x.shape[1], k), np.float32), np.zeros(k, np.float32))
        if np.unique(y.risk[rows]).size > 1:  # else no risk model: uniform scores
            risk = self._lr().fit(x[rows], y.risk[rows], sample_weight=w[rows])
            classes = risk.classes_[-risk.coef_.shape[0]:]  # two classes: one row, for the 2nd
            self.weights["risk"][0][:, classes] = risk.coef_.T
            self.weights["risk"][1][classes] = risk.intercept_
        rows = np.flatnonzero(y.mask["dual_use"])
        self.weights["dual_use"] = _stack([self._fit_binary(x[rows], y.dual_use[rows], w[rows])],
                                          x.shape[1])
        return self

    def _fit_binary(self, x: Any, y: np.ndarray, w: np.ndarray) -> Any:
        if y.size == 0 or y.min() == y.max():  # a label never (or always) seen: a prior
            return float(y[0]) if y.size else 0.0
        return self._lr().fit(x, y.astype(int), sample_weight=w)

    def logits(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw scores per task (binary logits; class logits for risk)."""
        x = self.vectorizer.transform(list(texts))
        out = {t: np.asarray(x @ w, dtype=np.float32) + b for t, (w, b) in self.weights.items()}
        out["dual_use"] = out["dual_use"][:, 0]
        return out

    def predict(self, texts: Sequence[str], temperatures: dict[str, float] | None = None
                ) -> TaskScores:
        t = temperatures or {}
        lg = self.logits(texts)
        return TaskScores(sectors=sigmoid(lg["sectors"] / t.get("sectors", 1.0)),
                          risk=softmax(lg["risk"] / t.get("risk", 1.0)),
                          channels=sigmoid(lg["channels"] / t.get("channels", 1.0)),
                          dual_use=sigmoid(lg["dual_use"] / t.get("dual_use", 1.0)))

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        """``ngram.json`` (vectorizer settings, the n-grams in feature order) and
        ``ngram.safetensors`` (idf in float32, weights in float16, biases in float32)."""
        from safetensors.numpy import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        vocab = self.vectorizer.vocabulary_
        meta = {"format": "policynlp-ngram/1", "name": self.name, "vectorizer": self.VECTORIZER,
                "labels": self.space.to_dict(), "ngrams": sorted(vocab, key=vocab.get)}
        (folder / "ngram.json").write_text(json.dumps(meta, ensure_ascii=False),
                                           encoding="utf-8")
        tensors = {"idf": self.vectorizer.idf_.astype(np.float32)}
        for task, (w, b) in self.weights.items():
            tensors[f"{task}.weight"] = np.ascontiguousarray(w, dtype=np.float16)
            tensors[f"{task}.bias"] = np.ascontiguousarray(b, dtype=np.float32)
        save_file(tensors, str(folder / "ngram.safetensors"))

    @classmethod
    def load(cls, folder: str | Path) -> TfidfBaseline:
        """A baseline saved by :meth:`save` (weights back in float32).

        Example:
            >>> import tempfile
            >>> recs = [{"text": t, "sectors": [s]} for t, s in
            ...         [("汽车产业", "automotive"), ("芯片出口", "semiconductors")] * 3]
            >>> with tempfile.TemporaryDirectory() as d:
            ...     TfidfBaseline().fit(recs).save(d)
            ...     TfidfBaseline.load(d).predict(["汽车"]).sectors.argmax(1).tolist()
            [4]
        """
        from safetensors.numpy import load_file

        folder = Path(folder)
        meta = json.loads((folder / "ngram.json").read_text(encoding="utf-8"))
        tensors = load_file(str(folder / "ngram.safetensors"))
        out = cls(LabelSpace.from_dict(meta["labels"]))
        out.vectorizer = out._vectorizer(vocabulary=meta["ngrams"])
        out.vectorizer.idf_ = tensors["idf"]
        out.weights = {k[:-len(".weight")]: (tensors[k].astype(np.float32),
                                             tensors[k[:-len(".weight")] + ".bias"])
                       for k in tensors if k.endswith(".weight")}
        return out


def _stack(models: Sequence[Any], n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-label binary models (fitted regressions, or a float prior) → (weights, biases);
    a prior is a zero weight column with bias ±8."""
    w = np.zeros((n_features, len(models)), dtype=np.float32)
    b = np.zeros(len(models), dtype=np.float32)
    for j, m in enumerate(models):
        if isinstance(m, float):
            b[j] = 8.0 if m > 0.5 else -8.0
        else:
            w[:, j], b[j] = m.coef_[0], m.intercept_[0]
    return w, b


__all__ = ["TfidfBaseline"]
