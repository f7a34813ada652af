"""The ONNX NLI backend: an exported graph (fp32, static or dynamic int8) run by onnxruntime.

With a ``tokenizer.json`` beside the graph, loading needs neither transformers nor torch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from factcheck.device import Choice
from factcheck.errors import ModelError
from factcheck.models import ModelInfo, portable_path
from factcheck.nli.loading import (
    _card_licence,
    _local_load,
    _local_provenance,
    _mapping_extra,
    _max_length,
    _precision_extra,
    _read_config,
    _warn_two_way,
    read_precision,
)
from factcheck.nli.model import Backend, LabelMapping, Pair, label_permutation
from factcheck.nli.pairs import _PairTokenizer, _TokenizedNLI

__all__ = ["OnnxNLI"]


class OnnxNLI(_TokenizedNLI):
    """An ONNX export (fp32 or int8) run by onnxruntime, with the tokenizer and config.json beside it."""

    def __init__(self, session, tokenizer, info: ModelInfo, mapping: LabelMapping, max_length: int) -> None:
        super().__init__(tokenizer, mapping, info, max_length)
        self.session = session
        self.input_names = [i.name for i in session.get_inputs()]

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        *,
        file: str | None = None,
        name: str | None = None,
        licence: str | None = None,
        device: str | None = None,
        choice: Choice | None = None,
    ) -> OnnxNLI:
        """Load ``model_dir/file`` (default: ``model_int8.onnx`` if present, else ``model.onnx``).

        With a ``tokenizer.json`` beside it this needs neither transformers nor torch. ``choice``: the
        precision decision to record (default: what the file is, by ``precision.json``).
        """
        from factcheck.runtime.onnx import FP32_FILE, INT8_FILE, onnx_session

        model_dir = Path(model_dir)
        name = name or portable_path(model_dir)
        if file is None:
            file = INT8_FILE if (model_dir / INT8_FILE).is_file() else FP32_FILE
        path = model_dir / file
        if not path.is_file():
            raise ModelError(
                f"NLI model {name}: {path} is missing; create it with `factcheck export-onnx {model_dir}`"
            )

        def from_pretrained(local_files_only: bool):
            if (model_dir / "tokenizer.json").is_file():  # the fast path: no transformers, so no torch
                return _PairTokenizer.from_dir(model_dir), _read_config(model_dir)
            from transformers import AutoConfig, AutoTokenizer

            return AutoTokenizer.from_pretrained(model_dir), AutoConfig.from_pretrained(model_dir)

        tokenizer, config = _local_load(from_pretrained, model_dir, name)
        mapping = label_permutation(config.id2label, model=name)
        revision, extra = _local_provenance(model_dir, [path])
        max_length = _max_length(tokenizer, config)
        session = onnx_session(path, device)
        if choice is None:
            int8 = read_precision(model_dir).get("int8") or {}
            static = int8.get("file") == file and int8.get("quantization") == "static"
            precision = "fp32" if file == FP32_FILE else "int8" if static else "int8-dynamic"
            choice = Choice(precision, f"the graph {file}")
        info = ModelInfo(
            name=name,
            source=portable_path(model_dir),
            local_dir=str(model_dir.resolve()),
            backend=Backend.ONNX.value,
            revision=revision,
            licence=licence or _card_licence(model_dir),
            extra=extra
            | _mapping_extra(mapping, max_length)
            | {"file": file, "providers": list(session.get_providers())} | _precision_extra(choice),
        )
        _warn_two_way(mapping, name)
        return cls(session, tokenizer, info, mapping, max_length)

    def _logits(self, pairs: list[Pair]) -> np.ndarray:
        enc = self._encode(pairs, "np")
        ids = enc["input_ids"]
        feed = {n: (enc[n] if n in enc else np.zeros_like(ids)).astype(np.int64) for n in self.input_names}
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)

    def _arrays_logits(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        ids = arrays["input_ids"]
        feed = {n: arrays[n] if n in arrays else np.zeros_like(ids) for n in self.input_names}
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)
