"""ONNX export of a local sequence-classification model, static int8 quantization, and session creation.

The int8 graph is quantized statically: activation scales are calibrated once on real pairs and stored
in the graph, so a pair's scores never depend on the other pairs of its batch (dynamic quantization
computes the scales per batch, so ``batch`` and ``check`` would disagree). Only the attention
projections (query, key, value, output) are quantized: quantizing the feed-forward layers too, whose
inputs have outlier channels, moved 8% of the shipped model's labels on the news validation pairs
against 1% (eval/results/bench_cpu_precision.md).

Export uses torch's TorchScript-based exporter (``torch.onnx.export(..., dynamo=False)``): in
torch 2.13 the default dynamo exporter needs the ``onnxscript`` package, which the project does
not depend on; the legacy exporter still ships (with a DeprecationWarning) and handles BERT-,
RoBERTa- and DeBERTa-style encoders. The runtime side (session, file names) is
``factcheck.runtime.onnx``, which needs no torch.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from factcheck.errors import ModelError
from factcheck.runtime.onnx import FP32_FILE, INT8_FILE, onnx_session

__all__ = ["FP32_FILE", "INT8_FILE", "calibration_pairs", "export_onnx", "onnx_parity", "onnx_session",
           "quantize_static_int8"]

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


def export_onnx(model_dir: str | Path, out_dir: str | Path | None = None, quantize: bool = True,
                calibration: Sequence[tuple[str, str]] | None = None) -> Path:
    """Export the sequence-classification model in ``model_dir`` to ``out_dir/model.onnx``.

    ``out_dir`` defaults to ``model_dir``; config, tokenizer and thresholds files are copied
    beside the graph so the directory loads on its own (``load_nli(out_dir, backend="onnx")``).
    With ``quantize``, also writes ``model_int8.onnx``, statically quantized with scales calibrated
    on ``calibration`` pairs (default: ``calibration_pairs()``), and records it in ``precision.json``.
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
        pairs = list(calibration) if calibration is not None else calibration_pairs()
        from factcheck.nli.loading import _max_length

        record = quantize_static_int8(fp32, out_dir / INT8_FILE, tokenizer, pairs,
                                      max_length=min(256, _max_length(tokenizer, model.config)))
        _record_int8(out_dir, record)
    return out_dir


# Sentence pairs of the kind the checker scores, for when no calibration set is given.
_FALLBACK_CALIBRATION = _PARITY_PAIRS + (
    ("The ministry said on Monday that the bridge will reopen next month.", "The bridge will not reopen next month."),
    ("At least 12 people were killed in the attack, police said.", "Police said 30 people died in the attack."),
    ("The company denied the report on Tuesday.", "The company confirmed the report."),
    ("Talks between the two sides ended without an agreement late on Friday night.", "The two sides agreed a deal."),
    ("He was arrested in Paris in March.", "He was arrested in Berlin in March."),
    ("The president will visit the region next week, his office said in a statement.", "The visit was cancelled."),
)


def calibration_pairs(data_dir: str | Path = "../shared/data", n: int = 256, seed: int = 0) -> list[tuple[str, str]]:
    """Pairs to calibrate the int8 scales on: ``n`` news-pairs train pairs (both ways) when the shared data is there.

    The news pairs are real aligned claims, the checker's own input; the train split keeps the
    validation split, on which the int8 graph's agreement is measured, unseen. Without the shared
    data: a dozen built-in pairs (enough for a test model, thin for a real one; a warning says so).
    """
    from factcheck.evaluation.news_pairs import load_news_pairs

    labels = Path(__file__).resolve().parents[2] / "eval" / "news_pairs" / "labels.jsonl"
    if labels.is_file() and (Path(data_dir) / "news").is_dir():
        pairs = load_news_pairs(labels, data_dir, splits=("train",), labelled_only=False)
        rng = np.random.default_rng(seed)
        chosen = [pairs[i] for i in sorted(rng.choice(len(pairs), size=min(n, len(pairs)), replace=False))]
        return [(p.a, p.b) for p in chosen] + [(p.b, p.a) for p in chosen]
    log.warning("no news pairs under %s: int8 scales calibrated on %d built-in pairs", data_dir,
                2 * len(_FALLBACK_CALIBRATION))
    return list(_FALLBACK_CALIBRATION) + [(h, p) for p, h in _FALLBACK_CALIBRATION]


def _calibration_batches(tokenizer, input_names: Sequence[str], pairs: Sequence[tuple[str, str]], max_length: int,
                         batch_size: int = 16) -> Iterator[dict[str, np.ndarray]]:
    """Padded, length-sorted batches of the calibration pairs, as the checker feeds them."""
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    for start in range(0, len(order), batch_size):
        chunk = [pairs[i] for i in order[start:start + batch_size]]
        enc = tokenizer([p for p, _ in chunk], [h for _, h in chunk], padding=True, truncation="longest_first",
                        max_length=max_length, return_tensors="np")
        ids = enc["input_ids"].astype(np.int64)
        yield {n: (enc[n].astype(np.int64) if n in enc else np.zeros_like(ids)) for n in input_names}


def _attention_projections(model_path: Path) -> list[str]:
    """The MatMul nodes of the attention's query/key/value/output projections (those with a weight)."""
    import onnx

    graph = onnx.load(str(model_path)).graph
    weights = {i.name for i in graph.initializer}
    return [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights and "/attention/" in n.name]


def quantize_static_int8(src: Path, dst: Path, tokenizer, pairs: Sequence[tuple[str, str]], max_length: int = 256) -> dict:
    """Static int8 (QDQ, per-channel weights, MinMax activation scales over ``pairs``) of the attention projections.

    Returns what ``precision.json`` records about the graph.
    """
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    if not pairs:
        raise ModelError("int8 calibration needs at least one sentence pair")
    input_names = [i.name for i in onnx_session(src, device="cpu").get_inputs()]

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = _calibration_batches(tokenizer, input_names, pairs, max_length)

        def get_next(self) -> dict | None:
            return next(self._batches, None)

    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        # Symbolic shape inference gives up on the exported attention graphs (and leaves a
        # scratch file in the working directory when it does); ONNX shape inference suffices.
        quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)
        nodes = _attention_projections(prepared)
        if not nodes:
            raise ModelError(f"{src}: no attention projections found to quantize")
        quantize_static(str(prepared), str(dst), _Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax, nodes_to_quantize=nodes,
                        op_types_to_quantize=["MatMul"], calibration_providers=["CPUExecutionProvider"])
    return {"file": dst.name, "quantization": "static", "format": "QDQ, per-channel int8 weights, uint8 activations",
            "quantized": f"{len(nodes)} attention projections (query, key, value, output); the rest fp32",
            "calibration": {"method": "MinMax", "pairs": len(pairs)}}


def _record_int8(out_dir: Path, record: dict) -> None:
    """Write the int8 graph's description into ``precision.json``, keeping what was measured for other precisions."""
    from factcheck.nli import PRECISION_FILE

    path = out_dir / PRECISION_FILE
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    precisions = data.setdefault("precisions", {})
    # A new graph: the agreement measured on the old one no longer holds (benchmarks/bench_check.py --measure).
    precisions["int8"] = record
    data.setdefault("schema", "factcheck.precision/1")
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


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
