"""Device resolution and validation in one place."""

from __future__ import annotations

import re

from factcheck.errors import DeviceError

__all__ = ["autocast_dtype", "check_device", "check_device_name", "resolve_device"]

_DEVICE = re.compile(r"^(?:cpu|mps|cuda(?::(\d+))?)$")
_FORMS = "cpu, cuda, cuda:N or mps"


def check_device_name(device: str | None) -> str | None:
    """The device name normalised (``" CUDA "`` -> ``"cuda"``), or None; DeviceError when malformed.

    Only the spelling is checked here (no torch import), so it is cheap enough for option parsing.
    """
    if device is None or not str(device).strip():
        return None
    name = str(device).strip().lower()
    if not _DEVICE.match(name):
        raise DeviceError(f"unknown device {device!r}; use {_FORMS}")
    return name


def check_device(device: str | None) -> None:
    """Refuse, before any model loads, a device that is malformed or not on this machine.

    No device given means "pick one" and needs no check; torch is imported only for an explicit
    device, and not at all where it is not installed (the ONNX-only install checks the spelling).
    """
    name = check_device_name(device)
    if name is None:
        return
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    resolve_device(name)


def resolve_device(device: str | None = None) -> str:
    """The device to run on: ``device`` checked against the hardware, or a GPU when present, else CPU.

    Raises DeviceError (one line) for a malformed name, CUDA asked for without CUDA, a GPU index
    that does not exist, or MPS asked for where it is not available.
    """
    import torch

    name = check_device_name(device)
    if name is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            build = "this torch build has no CUDA" if torch.version.cuda is None else "no CUDA GPU is visible"
            raise DeviceError(f"--device {name}: {build}; use --device cpu")
        index = int(name.partition(":")[2] or 0)
        count = torch.cuda.device_count()
        if index >= count:
            raise DeviceError(f"--device {name}: there is no GPU {index} ({count} visible: cuda:0..cuda:{count - 1})")
    elif name == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise DeviceError("--device mps: Apple MPS is not available here; use --device cpu")
    return name


def autocast_dtype(device: str):
    """Reduced-precision dtype for inference on ``device`` (bf16/fp16 on CUDA), or None on CPU."""
    import torch

    if not device.startswith("cuda"):
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
