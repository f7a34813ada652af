"""Stage 5: a larger teacher (all-mpnet-base-v2, 110M) fine-tuned on the training mix and distilled into the shipped
MiniLM student (22M), so CPU inference stays as fast as before. Made for a GPU; every step also runs on a CPU.

Subcommands (``python -m factcheck.training.distill SUB --help``):

* ``pool``: materialise the weighted training mix and the grouped validation split into one JSONL.gz, with the
  sha256 of every data file read, so the GPU machine (which has none of shared/data) trains on exactly it.
* ``pack`` / ``unpack``: int8-pack an encoder (per-row absmax, fp16 scales) into parts small enough to travel,
  and restore a loadable fp32 model folder from them. The teacher is fine-tuned afterwards, so the ~0.4% weight
  noise washes out; the shipped student never goes through this.
* ``fit``: fine-tune on the pool's training rows with hard (possibly set-valued) labels, optionally mixed with
  a teacher's probabilities (knowledge distillation); score every validation source; export an fp16 folder.
  With ``--lora-rank`` the encoder is frozen and a LoRA adapter trains with a new head (``training.lora``):
  the export is the adapter the ``large`` tier loads, and checkpoints hold only what trains.
* ``label``: a fitted teacher's probabilities on the pool's training rows (``--base`` for a LoRA adapter).
* ``select``: pick, among fitted runs, the best macro accuracy over validation sources (fit on validation only).

A run stops at its step count or its time budget, whichever comes first; the learning rate decays linearly on
that progress, so a budgeted run still ends at lr 0. Checkpoints (``--checkpoint-every`` steps,
``--checkpoint-minutes``) let a CPU run resume; ``--stop-after`` (or SIGTERM) checkpoints and pauses a run, to go
on in a later session with the same command.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import os
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np

from factcheck.errors import InputError
from factcheck.models import portable_path
from factcheck.training.data import LABEL_NAMES, NLIExample, label_mask
from factcheck.training.lora import TRANSPORT

log = logging.getLogger("factcheck.distill")

POOL_SCHEMA = "factcheck.nli_pool/1"
PACK_SCHEMA = "factcheck.int8_pack/1"


# ---------------------------------------------------------------- pool

def _open_pool(path: Path, mode: str):
    """``.xz`` (about a third of gzip's size here: the mix repeats rows) or ``.gz``."""
    if path.suffix == ".xz":
        import lzma

        return lzma.open(path, mode, encoding="utf-8", **({"preset": 9} if "w" in mode else {}))
    return gzip.open(path, mode, encoding="utf-8")


def write_pool(path: Path, train: list[tuple[str, NLIExample]], validation: list[NLIExample], meta: dict) -> None:
    """One JSONL (.xz or .gz): a header line (schema, provenance), then training rows in mix order, then
    validation rows."""
    with _open_pool(path, "wt") as fh:
        fh.write(json.dumps({"schema": POOL_SCHEMA, **meta}) + "\n")
        for stream, ex in train:
            # Training rows need no group (only the split uses it), which keeps the file small enough to travel.
            fh.write(json.dumps({"split": "train", "stream": stream, "premise": ex.premise, "hypothesis": ex.hypothesis,
                                 "label": ex.label, "source": ex.source}) + "\n")
        for ex in validation:
            fh.write(json.dumps({"split": "validation", "premise": ex.premise, "hypothesis": ex.hypothesis,
                                 "label": ex.label, "source": ex.source, "group": ex.group}) + "\n")


def read_pool(path: Path) -> tuple[dict, list[NLIExample], list[NLIExample]]:
    """The header, the training rows (in mix order) and the validation rows of a pool file."""
    if not path.exists():
        raise InputError(f"{path}: pool file not found")
    train: list[NLIExample] = []
    validation: list[NLIExample] = []
    with _open_pool(path, "rt") as fh:
        header = json.loads(fh.readline())
        if header.get("schema") != POOL_SCHEMA:
            raise InputError(f"{path}: not a {POOL_SCHEMA} file (schema {header.get('schema')!r})")
        for line_no, line in enumerate(fh, start=2):
            row = json.loads(line)
            ex = NLIExample(row["premise"], row["hypothesis"], row["label"], row["source"], row.get("group", ""))
            if row["split"] == "train":
                train.append(ex)
            elif row["split"] == "validation":
                validation.append(ex)
            else:
                raise InputError(f"{path}:{line_no}: unknown split {row['split']!r}")
    return header, train, validation


def build_pool(args: argparse.Namespace) -> dict:
    from factcheck.training.data import read_synthetic
    from factcheck.training.sources import load_streams
    from factcheck.training.train import data_provenance, mix_streams, parse_weights, split_streams

    data_dir = Path(args.data_dir)
    jsonl = [Path(p) for p in args.extra or ()]
    streams = load_streams(data_dir, args.sources, [])
    for path in jsonl:
        streams[path.stem] = list(read_synthetic(path, "train"))
    train_streams, validation = split_streams(streams, args.val_fraction)
    news = None
    if getattr(args, "news_pairs", None):
        from factcheck.models import file_sha256
        from factcheck.training.train import news_pair_examples

        # Real aligned news pairs read by people: their train split only (validation fits thresholds, dev reports).
        train_streams["news_pairs"] = news_pair_examples(Path(args.news_pairs), data_dir, args.news_contradiction_repeat)
        news = {"path": Path(args.news_pairs).name, "sha256": file_sha256(Path(args.news_pairs)),
                "contradiction_repeat": args.news_contradiction_repeat}
    weights = parse_weights(args.weights)
    mixed = mix_streams(train_streams, weights, args.seed)
    stream_of = {id(e): name for name, v in train_streams.items() for e in v}
    train = [(stream_of[id(e)], e) for e in mixed]
    random.Random(args.seed).shuffle(train)
    meta = {"data": data_provenance(data_dir, args.sources, jsonl), "weights": weights,
            "weights_file": Path(args.weights).name, "val_fraction": args.val_fraction, "seed": args.seed,
            "pool_streams": {k: len(v) for k, v in train_streams.items()},
            "train_streams": dict(Counter(s for s, _ in train)),
            "validation_sources": dict(Counter(e.source for e in validation))}
    if news is not None:
        meta["data"]["news_pairs"] = news
    write_pool(Path(args.out), train, validation, meta)
    log.info("wrote %s: %d training rows, %d validation rows", args.out, len(train), len(validation))
    return meta


# ---------------------------------------------------------------- int8 transport

def quantize_rows(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row symmetric absmax int8: ``w ≈ q * scale[:, None]``."""
    w = np.asarray(w, dtype=np.float32)
    scale = np.abs(w).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float16)


def dequantize_rows(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return q.astype(np.float32) * scale.astype(np.float32)[:, None]


def pack(src: Path, out: Path, part_mb: float) -> list[Path]:
    """int8-pack ``src/model.safetensors`` into parts of at most ``part_mb`` MB; other small files are copied."""
    import shutil

    from safetensors.numpy import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    tensors = load_file(str(src / "model.safetensors"))
    packed: dict[str, np.ndarray] = {}
    for name, w in tensors.items():
        if w.ndim == 2 and w.size >= 4096:
            packed[name + ".q"], packed[name + ".scale"] = quantize_rows(w)
        else:
            packed[name] = w.astype(np.float16) if w.dtype.kind == "f" else w
    parts: list[dict[str, np.ndarray]] = [{}]
    size = 0
    for name in sorted(packed):
        nbytes = packed[name].nbytes
        if parts[-1] and size + nbytes > part_mb * 1e6:
            parts.append({})
            size = 0
        parts[-1][name] = packed[name]
        size += nbytes
    written = []
    for i, part in enumerate(parts):
        path = out / f"int8-{i:02d}.safetensors"
        save_file(part, str(path))
        written.append(path)
    for f in src.iterdir():
        if f.is_file() and f.name != "model.safetensors" and f.suffix in {".json", ".txt"}:
            shutil.copy(f, out / f.name)
    from factcheck.models import file_sha256

    (out / "pack.json").write_text(json.dumps({"schema": PACK_SCHEMA, "parts": len(parts),
                                               "source_sha256": file_sha256(src / "model.safetensors")}) + "\n")
    return written


def unpack(parts_dirs: list[Path], out: Path) -> Path:
    """Gather int8 parts (from one or several folders) back into a loadable fp32 ``model.safetensors``."""
    import shutil

    from safetensors.numpy import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    merged: dict[str, np.ndarray] = {}
    expected = None
    source_sha = None
    found = 0
    for folder in parts_dirs:
        for f in sorted(folder.iterdir()):
            if f.name.startswith("int8-") and f.suffix == ".safetensors":
                merged.update(load_file(str(f)))
                found += 1
            elif f.name == "pack.json":
                pack_info = json.loads(f.read_text())
                expected, source_sha = pack_info["parts"], pack_info.get("source_sha256")
            elif f.is_file() and f.suffix in {".json", ".txt"}:
                shutil.copy(f, out / f.name)
    if expected is None or found != expected:
        raise InputError(f"int8 pack: found {found} parts, pack.json expects {expected}")
    tensors: dict[str, np.ndarray] = {}
    for name, value in merged.items():
        if name.endswith(".q"):
            base = name[:-2]
            tensors[base] = dequantize_rows(value, merged[base + ".scale"])
        elif not name.endswith(".scale"):
            tensors[name] = value.astype(np.float32) if value.dtype.kind == "f" else value
    save_file(tensors, str(out / "model.safetensors"))
    (out / "pack.json").unlink(missing_ok=True)
    # The weights are the source's after an int8-rows round trip: a LoRA trained on them records it, and the
    # large tier applies the same rounding to the exact base at load time (factcheck.nli.large.int8_rows).
    (out / TRANSPORT).write_text(json.dumps({"schema": PACK_SCHEMA, "transform": "int8-rows",
                                             "source_sha256": source_sha}) + "\n")
    return out


# ---------------------------------------------------------------- models

def load_model(path: Path, device: str):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=3, id2label=dict(enumerate(LABEL_NAMES)),
        label2id={n: i for i, n in enumerate(LABEL_NAMES)}, dtype=torch.float32).to(device)
    return model, tokenizer


def predict_proba(model, tokenizer, examples: list[NLIExample], device: str, max_length: int,
                  batch_size: int = 256) -> np.ndarray:
    """Softmax probabilities (n, 3) in LABEL_NAMES order, batches sorted by length."""
    import torch

    from factcheck.training.train import collate, encode

    ids, types = encode(tokenizer, examples, max_length)
    order = sorted(range(len(examples)), key=lambda i: len(ids[i]))
    probs = np.zeros((len(examples), len(LABEL_NAMES)), dtype=np.float32)
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            logits = model(**collate(tokenizer, ids, types, idx, device)).logits
            probs[idx] = torch.softmax(logits.float(), -1).cpu().numpy()
    model.train(was_training)
    return probs


def scores(probs: np.ndarray, examples: list[NLIExample]) -> dict:
    """Accuracy overall, per source, and the macro mean over sources (the selection criterion)."""
    from factcheck.training.train import set_accuracy

    metrics = set_accuracy(probs.argmax(-1), [e.label for e in examples], [e.source for e in examples])
    per = [v["accuracy"] for v in metrics["per_source"].values()]
    metrics["macro_accuracy"] = float(np.mean(per)) if per else float("nan")
    return metrics


# ---------------------------------------------------------------- losses (pure)

def distillation_loss(logits, allowed, teacher_probs, alpha: float, temperature: float):
    """Per row ``(1-a) * set-valued NLL + a * T^2 * KL(teacher || student at T)``, averaged over rows.

    ``a`` is ``alpha`` for rows with a teacher and a hard label; 1 for rows with a teacher and no hard label (the
    label ``any``, which allows every class); 0 for rows whose teacher probabilities are NaN (no teacher: hard
    label only). alpha=0 or no teacher is plain training.
    """
    import torch

    from factcheck.training.losses import set_valued_nll

    if teacher_probs is None or alpha == 0:
        return set_valued_nll(logits, allowed)
    hard = set_valued_nll(logits, allowed, per_row=True)
    has_teacher = ~torch.isnan(teacher_probs.float()).any(-1)
    t = torch.nan_to_num(teacher_probs.float(), nan=1.0 / teacher_probs.shape[-1]).clamp_min(1e-8)
    if temperature != 1.0:
        t = torch.softmax(torch.log(t) / temperature, dim=-1)
    log_s = torch.log_softmax(logits.float() / temperature, dim=-1)
    kl = (t * (torch.log(t) - log_s)).sum(-1)
    informative = ~allowed.bool().all(-1)
    a = torch.where(has_teacher, torch.where(informative, torch.full_like(kl, alpha), torch.ones_like(kl)),
                    torch.zeros_like(kl))
    return ((1 - a) * hard + a * temperature ** 2 * kl).mean()


def check_teacher_rows(train_set: list[NLIExample], teacher, alpha: float, where: str) -> None:
    """Rows labelled ``any`` train on the teacher alone: refuse them without one (no file, alpha 0, NaN row)."""
    free = [i for i, e in enumerate(train_set) if e.label == "any"]
    if not free:
        return
    if teacher is None or alpha == 0:
        raise InputError(f"{where}: {len(free)} training rows have no hard label ('any'); they need teacher "
                         "probabilities and --alpha > 0")
    import torch

    missing = int(torch.isnan(teacher[free]).any(-1).sum())
    if missing:
        raise InputError(f"{where}: {missing} training rows labelled 'any' have no teacher probabilities (NaN)")


def lr_factor(progress: float, warmup: float = 0.06) -> float:
    """Linear warm-up then linear decay to 0 over ``progress`` in [0, 1]."""
    if progress < warmup:
        return progress / warmup
    return max(0.0, (1.0 - progress) / (1.0 - warmup))


# ---------------------------------------------------------------- fit

class _Pause:
    """Set by SIGTERM (a session ending) or ``--stop-after``: checkpoint and stop, to resume later."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum, frame) -> None:
        self.asked = True


def _save_checkpoint(path: Path, model, optimizer, step: int, seconds: float, lora: dict | None) -> None:
    import torch

    from factcheck.training.lora import trainable_state

    state = {"optimizer": optimizer.state_dict(), "step": step, "seconds": seconds,
             "torch_rng": torch.get_rng_state()}
    if lora is not None:
        state["trainable"], state["lora"] = trainable_state(model), lora
        # A LoRA state is committed at every stop: its AdamW moments go in bf16 (a third smaller; torch casts
        # them back to fp32 on load).
        saved = state["optimizer"]  # its per-parameter dicts are the optimizer's own: copy, never change them
        saved["state"] = {k: {name: value.to(torch.bfloat16) if name in ("exp_avg", "exp_avg_sq") else value
                              for name, value in slot.items()} for k, slot in saved["state"].items()}
    else:
        state["model"] = model.state_dict()
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)  # a kill while saving leaves the previous checkpoint whole


def fit(args: argparse.Namespace) -> dict:
    import signal

    import torch

    from factcheck.training.train import (adamw, collate, encode, export, length_bucketed_batches, seeded_device,
                                          training_autocast)

    device = seeded_device(args.seed, args.device, args.threads)
    torch.set_float32_matmul_precision("high")  # TF32 on GPUs that have it; no effect on CPU
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    header, train_set, val_set = read_pool(Path(args.pool))
    if args.limit:
        train_set, val_set = train_set[:args.limit], val_set[:args.limit]
    if getattr(args, "val_limit", 0) and len(val_set) > args.val_limit:
        val_set = val_set[::math.ceil(len(val_set) / args.val_limit)]  # every k-th row: each source keeps its share
    teacher = None
    if args.teacher_probs:
        teacher = torch.from_numpy(np.load(args.teacher_probs).astype(np.float32)[:len(train_set)])
        if len(teacher) != len(train_set):
            raise InputError(f"{args.teacher_probs}: {len(teacher)} rows of teacher probabilities for "
                             f"{len(train_set)} training rows")
    check_teacher_rows(train_set, teacher, args.alpha, args.teacher_probs or "--teacher-probs")
    model, tokenizer = load_model(Path(args.init), device)
    lora = None
    if args.lora_rank:
        from factcheck.training.lora import wrap

        lora = {"r": args.lora_rank, "alpha": args.lora_alpha or 2 * args.lora_rank, "layers": args.lora_layers,
                "targets": args.lora_targets}
        model = wrap(model, args.lora_rank, lora["alpha"], args.lora_layers, args.lora_targets)
        if getattr(args, "init_adapter", None) and not (out / "checkpoint.pt").exists():
            from factcheck.training.lora import load_trainable_state

            # Continue from an earlier run's adapter and head (fresh optimizer, step 0, this pool's schedule).
            start = torch.load(args.init_adapter, map_location=device, weights_only=False)
            made = start.get("lora") or {}
            widen = bool(getattr(args, "widen", False))
            same = {k: v for k, v in made.items() if k != "layers"} == {k: v for k, v in lora.items() if k != "layers"}
            if made != lora and not (widen and same):
                raise InputError(f"{args.init_adapter}: made with LoRA {start.get('lora')}, not {lora}"
                                 + ("" if widen else " (--widen starts more layers from it)"))
            load_trainable_state(model, start["trainable"], widen=widen)
            log.info("started from the adapter of %s (its step %d)", args.init_adapter, start["step"])
    ids, types = encode(tokenizer, train_set, args.max_length)
    allowed = torch.tensor([label_mask(e.label) for e in train_set], dtype=torch.bool)
    steps_per_epoch = math.ceil(len(train_set) / args.batch_size)
    total_steps = max(1, int(steps_per_epoch * args.epochs))
    optimizer = adamw(model, args.lr) if lora is None else torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    step, previous = 0, 0.0
    ckpt = out / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        if lora is not None:
            from factcheck.training.lora import load_trainable_state

            if state.get("lora") != lora:
                raise InputError(f"{ckpt}: made with LoRA {state.get('lora')}, not {lora}; use the same options "
                                 "or a fresh --out")
            load_trainable_state(model, state["trainable"])
        else:
            model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, previous = state["step"], state["seconds"]
        torch.set_rng_state(state["torch_rng"])
        log.info("resumed from %s at step %d", ckpt, step)
    autocast, precision = training_autocast(model, device, args.precision)
    log.info("precision: %s", precision)
    pause = _Pause()
    signal.signal(signal.SIGTERM, pause)
    started = time.time() - previous
    first_step, run_started = step, time.time()
    last_save = time.time()
    stop_reason = "steps"
    model.train()
    while step < total_steps:
        epoch = step // steps_per_epoch
        batches = length_bucketed_batches([len(x) for x in ids], args.batch_size,
                                          random.Random(args.seed * 1000 + epoch))
        for b in range(step - epoch * steps_per_epoch, len(batches)):
            elapsed = time.time() - started
            progress = max(step / total_steps, elapsed / args.time_budget if args.time_budget else 0.0)
            if step >= total_steps or progress >= 1.0:
                break
            for group in optimizer.param_groups:
                group["lr"] = args.lr * lr_factor(progress)
            idx = batches[b]
            with autocast:
                logits = model(**collate(tokenizer, ids, types, idx, device)).logits
            loss = distillation_loss(logits, allowed[idx].to(device),
                                     teacher[idx].to(device) if teacher is not None else None,
                                     args.alpha, args.temperature)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step % args.log_every == 0:
                rate = (step - first_step) * args.batch_size / max(time.time() - run_started, 1e-9)
                log.info("%s step %d/%d epoch %.2f loss %.4f lr %.2e %.0fs %.0f ex/s", out.name, step, total_steps,
                         step / steps_per_epoch, loss.item(), optimizer.param_groups[0]["lr"],
                         time.time() - started, rate)
            if args.stop_after and time.time() - run_started >= args.stop_after:
                pause.asked = True
            due = args.checkpoint_minutes and time.time() - last_save >= 60 * args.checkpoint_minutes
            if pause.asked or due or (args.checkpoint_every and step % args.checkpoint_every == 0):
                _save_checkpoint(ckpt, model, optimizer, step, time.time() - started, lora)
                last_save = time.time()
                log.info("%s checkpoint at step %d (%.1f MB)", out.name, step, ckpt.stat().st_size / 1e6)
            if pause.asked:
                break
        else:
            continue
        stop_reason = "paused" if pause.asked else "time budget" if step < total_steps else "steps"
        break
    if stop_reason == "paused":
        rate = (step - first_step) * args.batch_size / max(time.time() - run_started, 1e-9)
        paused = {"stopped_by": "paused", "steps": step, "planned_steps": total_steps, "seconds": time.time() - started,
                  "examples_per_second_this_run": rate, "precision": precision, "lora": lora}
        (out / "paused.json").write_text(json.dumps(paused, indent=2) + "\n")
        log.info("%s paused at step %d/%d; run the same command to resume", out.name, step, total_steps)
        return paused
    (out / "paused.json").unlink(missing_ok=True)
    seconds = time.time() - started
    if lora is not None:  # the adapter's final state (a few MB), what a later run's --init-adapter continues from
        _save_checkpoint(ckpt, model, optimizer, step, seconds, lora)
    probs = predict_proba(model, tokenizer, val_set, device, args.max_length)
    metrics = scores(probs, val_set)
    meta = {"stage": "5", "init": args.init_name or Path(args.init).name, "device": device,
            "init_adapter": Path(args.init_adapter).parent.name if getattr(args, "init_adapter", None) else None,
            "args": {k: portable_path(v, digest=False) if isinstance(v, str) and Path(v).is_absolute() else v
                     for k, v in vars(args).items() if k not in {"func"}},
            "pool": {k: header.get(k) for k in ("data", "weights", "weights_file", "train_streams",
                                                "validation_sources", "val_fraction", "seed")},
            "train_examples": len(train_set), "validation_examples": len(val_set),
            "steps": step, "planned_steps": total_steps, "stopped_by": stop_reason,
            "epochs_done": step / steps_per_epoch, "examples_seen": step * args.batch_size,
            "train_seconds": seconds, "examples_per_second": step * args.batch_size / max(seconds, 1e-9),
            "precision": precision, "lora": lora, "validation": metrics}
    if device.startswith("cuda"):
        meta["gpu"] = torch.cuda.get_device_name(0)
    if lora is not None:
        from factcheck.training.lora import base_record, save_adapter

        save_adapter(model, tokenizer, out / "adapter", base_record(Path(args.init)), args.max_length, meta)
    else:
        export(model, tokenizer, out / "model", meta, fp16=not args.keep_fp32)
    (out / "metrics.json").write_text(json.dumps(meta, indent=2) + "\n")
    log.info("%s done: %d steps (%s) in %.0fs; validation macro %.4f overall %.4f", out.name, step, stop_reason,
             seconds, metrics["macro_accuracy"], metrics["accuracy"])
    return meta


def label(args: argparse.Namespace) -> None:
    import torch

    from factcheck.device import resolve_device

    device = resolve_device(args.device)
    torch.set_float32_matmul_precision("high")
    _, train_set, val_set = read_pool(Path(args.pool))
    if args.limit:
        train_set, val_set = train_set[:args.limit], val_set[:args.limit]
    if args.base:  # a LoRA adapter (fit --lora-rank): merged into its base for labelling
        from factcheck.nli.large import merged_model

        model, tokenizer = merged_model(Path(args.base), Path(args.model))
        model = model.to(device)
    else:
        model, tokenizer = load_model(Path(args.model), device)
    started = time.time()
    probs = predict_proba(model, tokenizer, train_set, device, args.max_length)
    np.save(args.out, probs.astype(np.float16))
    log.info("labelled %d training rows in %.0fs; teacher train accuracy %.4f", len(train_set),
             time.time() - started, scores(probs, train_set)["accuracy"])
    if args.validation_out:
        val_probs = predict_proba(model, tokenizer, val_set, device, args.max_length)
        np.save(args.validation_out, val_probs.astype(np.float16))
        log.info("labelled %d validation rows; teacher validation macro %.4f", len(val_set),
                 scores(val_probs, val_set)["macro_accuracy"])


def score(args: argparse.Namespace) -> dict:
    """A model's validation scores on the pool, without training (the "before" of a run)."""
    import torch

    from factcheck.device import resolve_device

    device = resolve_device(args.device)
    torch.set_float32_matmul_precision("high")
    _, _, val_set = read_pool(Path(args.pool))
    if args.limit:
        val_set = val_set[:args.limit]
    if getattr(args, "val_limit", 0) and len(val_set) > args.val_limit:
        val_set = val_set[::math.ceil(len(val_set) / args.val_limit)]  # as fit's --val-limit: the same rows
    if args.base:
        from factcheck.nli.large import merged_model

        model, tokenizer = merged_model(Path(args.base), Path(args.model))
        model = model.to(device)
    else:
        model, tokenizer = load_model(Path(args.model), device)
    metrics = {"model": Path(args.model).name, "validation": scores(
        predict_proba(model, tokenizer, val_set, device, args.max_length), val_set)}
    Path(args.out).write_text(json.dumps(metrics, indent=2) + "\n")
    log.info("%s: validation macro %.4f", args.model, metrics["validation"]["macro_accuracy"])
    return metrics


def select(args: argparse.Namespace) -> dict:
    """The run whose validation macro accuracy is highest (ties: the first named)."""
    runs = []
    for d in args.runs:
        path = Path(d) / "metrics.json"
        if path.exists():
            runs.append((json.loads(path.read_text())["validation"]["macro_accuracy"], str(d)))
        else:
            log.info("%s: no metrics.json (run failed or ran out of time)", d)
    if not runs:
        raise InputError("select: none of the runs has metrics.json")
    best = max(runs, key=lambda r: r[0])
    summary = {"selected": best[1], "macro_accuracy": {d: m for m, d in runs}}
    Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")
    log.info("selected %s (%s)", best[1], summary["macro_accuracy"])
    return summary


# ---------------------------------------------------------------- CLI

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("pool", help="materialise the weighted training mix and the grouped validation split")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--sources", nargs="+", required=True)
    p.add_argument("--extra", action="append", help="synthetic / mined JSONL streams (repeatable)")
    p.add_argument("--weights", required=True, help="examples per stream: a .json file or name=count,...")
    p.add_argument("--val-fraction", type=float, default=0.06)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--news-pairs", help="labelled news pairs (eval/news_pairs/labels.jsonl): their train split "
                                        "becomes stream 'news_pairs', rebuilt from --data-dir")
    p.add_argument("--news-contradiction-repeat", type=int, default=1,
                   help="each news-pair contradiction appears this many times in its stream")
    p.add_argument("--out", required=True)
    p.set_defaults(func=build_pool)

    p = sub.add_parser("pack", help="int8-pack an encoder's model.safetensors into parts")
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--part-mb", type=float, default=55.0)
    p.set_defaults(func=lambda a: pack(Path(a.src), Path(a.out), a.part_mb))

    p = sub.add_parser("unpack", help="restore an fp32 model folder from int8 parts")
    p.add_argument("parts", nargs="+", help="folders holding the parts (and pack.json)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=lambda a: unpack([Path(x) for x in a.parts], Path(a.out)))

    p = sub.add_parser("fit", help="fine-tune on a pool: hard labels, or hard + teacher probabilities")
    p.add_argument("--pool", required=True)
    p.add_argument("--init", required=True, help="model folder to start from")
    p.add_argument("--init-name", help="how the start point is recorded (default: its folder name)")
    p.add_argument("--val-limit", type=int, default=0, help="score at most about N validation rows at the end")
    p.add_argument("--init-adapter", help="a LoRA run's checkpoint.pt to start from (with the same --lora-* options)")
    p.add_argument("--out", required=True)
    p.add_argument("--teacher-probs", help=".npy from `label`: distil from these probabilities")
    p.add_argument("--alpha", type=float, default=0.5, help="weight of the distillation term")
    p.add_argument("--temperature", type=float, default=2.0)
    p.add_argument("--epochs", type=float, default=3.0)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--time-budget", type=float, default=0.0, help="seconds; 0 = no limit")
    p.add_argument("--limit", type=int, default=0, help="use only the first N rows (smoke tests)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--device", default=None)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--checkpoint-every", type=int, default=0, help="steps between checkpoints (0: none)")
    p.add_argument("--checkpoint-minutes", type=float, default=0.0, help="minutes between checkpoints (0: none)")
    p.add_argument("--stop-after", type=float, default=0.0,
                   help="seconds of this run, then checkpoint and pause (resume with the same command)")
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                   help="auto: bf16 autocast on a GPU, and on a CPU with bf16 units")
    p.add_argument("--lora-rank", type=int, default=0, help="train a LoRA adapter of this rank (0: full fine-tune)")
    p.add_argument("--lora-alpha", type=float, default=0.0, help="LoRA scaling alpha (default: 2 x rank)")
    p.add_argument("--lora-layers", default="all", help="all, upper (the upper half), upperN, or a-b")
    p.add_argument("--widen", action="store_true",
                   help="with --init-adapter: start an adapter on more --lora-layers from it (new layers start at zero)")
    p.add_argument("--lora-targets", choices=("all", "attention"), default="all",
                   help="LoRA on attention and feed-forward linears, or attention only")
    p.add_argument("--keep-fp32", action="store_true", help="export fp32 (a teacher to label with)")
    p.set_defaults(func=fit)

    p = sub.add_parser("label", help="teacher probabilities on the pool's training rows")
    p.add_argument("--pool", required=True)
    p.add_argument("--model", required=True, help="fitted model folder, or a LoRA adapter folder with --base")
    p.add_argument("--base", help="the base model folder a LoRA adapter was trained on")
    p.add_argument("--out", required=True, help=".npy file")
    p.add_argument("--validation-out", help="also the validation rows' probabilities, to this .npy file")
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--device", default=None)
    p.set_defaults(func=label)

    p = sub.add_parser("score", help="a model's validation scores on the pool, without training")
    p.add_argument("--pool", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True, help="metrics .json file")
    p.add_argument("--val-limit", type=int, default=0, help="every k-th validation row, about N in all (as fit)")
    p.add_argument("--base", help="the base model folder, when --model is a LoRA adapter")
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--device", default=None)
    p.set_defaults(func=score)

    p = sub.add_parser("select", help="pick the run with the best validation macro accuracy")
    p.add_argument("runs", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(func=select)

    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        args.func(args)
    except InputError as exc:
        raise SystemExit(f"error: {exc}") from None


if __name__ == "__main__":
    main()
