"""`factcheck batch` against checking clusters one by one, and how cost grows with cluster size, before -> after.

    python benchmarks/bench_batch.py --clusters 8 --out eval/results/bench_batch

Clusters are built from real text: FNC-1 training bodies (../shared/data/news/fnc1_train_bodies.csv)
grouped by shared rare words, each body cut to its first --sentences sentences. In one run, with the
same models, the same clusters are checked four ways and their findings must be identical:
  (a) `factcheck check` CLI once per cluster (a process and a model load per cluster);
  (b) `check()` in a loop, models loaded once (one process);
  (c) `factcheck batch` (shared embedding call and NLI batches across clusters);
  (d) `factcheck batch --engine ray` (one Ray actor; skipped without Ray).
The machine's CPU is shared with other jobs, so the four run interleaved (--rounds, order reversed
every other round) and the ratios c/a and c/b are quoted next to the absolute times.

Growth: related clusters of 2, 5, 10, 20, 50 articles and 2 vs 200 copies of one article, checked by
the code before this change (a git worktree of --before-rev) and after. NLI pair counts are exact for
every size (alignment runs with the real embedder and a counting NLI stand-in); NLI time is measured
with the real model where it fits --time-budget seconds, else estimated from the measured seconds per
pair and marked "est.".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BODIES = ROOT.parent / "shared" / "data" / "news" / "fnc1_train_bodies.csv"
_SENT = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9])")
_WORD = re.compile(r"[a-z][a-z'-]{3,}")


# --------------------------------------------------------------------------- clusters from real text


def load_bodies(path: Path, sentences: int) -> dict[str, str]:
    """Body id -> its first ``sentences`` sentences (bodies with fewer are kept whole)."""
    out = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = " ".join(row["articleBody"].split())
            parts = _SENT.split(text)
            if len(parts) >= 2:
                out[f"b{row['Body ID']}"] = " ".join(parts[:sentences])
    return out


def rare_words(bodies: dict[str, str], max_df: int = 25) -> dict[str, set[str]]:
    words = {k: set(_WORD.findall(t.lower())) for k, t in bodies.items()}
    df = Counter(w for ws in words.values() for w in ws)
    return {k: {w for w in ws if 2 <= df[w] <= max_df} for k, ws in words.items()}


def neighbours(seed: str, rare: dict[str, set[str]], n: int, used: set[str]) -> list[str]:
    """``seed`` and its ``n - 1`` nearest bodies by rare-word Jaccard (not in ``used``)."""
    mine = rare[seed]
    scored = sorted(((len(mine & ws) / (len(mine | ws) or 1), k) for k, ws in rare.items()
                     if k != seed and k not in used), reverse=True)
    return [seed] + [k for _, k in scored[: n - 1]]


def make_clusters(bodies: dict[str, str], rare: dict[str, set[str]], count: int, sizes: list[int]) -> list[dict]:
    used: set[str] = set()
    clusters = []
    seeds = sorted(bodies, key=lambda k: -len(rare[k]))
    for seed in seeds:
        if len(clusters) == count:
            break
        if seed in used:
            continue
        members = neighbours(seed, rare, sizes[len(clusters) % len(sizes)], used)
        used.update(members)
        clusters.append({"id": f"fnc-{seed}", "articles": [{"id": m, "text": bodies[m]} for m in members]})
    return clusters


# --------------------------------------------------------------------------- measuring processes


_RSS_WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
                "print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                "sys.exit(r.returncode)")


def run_proc(cmd: list[str], env: dict, cwd: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run ``cmd``; wall seconds, the peak RSS (KiB) of its process tree's largest process, and its output."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, *cmd], env=env, cwd=cwd, capture_output=True, text=True,
                          start_new_session=True)
    wall = time.perf_counter() - started
    lines = proc.stderr.rstrip().splitlines()
    rss = int(lines[-1].split()[1]) if lines and lines[-1].startswith("PEAK_RSS_KIB") else 0
    err = "\n".join(lines[:-1]) if rss else proc.stderr
    return wall, rss, subprocess.CompletedProcess(cmd, proc.returncode, proc.stdout, err)


LOOP_SCRIPT = r"""
import json, sys, time
from factcheck.pipeline import CheckSettings, check, load_models, model_thresholds
files, out_dir, nli_name = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
nli, emb, _ = load_models(nli_name)  # as check() and the CLI load them (the embedder takes the NLI's precision)
load = time.perf_counter() - t0
settings = CheckSettings(thresholds=model_thresholds(nli))
t1 = time.perf_counter()
for f in files:
    report = check(f, nli=nli, embedder_model=emb, settings=settings)
    open(out_dir + "/" + f.rsplit("/", 1)[-1] + ".json", "w").write(json.dumps(report))
