"""The analysis pipeline: checks each document, runs the components, yields analyses.

A :class:`Pipeline` holds an ordered list of components. Each component annotates a batch
of documents' :class:`~policynlp.data.Analysis` objects in place (sectors, risk, targets,
summary, …). The pipeline owns everything around them: turning raw input into documents,
rejecting bad input with a clear error, isolating a record that makes a component fail,
and keeping the input order.

Example:
    >>> import policynlp
    >>> nlp = policynlp.load()
    >>> a = nlp("国务院关于印发《新一代人工智能发展规划》的通知")
    >>> a.lang
    'zh'
    >>> [r.error.code for r in nlp.pipe(["", "MIIT released measures."]) if r.error]
    ['E101']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal, Protocol

from policynlp.data import SUPPORTED_LANGS, Analysis, Document, ModelInfo
from policynlp.errors import (
    BinaryContentError,
    DocumentTooLargeError,
    EmptyTextError,
    LanguageMismatchError,
    PolicyNLPError,
    ProcessingError,
    UnsupportedLanguageError,
)
from policynlp.io.records import BadRecord, document_from_mapping
from policynlp.text import detect_language, is_binary, script_counts

#: Documents longer than this many characters are rejected unless the limit is raised.
DEFAULT_MAX_CHARS = 2_000_000

PipeInput = str | Document | dict[str, Any] | BadRecord
ErrorMode = Literal["record", "raise"]


class Component(Protocol):
    """A pipeline stage: annotates the analyses of a batch of checked documents in place.

    Raise a :class:`~policynlp.errors.PolicyNLPError` for a problem with the input; any
    other exception is treated as a bug and reported as ``E500`` for the record concerned.
    """

    name: str

    def process(self, docs: Sequence[Document], analyses: Sequence[Analysis]) -> None: ...


def check_document(doc: Document, *, max_chars: int = DEFAULT_MAX_CHARS,
                   default_lang: str | None = None) -> str:
    """Check that a document can be analysed and return its language (``zh`` or ``en``).

    Args:
        doc: the document.
        max_chars: the longest text accepted.
        default_lang: the language to assume when the record has none (skips detection).

    Raises:
        EmptyTextError, BinaryContentError, DocumentTooLargeError,
        UnsupportedLanguageError, LanguageMismatchError.

    Example:
        >>> check_document(Document(id="1", text="MIIT released measures for SMEs."))
        'en'
    """
    text, rid = doc.text, doc.id
    if not text.strip():
        raise EmptyTextError("the text is empty or whitespace only", record_id=rid)
    if len(text) > max_chars:
        raise DocumentTooLargeError(
            f"the text has {len(text):,} characters, more than the limit of {max_chars:,}",
            record_id=rid)
    if is_binary(text):
        raise BinaryContentError("the text looks like binary data (control characters)",
                                 record_id=rid)
    declared = doc.lang or default_lang
    if declared is not None and declared not in SUPPORTED_LANGS:
        raise UnsupportedLanguageError(
            f"lang is {declared!r}; policynlp reads {', '.join(SUPPORTED_LANGS)}", record_id=rid)
    if doc.lang is None and default_lang is not None:
        return default_lang
    detected = detect_language(text[:20000])
    if declared is None:
        if detected is None:
            raise UnsupportedLanguageError("the text has no Chinese or English words",
                                           record_id=rid)
        if detected not in SUPPORTED_LANGS:
            raise UnsupportedLanguageError(
                f"the text looks like {detected!r}; policynlp reads "
                f"{', '.join(SUPPORTED_LANGS)}", record_id=rid)
        return detected
    counts = script_counts(text[:20000])
    if declared == "en" and counts.han > 0 and counts.latin_letters == 0:
        raise LanguageMismatchError("lang is 'en' but the text is Chinese with no English words",
                                    record_id=rid)
    if declared == "zh" and counts.han == 0 and counts.latin_words > 0:
        raise LanguageMismatchError("lang is 'zh' but the text has no Chinese characters",
                                    record_id=rid)
    return declared


@dataclass
class Pipeline:
    """Analyse documents with an ordered list of components.

    Build one with :func:`policynlp.load`. ``nlp(text)`` analyses one document and raises
    on bad input; ``nlp.pipe(items)`` streams many and, by default, yields an error
    analysis in the place of a bad record so a batch run never stops.

    Attributes:
        components: the stages, run in order on each batch.
        model: the name and version written into every output record.
        max_chars: the longest text accepted.
        default_lang: language assumed for records without ``lang`` (``None``: detect).
    """

    components: list[Component] = field(default_factory=list)
    model: ModelInfo = field(default_factory=lambda: ModelInfo("policynlp-rules", "0"))
    max_chars: int = DEFAULT_MAX_CHARS
    default_lang: str | None = None

    @property
    def component_names(self) -> list[str]:
        return ["language"] + [c.name for c in self.components]

    def __call__(self, text: str | Document | dict[str, Any]) -> Analysis:
        """Analyse one document; raises :class:`PolicyNLPError` if it cannot be analysed.

        Example:
            >>> import policynlp
            >>> policynlp.load()("MIIT released measures for SMEs.").lang
            'en'
        """
        return next(self.pipe([text], errors="raise"))

    def pipe(self, items: Iterable[PipeInput], batch_size: int = 32,
             errors: ErrorMode = "record") -> Iterator[Analysis]:
        """Analyse a stream of documents, yielding one analysis per item in input order.

        Args:
            items: texts, input-record dicts, :class:`Document` objects, or the items of a
                reader (which may be :class:`BadRecord`). Texts and dicts without an id get
                their 1-based position.
            batch_size: documents per batch handed to the components; memory stays bounded.
            errors: ``"record"`` yields ``Analysis.failed(...)`` for a bad record and goes on;
                ``"raise"`` raises the first error.

        Example:
            >>> import policynlp
            >>> out = list(policynlp.load().pipe(["国务院通知", {"id": "x", "text": " "}]))
            >>> [(a.id, a.ok) for a in out]
            [('1', True), ('x', False)]
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        numbered = (to_item(item, i) for i, item in enumerate(items, start=1))
        while batch := list(islice(numbered, batch_size)):
            yield from self._run_batch(batch, errors)

    def _run_batch(self, batch: list[Document | BadRecord], errors: ErrorMode) -> list[Analysis]:
        out: list[Analysis | None] = [None] * len(batch)
        docs: list[Document] = []
        slots: list[int] = []
        for i, item in enumerate(batch):
            try:
                if isinstance(item, BadRecord):
                    raise item.error
                lang = check_document(item, max_chars=self.max_chars,
                                      default_lang=self.default_lang)
            except PolicyNLPError as err:
                out[i] = self._failed(item.id, err, errors)
                continue
            out[i] = Analysis(id=item.id, lang=lang, model=self._model_info())
            docs.append(item)
            slots.append(i)
        analyses = [a for a in (out[i] for i in slots) if a is not None]
        try:
            self._run_components(docs, analyses)
        except Exception:
            # Isolate the record(s) that fail so the rest of the batch still gets results.
            for doc, slot in zip(docs, slots, strict=False):
                previous = out[slot]
                single = Analysis(id=doc.id, lang=previous.lang if previous else None,
                                  model=self._model_info())
                try:
                    self._run_components([doc], [single])
                    out[slot] = single
                except PolicyNLPError as known:
                    known.record_id = doc.id
                    out[slot] = self._failed(doc.id, known, errors)
                except Exception as exc:  # a bug in a component: report it for this record
                    bug = ProcessingError(f"{type(exc).__name__}: {exc}", record_id=doc.id)
                    out[slot] = self._failed(doc.id, bug, errors, cause=exc)
        return [a for a in out if a is not None]

    def _run_components(self, docs: Sequence[Document], analyses: Sequence[Analysis]) -> None:
        if not docs:
            return
        for component in self.components:
            component.process(docs, analyses)

    def _model_info(self) -> ModelInfo:
        return ModelInfo(self.model.name, self.model.version, self.component_names)

    @staticmethod
    def _failed(rid: str, err: PolicyNLPError, errors: ErrorMode,
                cause: BaseException | None = None) -> Analysis:
        if errors == "raise":
            raise err from cause
        return error_analysis(rid, err)


def to_item(item: PipeInput, position: int) -> Document | BadRecord:
    """One pipeline input as a document, or a bad record naming what is wrong with it.

    A text gets its 1-based ``position`` as id; so does a mapping without ``id``.
    """
    if isinstance(item, (Document, BadRecord)):
        return item
    if isinstance(item, str):
        return Document(id=str(position), text=item)
    return document_from_mapping(item, str(position), where=f"item {position}")


def error_analysis(rid: str, err: PolicyNLPError) -> Analysis:
    """The error record that stands in for record ``rid`` in a batch run."""
    if err.record_id is None:
        err.record_id = rid
    return Analysis.failed(rid, err.code, err.detail)


__all__ = ["DEFAULT_MAX_CHARS", "Component", "Pipeline", "check_document", "error_analysis",
           "to_item"]
