"""ONNX export of a local sequence-classification model, int8 quantization, and session creation.

Export uses torch's TorchScript-based exporter (``torch.onnx.export(..., dynamo=False)``): in
torch 2.13 the default dynamo exporter needs the ``onnxscript`` package, which the project does
not depend on; the legacy exporter still ships (with a DeprecationWarning) and handles BERT-,
RoBERTa- and DeBERTa-style encoders. The runtime side (session, file names) is
``factcheck.onnx_runtime``, which needs no torch.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from factcheck.errors import ModelError
from factcheck.onnx_runtime import FP32_FILE, INT8_FILE, onnx_session

__all__ = ["FP32_FILE", "INT8_FILE", "export_onnx", "onnx_parity", "onnx_session"]

OPSET = 17
# Sidecar files an ONNX directory needs besides the graph: labels/config and the tokenizer.
_SIDECARS = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "spm.model",
    "sentencepiece.bpe.model",
    "added_tokens.json",
    "thresholds.json",
    "README.md",
)
_PARITY_PAIRS = (
    ("The deal was signed on Monday in Brussels.", "The deal was not signed."),
    ("Officials said talks would continue next week.", "Talks are over."),
    ("A short one.", "Another sentence that is a little longer than the first one."),
)
log = logging.getLogger("factcheck")


class _LogitsOnly(torch.nn.Module):
    """Positional inputs in the tokenizer's order, logits out: the graph ONNX runtimes see."""

    def __init__(self, model: torch.nn.Module, input_names: Sequence[str]) -> None:
        super().__init__()
        self.model = model
        self.input_names = tuple(input_names)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.model(**dict(zip(self.input_names, inputs))).logits


def export_onnx(model_dir: str | Path, out_dir: str | Path | None = None, quantize: bool = True) -> Path:
    """Export the sequence-classification model in ``model_dir`` to ``out_dir/model.onnx``.

    ``out_dir`` defaults to ``model_dir``; config, tokenizer and thresholds files are copied
    beside the graph so the directory loads on its own (``load_nli(out_dir, backend="onnx")``).
    With ``quantize``, also writes ``model_int8.onnx`` (dynamic int8 weights via onnxruntime).
    Batch and sequence axes are dynamic. Returns ``out_dir``. Raises ``ModelError`` when the
    exported fp32 graph disagrees with the PyTorch model (max |logit diff| > 1e-3).
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model_dir = Path(model_dir)
    out_dir = Path(out_dir) if out_dir is not None else model_dir
    if not model_dir.is_dir():
        raise ModelError(f"cannot export {model_dir}: not a directory")
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        # Eager attention traces to plain MatMul/Softmax ops that every ONNX runtime supports.
        model = AutoModelForSequenceClassification.from_pretrained(
            model_dir, use_safetensors=True, dtype=torch.float32, attn_implementation="eager"
        ).eval()
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot export {model_dir}: {str(exc).splitlines()[0]}") from exc

    out_dir.mkdir(parents=True, exist_ok=True)
    if out_dir.resolve() != model_dir.resolve():
        for name in _SIDECARS:
            if (model_dir / name).is_file():
                shutil.copy2(model_dir / name, out_dir / name)

    input_names = list(tokenizer.model_input_names)
    premises, hypotheses = zip(*_PARITY_PAIRS)
    sample = tokenizer(list(premises), list(hypotheses), padding=True, return_tensors="pt")
    args = tuple(sample[name] for name in input_names)
    axes = {name: {0: "batch", 1: "sequence"} for name in input_names} | {"logits": {0: "batch"}}
    fp32 = out_dir / FP32_FILE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # Tracer/indexing warnings are checked for real by the parity test below.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(
            _LogitsOnly(model, input_names).eval(),
            args,
            str(fp32),
            input_names=input_names,
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )

    diff = onnx_parity(model, tokenizer, fp32)
    if diff > 1e-3:
        raise ModelError(f"ONNX export of {model_dir} disagrees with PyTorch (max |logit diff| {diff:.2g})")
    log.info("exported %s (max |logit diff| vs PyTorch %.2g)", fp32, diff)
    if quantize:
        _quantize(fp32, out_dir / INT8_FILE)
    return out_dir


def _quantize(src: Path, dst: Path) -> None:
    """Dynamic int8 weights (activations quantized at run time), after ORT's recommended pre-processing."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        # Symbolic shape inference gives up on the exported attention graphs (and leaves a
        # scratch file in the working directory when it does); ONNX shape inference suffices.
        quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)
        # Per-channel weight scales: clearly closer to fp32 than per-tensor on the test model.
        quantize_dynamic(str(prepared), str(dst), weight_type=QuantType.QInt8, per_channel=True)


def onnx_parity(model, tokenizer, onnx_path: str | Path, pairs: Sequence[tuple[str, str]] = _PARITY_PAIRS) -> float:
    """Max |logit difference| between a PyTorch model and its ONNX export on ``pairs`` (padded batch)."""

    premises, hypotheses = zip(*pairs)
    enc = tokenizer(list(premises), list(hypotheses), padding=True, return_tensors="np")
    session = onnx_session(onnx_path, device="cpu")
    feed = {i.name: enc[i.name].astype(np.int64) for i in session.get_inputs()}
    onnx_logits = session.run(None, feed)[0]
    with torch.inference_mode():
        torch_logits = model(**{k: torch.from_numpy(v) for k, v in feed.items()}).logits.float().numpy()
    return float(np.abs(onnx_logits - torch_logits).max())