print(json.dumps({"load": load, "loop": time.perf_counter() - t1}))
"""

# Runs in the before and the after tree alike: only run_check, CheckSettings and the loaders are used.
GROWTH_SCRIPT = r"""
import json, sys, time
import numpy as np
from factcheck.documents import document_from_text
from factcheck.embed import load_embedder
from factcheck.nli import NLIModel, load_nli
from factcheck.models import ModelInfo
from factcheck.pipeline import CheckSettings, model_thresholds, run_check

class Counting(NLIModel):
    def __init__(self, real):
        self.info, self.max_length, self.pairs = real.info, real.max_length, 0
    def _predict_batch(self, pairs):
        self.pairs += len(pairs)
        return np.tile(np.array([[0.1, 0.8, 0.1]], dtype=np.float32), (len(pairs), 1))

clusters = json.load(open(sys.argv[1])); mode = sys.argv[2]; budget = float(sys.argv[3]); rate = float(sys.argv[4])
emb = load_embedder("default"); real = load_nli(sys.argv[5])
settings = CheckSettings(thresholds=model_thresholds(real))
out = []
for c in clusters:
    docs = [document_from_text(a["text"], id=a["id"], source=a["id"]) for a in c["articles"]]
    counting = Counting(real)
    t = time.perf_counter(); r = run_check(docs, emb, counting, settings); align_s = time.perf_counter() - t
    r = r.to_dict() if hasattr(r, "to_dict") else r
    row = {"id": c["id"], "articles": len(docs), "claims": r["stats"]["claims"], "pairs_scored": r["stats"]["pairs_scored"],
           "nli_pairs": counting.pairs, "seconds_without_nli": round(align_s, 3)}
    if mode == "time":
        if rate and counting.pairs / rate > budget:
            row["seconds"] = round(align_s + counting.pairs / rate, 1); row["estimated"] = True
        else:
            # Median of up to 3 runs (while they stay short): the CPU is shared with other jobs.
            runs = []
            while len(runs) < 3 and sum(runs) < budget:
                t = time.perf_counter(); run_check(docs, emb, real, settings); runs.append(time.perf_counter() - t)
            row["seconds"] = round(sorted(runs)[len(runs) // 2], 2); row["runs"] = [round(x, 2) for x in runs]
            row["estimated"] = False
    out.append(row)
print(json.dumps(out))
"""


def findings_key(report: dict, digits: int) -> list:
    return [(f["label"], round(f["score"], digits), round(f["similarity"], digits),
             tuple((c["article"], c["start"], c["end"], c["text"]) for c in f["claims"])) for f in report["findings"]]


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), None) if Path("/proc/meminfo").exists() else None
    import torch

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "python": platform.python_version(), "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "load_average_at_start": list(os.getloadavg())}


def write_results(out: Path, result: dict, md: str) -> None:
    """``out``.json and ``out``.md, and the markdown on stdout."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(md)
    print(md)


def ensure_before_tree(rev: str, tmp: Path) -> Path:
    path = tmp / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev], check=True,
                   capture_output=True)
    return path


NAMES = {"a": "(a) `factcheck check` per cluster", "b": "(b) `check()` loop, models loaded once",
         "c": "(c) `factcheck batch`", "d": "(d) `factcheck batch --engine ray`",
         "e": "(e) `factcheck batch --nli-model default-onnx` (int8; not required to match)"}


