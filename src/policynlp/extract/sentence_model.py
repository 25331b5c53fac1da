"""A small learned classifier: does a sentence with a number set a target, or report the past?

The rules in :mod:`policynlp.extract.targets` decide most sentences firmly (a deadline, 力争,
"will", 上年增长…). Where they run out, a sentence is passed to this classifier: TF-IDF
character n-grams (digits folded to ``0``, so it learns wording, not values) and a logistic
regression, trained on the sentences of the labelled corpus that contain a number (label 1
when a gold target starts in the sentence).

The fitted model is stored without pickle: the vocabulary and settings as JSON, the IDF
weights and coefficients as safetensors.

Example:
    >>> clf = TargetSentenceClassifier.fit(
    ...     ["今年新增就业1200万人以上。", "上年国内生产总值增长5.2%。"] * 4, [1, 0] * 4)
    >>> p = clf.predict_proba(["今年新增就业900万人。", "上年国内生产总值增长6.1%。"])
    >>> bool(p[0] > 0.5), bool(p[1] < 0.5)
    (True, True)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

#: Where the shipped classifier lives (package data).
DEFAULT_PATH = Path(__file__).with_name("data") / "target_sentences"

_DIGITS = re.compile(r"[0-9０-９]")


def _fold(text: str) -> str:
    """Digits become 0 and whitespace one space: the model sees wording, not values."""
    return " ".join(_DIGITS.sub("0", text).split())


class SentenceJudge(Protocol):
    """Anything that can say whether a sentence sets a target (in the given languages)."""

    languages: tuple[str, ...]

    def is_target(self, sentence: str) -> bool: ...


class TargetSentenceClassifier:
    """TF-IDF character n-grams + logistic regression, behind ``predict_proba``."""

    def __init__(self, vectorizer: Any, model: Any, threshold: float = 0.5,
                 languages: Sequence[str] = ("zh", "en")) -> None:
        self.vectorizer = vectorizer
        self.model = model
        self.threshold = threshold
        #: the languages it is used for (chosen on the dev split by the training script)
        self.languages = tuple(languages)

    @classmethod
    def fit(cls, sentences: Sequence[str], labels: Sequence[int], *, c: float = 4.0,
            max_features: int = 30000, seed: int = 0) -> TargetSentenceClassifier:
        """Fit on sentences and 0/1 labels (1: the sentence sets a target)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2 if len(
            sentences) > 50 else 1, max_features=max_features, sublinear_tf=True,
            dtype=np.float32)
        x = vec.fit_transform([_fold(s) for s in sentences])
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced",
                                   random_state=seed)
        model.fit(x, np.asarray(labels))
        return cls(vec, model)

    def predict_proba(self, sentences: Iterable[str]) -> np.ndarray:
        """The probability that each sentence sets a target."""
        x = self.vectorizer.transform([_fold(s) for s in sentences])
        return np.asarray(self.model.predict_proba(x)[:, 1])

    def is_target(self, sentence: str) -> bool:
        """``predict_proba`` of one sentence against the fitted threshold."""
        return bool(self.predict_proba([sentence])[0] >= self.threshold)

    def save(self, path: str | Path) -> None:
        """Write ``path.json`` (vocabulary, settings) and ``path.safetensors`` (weights)."""
        from safetensors.numpy import save_file

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        vocab = {k: int(v) for k, v in self.vectorizer.vocabulary_.items()}
        meta = {"format": "policynlp-target-sentences/1", "threshold": self.threshold,
                "languages": list(self.languages),
                "ngram_range": list(self.vectorizer.ngram_range), "vocabulary": vocab}
        path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False),
                                             encoding="utf-8")
        save_file({"idf": self.vectorizer.idf_.astype(np.float32),
                   "coef": self.model.coef_.astype(np.float32),
                   "intercept": self.model.intercept_.astype(np.float32)},
                  str(path.with_suffix(".safetensors")))

    @classmethod
    def load(cls, path: str | Path) -> TargetSentenceClassifier:
        """Read a classifier written by :meth:`save`."""
        from safetensors.numpy import load_file
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        weights = load_file(str(path.with_suffix(".safetensors")))
        vec = TfidfVectorizer(analyzer="char", ngram_range=tuple(meta["ngram_range"]),
                              sublinear_tf=True, vocabulary=meta["vocabulary"],
                              dtype=np.float32)
        vec.idf_ = weights["idf"]
        model = LogisticRegression()
        model.classes_ = np.array([0, 1])
        model.coef_ = weights["coef"].astype(np.float64)
        model.intercept_ = weights["intercept"].astype(np.float64)
        return cls(vec, model, float(meta["threshold"]), meta.get("languages", ("zh", "en")))


@lru_cache(maxsize=1)
def default_classifier() -> TargetSentenceClassifier | None:
    """The shipped classifier, or ``None`` when the package carries none (rules only)."""
    if not DEFAULT_PATH.with_suffix(".json").is_file():
        return None
    return TargetSentenceClassifier.load(DEFAULT_PATH)


def sentence_examples(records: Iterable[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(sentence, lang, label) for every sentence with a number in labelled records.

    The label is 1 when a gold target starts inside the sentence. Sentences are split the
    way the extractor splits them, so training and use see the same units.
    """
    from policynlp.extract.numbers import find_numbers
    from policynlp.extract.targets import _sentences

    out = []
    for rec in records:
        text, lang = rec["text"], rec.get("lang") or "zh"
        starts = sorted(t["start"] for t in rec.get("targets", []))
        for sent in _sentences(text, lang):
            chunk = text[sent.start:sent.end]
            if not find_numbers(chunk, lang):
                continue
            label = int(any(sent.start <= s < sent.end for s in starts))
            out.append((chunk, lang, label))
    return out


__all__ = ["DEFAULT_PATH", "SentenceJudge", "TargetSentenceClassifier", "default_classifier",
           "sentence_examples"]
