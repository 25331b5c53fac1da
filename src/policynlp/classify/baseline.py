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

from collections.abc import Sequence
from typing import Any

import numpy as np

from policynlp.classify.calibration import sigmoid, softmax
from policynlp.classify.labels import LabelSpace
from policynlp.classify.scores import TaskScores


class TfidfBaseline:
    """TF-IDF char 1–3-grams (sublinear, 60k features) and balanced logistic regressions."""

    name = "tfidf-char-logreg"

    def __init__(self, space: LabelSpace | None = None, *, c: float = 4.0,
                 max_features: int = 60000, seed: int = 0) -> None:
        self.space = space or LabelSpace.from_schema()
        self.c, self.max_features, self.seed = c, max_features, seed
        self.vectorizer: Any = None
        self.models: dict[str, list[Any]] = {}

    def _lr(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.c, max_iter=3000, class_weight="balanced",
                                  random_state=self.seed)

    def fit(self, records: Sequence[dict[str, Any]],
            sample_weight: np.ndarray | None = None) -> TfidfBaseline:
        """Fit every task on the records that carry its labels (``sample_weight`` per record)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2,
                                          sublinear_tf=True, max_features=self.max_features,
                                          dtype=np.float32)
        x = self.vectorizer.fit_transform([r["text"] for r in records])
        y = self.space.encode(records)
        w = np.ones(len(records)) if sample_weight is None else np.asarray(sample_weight, float)
        for task, matrix in (("sectors", y.sectors), ("channels", y.channels)):
            rows = np.flatnonzero(y.mask[task])
            self.models[task] = [self._fit_binary(x[rows], matrix[rows, j], w[rows])
                                 for j in range(matrix.shape[1])]
        rows = np.flatnonzero(y.mask["risk"])
        self.models["risk"] = [self._lr().fit(x[rows], y.risk[rows], sample_weight=w[rows])]
        rows = np.flatnonzero(y.mask["dual_use"])
        self.models["dual_use"] = [self._fit_binary(x[rows], y.dual_use[rows], w[rows])]
        return self

    def _fit_binary(self, x: Any, y: np.ndarray, w: np.ndarray) -> Any:
        if y.size == 0 or y.min() == y.max():  # a label never (or always) seen: a prior
            return float(y[0]) if y.size else 0.0
        return self._lr().fit(x, y.astype(int), sample_weight=w)

    @staticmethod
    def _decision(model: Any, x: Any) -> np.ndarray:
        if isinstance(model, float):
            return np.full(x.shape[0], 8.0 if model > 0.5 else -8.0)
        return np.asarray(model.decision_function(x))

    def logits(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw scores per task (binary logits; class logits for risk)."""
        x = self.vectorizer.transform(list(texts))
        out = {t: np.stack([self._decision(m, x) for m in self.models[t]], 1)
               for t in ("sectors", "channels")}
        risk = self.models["risk"][0]
        out["risk"] = np.asarray(risk.decision_function(x))
        out["dual_use"] = self._decision(self.models["dual_use"][0], x)
        return out

    def predict(self, texts: Sequence[str], temperatures: dict[str, float] | None = None
                ) -> TaskScores:
        t = temperatures or {}
        lg = self.logits(texts)
        return TaskScores(sectors=sigmoid(lg["sectors"] / t.get("sectors", 1.0)),
                          risk=softmax(lg["risk"] / t.get("risk", 1.0)),
                          channels=sigmoid(lg["channels"] / t.get("channels", 1.0)),
                          dual_use=sigmoid(lg["dual_use"] / t.get("dual_use", 1.0)))


__all__ = ["TfidfBaseline"]
