"""LoRA for the ``large`` tier's teacher: wrap an encoder with a peft adapter, keep its small state, export it.

The product loads what ``save_adapter`` writes (``factcheck.nli.large``): peft's ``adapter_config.json`` and
``adapter_model.safetensors`` (the LoRA matrices and the new 3-way head, in fp16) and a manifest naming the
base. Checkpoints hold the trainable parameters only (``trainable_state``), so a CPU run that resumes across
sessions commits a few MB, never the base.

``python -m factcheck.training.lora bundle``: pack a run's outputs into one tar under a size limit (what a
device call can bring back), most important first.
"""

from __future__ import annotations

import argparse
import json
import logging
import tarfile
from pathlib import Path

from factcheck.errors import InputError

log = logging.getLogger("factcheck.lora")

# Linear layers of one MPNet (attn.q/k/v/o) or BERT (query/key/value, attention.output.dense) encoder layer.
ATTENTION = ("q", "k", "v", "o", "query", "key", "value")
FEED_FORWARD = ("intermediate.dense", "output.dense")
HEAD = ("classifier",)
TRANSPORT = "int8_transport.json"  # beside unpacked weights: they went through int8 transport


def parse_layers(spec: str, n_layers: int) -> list[int] | None:
    """``all`` -> None (every layer); ``upper`` -> the upper half; ``upperN`` -> the top N; ``a-b`` -> a..b."""
    spec = spec.strip().lower()
    if spec == "all":
        return None
    if spec.startswith("upper"):
        count = int(spec[5:] or n_layers // 2)
        if not 0 < count <= n_layers:
            raise InputError(f"--lora-layers {spec}: the model has {n_layers} layers")
        return list(range(n_layers - count, n_layers))
    lo, sep, hi = spec.partition("-")
    try:
        layers = list(range(int(lo), int(hi) + 1)) if sep else [int(lo)]
    except ValueError:
        raise InputError(f"--lora-layers {spec!r}: use all, upper, upperN or a-b") from None
    if not layers or layers[0] < 0 or layers[-1] >= n_layers:
        raise InputError(f"--lora-layers {spec}: the model has layers 0..{n_layers - 1}")
    return layers


def wrap(model, rank: int, alpha: float | None = None, layers: str = "all", targets: str = "all",
         dropout: float = 0.05):
    """``model`` (a sequence classifier) with LoRA on its encoder's linear layers and a fully trained head."""
    from peft import LoraConfig, TaskType, get_peft_model

    n_layers = int(model.config.num_hidden_layers)
    names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    wanted = ATTENTION if targets == "attention" else ATTENTION + FEED_FORWARD
    modules = [t for t in wanted if t.rsplit(".", 1)[-1] in names]
    if not modules:
        raise InputError(f"no LoRA targets {wanted} in {type(model).__name__}")
    config = LoraConfig(task_type=TaskType.SEQ_CLS, r=rank, lora_alpha=alpha or 2 * rank, lora_dropout=dropout,
                        target_modules=modules, layers_to_transform=parse_layers(layers, n_layers),
                        layers_pattern="layer" if layers != "all" else None, modules_to_save=list(HEAD))
    wrapped = get_peft_model(model, config)
    trainable = sum(p.numel() for p in wrapped.parameters() if p.requires_grad)
    total = sum(p.numel() for p in wrapped.parameters())
    log.info("LoRA r=%d on %s, layers %s: %d of %d parameters train (%.2f%%)", rank, modules, layers, trainable,
             total, 100 * trainable / total)
    return wrapped


def trainable_state(model) -> dict:
    """The parameters that train (LoRA matrices, head), detached on the CPU: what a checkpoint keeps."""
    return {n: p.detach().cpu().clone() for n, p in model.named_parameters() if p.requires_grad}


def load_trainable_state(model, state: dict, widen: bool = False) -> None:
    """Put ``trainable_state`` back; refuses a state that does not fit the model (another config).

    ``widen``: the model may hold LoRA matrices that ``state`` lacks (an adapter on more layers than the one it
    starts from). Those keep their fresh initialisation, whose zero ``lora_B`` adds nothing, so the widened model
    starts as the same function; anything else missing or extra is still refused.
    """
    params = dict(model.named_parameters())
    wanted = {n for n, p in params.items() if p.requires_grad}
    if widen:
        extra = set(state) - wanted
        missing = wanted - set(state)
        if not extra and missing and all(".lora_A." in n or ".lora_B." in n for n in missing):
            wanted = wanted & set(state)
            log.info("widened: %d LoRA matrices start fresh (zero update)", len(missing))
    if set(state) != wanted:
        raise InputError(f"checkpoint does not fit this LoRA set-up: {len(set(state) ^ wanted)} parameters differ "
                         "(change --lora-* back, or start a fresh --out)")
    import torch

    with torch.no_grad():
        for name, value in state.items():
            params[name].copy_(value.to(params[name].device, params[name].dtype))


def save_adapter(model, tokenizer, out: Path, base: dict, max_length: int, meta: dict | None = None) -> Path:
    """Write the adapter (fp16) with its manifest, as ``factcheck.nli.large`` loads it; no base weights."""
    import torch
    from safetensors.torch import load_file, save_file

    from factcheck.nli.large import MANIFEST, MANIFEST_SCHEMA

    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    weights = out / "adapter_model.safetensors"
    tensors = load_file(str(weights))
    save_file({k: (v.to(torch.float16) if v.is_floating_point() else v).contiguous() for k, v in tensors.items()},
              str(weights))
    config_path = out / "adapter_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base.get("name", "base")  # never the training machine's path
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    id2label = model.config.id2label
    manifest = {"schema": MANIFEST_SCHEMA, "base": base, "labels": [id2label[i] for i in sorted(id2label)],
                "max_length": max_length}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if meta is not None:
        (out / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    del tokenizer  # the base's tokenizer is used as it is; nothing to save
    return out


def base_record(path: Path) -> dict:
    """How a base folder is recorded in the adapter's manifest: its name, the sha256 of its weights and, for
    weights that came through int8 transport (``distill unpack``), the transform the loader must repeat."""
    from factcheck.nli.large import BASE_NAME, BASE_SHA256, file_digest

    marker = path / TRANSPORT
    if marker.is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        digest = info.get("source_sha256")
        return {"name": BASE_NAME if digest == BASE_SHA256 else path.name, "sha256": digest,
                "transform": info["transform"]}
    weights = path / "model.safetensors"
    digest = file_digest(weights) if weights.is_file() else None
    return {"name": BASE_NAME if digest == BASE_SHA256 else path.name, "sha256": digest}


# ------------------------------------------------------------------ bundle

def bundle(files: list[Path], out: Path, max_mb: float) -> dict:
    """Tar ``files`` (folders whole) in the order given, skipping any that would pass ``max_mb``; a
    ``bundle.json`` inside lists what is in and what was left out."""
    limit = max_mb * 2**20
    included, omitted, size = [], [], 1 << 16  # headroom for tar headers and bundle.json
    entries = []
    for f in files:
        if not f.exists():
            omitted.append({"path": str(f), "why": "missing"})
            continue
        members = sorted(p for p in f.rglob("*") if p.is_file()) if f.is_dir() else [f]
        nbytes = sum(p.stat().st_size + 512 for p in members)
        if size + nbytes > limit:
            omitted.append({"path": str(f), "why": f"{nbytes / 2**20:.1f} MiB would pass {max_mb} MiB"})
            continue
        size += nbytes
        included.append({"path": f.name, "mib": round(nbytes / 2**20, 2)})
        entries.append(f)
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"included": included, "omitted": omitted, "mib": round(size / 2**20, 2)}
    listing = out.with_name(out.stem + ".bundle.json")
    listing.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    with tarfile.open(out, "w") as tar:
        tar.add(listing, arcname="bundle.json")
        for f in entries:
            tar.add(f, arcname=f.name)
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("bundle", help="tar a run's outputs, most important first, under a size limit")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--max-mb", type=float, default=60.0, help="MiB")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        summary = bundle(args.files, args.out, args.max_mb)
    except InputError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
