"""Kill test for `factcheck batch`: SIGKILL the job's process group at random moments, resume, check exactly-once.

    python benchmarks/kill_batch.py                      # 240 clusters, 3 kills, fake models (seconds)
    python benchmarks/kill_batch.py --models real        # the same with the real models (minutes on a CPU)
    python benchmarks/kill_batch.py --engine ray         # the Ray engine: the driver, Ray and its actors killed

Writes N small clusters (2-4 articles each) to a JSONL file, starts `factcheck batch` in its own process
group, kills the whole group with SIGKILL after a random delay, three times, then lets the job finish.
Checks that every cluster id occurs exactly once across the shards, that every shard line is valid JSON,
that no temporary file is left, and that `batch merge` gives the same set. Exit code 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SUBJECTS = ["The council", "The ministry", "The company", "Police", "The court", "The union", "The airline"]
_EVENTS = [("approved", "approve", "the plan"), ("closed", "close", "the bridge"), ("raised", "raise", "prices"),
           ("cancelled", "cancel", "the flights"), ("signed", "sign", "the deal")]
_WHEN = ["on Monday", "on Tuesday", "last week", "in March", "after the storm"]


def make_clusters(n: int, seed: int) -> list[dict]:
    """``n`` clusters of 2-4 short articles about one event; some articles deny it."""
    rng = random.Random(seed)
    clusters = []
    for k in range(n):
        subject, (past, base, obj), when = rng.choice(_SUBJECTS), rng.choice(_EVENTS), rng.choice(_WHEN)
        articles = []
        for a in range(rng.randint(2, 4)):
            verb = past if rng.random() < 0.7 else f"did not {base}"
            articles.append({"id": f"a{a}", "text": f"{subject} {verb} {obj} {when}, officials said. "
                                                    f"The decision affects {rng.randint(2, 900)} people in the region."})
        clusters.append({"id": f"cluster-{k:04d}", "articles": articles})
    return clusters


def command(models: str, src: Path, out: Path, shard_size: int, engine: str = "local") -> list[str]:
    entry = [sys.executable, str(ROOT / "tests" / "fake_cli.py")] if models == "fake" else [sys.executable, "-m", "factcheck"]
    return entry + ["batch", str(src), "--out", str(out), "--shard-size", str(shard_size), "--engine", engine]


def check_output(out: Path, expected: list[str]) -> list[str]:
    """Problems found in ``out`` (empty when every cluster is there exactly once)."""
    problems = []
    seen: Counter[str] = Counter()
    for shard in sorted(out.glob("shard-*.jsonl")):
        for lineno, line in enumerate(shard.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                seen[json.loads(line)["cluster"]] += 1
            except (json.JSONDecodeError, KeyError) as exc:
                problems.append(f"{shard.name}:{lineno}: not a valid record ({exc})")
    missing = sorted(set(expected) - set(seen))
    twice = sorted(c for c, n in seen.items() if n > 1)
    extra = sorted(set(seen) - set(expected))
    if missing:
        problems.append(f"{len(missing)} clusters missing, e.g. {missing[:3]}")
    if twice:
        problems.append(f"{len(twice)} clusters more than once, e.g. {twice[:3]}")
    if extra:
        problems.append(f"{len(extra)} unknown clusters, e.g. {extra[:3]}")
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".tmp-")]
    if leftovers:
        problems.append(f"temporary files left: {leftovers[:3]}")
    return problems


def _written(out: Path) -> int:
    """Shard files in ``out`` (not their .sum checksum files)."""
    return sum(1 for p in out.glob("shard-*") if not p.name.endswith(".sum")) if out.exists() else 0


def _until_shards(proc: subprocess.Popen, out: Path, shards: int, extra: float, limit: float = 300.0) -> float:
    """Wait until ``shards`` shard files exist in ``out`` (or the job ends); the seconds left before the kill."""
    started = time.perf_counter()
    while proc.poll() is None and time.perf_counter() - started < limit:
        if _written(out) >= shards:
            break
        time.sleep(0.05)
    return extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=240)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--shard-size", type=int, default=8)
    parser.add_argument("--models", choices=["fake", "real"], default="fake")
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--delay", type=float, default=0.08, help="fake models: seconds per NLI batch")
    parser.add_argument("--kill-window", type=float, nargs=2, default=(2.0, 5.0), metavar=("MIN", "MAX"),
                        help="seconds after start within which the kill falls (uniform)")
    parser.add_argument("--kill-at-shards", type=int, nargs="+", metavar="N",
                        help="kill k falls once N[k] shards are written (plus up to --delay s), instead of --kill-window: "
                             "for engines whose start-up time varies (Ray)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    env = {**os.environ, "FACTCHECK_FAKE_DELAY": str(args.delay), "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="fc-kill-") as tmp:
        src, out = Path(tmp) / "clusters.jsonl", Path(tmp) / "out"
        clusters = make_clusters(args.clusters, args.seed)
        src.write_text("".join(json.dumps(c) + "\n" for c in clusters), encoding="utf-8")
        cmd = command(args.models, src, out, args.shard_size, args.engine)
        total_shards = -(-args.clusters // args.shard_size)
        for k in range(args.kills):
            proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            began = time.perf_counter()
            wait = rng.uniform(*args.kill_window)
            if args.kill_at_shards:
                wait = _until_shards(proc, out, args.kill_at_shards[min(k, len(args.kill_at_shards) - 1)],
                                     rng.uniform(0, args.delay))
            try:
                proc.wait(timeout=wait)
                print(f"run {k + 1}: finished before the kill at {wait:.2f} s (rc {proc.returncode})")
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                temps = len(list(out.glob(".tmp-*"))) if out.exists() else 0
                done = _written(out)
                print(f"run {k + 1}: SIGKILL to the process group after {time.perf_counter() - began:.2f} s: "
                      f"{done}/{total_shards} shards written, {temps} temporary file(s) left behind")
        started = time.perf_counter()
        final = subprocess.run(cmd, env=env, start_new_session=True, capture_output=True, text=True)
        print(f"resume: rc {final.returncode} in {time.perf_counter() - started:.1f} s; {final.stderr.strip()[-300:]}")
        problems = [f"final run failed with rc {final.returncode}"] if final.returncode else []
        problems += check_output(out, [c["id"] for c in clusters])
        merged = subprocess.run(cmd[: cmd.index("batch") + 1] + ["merge", str(out)], env=env, capture_output=True, text=True)
        lines = (out / "merged.jsonl").read_text(encoding="utf-8").splitlines() if merged.returncode == 0 else []
        ids = [json.loads(line)["cluster"] for line in lines]
        if sorted(ids) != sorted(c["id"] for c in clusters):
            problems.append(f"merge gave {len(ids)} lines, {len(set(ids))} distinct clusters (rc {merged.returncode})")
        if problems:
            print("FAIL:\n  " + "\n  ".join(problems))
            return 1
        print(f"OK: {args.clusters} clusters, each exactly once in {total_shards} shards; every line valid JSON; "
              f"no temporary files; merge: {len(ids)} lines")
        return 0


if __name__ == "__main__":
    sys.exit(main())
