"""Summary generators and the pipeline component that runs one of them.

Three generators share one interface (``generate(docs, analyses)``: one draft per document —
a :class:`~policynlp.data.Summary`, a text, or ``None``):

* :class:`ComposerGenerator` — the default: offline, CPU, the house-style composer.
* :class:`Seq2SeqGenerator` — any Hugging Face seq2seq model (mT5, mBART, …) fine-tuned on the
  corpus' document→summary pairs by ``training/train_seq2seq.py``; batched generation, batches
  sorted by length, results in input order.
* :class:`VLLMGenerator` — an instruction model served by vLLM on a GPU box (extra ``llm``),
  prompted with the house style, few-shot examples from the corpus and the extracted targets.

Whatever writes a draft, :class:`SummaryComponent` passes it through the faithfulness filter
(:func:`policynlp.summarize.faithfulness.enforce`): sentences or bullets with a number or body
the source does not contain are removed and counted in ``removed``.

Example:
    >>> import policynlp
    >>> from policynlp.summarize.generators import SummaryComponent
    >>> nlp = policynlp.Pipeline(components=[policynlp.TargetExtractor(),
    ...                                      SummaryComponent(scorer=None)])
    >>> a = nlp("国务院办公厅关于印发《新能源汽车产业发展规划》的通知\\n"
    ...         "到2025年，新能源汽车新车销售量达到汽车新车销售总量的20%左右。")
    >>> print(a.summary.at_a_glance)
    The General Office of the State Council issued a plan on new energy vehicles industrial...
    - New energy vehicles ...: about 20% by 2025
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

from policynlp.data import Analysis, Document, Summary
from policynlp.summarize.composer import _UNSET, compose, pick_targets, target_bullet
from policynlp.summarize.faithfulness import enforce
from policynlp.summarize.glossary import Glossary
from policynlp.summarize.sentences import SentenceScorer, default_scorer

HOUSE_STYLE = (
    "Write the \"At a glance\" paragraph of a weekly China policy brief, in English. "
    "2-4 sentences: who issued what and what it is for (Chinese bodies by their usual English "
    "name with the acronym: MIIT, NDRC, CAC, SAMR, SASAC, MOFCOM, MOF, MOST, PBOC, CSRC, State "
    "Council), then the context or scope in one sentence, then \"Key targets include:\" and one "
    "bullet per target exactly as given below. Never state a number, date or body that is not "
    "in the document."
)


GeneratedDraft = Summary | str | None


class SummaryGenerator(Protocol):
    """Writes one English draft per document: a :class:`Summary`, a text (a "Key points:"
    tail becomes the key points) or ``None``."""

    def generate(self, docs: Sequence[Document], analyses: Sequence[Analysis]
                 ) -> Sequence[GeneratedDraft]: ...


class ComposerGenerator:
    """The default generator: :func:`policynlp.summarize.composer.compose`."""

    def __init__(self, *, scorer: Any = _UNSET, glossary: Glossary | None = None) -> None:
        self.scorer = scorer
        self.glossary = glossary

    def generate(self, docs: Sequence[Document], analyses: Sequence[Analysis]
                 ) -> list[Summary]:
        scorer = default_scorer() if self.scorer is _UNSET else self.scorer
        ranked: list[Any] = [None] * len(docs)
        if isinstance(scorer, SentenceScorer):  # one batched encoder pass for the batch
            pairs = [(d.text, a.lang) for d, a in zip(docs, analyses, strict=True)]
            ranked = scorer.score_many(pairs)
        return [compose(doc.text, a.lang or "zh", title=doc.title, targets=a.targets,
                        key_dates=a.key_dates, scorer=scorer, glossary=self.glossary,
                        ranked=r, filtered=False)  # the component filters every draft once
                for doc, a, r in zip(docs, analyses, ranked, strict=True)]


def seq2seq_source(doc: Document, analysis: Analysis, glossary: Glossary | None = None,
                   max_targets: int = 5) -> str:
    """The input text a seq2seq model sees: the extracted targets first, then the document.

    The targets are rendered as the composer renders them, so a model can copy their numbers
    instead of inventing them.

    Example:
        >>> seq2seq_source(Document(id="1", text="MIIT set a plan."), Analysis(id="1", lang="en"))
        'summarize: MIIT set a plan.'
    """
    lang = analysis.lang or "zh"
    bullets = [target_bullet(t, lang, glossary) for t in pick_targets(analysis.targets,
                                                                       max_targets)]
    head = ("targets: " + " | ".join(bullets) + " document: ") if bullets else ""
    return f"summarize: {head}{' '.join(doc.text.split())}"


class Seq2SeqGenerator:
    """Batched generation with a Hugging Face seq2seq model (local folder or hub name).

    Args:
        model: folder or name of an ``AutoModelForSeq2SeqLM`` with its tokenizer.
        device: ``cpu``, ``cuda``, …
        batch_size: documents per ``generate`` call (inputs sorted by length first).
        max_source_tokens / max_new_tokens: input truncation and output length.
        num_beams: beam search width (1: greedy).
    """

    def __init__(self, model: str | Any, tokenizer: Any | None = None, *, device: str = "cpu",
                 batch_size: int = 8, max_source_tokens: int = 512, max_new_tokens: int = 160,
                 num_beams: int = 1) -> None:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        if isinstance(model, str):
            tokenizer = tokenizer or AutoTokenizer.from_pretrained(model)
            model = AutoModelForSeq2SeqLM.from_pretrained(model)
        if tokenizer is None:
            raise ValueError("pass the tokenizer with a model object")
        self.model = model.to(device).eval()
        self.tokenizer: Any = tokenizer
        self.device = device
        self.batch_size = batch_size
        self.max_source_tokens = max_source_tokens
        self.max_new_tokens = max_new_tokens
        self.num_beams = num_beams
        #: how many generate() calls the last run made (for tests and progress reports)
        self.calls = 0

    def generate(self, docs: Sequence[Document], analyses: Sequence[Analysis]
                 ) -> list[str | None]:
        import torch

        sources = [seq2seq_source(d, a) for d, a in zip(docs, analyses, strict=True)]
        order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
        out: list[str | None] = [None] * len(sources)
        self.calls = 0
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            enc = self.tokenizer([sources[i] for i in idx], padding=True, truncation=True,
                                 max_length=self.max_source_tokens, return_tensors="pt")
            enc = {k: v.to(self.device) for k, v in enc.items()}
            with torch.inference_mode():
                ids = self.model.generate(**enc, max_new_tokens=self.max_new_tokens,
                                          num_beams=self.num_beams)
            self.calls += 1
            texts = self.tokenizer.batch_decode(ids, skip_special_tokens=True)
            for i, text in zip(idx, texts, strict=True):
                out[i] = text.strip() or None
        return out


def llm_prompt(doc: Document, analysis: Analysis, examples: Sequence[tuple[str, str]] = (),
               glossary: Glossary | None = None, max_chars: int = 6000) -> str:
    """The instruction prompt for :class:`VLLMGenerator`: house style, few-shot examples, the
    extracted targets as fixed bullets, and the (truncated) document."""
    lang = analysis.lang or "zh"
    bullets = [target_bullet(t, lang, glossary) for t in pick_targets(analysis.targets)]
    parts = [HOUSE_STYLE, ""]
    for i, (text, summary) in enumerate(examples, 1):
        parts += [f"Example {i} document:", text[:1500], f"Example {i} At a glance:", summary, ""]
    parts.append("Document:")
    parts.append(doc.text[:max_chars])
    if bullets:
        parts += ["", "Targets (use these bullets exactly):"] + [f"- {b}" for b in bullets]
    parts += ["", "At a glance:"]
    return "\n".join(parts)


class VLLMGenerator:
    """An instruction model through vLLM (``pip install policynlp[llm]`` on a GPU box).

    Args:
        model: a local model folder or name vLLM can load, or an ``llm`` object that has
            ``generate(prompts, sampling_params)`` (a ``vllm.LLM`` or a stand-in in tests).
        examples: few-shot ``(document, reference summary)`` pairs, e.g. from the corpus.
    """

    def __init__(self, model: str | Any, *, examples: Sequence[tuple[str, str]] = (),
                 max_tokens: int = 256, temperature: float = 0.0, **llm_kwargs: Any) -> None:
        if isinstance(model, str):
            try:
                from vllm import LLM
            except ImportError as exc:  # pragma: no cover - depends on the machine
                raise ImportError("VLLMGenerator needs vLLM: pip install 'policynlp[llm]' on a "
                                  "machine with a GPU") from exc
            model = LLM(model=model, **llm_kwargs)
        self.llm = model
        self.examples = list(examples)
        self.max_tokens = max_tokens
        self.temperature = temperature

    def _sampling(self) -> Any:
        try:
            from vllm import SamplingParams
        except ImportError:
            return {"max_tokens": self.max_tokens, "temperature": self.temperature}
        return SamplingParams(max_tokens=self.max_tokens, temperature=self.temperature)

    def generate(self, docs: Sequence[Document], analyses: Sequence[Analysis]
                 ) -> list[str | None]:
        prompts = [llm_prompt(d, a, self.examples) for d, a in zip(docs, analyses, strict=True)]
        results = self.llm.generate(prompts, self._sampling())
        out: list[str | None] = []
        for r in results:  # vLLM returns results in prompt order
            text = r.outputs[0].text if getattr(r, "outputs", None) else str(r)
            out.append(text.strip() or None)
        return out


def _split_key_points(text: str) -> tuple[str, list[str]]:
    """A generated "Key points:" tail becomes the summary's key points."""
    m = re.search(r"\n\s*Key points:\s*\n", text)
    if not m:
        return text, []
    points = [re.sub(r"^\s*[-•*]\s*", "", p).strip() for p in text[m.end():].splitlines()]
    return text[:m.start()].strip(), [p for p in points if p][:4]


class SummaryComponent:
    """Pipeline component that fills ``summary`` of each analysis (after the targets).

    Args:
        generator: who writes the drafts (default: the composer).
        scorer: for the default composer, the sentence scorer (``None``: position only).
    """

    name = "summary"

    def __init__(self, generator: SummaryGenerator | None = None, *,
                 scorer: Any = _UNSET) -> None:
        self.generator = generator or ComposerGenerator(scorer=scorer)
        #: pieces the faithfulness filter removed in the last batch
        self.removed = 0

    def process(self, docs: Sequence[Document], analyses: Sequence[Analysis]) -> None:
        drafts = self.generator.generate(docs, analyses)
        self.removed = 0
        for doc, a, draft in zip(docs, analyses, drafts, strict=True):
            if draft is None:
                a.summary = Summary()
                continue
            if isinstance(draft, str):
                text, points = _split_key_points(draft)
                draft = Summary(text, points)
            clean, report = enforce(draft, doc.text, a.lang)
            self.removed += len(report.unsupported)
            a.summary = clean


__all__ = ["HOUSE_STYLE", "ComposerGenerator", "Seq2SeqGenerator", "SummaryComponent",
           "SummaryGenerator", "VLLMGenerator", "llm_prompt", "seq2seq_source"]
