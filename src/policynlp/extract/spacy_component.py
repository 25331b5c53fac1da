"""A spaCy component: ``nlp.add_pipe("policynlp_targets")`` sets ``doc._.targets``.

The factory is registered through the ``spacy_factories`` entry point, so any spaCy pipeline
can add it once policynlp is installed; ``doc._.targets`` holds :class:`~policynlp.Target`
objects and ``doc._.key_dates`` :class:`~policynlp.KeyDate` objects, with character offsets
into ``doc.text`` (use ``doc.char_span(t.start, t.end)`` to get a spaCy ``Span``).

Example:
    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> _ = nlp.add_pipe("policynlp_targets")
    >>> doc = nlp("Key targets for 2025 include: at least 70 percent market share.")
    >>> [(t.value, t.unit, t.comparator, t.deadline) for t in doc._.targets]
    [(70.0, 'percent', 'at_least', '2025-12-31')]
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from policynlp.extract.dates import find_key_dates
from policynlp.extract.targets import extract_targets
from policynlp.text import detect_language

for _name in ("targets", "key_dates"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Doc.has_extension("doc_date"):
    Doc.set_extension("doc_date", default=None)


class TargetsComponent:
    """Sets ``doc._.targets`` and ``doc._.key_dates``; ``doc._.doc_date`` anchors 今年."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang

    def __call__(self, doc: Doc) -> Doc:
        lang = self.lang or detect_language(doc.text) or "en"
        if lang not in ("zh", "en"):
            lang = "en"
        doc._.targets = extract_targets(doc.text, lang, doc._.doc_date)
        doc._.key_dates = find_key_dates(doc.text, doc._.doc_date)
        return doc


@Language.factory("policynlp_targets", default_config={"lang": None})
def make_targets(nlp: Language, name: str, lang: str | None) -> TargetsComponent:
    """Create the component; ``lang`` forces ``zh``/``en`` (default: detect per document)."""
    return TargetsComponent(lang)


__all__ = ["TargetsComponent", "make_targets"]
