"""English "At a glance" drafts: glossary, document facts (issuing bodies, document types).

Example:
    >>> from policynlp.summarize import document_type
    >>> document_type("关于加快发展先进制造业集群的指导意见")
    ('指导意见', 'guiding opinions')
"""

from policynlp.summarize.facts import IssuingBody, document_type, find_bodies
from policynlp.summarize.glossary import Glossary, Rendering, Term

__all__ = ["Glossary", "IssuingBody", "Rendering", "Term", "document_type", "find_bodies"]
