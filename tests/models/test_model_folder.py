from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from policynlp.errors import DeviceError, ModelFilesError, ModelNotFoundError
from policynlp.models import load_model_config, resolve_device


def _folder(tmp_path: Path) -> Path:
    weights = tmp_path / "heads.safetensors"
    weights.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    (tmp_path / "config.json").write_text(json.dumps(
        {"name": "tiny", "version": "2", "components": [], "files": {"heads.safetensors": digest}}))
    return tmp_path


def test_valid_folder(tmp_path: Path) -> None:
    cfg = load_model_config(_folder(tmp_path))
    assert (cfg.name, cfg.version) == ("tiny", "2")


def test_missing_folder() -> None:
    with pytest.raises(ModelNotFoundError) as info:
        load_model_config("/nonexistent/model")
    assert info.value.code == "E301" and "/nonexistent/model" in str(info.value)


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ModelFilesError, match="no config.json"):
        load_model_config(tmp_path)


def test_broken_config(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelFilesError, match="cannot be read"):
        load_model_config(tmp_path)


def test_missing_weight_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "heads.safetensors").unlink()
    with pytest.raises(ModelFilesError, match="missing"):
        load_model_config(folder)


def test_mismatched_weight_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "heads.safetensors").write_bytes(b"other bytes")
    with pytest.raises(ModelFilesError, match="SHA-256"):
        load_model_config(folder)


def test_devices() -> None:
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda")
    with pytest.raises(DeviceError):
        resolve_device("tpu")
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="no CUDA GPU"):
            resolve_device("cuda:0")
