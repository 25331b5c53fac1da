"""Text utilities: language identification, normalisation, sentences and token windows.

Example:
    >>> from policynlp.text import detect_language, normalize, split_sentences
    >>> n = normalize("国务院关于２０２５年\\n工作的通知。")
    >>> detect_language(n.text), n.text
    ('zh', '国务院关于2025年工作的通知。')
    >>> [n.original_span(s) for s in split_sentences(n.text)]
    [Span(start=0, end=17)]
"""

from __future__ import annotations

from policynlp.text.langid import (
    ScriptCounts,
    detect_language,
    is_binary,
    language_segments,
    script_counts,
)
from policynlp.text.normalize import NormalizedText, normalize
from policynlp.text.sentences import english_sentencizer, split_sentences
from policynlp.text.windows import Window, make_windows, window_bounds

__all__ = [
    "NormalizedText",
    "ScriptCounts",
    "Window",
    "detect_language",
    "english_sentencizer",
    "is_binary",
    "language_segments",
    "make_windows",
    "normalize",
    "script_counts",
    "split_sentences",
    "window_bounds",
]