def run_way(m: str, rnd: int, files: list[Path], src: Path, tmp: Path, env: dict, nli_model: str, extra: dict):
    """Check the clusters one way; wall seconds, peak RSS (KiB) and the reports by cluster id."""
    py = sys.executable
    out_dir = tmp / f"{m}{rnd}"
    out_dir.mkdir()
    if m == "a":
        wall, peak = 0.0, 0
        for f in files:
            w, r, p = run_proc([py, "-m", "factcheck", "check", str(f), "--format", "json", "-q",
                                "--nli-model", nli_model, "-o", str(out_dir / (f.name + ".json"))], env, ROOT)
            if p.returncode:
                raise SystemExit(f"(a) failed: {p.stderr[-500:]}")
            wall, peak = wall + w, max(peak, r)
        return wall, peak, {f.stem: json.loads((out_dir / (f.name + ".json")).read_text()) for f in files}
    if m == "b":
        wall, peak, p = run_proc([py, "-c", LOOP_SCRIPT, ",".join(map(str, files)), str(out_dir), nli_model], env, ROOT)
        if p.returncode:
            raise SystemExit(f"(b) failed: {p.stderr[-500:]}")
        extra.setdefault("b_model_load_seconds", []).append(round(json.loads(p.stdout.strip().splitlines()[-1])["load"], 2))
        return wall, peak, {f.stem: json.loads((out_dir / (f.name + ".json")).read_text()) for f in files}
    cmd = [py, "-m", "factcheck", "batch", str(src), "--out", str(out_dir / "out"),
           "--nli-model", "default-onnx" if m == "e" else nli_model]
    if m == "d":
        cmd += ["--engine", "ray", "--actors", "1"]
    wall, peak, p = run_proc(cmd, env, ROOT)
    if p.returncode:
        raise SystemExit(f"({m}) failed: {p.stderr[-800:]}")
    extra.setdefault(f"{m}_summary", []).append(p.stderr.strip().splitlines()[-1].split(" -> ")[0])
    got = {}
    for shard in sorted((out_dir / "out").glob("shard-*.jsonl")):
        for line in shard.read_text().splitlines():
            rec = json.loads(line)
            got[rec.pop("cluster")] = rec
    return wall, peak, got


def measure_ways(clusters: list[dict], args, tmp: Path, env: dict) -> dict:
    """(a)-(e) on the same clusters, interleaved over rounds; times, RSS, throughput, identical findings."""
    src = tmp / "clusters.jsonl"
    src.write_text("".join(json.dumps(c) + "\n" for c in clusters), encoding="utf-8")
    files = []
    for c in clusters:
        f = tmp / f"{c['id']}.jsonl"
        f.write_text("".join(json.dumps(a) + "\n" for a in c["articles"]), encoding="utf-8")
        files.append(f)
    onnx = args.nli_model == "default" and (ROOT / "models" / "factcheck-nli-minilm" / "model_int8.onnx").is_file()
    methods = ["a", "b", "c"] + ([] if args.skip_ray else ["d"]) + (["e"] if onnx else [])
    times: dict[str, list[float]] = {m: [] for m in methods}
    rss = {m: 0 for m in methods}
    reports: dict[str, dict] = {}
    extra: dict = {}
    for rnd in range(args.rounds):
        for m in (methods if rnd % 2 == 0 else methods[::-1]):
            wall, peak, got = run_way(m, rnd, files, src, tmp, env, args.nli_model, extra)
            times[m].append(wall)
            rss[m] = max(rss[m], peak)
            reports[m] = got
            print(f"round {rnd + 1}: ({m}) {wall:.1f} s", flush=True)
    ids = [c["id"] for c in clusters]
    same4 = {m: all(findings_key(reports[m][i], 4) == findings_key(reports["a"][i], 4) for i in ids) for m in methods}
    same3 = {m: all(findings_key(reports[m][i], 3) == findings_key(reports["a"][i], 3) for i in ids) for m in methods}
    if "e" in methods:
        labels = lambda r: [(f["label"], tuple((c["article"], c["start"]) for c in f["claims"])) for f in r["findings"]]  # noqa: E731
        extra["e_clusters_with_other_findings_than_a"] = sum(labels(reports["e"][i]) != labels(reports["a"][i]) for i in ids)
    nli_calls = sum(reports["a"][i]["stats"]["nli_calls"] for i in ids)
    best = {m: min(times[m]) for m in methods}
    out = {
        "clusters": len(clusters), "articles": sum(len(c["articles"]) for c in clusters),
        "claims": sum(reports["a"][i]["stats"]["claims"] for i in ids), "nli_pairs_delivered": nli_calls,
        "findings": sum(len(reports["a"][i]["findings"]) for i in ids), "rounds": args.rounds,
        "methods": {m: {"seconds": [round(t, 2) for t in times[m]], "clusters_per_s": round(len(clusters) / best[m], 3),
                        "nli_pairs_per_s": round(nli_calls / best[m], 1), "peak_rss_mib": round(rss[m] / 1024)}
                    for m in methods},
        "ratio_c_over_a": round(best["a"] / best["c"], 2), "ratio_c_over_b": round(best["b"] / best["c"], 2),
        "identical_findings_4_decimals": same4, "identical_findings_3_decimals": same3, **extra,
    }
    if "e" in best:
        out |= {"ratio_e_over_a": round(best["a"] / best["e"], 2), "ratio_e_over_b": round(best["b"] / best["e"], 2)}
    return out


