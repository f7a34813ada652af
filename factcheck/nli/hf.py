"""PyTorch NLI backends: ``TorchNLI`` (a local plain BERT run by ``factcheck.runtime.bert``, no transformers import)
and ``TransformersNLI`` (any sequence-classification model through transformers, local or Hub)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from factcheck.device import Choice, resolve_device, torch_dtype
from factcheck.errors import ModelError
from factcheck.models import ModelInfo, portable_path
from factcheck.nli.loading import (
    _card_licence,
    _Config,
    _float_choice,
    _hub_load,
    _local_load,
    _local_provenance,
    _mapping_extra,
    _max_length,
    _precision_extra,
    _warn_two_way,
    _weight_files,
)
from factcheck.nli.model import Backend, LabelMapping, Pair, label_permutation
from factcheck.nli.pairs import _PairTokenizer, _TokenizedNLI

__all__ = ["TorchNLI", "TransformersNLI"]


class TransformersNLI(_TokenizedNLI):
    """A PyTorch sequence-classification model run by transformers (safetensors only, no remote code).

    ``model`` is anything called as ``model(input_ids=..., attention_mask=...).logits``: a transformers
    model here, a ``factcheck.runtime.bert.BertModule`` in ``TorchNLI``.
    """

    def __init__(self, model, tokenizer, info: ModelInfo, mapping: LabelMapping, max_length: int, device: str) -> None:
        super().__init__(tokenizer, mapping, info, max_length)
        self.model = model.eval()
        self.device = device
        if device.startswith("cuda"):
            self.prefetch_chunk = 8192

    @classmethod
    def load(
        cls,
        source: str | Path,
        *,
        name: str | None = None,
        revision: str | None = None,
        licence: str | None = None,
        device: str | None = None,
        precision: Choice | str | None = None,
    ) -> TransformersNLI:
        """Load from a local directory or a Hub id (Hub: cache first, then network).

        ``precision``: a ``Choice`` from ``choose_precision``, or a name resolved here (fp32 or bf16;
        None: auto, which for a model without measured agreement is fp32 on a CPU).
        """
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        device = resolve_device(device)
        local = Path(source).is_dir()
        choice = _float_choice(precision, device, Path(source) if local else None)
        dtype = torch_dtype(choice.precision)
        name = name or (portable_path(source) if local else str(source))

        def from_pretrained(local_files_only: bool):
            common = dict(revision=revision, local_files_only=local_files_only, trust_remote_code=False)
            tokenizer = AutoTokenizer.from_pretrained(source, **common)
            model = AutoModelForSequenceClassification.from_pretrained(
                source, use_safetensors=True, dtype=dtype, **common
            )
            return tokenizer, model

        tokenizer, model = _local_load(from_pretrained, source, name) if local else _hub_load(from_pretrained, name)
        config = model.config
        mapping = label_permutation(config.id2label, model=name)
        model.to(device)
        if local:
            revision, extra = _local_provenance(Path(source), _weight_files(Path(source)))
            licence = licence or _card_licence(Path(source))
        else:
            extra = {"requested_revision": revision or "main"}
            revision = getattr(config, "_commit_hash", None) or revision or "main"
        max_length = _max_length(tokenizer, config)
        info = ModelInfo(
            name=name,
            source=portable_path(source) if local else str(source),
            local_dir=str(Path(source).resolve()) if local else None,
            backend=Backend.TRANSFORMERS.value,
            revision=revision,
            licence=licence,
            extra=extra | _mapping_extra(mapping, max_length) | {"device": device} | _precision_extra(choice, dtype)
            | {"runtime": "transformers"},
        )
        _warn_two_way(mapping, name)
        return cls(model, tokenizer, info, mapping, max_length, device)

    def _logits(self, pairs: list[Pair]) -> np.ndarray:
        enc = self._encode(pairs, "np")
        arrays = {k: np.asarray(enc[k], dtype=np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")
                  if k in enc}
        return self._resolve_logits(self._arrays_logits(arrays))

    def _arrays_logits(self, arrays: dict[str, np.ndarray]):
        import torch

        cuda = self.device.startswith("cuda")
        feed = {}
        for name, value in arrays.items():
            tensor = torch.from_numpy(value)
            feed[name] = tensor.pin_memory().to(self.device, non_blocking=True) if cuda else tensor
        with torch.inference_mode():
            logits = self.model(**feed).logits.float()
        # On a GPU the result stays there (the kernels run on) while the host pads the next batch.
        return logits if cuda else logits.numpy()

    def _resolve_logits(self, pending):
        return pending.cpu().numpy() if not isinstance(pending, np.ndarray) else pending


class TorchNLI(TransformersNLI):
    """A local BERT classifier run by ``factcheck.runtime.bert`` in plain torch: no transformers import, so a quick start.

    Tokenized by the ``tokenizers`` library from the folder's ``tokenizer.json``. Same arithmetic as
    transformers' BERT (tests compare the logits); ``load`` falls back to ``TransformersNLI`` for any
    other architecture (``bert.unsupported``).
    """

    @classmethod
    def can_load(cls, model_dir: Path) -> bool:
        """Whether ``model_dir`` holds a plain BERT classifier with ``tokenizer.json`` and ``model.safetensors``."""
        from factcheck.runtime.bert import WEIGHTS_FILE, unsupported

        if not ((model_dir / "tokenizer.json").is_file() and (model_dir / WEIGHTS_FILE).is_file()):
            return False
        try:
            config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(config, dict) and unsupported(config, head=True) is None

    @classmethod
    def load(
        cls,
        source: str | Path,
        *,
        name: str | None = None,
        revision: str | None = None,
        licence: str | None = None,
        device: str | None = None,
        precision: Choice | str | None = None,
    ) -> TransformersNLI:
        """Load the BERT in directory ``source``; other models go to ``TransformersNLI.load``."""
        model_dir = Path(source)
        if not model_dir.is_dir() or not cls.can_load(model_dir):
            return TransformersNLI.load(source, name=name, revision=revision, licence=licence, device=device,
                                        precision=precision)
        from factcheck.runtime.bert import load_bert, read_config

        device = resolve_device(device)
        name = name or portable_path(model_dir)
        choice = _float_choice(precision, device, model_dir)
        dtype = torch_dtype(choice.precision)

        def from_dir(local_files_only: bool):
            config = read_config(model_dir)
            return _PairTokenizer.from_dir(model_dir), config, load_bert(model_dir, dtype, head=True, config=config)

        try:
            tokenizer, config, model = _local_load(from_dir, model_dir, name)
        except KeyError as exc:  # a weight the config promises is missing
            raise ModelError(f"cannot load NLI model {name} from {model_dir}: {exc.args[0]}") from exc
        mapping = label_permutation(config.get("id2label") or {}, model=name)
        model.to(device)
        packed = device == "cpu" and dtype == torch_dtype("bf16") and model.pack_for_cpu()
        revision, extra = _local_provenance(model_dir, _weight_files(model_dir))
        max_length = _max_length(tokenizer, _Config(config))
        info = ModelInfo(
            name=name,
            source=portable_path(model_dir),
            local_dir=str(model_dir.resolve()),
            backend=Backend.TORCH.value,
            revision=revision,
            licence=licence or _card_licence(model_dir),
            extra=extra | _mapping_extra(mapping, max_length) | {"device": device} | _precision_extra(choice, dtype)
            | {"runtime": "factcheck.bert" + (" (oneDNN packed bf16)" if packed else "")},  # the report's label, kept since the move to factcheck.runtime
        )
        _warn_two_way(mapping, name)
        return cls(model, tokenizer, info, mapping, max_length, device)
