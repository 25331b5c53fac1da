"""policynlp: what matters in Chinese and English government-policy texts.

Example:
    >>> import policynlp
    >>> nlp = policynlp.load()
    >>> analysis = nlp("工业和信息化部关于印发《促进中小企业特色产业集群发展暂行办法》的通知")
    >>> analysis.lang
    'zh'
    >>> sorted(analysis.to_dict())[:3]
    ['dual_use', 'id', 'key_dates']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policynlp.data import (
    Analysis,
    Baseline,
    Document,
    DualUse,
    KeyDate,
    LabelledRecord,
    LabelScore,
    ModelInfo,
    Risk,
    Span,
    Summary,
    Target,
)
from policynlp.errors import ModelFilesError, PolicyNLPError
from policynlp.extract import TargetExtractor
from policynlp.models import ModelConfig, default_model_path, load_model_config, resolve_device
from policynlp.pipeline import DEFAULT_MAX_CHARS, Component, Pipeline

__version__ = "0.1.0"

#: Factories of the components a model folder can name in its config.json (plug-in point).
def _classifier(cfg: ModelConfig, device: str) -> Component:
    from policynlp.classify.component import load_component  # imports torch: only when used

    return load_component(cfg, device)


def _summary(cfg: ModelConfig | None, device: str) -> Component:
    from policynlp.summarize.generators import SummaryComponent

    return SummaryComponent()


COMPONENT_FACTORIES: dict[str, Callable[[ModelConfig, str], Component]] = {
    "targets": lambda cfg, device: TargetExtractor(),
    "classifier": _classifier,
    "summary": _summary,
}
#: Components every pipeline runs, with or without a model folder: the targets first (the
#: other components read them), the summary last (it reads everything else).
ALWAYS_ON = ("targets", "summary")


def load(path: str | Path | None = None, *, device: str = "auto", lang: str | None = None,
         max_chars: int = DEFAULT_MAX_CHARS, summaries: bool = True) -> Pipeline:
    """Load an analysis pipeline.

    Args:
        path: a model folder (``config.json`` + safetensors). ``None`` uses
            ``$POLICYNLP_MODEL`` or the shipped default model, and the rule-based
            components alone when neither is present.
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` or ``mps``.
        lang: language to assume for documents without one (``None``: detect it).
        max_chars: the longest text accepted; longer documents get error ``E106``.
        summaries: draft the English "At a glance" summary (``False`` leaves it empty and
            skips loading the sentence scorer's encoder).

    Raises:
        ModelNotFoundError, ModelFilesError: the model folder is missing or broken.
        DeviceError: the device is not available.

    Example:
        >>> import policynlp
        >>> nlp = policynlp.load()
        >>> [a.lang for a in nlp.pipe(["国务院通知", "State Council notice"])]
        ['zh', 'en']
        >>> a = nlp({"text": "到2025年，培育200个左右特色产业集群。", "date": "2023-01-10"})
        >>> [(t.value, t.unit, t.comparator, t.deadline) for t in a.targets]
        [(200.0, 'item', 'approx', '2025-12-31')]
    """
    folder = Path(path) if path is not None else default_model_path()
    components: list[Component] = []
    if folder is None:
        info = ModelInfo("policynlp-rules", __version__)
    else:
        cfg = load_model_config(folder)
        info = ModelInfo(cfg.name, cfg.version)
        unknown = [c for c in cfg.components if c not in COMPONENT_FACTORIES]
        if unknown:
            raise ModelFilesError(
                f"config.json names components {unknown} that this policynlp "
                f"{__version__} does not provide", path=str(folder),
                hint="Upgrade policynlp or use a model trained for this version.")
        if cfg.components or device != "auto":
            device = resolve_device(device)
        components = [COMPONENT_FACTORIES[c](cfg, device) for c in cfg.components]
    if folder is None and device != "auto":
        resolve_device(device)
    present = {c.name for c in components}
    if "targets" not in present:
        components.insert(0, TargetExtractor())
    components = [c for c in components if c.name != "summary"]
    if summaries:
        components.append(_summary(None, device))
    return Pipeline(components=components, model=info, max_chars=max_chars, default_lang=lang)


__all__ = [
    "ALWAYS_ON",
    "COMPONENT_FACTORIES",
    "Analysis",
    "Baseline",
    "Component",
    "Document",
    "DualUse",
    "KeyDate",
    "LabelScore",
    "LabelledRecord",
    "ModelInfo",
    "Pipeline",
    "PolicyNLPError",
    "Risk",
    "Span",
    "Summary",
    "Target",
    "__version__",
    "load",
]
