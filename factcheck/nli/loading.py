"""Loading helpers shared by the NLI backends: local and Hub loading, provenance, limits, precision.

A local model's revision is the sha256 of its weights; ``precision.json`` beside them holds the
agreement of bf16 / int8 with fp32 that ``factcheck.device.choose_precision`` decides by.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from factcheck.device import Choice, choose_precision, cpu_bf16
from factcheck.errors import ModelError
from factcheck.nli.model import LabelMapping, log

__all__ = ["PRECISION_FILE", "read_precision", "weights_revision"]


class _Config:
    """The parts of a model's config.json the plain-BERT and ONNX backends need (read without transformers)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.id2label = data.get("id2label") or {}
        self.model_type = data.get("model_type", "")
        self.max_position_embeddings = data.get("max_position_embeddings")


def _read_config(model_dir: Path) -> _Config:
    path = model_dir / "config.json"
    try:
        return _Config(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise OSError(f"{path.name} is missing") from None
    except ValueError as exc:
        raise ValueError(f"{path.name} is not valid JSON ({exc})") from None


_HUB_ERROR = "cannot load NLI model '{name}' from the Hugging Face Hub (no network?); use --nli-model default for the offline model"
# Positions RoBERTa-style models reserve (padding_idx + 1) out of max_position_embeddings.
_POSITION_OFFSET: dict[str, int] = {"roberta": 2, "xlm-roberta": 2, "camembert": 2}
_WEIGHT_PATTERNS = ("*.safetensors",)


def _hub_load(load: Callable[[bool], Any], name: str):
    """Load from the local Hub cache without touching the network; fall back to downloading."""
    # Hub and transformers errors (offline, not found, missing files) are all OSError subclasses.
    try:
        return load(True)
    except (OSError, ValueError):
        pass
    try:
        return load(False)
    except (OSError, ValueError) as exc:
        raise ModelError(_HUB_ERROR.format(name=name)) from exc


def _local_load(load: Callable[[bool], Any], model_dir: str | Path, name: str):
    try:
        return load(True)
    except (OSError, ValueError) as exc:
        # The whole message on one line: transformers' first line alone can stop mid-sentence.
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise ModelError(f"cannot load NLI model {name} from {model_dir}: {why[:400]}") from exc


def _max_length(tokenizer, config) -> int:
    """Longest pair the model takes: the tokenizer's limit, capped by the position embeddings."""
    limits = []
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        limits.append(positions - _POSITION_OFFSET.get(getattr(config, "model_type", ""), 0))
    declared = getattr(tokenizer, "model_max_length", None)
    if isinstance(declared, int) and 0 < declared < 100_000:  # unset limits are ~1e30
        limits.append(declared)
    return min(limits) if limits else 512


def _weight_files(model_dir: Path) -> list[Path]:
    return sorted(p for pattern in _WEIGHT_PATTERNS for p in model_dir.glob(pattern))


def _local_provenance(model_dir: Path, weights: Sequence[Path], thresholds: bool = True) -> tuple[str, dict]:
    """Revision of a local model: sha256 over its weight files (12 hex digits), plus thresholds.json if present."""
    digest = hashlib.sha256()
    for path in weights:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    revision = "sha256:" + digest.hexdigest()[:12]
    extra: dict[str, Any] = {"weights": [p.name for p in weights]}
    thresholds = model_dir / "thresholds.json" if thresholds else None
    if thresholds is not None and thresholds.is_file():
        try:
            extra["thresholds"] = json.loads(thresholds.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{thresholds} is not valid JSON; fix or delete it") from exc
    return revision, extra


def _card_licence(model_dir: Path) -> str | None:
    """``license:`` from the model card's YAML front matter, if any."""
    card = model_dir / "README.md"
    if not card.is_file():
        return None
    text = card.read_text(encoding="utf-8", errors="replace")
    front = re.match(r"---\s*\n(.*?)\n---", text, re.S)
    found = re.search(r"^licen[cs]e:\s*(\S.*)$", front.group(1), re.M) if front else None
    return found.group(1).strip().strip("'\"") if found else None


PRECISION_FILE = "precision.json"  # beside the weights: agreement of bf16 / int8 with fp32 on validation pairs


def read_precision(model_dir: str | Path | None) -> dict:
    """The ``precisions`` of a model's ``precision.json`` (``{"bf16": {"label_agreement": ...}, ...}``), or {}.

    Figures measured on other weights (``revision`` differs from the weights' sha256) are dropped, with a warning.
    """
    if model_dir is None:
        return {}
    path = Path(model_dir) / PRECISION_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}); fix or delete it") from None
    precisions = data.get("precisions") if isinstance(data, dict) else None
    if not isinstance(precisions, dict):
        return {}
    measured_on = data.get("revision")
    if measured_on and measured_on != weights_revision(Path(model_dir)):
        log.warning("%s was measured on other weights (%s); reduced precisions are not used by auto", path, measured_on)
        return {k: {n: v for n, v in entry.items() if n not in ("label_agreement", "mean_abs_diff")}
                for k, entry in precisions.items() if isinstance(entry, dict)}
    return precisions


_REVISIONS: dict[tuple[str, int, int], str] = {}


def weights_revision(model_dir: Path) -> str:
    """``sha256:`` + 12 hex digits over the folder's safetensors weights, as ``ModelInfo.revision`` (cached by size and mtime)."""
    files = _weight_files(model_dir)
    key = (str(model_dir.resolve()), sum(f.stat().st_size for f in files), max((f.stat().st_mtime_ns for f in files), default=0))
    if key not in _REVISIONS:
        _REVISIONS[key] = _local_provenance(model_dir, files, thresholds=False)[0]
    return _REVISIONS[key]


def _int8_file(model_dir: Path | None, measured: Mapping[str, Any]) -> str | None:
    """The model's calibrated (static) int8 graph, when it has one and onnxruntime is installed."""
    import importlib.util

    entry = measured.get("int8") or {}
    file = entry.get("file")
    if model_dir is None or entry.get("quantization") != "static" or not file or not (model_dir / file).is_file():
        return None
    return file if importlib.util.find_spec("onnxruntime") is not None else None


def _choose(precision: str | None, device: str, model_dir: Path | None) -> tuple[Choice, str | None]:
    """The precision for a model (and its int8 file when that is the choice) on a resolved device."""
    measured = read_precision(model_dir)
    int8 = _int8_file(model_dir, measured)
    available = ("fp32", "bf16", "int8") if int8 else ("fp32", "bf16")
    return choose_precision(precision, device, measured, available, cpu_bf16()), int8


def _float_choice(precision: Choice | str | None, device: str, model_dir: Path | None) -> Choice:
    """A float precision (fp32, bf16 or fp16) for the PyTorch backends; int8 is the ONNX backend's."""
    choice = precision if isinstance(precision, Choice) else _choose(precision, device, model_dir)[0]
    if choice.precision == "int8":
        raise ModelError("int8 runs through the model's ONNX graph; load it with load_nli(..., precision='int8')")
    return choice


def _precision_extra(choice: Choice, dtype=None) -> dict:
    extra = {"precision": choice.precision, "precision_choice": choice.reason}
    if dtype is not None:
        extra["dtype"] = str(dtype).removeprefix("torch.")
    return extra


def _mapping_extra(mapping: LabelMapping, max_length: int) -> dict:
    return {"label_mapping": mapping.describe(), "model_labels": list(mapping.model_labels), "max_length": max_length}


def _warn_two_way(mapping: LabelMapping, name: str) -> None:
    if len(mapping.targets) == 2:
        log.warning("NLI model %s is 2-way (entailment/not_entailment): it cannot report contradictions", name)