def measure_growth(bodies: dict[str, str], rare: dict[str, set[str]], args, tmp: Path, env: dict) -> dict:
    """NLI pairs (exact) and seconds (measured within the budget, else estimated), before -> after."""
    py = sys.executable
    seed = max(bodies, key=lambda k: len(rare[k]))
    biggest = neighbours(seed, rare, max(args.growth or [2]), set())
    growth = [{"id": f"related-{n}", "articles": [{"id": m, "text": bodies[m]} for m in biggest[:n]]} for n in args.growth]
    wire = next(t for t in load_bodies(BODIES, 4).values() if len(_SENT.split(t)) == 4)
    copies = [{"id": f"copies-{n}", "articles": [{"id": f"copy{k}", "text": wire} for k in range(n)]} for n in args.copies]
    spec = tmp / "growth.json"
    spec.write_text(json.dumps(growth + copies))
    before = ensure_before_tree(args.before_rev, tmp)
    try:
        # Seconds per NLI pair, measured on the two smallest related clusters with the after code.
        small = tmp / "small.json"
        small.write_text(json.dumps(growth[:2]))
        _, _, p = run_proc([py, "-c", GROWTH_SCRIPT, str(small), "time", "1e9", "0", args.nli_model], env, ROOT)
        if p.returncode:
            raise SystemExit(f"growth probe failed: {p.stderr[-800:]}")
        probe = json.loads(p.stdout.strip().splitlines()[-1])
        spent = sum(max(r["seconds"] - r["seconds_without_nli"], 1e-3) for r in probe)
        rate = sum(r["nli_pairs"] for r in probe) / max(spent, 1e-9)
        rows = {}
        for label, tree in (("before", before), ("after", ROOT)):
            genv = {**env, "PYTHONPATH": str(tree)}
            _, _, p = run_proc([py, "-c", GROWTH_SCRIPT, str(spec), "time", str(args.time_budget), str(rate), args.nli_model],
                               genv, tree)
            if p.returncode:
                raise SystemExit(f"growth ({label}) failed: {p.stderr[-800:]}")
            rows[label] = json.loads(p.stdout.strip().splitlines()[-1])
            print(f"growth {label}: done", flush=True)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], capture_output=True)
    return {"before_rev": args.before_rev, "nli_pairs_per_s_for_estimates": round(rate, 1),
            "time_budget_s": args.time_budget, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=16, help="clusters for the four-way comparison (0: skip it)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 3, 4, 5], help="articles per cluster, cycled")
    parser.add_argument("--sentences", type=int, default=3, help="sentences kept per FNC-1 body")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--nli-model", default="default")
    parser.add_argument("--growth", type=int, nargs="*", default=[2, 5, 10, 20, 50, 100], help="related-cluster sizes (none: skip)")
    parser.add_argument("--copies", type=int, nargs="*", default=[2, 200])
    parser.add_argument("--time-budget", type=float, default=30.0, help="seconds of NLI per growth row before estimating")
    parser.add_argument("--before-rev", default="286c6ff", help="git revision of the code before this change (main before #10)")
    parser.add_argument("--update-growth", action="store_true", help="rerun only the growth part into an existing OUT.json")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "bench_batch")
    args = parser.parse_args(argv)
    if not BODIES.is_file():
        print(f"missing {BODIES.name}: put ../shared/data/news/fnc1_train_bodies.csv beside the repository", file=sys.stderr)
        return 2
    result: dict = {"command": "python benchmarks/bench_batch.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                    "machine": machine(), "nli_model": args.nli_model,
                    "data": f"{BODIES.name}, first {args.sentences} sentences per body, grouped by shared rare words"}
    bodies = load_bodies(BODIES, args.sentences)
    rare = rare_words(bodies)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if args.update_growth:
        kept = json.loads(args.out.with_suffix(".json").read_text())
        result = {**kept, "growth_command": result["command"]}
        args.clusters = 0
    with tempfile.TemporaryDirectory(prefix="fc-bench-") as tmpdir:
        tmp = Path(tmpdir)
        if args.clusters:
            result["throughput"] = measure_ways(make_clusters(bodies, rare, args.clusters, args.sizes), args, tmp, env)
            print(json.dumps(result["throughput"], indent=1), flush=True)
        if args.growth or args.copies:
            start_load = list(os.getloadavg())
            result["growth"] = measure_growth(bodies, rare, args, tmp, env)
            result["growth"]["load_average"] = [start_load[0], os.getloadavg()[0]]
    if not args.update_growth:
        result["machine"]["load_average_at_end"] = list(os.getloadavg())
    write_results(args.out, result, render_md(result))
    same = result.get("throughput", {}).get("identical_findings_3_decimals", {})
    return 0 if all(v for k, v in same.items() if k != "e") else 1


