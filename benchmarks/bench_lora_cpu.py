"""CPU cost of the large tier's teacher: LoRA training steps and inference on the real all-mpnet-base-v2.

Training: examples/s of batch-32 steps (forward, backward, AdamW) for LoRA on all 12 layers or on the upper 6,
in fp32 and in bf16 autocast; inference: pairs/s of the merged model in fp32 and bf16. Pairs are consecutive
sentences of the seed articles (real news lengths), cut to ``--max-length``. Short by design (a few steps
each): the CPU is shared. Needs the large extra and the base parts (or ``FACTCHECK_LARGE_BASE``).

    .venv/bin/python benchmarks/bench_lora_cpu.py --out eval/results/lora_cpu
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def seed_pairs(n: int) -> list[tuple[str, str]]:
    from factcheck.documents import read_documents
    from factcheck.sentences import split_sentences

    sentences = [s.text for d in read_documents(["seeds"]) for s in split_sentences(d.text)]
    sentences = [s for s in sentences if len(s.split()) >= 5]
    return [(sentences[k], sentences[k + 1]) for k in range(min(n, len(sentences) - 1))]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path("eval/results/lora_cpu"))
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from factcheck.labels import LABELS
    from factcheck.nli.large import base_dir, cpu_bf16
    from factcheck.training.losses import set_valued_nll
    from factcheck.training.lora import wrap
    from factcheck.training.train import training_autocast

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    base = base_dir()
    tokenizer = AutoTokenizer.from_pretrained(base)
    pairs = seed_pairs(args.batch_size * (args.steps + 1))
    enc = tokenizer([p for p, _ in pairs], [h for _, h in pairs], truncation="only_first", max_length=args.max_length)
    lengths = [len(x) for x in enc["input_ids"]]
    batches = [pairs[k * args.batch_size:(k + 1) * args.batch_size] for k in range(args.steps + 1)]

    def fresh():
        return AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=3, id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})

    def batch(ps):
        return tokenizer([p for p, _ in ps], [h for _, h in ps], truncation="only_first",
                         max_length=args.max_length, padding=True, return_tensors="pt")

    results: dict = {"machine": f"{cpu_name()}, {os.cpu_count()} cores, bf16 units: {cpu_bf16()}",
                     "torch": torch.__version__, "threads": args.threads, "batch_size": args.batch_size,
                     "max_length": args.max_length, "mean_tokens": sum(lengths) / len(lengths), "rank": args.rank,
                     "train": {}, "inference": {}}
    allowed = torch.ones((args.batch_size, 3), dtype=torch.bool)
    for layers in ("all", "upper"):
        for precision in ("fp32", "bf16"):
            model = wrap(fresh(), args.rank, layers=layers)
            autocast, used = training_autocast(model, "cpu", precision)
            optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
            model.train()
            times = []
            for k, ps in enumerate(batches):
                started = time.perf_counter()
                with autocast:
                    logits = model(**batch(ps)).logits
                set_valued_nll(logits.float(), allowed[:len(ps)]).backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                if k:  # the first step warms up
                    times.append(time.perf_counter() - started)
            rate = args.batch_size * len(times) / sum(times)
            results["train"][f"lora-{layers} {used}"] = {"examples_per_s": round(rate, 2),
                                                         "step_s": round(sum(times) / len(times), 2)}
            print(f"train lora-{layers} {used}: {rate:.2f} examples/s", flush=True)
            del model, optimizer
    model = fresh().eval()
    for precision, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        m = model.to(dtype)
        times = []
        with torch.inference_mode():
            for k, ps in enumerate(batches):
                started = time.perf_counter()
                m(**batch(ps)).logits.float()
                if k:
                    times.append(time.perf_counter() - started)
        rate = args.batch_size * len(times) / sum(times)
        results["inference"][precision] = {"pairs_per_s": round(rate, 1)}
        print(f"inference {precision}: {rate:.1f} pairs/s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
