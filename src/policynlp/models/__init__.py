"""Model folders: finding the default, checking a folder's files, choosing the device.

A model folder holds ``config.json`` and the safetensors files it lists. ``config.json``
names the model, its version, its components and, for every weight file, its SHA-256, so
a folder with a missing or altered file is refused with a clear error instead of producing
wrong results.

Example:
    >>> resolve_device("cpu")
    'cpu'
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policynlp.errors import DeviceError, ModelFilesError, ModelNotFoundError

#: Environment variable that points at a model folder to use instead of the default.
MODEL_ENV = "POLICYNLP_MODEL"
DEFAULT_MODEL_NAME = "policynlp-e5-small"


@dataclass
class ModelConfig:
    """The parsed ``config.json`` of a model folder."""

    path: Path
    name: str
    version: str
    components: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    raw: dict[str, Any] = field(default_factory=dict)


def default_model_path() -> Path | None:
    """The default model folder: ``$POLICYNLP_MODEL``, else the repository's shipped model.

    Returns ``None`` when neither exists, or when ``$POLICYNLP_MODEL`` is ``none``: then only
    the rule-based components run.
    """
    env = os.environ.get(MODEL_ENV)
    if env and env.lower() == "none":
        return None
    if env:
        return Path(env)
    shipped = Path(__file__).resolve().parents[3] / "models" / DEFAULT_MODEL_NAME
    return shipped if (shipped / "config.json").is_file() else None


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_model_config(path: str | Path, *, verify: bool = True) -> ModelConfig:
    """Read and check a model folder's ``config.json`` and the files it lists.

    Raises:
        ModelNotFoundError: the folder does not exist.
        ModelFilesError: ``config.json`` is missing or broken, or a listed file is missing
            or does not match its SHA-256.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ModelNotFoundError("no such model folder", path=str(folder))
    cfg_path = folder / "config.json"
    if not cfg_path.is_file():
        raise ModelFilesError("the model folder has no config.json", path=str(folder))
    try:
        raw = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFilesError(f"config.json cannot be read: {err}", path=str(cfg_path)) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ModelFilesError("config.json must be an object with a 'name'", path=str(cfg_path))
    files = raw.get("files", {})
    if not isinstance(files, dict):
        raise ModelFilesError("'files' in config.json must map file names to SHA-256",
                              path=str(cfg_path))
    if verify:
        for name, digest in files.items():
            f = folder / name
            if not f.is_file():
                raise ModelFilesError(f"config.json lists '{name}' but the file is missing",
                                      path=str(folder))
            if digest and sha256_file(f) != digest:
                raise ModelFilesError(f"'{name}' does not match the SHA-256 in config.json "
                                      "(altered or from another model)", path=str(folder))
    return ModelConfig(path=folder, name=raw["name"], version=str(raw.get("version", "0")),
                       components=list(raw.get("components", [])), files=dict(files), raw=raw)


def resolve_device(device: str = "auto") -> str:
    """Turn ``auto|cpu|cuda|cuda:N|mps`` into a concrete device string, checking it exists.

    Raises:
        DeviceError: the device is unknown or not available here.
    """
    if device == "cpu":
        return "cpu"
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "mps":
        if torch.backends.mps.is_available():
            return "mps"
        raise DeviceError("device 'mps' is not available on this machine")
    if device == "cuda" or device.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise DeviceError(f"device {device!r} was requested but no CUDA GPU is available")
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise DeviceError(f"device {device!r} does not exist "
                              f"({torch.cuda.device_count()} GPU(s) visible)")
        return device
    raise DeviceError(f"unknown device {device!r}")


__all__ = ["MODEL_ENV", "ModelConfig", "default_model_path", "load_model_config", "sha256_file",
           "resolve_device"]
