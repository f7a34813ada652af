"""Wall time of `factcheck check` with the default models, against an all-pairs baseline in the same run.

    python benchmarks/bench_check.py --repeats 3 --out eval/results/bench_check

Measures, on this machine:
- model loading (embedder + NLI) once;
- `run_check` on seeds/ with models already loaded (median of --repeats);
- the same two articles checked with alignment vs with every cross-article pair (the baseline that
  alignment replaces), so the ratio is measured, not estimated;
- the CLI end to end (`factcheck check seeds --format json`), process start and model loading included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from factcheck import __version__
from factcheck.documents import read_documents
from factcheck.embed import load_embedder
from factcheck.nli import load_nli
from factcheck.pipeline import CheckSettings, model_thresholds, run_check

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--nli-model", default="default")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "bench_check")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    embedder = load_embedder("default")
    nli = load_nli(args.nli_model)
    load_seconds = time.perf_counter() - start
    settings = CheckSettings(thresholds=model_thresholds(nli))
    docs = read_documents([args.seeds])

    seeds_seconds, report = timed(lambda: run_check(docs, embedder, nli, settings).to_dict(), args.repeats)
    two = docs[:2]
    aligned_seconds, aligned = timed(lambda: run_check(two, embedder, nli, settings).to_dict(), args.repeats)
    everything = CheckSettings(top_k=10**6, min_similarity=-1.0, thresholds=settings.thresholds)
    all_pairs_seconds, all_pairs = timed(lambda: run_check(two, embedder, nli, everything).to_dict(), 1)

    cli = [str(Path(sys.executable).with_name("factcheck")), "check", str(args.seeds), "--format", "json",
           "--output", os.devnull, "--quiet"]
    cli_seconds, _ = timed(lambda: subprocess.run(cli, check=True, capture_output=True), args.repeats)

    result = {
        "version": __version__,
        "machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "python": platform.python_version(), "torch": torch.__version__,
                    "device": "cuda" if torch.cuda.is_available() else "cpu"},
        "models": {"embedder": embedder.info.to_dict(), "nli": nli.info.to_dict()},
        "model_load_seconds": round(load_seconds, 2),
        "seeds": {"articles": len(docs), **{k: report["stats"][k] for k in ("claims", "pairs_scored", "pairs_possible")},
                  "contradictions": len(report["findings"]), "seconds_models_loaded": round(seeds_seconds, 2)},
        "two_articles": {
            "articles": [d.id for d in two],
            "aligned": {"pairs_scored": aligned["stats"]["pairs_scored"], "seconds": round(aligned_seconds, 2),
                        "contradictions": len(aligned["findings"])},
            "all_pairs_baseline": {"pairs_scored": all_pairs["stats"]["pairs_scored"],
                                   "seconds": round(all_pairs_seconds, 2),
                                   "contradictions": len(all_pairs["findings"])},
            "speedup": round(all_pairs_seconds / aligned_seconds, 1),
        },
        "cli_seconds_end_to_end": round(cli_seconds, 2),
        "repeats": args.repeats,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    t = result["two_articles"]
    md = [
        "# `factcheck check` wall time", "",
        f"Command: `python benchmarks/bench_check.py --repeats {args.repeats}`; "
        f"{result['machine']['cpus']} CPUs, torch {result['machine']['torch']} on {result['machine']['device']}.", "",
        "| what | pairs scored | seconds |", "|---|---:|---:|",
        f"| load embedder + NLI model | | {result['model_load_seconds']} |",
        f"| seeds/ ({len(docs)} articles, {report['stats']['claims']} claims), models loaded | "
        f"{report['stats']['pairs_scored']} of {report['stats']['pairs_possible']} | {result['seeds']['seconds_models_loaded']} |",
        f"| `factcheck check seeds` end to end (CLI, process + model load) | | {result['cli_seconds_end_to_end']} |",
        f"| 2 articles, aligned (top-k + floor) | {t['aligned']['pairs_scored']} | {t['aligned']['seconds']} |",
        f"| 2 articles, every cross pair (baseline) | {t['all_pairs_baseline']['pairs_scored']} | {t['all_pairs_baseline']['seconds']} |",
        "", f"Alignment is {t['speedup']}× faster than scoring every pair on the same two articles "
        f"({t['aligned']['contradictions']} vs {t['all_pairs_baseline']['contradictions']} contradictions found).", "",
    ]
    args.out.with_suffix(".md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