def render_md(r: dict) -> str:
    m = r["machine"]
    lines = ["# `factcheck batch` benchmark", "",
             f"Command: `{r['command']}`", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, GPU: {m['gpu'] or 'none'}; "
             f"torch {m['torch']} ({m['torch_threads']} threads), Python {m['python']}. The CPU was shared with "
             f"other jobs (load average {m['load_average_at_start'][0]:.1f} at start, {m['load_average_at_end'][0]:.1f} at end): "
             "compare the ratios, measured in the same run.", "",
             f"Data: {r['data']}. NLI model: `{r['nli_model']}`.", ""]
    t = r.get("throughput")
    if t:
        lines += [f"{t['clusters']} clusters, {t['articles']} articles, {t['claims']} claims, {t['nli_pairs_delivered']} NLI pairs "
                  f"(both directions), {t['findings']} findings; best of {t['rounds']} round(s), interleaved.", "",
                  "| way | seconds (each round) | clusters/s | NLI pairs/s | peak RSS MiB | same findings as (a) (4 / 3 decimals) |",
                  "|---|---|---:|---:|---:|---|"]
        for k, v in t["methods"].items():
            lines.append(f"| {NAMES[k]} | {', '.join(map(str, v['seconds']))} | {v['clusters_per_s']} | {v['nli_pairs_per_s']} | "
                         f"{v['peak_rss_mib']} | {t['identical_findings_4_decimals'][k]} / {t['identical_findings_3_decimals'][k]} |")
        lines += ["", f"**c/a = {t['ratio_c_over_a']}×, c/b = {t['ratio_c_over_b']}×** (wall time ratios, best round; "
                  f"each way includes its process start and model loading: (b) spent {t.get('b_model_load_seconds')} s loading)."]
        if "ratio_e_over_b" in t:
            lines += [f"With the int8 ONNX backend: e/a = {t['ratio_e_over_a']}×, e/b = {t['ratio_e_over_b']}×; "
                      f"{t['e_clusters_with_other_findings_than_a']} of {t['clusters']} clusters have other findings than "
                      "with the PyTorch model."]
        lines.append("")
    if "growth" in r:
        g = r["growth"]
        lines += ["## Growth: NLI pairs and time, before -> after", "",
                  *([f"Measured separately: `{r['growth_command']}`.", ""] if "growth_command" in r else []),
                  f"Before: revision `{g['before_rev']}`. Load average {g.get('load_average', ['?'])[0]} at the start of this part. "
                  f"Measured seconds are the median of up to 3 runs. NLI pairs = pairs sent to the model (both directions). "
                  f"Seconds marked * are estimated from {g['nli_pairs_per_s_for_estimates']} NLI pairs/s (over the "
                  f"{g['time_budget_s']:.0f} s budget); the others are measured.", "",
                  "| cluster | articles | claims | NLI pairs before | NLI pairs after | aligned pairs per claim after | seconds before | seconds after |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for b, a in zip(g["rows"]["before"], g["rows"]["after"]):
            fmt = lambda row: f"{row['seconds']}{'*' if row.get('estimated') else ''}"  # noqa: E731
            lines.append(f"| {a['id']} | {a['articles']} | {a['claims']} | {b['nli_pairs']} | {a['nli_pairs']} | "
                         f"{a['pairs_scored'] / max(a['claims'], 1):.2f} | {fmt(b)} | {fmt(a)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
