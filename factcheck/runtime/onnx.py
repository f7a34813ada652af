"""ONNX Runtime sessions for the NLI and embedder backends, and the graph file names they look for.

No torch here: loading an ONNX model must work (and stay light) without it. The exporter that writes
these files is in the training workshop (``factcheck.training.onnx_export``).
"""

from __future__ import annotations

from pathlib import Path

from factcheck.device import check_device_name
from factcheck.errors import ModelError

__all__ = ["FP32_FILE", "INT8_FILE", "onnx_session"]

FP32_FILE = "model.onnx"
INT8_FILE = "model_int8.onnx"


def onnx_session(path: str | Path, device: str | None = None):
    """An onnxruntime ``InferenceSession`` for ``path``: CUDA provider when asked for and available, else CPU."""
    device = check_device_name(device)
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise ModelError("onnxruntime is not installed; pip install 'factcheck[onnx]'") from exc
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"ONNX model {path} does not exist; create it with `factcheck export-onnx`")
    providers = ["CPUExecutionProvider"]
    if (device or "").startswith("cuda") and "CUDAExecutionProvider" in ort.get_available_providers():
        providers.insert(0, "CUDAExecutionProvider")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as exc:  # onnxruntime raises its own Exception subclasses (Fail, InvalidProtobuf, ...)
        raise ModelError(f"cannot open ONNX model {path}: {str(exc).splitlines()[0]}") from exc
