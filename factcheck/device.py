"""Device and numeric precision: resolution and validation in one place."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

from factcheck.errors import DeviceError, InputError

__all__ = [
    "AGREEMENT_BAR",
    "PRECISIONS",
    "PRECISION_HELP",
    "Choice",
    "Precision",
    "autocast_dtype",
    "check_device",
    "check_device_name",
    "check_precision",
    "choose_precision",
    "cpu_bf16",
    "meets_bar",
    "resolve_device",
    "torch_dtype",
]

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


# --------------------------------------------------------------------------- precision

PRECISIONS = ("auto", "fp32", "bf16", "int8")


class Precision(str, Enum):
    """The ``--precision`` choices."""

    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"
    int8 = "int8"


PRECISION_HELP = ("Numeric precision of the models. auto: bf16 on a CPU with bf16 units (AMX, AVX-512 BF16) when the "
                  "model's bf16 agrees with fp32 on its validation pairs, bf16/fp16 on a GPU, else fp32; int8: the "
                  "NLI model's calibrated ONNX graph (CPU).")
# What a reduced precision must keep on the model's validation pairs, against fp32, to be picked by auto.
AGREEMENT_BAR = {"label_agreement": 0.995, "mean_abs_diff": 0.01}
# auto on a CPU tries these in order (fastest first, as measured in eval/results/bench_cpu_precision.md).
CPU_ORDER = ("bf16", "int8", "fp32")
_CPU_BF16_FLAGS = ("amx_bf16", "avx512_bf16")


def check_precision(precision: str | None) -> str:
    """The precision name normalised (None -> ``"auto"``); InputError naming the choices when unknown."""
    name = "auto" if precision is None else str(precision).strip().lower()
    if name not in PRECISIONS:
        raise InputError(f"unknown precision {precision!r}; use {', '.join(PRECISIONS)}")
    return name


@lru_cache(maxsize=1)
def cpu_bf16() -> str | None:
    """The CPU flag of native bf16 matrix instructions (``amx_bf16``, ``avx512_bf16``), or None.

    Read from /proc/cpuinfo (Linux). Elsewhere None: bf16 is then emulated, slower than fp32.
    """
    try:
        flags = set(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return None
    return next((f for f in _CPU_BF16_FLAGS if f in flags), None)


def meets_bar(measured: Mapping | None) -> bool:
    """Whether a precision's measured agreement with fp32 meets ``AGREEMENT_BAR``."""
    if not measured:
        return False
    try:
        return (float(measured["label_agreement"]) >= AGREEMENT_BAR["label_agreement"]
                and float(measured["mean_abs_diff"]) <= AGREEMENT_BAR["mean_abs_diff"])
    except (KeyError, TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Choice:
    """A resolved precision and, for the record, why it was chosen."""

    precision: str
    reason: str


def choose_precision(requested: str | None, device: str, measured: Mapping[str, Mapping] | None = None,
                     available: tuple[str, ...] = ("fp32", "bf16"), bf16_flag: str | None = None) -> Choice:
    """The precision to run at on ``device`` (a resolved device name).

    Explicit ``fp32``/``bf16``/``int8`` are kept (``int8`` only where ``available`` has it: a model with
    a calibrated int8 graph, on the CPU). ``auto`` on a CPU takes the first of ``CPU_ORDER`` that is
    available and whose agreement with fp32 (``measured[precision]``, from the model's validation
    split) meets ``AGREEMENT_BAR``; bf16 also needs native bf16 units (``bf16_flag``, e.g.
    ``cpu_bf16()``). Else fp32. ``auto`` on a GPU is bf16 where supported (else fp16), as before.
    """
    requested = check_precision(requested)
    measured = measured or {}
    cpu = device == "cpu"
    if requested == "int8":
        if not cpu:
            raise DeviceError(f"--precision int8 runs on the CPU (ONNX Runtime); use --device cpu, not {device}")
        if "int8" not in available:
            raise InputError("--precision int8 needs the model's calibrated int8 graph "
                             "(factcheck export-onnx MODEL) and onnxruntime (pip install 'factcheck[onnx]')")
        return Choice("int8", "asked for")
    if requested != "auto":
        return Choice(requested, "asked for")
    if device.startswith("cuda"):
        return Choice(_cuda_auto(), "auto: GPU")
    if not cpu:
        return Choice("fp32", f"auto: {device}")
    for name in CPU_ORDER:
        if name == "fp32":
            break
        if name not in available or not meets_bar(measured.get(name)):
            continue
        if name == "bf16" and not bf16_flag:
            continue
        agreement = float(measured[name]["label_agreement"])
        why = f"CPU flag {bf16_flag}, " if name == "bf16" else ""
        return Choice(name, f"auto: {why}{agreement:.2%} label agreement with fp32 on validation")
    if bf16_flag is None:
        return Choice("fp32", "auto: no native bf16 on this CPU")
    return Choice("fp32", "auto: no reduced precision measured to agree with fp32 for this model")


def _cuda_auto() -> str:
    import torch

    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


def torch_dtype(precision: str):
    """The torch dtype of a float precision name (fp32, bf16, fp16)."""
    import torch

    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
