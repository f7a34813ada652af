"""GPU throughput of `factcheck batch`: NLI pairs/s end to end and the GPU's own utilisation (needs CUDA).

    python benchmarks/bench_gpu.py --out eval/results/bench_gpu          # on a machine with an NVIDIA GPU

Builds clusters from FNC-1 training bodies (as bench_batch.py does, whole bodies by default), runs
`factcheck.batch.run` on cuda with the automatic batch size (or --batch-size), and samples the GPU's
utilisation and memory every 0.5 s with nvidia-smi (torch.cuda.utilization as a fallback). Also measures
the NLI layer alone (`predict_with_flags`) at batch 256 and 1024 on the job's own pairs. The job runs
once per --workers value (default: no claim-extraction worker processes, then 4), in turn. Prints a table and
writes OUT.json / OUT.md. Target from issue #10: >= 10,000 NLI pairs/s end to end on one H100-class card.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import BODIES, ROOT, load_bodies, machine, make_clusters, rare_words, write_results  # noqa: E402


class GpuSampler(threading.Thread):
    """Samples GPU utilisation (%) and memory (MiB) until stopped."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval, self.samples, self._stop_event = interval, [], threading.Event()

    def _sample(self) -> tuple[float, float] | None:
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits",
                                  "-i", "0"], capture_output=True, text=True, timeout=5).stdout.strip().split(",")
            return float(out[0]), float(out[1])
        except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
            import torch

            try:
                return float(torch.cuda.utilization()), torch.cuda.memory_allocated() / 2**20
            except Exception:  # noqa: BLE001 - no NVML either: no samples
                return None

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            sample = self._sample()
            if sample:
                self.samples.append(sample)

    def stop(self) -> dict:
        self._stop_event.set()
        self.join()
        util = [s[0] for s in self.samples]
        return {"samples": len(util), "mean_util_pct": round(sum(util) / len(util), 1) if util else None,
                "max_memory_mib": max((s[1] for s in self.samples), default=None)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=400)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--sentences", type=int, default=1000, help="sentences kept per body (default: whole bodies)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--shard-size", type=int, default=128)
    parser.add_argument("--nli-model", default="default")
    parser.add_argument("--device", default="cuda", help="cpu only for a dry run of this script")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 4],
                        help="`factcheck batch --workers` values to run in turn")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "bench_gpu")
    args = parser.parse_args(argv)
    import torch

    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        print("no CUDA GPU visible: run this on a machine with an NVIDIA GPU (the CPU figures are in bench_batch)")
        return 2
    from factcheck.batch import ModelSpec, run
    from factcheck.nli import load_nli

    bodies = load_bodies(BODIES, args.sentences)
    clusters = make_clusters(bodies, rare_words(bodies), args.clusters, args.sizes)
    runs = []
    with tempfile.TemporaryDirectory(prefix="fc-gpu-") as tmp:
        src = Path(tmp) / "clusters.jsonl"
        src.write_text("".join(json.dumps(c) + "\n" for c in clusters), encoding="utf-8")
        for n, workers in enumerate(args.workers):
            first: list[float] = []
            sampler = GpuSampler()
            sampler.start()
            started = time.perf_counter()
            summary = run(src, Path(tmp) / f"out{n}", models=ModelSpec(args.nli_model, "default", args.device),
                          shard_size=args.shard_size, batch_size=args.batch_size, workers=workers,
                          on_start=lambda total, skipped: first.append(time.perf_counter()))
            total = time.perf_counter() - started
            gpu = sampler.stop()
            steady = total - (first[0] - started if first else 0.0)
            runs.append({"workers": workers, "summary": summary.to_dict() | {"out": "(temporary)"},
                         "end_to_end_seconds": round(total, 2), "after_model_load_seconds": round(steady, 2),
                         "nli_pairs_per_s_end_to_end": round(summary.nli_pairs / total, 1),
                         "nli_pairs_per_s_after_model_load": round(summary.nli_pairs / steady, 1), "gpu": gpu})
        # The NLI layer alone, on the pairs of the job's first shard.
        from factcheck.batch.inputs import read_clusters
        from factcheck.embed import load_embedder
        from factcheck.pipeline import CheckSettings, align_cluster, embed_claims, extract_claims

        nli, emb = load_nli(args.nli_model, device=args.device), load_embedder("default", device=args.device)
        sync = torch.cuda.synchronize if cuda else (lambda: None)
        settings = CheckSettings()
        prepared = [extract_claims(c.documents, settings) for c in read_clusters([src]) if c.error is None][: args.shard_size]
        pairs = sorted({p for cl, e in zip(prepared, embed_claims(prepared, emb, settings)) for p in align_cluster(cl, e, settings).nli_pairs})
        layer = {}
        for bs in (256, 1024):
            nli.predict_with_flags(pairs[:bs], batch_size=bs)  # warm-up
            sync()
            t = time.perf_counter()
            nli.predict_with_flags(pairs, batch_size=bs)
            sync()
            layer[bs] = round(len(pairs) / (time.perf_counter() - t), 1)
    result = {
        "command": "python benchmarks/bench_gpu.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(), "nli_model": args.nli_model, "runs": runs,
        "nli_layer_pairs_per_s": {"pairs": len(pairs), **{f"batch_{k}": v for k, v in layer.items()}},
    }
    first_run = runs[0]["summary"]
    md = [f"# `factcheck batch` on {result['machine']['gpu']}", "", f"Command: `{result['command']}`", "",
          f"{first_run['clusters']} clusters, {first_run['nli_pairs']} distinct NLI pairs; one row per `--workers` "
          "setting, run one after the other on the same machine.", "",
          "| workers | s | NLI pairs/s end to end (incl. model load) | after model load | GPU util, mean (%) | GPU memory, max (MiB) |",
          "|---|---:|---:|---:|---:|---:|",
          *[f"| {r['workers']} | {r['end_to_end_seconds']} | {r['nli_pairs_per_s_end_to_end']} | "
            f"{r['nli_pairs_per_s_after_model_load']} | {r['gpu']['mean_util_pct']} | {r['gpu']['max_memory_mib']} |" for r in runs],
          "", "| NLI layer alone | pairs/s |", "|---|---:|",
          *[f"| batch {k} | {v} |" for k, v in layer.items()], ""]
    write_results(args.out, result, "\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
