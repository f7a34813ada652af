"""Device resolution in one place."""

from __future__ import annotations


def resolve_device(device: str | None = None) -> str:
    """Return ``device`` if given, else ``"cuda"`` when a GPU is visible, else ``"cpu"``."""
    if device:
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def autocast_dtype(device: str):
    """Reduced-precision dtype for inference on ``device`` (bf16/fp16 on CUDA), or None on CPU."""
    import torch

    if not device.startswith("cuda"):
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
