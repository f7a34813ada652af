"""NLI throughput: pairs/s at batch 32 against one pair at a time, for each backend of one model.

Backends measured are those the model directory has: transformers fp32 and the plain-torch BERT at
fp32 and bf16 (``*.safetensors``), ONNX fp32 (``model.onnx``) and ONNX static int8
(``model_int8.onnx``). Pairs are real cross-article sentence pairs from ``seeds/``. Writes ``bench_nli.json`` and ``bench_nli.md`` to ``--out-dir``; each
backend's probabilities are also compared with the first backend's (max |diff|, label agreement).

    python benchmarks/bench_nli.py --model models/factcheck-nli-minilm
"""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from factcheck.models import models_dir
from factcheck.nli import NLIModel, OnnxNLI, TorchNLI, TransformersNLI
from factcheck.runtime.onnx import FP32_FILE, INT8_FILE
from factcheck.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

# Backend label -> (is it available in this directory?, loader).
BACKENDS: dict[str, tuple[Callable[[Path], bool], Callable[[Path, str], NLIModel]]] = {
    "transformers-fp32": (
        lambda d: any(d.glob("*.safetensors")),
        lambda d, device: TransformersNLI.load(d, device=device, precision="fp32"),
    ),
    "torch-fp32": (lambda d: TorchNLI.can_load(d), lambda d, device: TorchNLI.load(d, device=device, precision="fp32")),
    "torch-bf16": (lambda d: TorchNLI.can_load(d), lambda d, device: TorchNLI.load(d, device=device, precision="bf16")),
    "onnx-fp32": (lambda d: (d / FP32_FILE).is_file(), lambda d, device: OnnxNLI.load(d, file=FP32_FILE, device=device)),
    "onnx-int8": (lambda d: (d / INT8_FILE).is_file(), lambda d, device: OnnxNLI.load(d, file=INT8_FILE, device=device)),
}


def seed_pairs(seeds_dir: Path, n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``n`` (premise, hypothesis) pairs of sentences from two different seed articles."""
    docs = [
        [s.text for s in split_sentences(p.read_text(encoding="utf-8")) if len(s.text.split()) >= 4]
        for p in sorted(seeds_dir.glob("*.txt"))
    ]
    docs = [d for d in docs if d]
    if len(docs) < 2:
        raise typer.BadParameter(f"need at least two articles with sentences in {seeds_dir}")
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        a, b = rng.sample(range(len(docs)), 2)
        pairs.append((rng.choice(docs[a]), rng.choice(docs[b])))
    return pairs


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine_info() -> dict:
    import torch

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "versions": {p: _version(p) for p in ("torch", "transformers", "onnxruntime", "numpy", "tokenizers")},
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def to_markdown(result: dict) -> str:
    m = result["machine"]
    lines = [
        "# NLI throughput",
        "",
        f"Model `{result['model']['name']}` (revision {result['model']['revision']}), "
        f"{result['pairs']} seed sentence pairs (mean {result['mean_tokens']:.0f} tokens), "
        f"device {result['device']}, median of {result['repeats']} runs.",
        f"Machine: {m['processor']}, {m['cpus_usable']} usable CPUs, torch threads {m['torch_threads']}, "
        f"1-min load average at start {m['load_average_1min']}; torch {m['versions']['torch']}, "
        f"onnxruntime {m['versions']['onnxruntime']}.",
        "",
        f"| backend | pairs/s batch {result['batch_size']} | pairs/s one at a time | speed-up "
        f"| max abs diff vs {result['reference']} | label agreement |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in result["backends"].items():
        lines.append(
            f"| {name} | {r['pairs_per_s_batched']:.1f} | {r['pairs_per_s_single']:.1f} | {r['speedup']:.1f}x "
            f"| {r['max_abs_diff']:.4f} | {r['label_agreement']:.3f} |"
        )
    return "\n".join(lines) + "\n"


@app.command()
def main(
    model: Annotated[
        Path, typer.Option(help="Model directory (safetensors and/or model.onnx, model_int8.onnx).")
    ] = models_dir() / "factcheck-nli-minilm",
    pairs: Annotated[int, typer.Option(help="Number of sentence pairs.")] = 256,
    batch_size: Annotated[int, typer.Option(help="Batch size for the batched runs.")] = 32,
    repeats: Annotated[int, typer.Option(help="Timed runs per measurement (median is reported).")] = 3,
    device: Annotated[str, typer.Option(help="Device: cpu or cuda.")] = "cpu",
    seeds: Annotated[Path, typer.Option(help="Folder of seed articles (*.txt).")] = REPO / "seeds",
    out_dir: Annotated[Path, typer.Option(help="Where bench_nli.json and bench_nli.md go.")] = REPO / "eval" / "results",
) -> None:
    """Measure pairs/s per backend, batched against one pair at a time, and write JSON + Markdown."""
    available = {name: load for name, (has, load) in BACKENDS.items() if has(model)}
    if not available:
        raise typer.BadParameter(f"{model} has no *.safetensors, {FP32_FILE} or {INT8_FILE}", param_hint="--model")
    data = seed_pairs(seeds, pairs)
    # Overlong pairs are counted in the results; the per-call warning would repeat every run.
    logging.getLogger("factcheck").setLevel(logging.ERROR)
    result: dict = {
        "machine": machine_info(),
        "device": device,
        "pairs": len(data),
        "batch_size": batch_size,
        "repeats": repeats,
        "backends": {},
    }
    reference = None
    for name, load in available.items():
        nli = load(model, device)
        nli.predict(data[:batch_size], batch_size=batch_size)  # warm-up
        batched = timed(lambda: nli.predict(data, batch_size=batch_size), repeats)
        single = timed(lambda: nli.predict(data, batch_size=1), repeats)
        probs = nli.predict(data, batch_size=batch_size)
        if reference is None:
            reference = probs
            result |= {"reference": name, "model": nli.info.to_dict(), "mean_tokens": float(nli.token_lengths(data).mean())}
        result["backends"][name] = {
            "pairs_per_s_batched": len(data) / batched,
            "pairs_per_s_single": len(data) / single,
            "speedup": single / batched,
            "seconds_batched": batched,
            "seconds_single": single,
            "overlong": int(nli.overlong(data).sum()),
            "max_abs_diff": float(np.abs(probs - reference).max()),
            "label_agreement": float((probs.argmax(1) == reference.argmax(1)).mean()),
            "revision": nli.info.revision,
        }
        typer.echo(f"{name}: {len(data) / batched:.1f} pairs/s batched, {len(data) / single:.1f} one at a time")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench_nli.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out_dir / "bench_nli.md").write_text(to_markdown(result), encoding="utf-8")
    typer.echo(f"wrote {out_dir / 'bench_nli.json'} and {out_dir / 'bench_nli.md'}")


if __name__ == "__main__":
    app()
