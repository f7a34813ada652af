"""Host-side cost of `factcheck batch`: everything but the models, before -> after, in one run.

    python benchmarks/bench_host.py --clusters 64 --out eval/results/bench_host

On a GPU the batch job is host-bound (eval/results/bench_gpu.md: 2,572 NLI pairs/s end to end with the
GPU 3.7% busy, while the NLI layer alone runs 11,966 pairs/s). This measures the host's own ceiling:
the same clusters (FNC-1 training bodies, as bench_gpu.py builds them) go through `factcheck.batch.run`
with models that cost nothing, so what is left is claim extraction, alignment, tokenization, padding,
verdicts, cues, reports and shard writing:
- the embedder returns vectors computed once beforehand by the real default embedder (same alignment as
  a real run);
- the NLI model is the real default model's tokenizer and padding, with logits drawn from a hash of each
  pair's token ids instead of the network (about one pair in ten comes out a contradiction).

Each tree (the code at --before-rev, in a git worktree, and the working tree) runs in its own process,
interleaved over --rounds. Reported: NLI pairs/s of the host alone (the end-to-end ceiling on any
accelerator), a per-phase profile of one in-process pass, and whether both trees wrote the same
findings. Writes OUT.json and OUT.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import (  # noqa: E402
    BODIES, ROOT, ensure_before_tree, load_bodies, machine, make_clusters, rare_words, write_results)

# Runs inside the tree under test (its factcheck on sys.path first): only APIs both trees have.
WORKER = r"""
import json, sys, time, zlib
import numpy as np
src, out, cache, rounds_out, workers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
import factcheck.embed, factcheck.nli
from factcheck.embed import Embedder, load_embedder
from factcheck.nli import load_nli

data = np.load(cache)
vectors = dict(zip(json.loads(str(data["texts"])), data["vectors"]))

class CachedEmbedder(Embedder):
    def __init__(self, info, dim):
        self.info, self.dim = info, dim
    def _embed_batch(self, texts):
        return np.stack([vectors[t] for t in texts])

real = load_nli("default", device="cpu")
def instant_logits(arrays):
    ids = arrays["input_ids"] * arrays["attention_mask"]
    h = (ids * np.arange(1, ids.shape[1] + 1)).sum(axis=1) % 1000
    logits = np.zeros((len(ids), 3), dtype=np.float32)
    logits[np.arange(len(ids)), np.where(h < 100, 2, np.where(h < 500, 0, 1))] = 4.0
    return logits
real._arrays_logits = instant_logits
real.prefetch_chunk = 8192  # as on a GPU: tokenize the next chunk on a thread
emb_info = load_embedder("default", device="cpu").info
embedder = CachedEmbedder(emb_info, next(iter(vectors.values())).shape[0])
factcheck.nli.load_nli = lambda *a, **k: real
factcheck.embed.load_embedder = lambda *a, **k: embedder
from factcheck.batch import run
shard_size = int(sys.argv[6])
kwargs = {"workers": workers} if workers >= 0 else {}
t = time.perf_counter()
summary = run(src, out, shard_size=shard_size, batch_size=256, **kwargs)
seconds = time.perf_counter() - t
json.dump({"seconds": seconds, "nli_pairs": summary.nli_pairs, "done": summary.done}, open(rounds_out, "w"))
"""

PROFILE = r"""
import json, sys, time
import numpy as np
exec(open(sys.argv[6]).read().split("from factcheck.batch import run")[0])
from factcheck.batch.inputs import read_clusters
from factcheck.pipeline import CheckSettings, model_thresholds
import factcheck.pipeline as P
settings = CheckSettings(thresholds=model_thresholds(real), batch_size=256)
clusters = [c.documents for c in read_clusters([src]) if c.error is None]
phases = {}
def timed(name, fn, *a):
    t = time.perf_counter(); r = fn(*a); phases[name] = phases.get(name, 0.0) + time.perf_counter() - t; return r
prepared = timed("claims", lambda: [P.extract_claims(d, settings) for d in clusters])
embs = timed("embed (cached vectors)", P.embed_claims, prepared, embedder, settings)
aligned = timed("align", lambda: [P.align_cluster(c, e, settings) for c, e in zip(prepared, embs)])
scored, n = timed("NLI host (tokenize, pad)", P.score_nli, aligned, real, settings)
decided = timed("verdicts and cues", lambda: [P.decide_pairs(a, p, o, settings) for a, (p, o) in zip(aligned, scored)])
reports = timed("reports", lambda: [P.build_report(a.cluster.documents, a.cluster.claim_sets, ps, st, settings, embedder.info, real.info)
                                     for a, (ps, st) in zip(aligned, decided)])
timed("JSON", lambda: [json.dumps(r.to_dict()) for r in reports])
json.dump({"phases": phases, "nli_pairs": n}, open(rounds_out, "w"))
"""


def build_cache(clusters_file: Path, cache: Path) -> int:
    """Real default-embedder vectors for every claim text of the working tree (both trees extract the same)."""
    import numpy as np

    from factcheck.batch.inputs import read_clusters
    from factcheck.embed import load_embedder
    from factcheck.pipeline import CheckSettings, extract_claims

    settings = CheckSettings()
    texts = sorted({c.text for cl in read_clusters([clusters_file]) if cl.error is None
                    for c in extract_claims(cl.documents, settings).claims})
    vectors = load_embedder("default", device="cpu").embed(texts, batch_size=64)
    np.savez(cache, texts=np.array(json.dumps(texts)), vectors=vectors)
    return len(texts)


def findings(out: Path) -> dict:
    found = {}
    for shard in sorted(out.glob("shard-*.jsonl")):
        for line in shard.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            found[rec["cluster"]] = [(f["label"], f["score"], [(c["article"], c["start"], c["end"]) for c in f["claims"]],
                                      f.get("reasons")) for f in rec.get("findings", [])]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=64)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--sentences", type=int, default=1000, help="sentences kept per body (default: whole bodies)")
    parser.add_argument("--before-rev", default="ee355ef")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shard-size", type=int, default=64, help="clusters per shard (workers only overlap with several shards)")
    parser.add_argument("--workers", type=int, nargs="+", default=[0],
                        help="`run(workers=...)` values to time in the working tree (-1: the default)")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "bench_host")
    args = parser.parse_args(argv)
    bodies = load_bodies(BODIES, args.sentences)
    clusters = make_clusters(bodies, rare_words(bodies), args.clusters, args.sizes)
    result: dict = {"command": "python benchmarks/bench_host.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                    "machine": machine(), "clusters": len(clusters), "before_rev": args.before_rev}
    with tempfile.TemporaryDirectory(prefix="fc-host-") as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "clusters.jsonl"
        src.write_text("".join(json.dumps(c) + "\n" for c in clusters), encoding="utf-8")
        result["claim_texts"] = build_cache(src, tmp / "cache.npz")
        before = ensure_before_tree(args.before_rev, tmp)
        (tmp / "worker.py").write_text(WORKER)
        (tmp / "phases.py").write_text(PROFILE)
        trees = {"before": (before, -1)} | {f"after (workers={w})" if w >= 0 else "after": (ROOT, w) for w in args.workers}
        runs: dict[str, list] = {name: [] for name in trees}
        found: dict[str, dict] = {}
        try:
            for rnd in range(args.rounds):
                order = list(trees) if rnd % 2 == 0 else list(reversed(trees))
                for name in order:
                    tree, workers = trees[name]
                    out, res = tmp / f"out-{list(trees).index(name)}-{rnd}", tmp / "res.json"  # fresh: a used folder would resume
                    env = dict(os.environ, PYTHONPATH=str(tree), TOKENIZERS_PARALLELISM="true")
                    proc = subprocess.run([sys.executable, str(tmp / "worker.py"), str(src), str(out), str(tmp / "cache.npz"),
                                           str(res), str(workers if name != "before" else -1), str(args.shard_size)],
                                          env=env, cwd=tree,
                                          capture_output=True, text=True)
                    if proc.returncode:
                        raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
                    runs[name].append(json.loads(res.read_text()))
                    found[name] = findings(out)
            profiles = {}
            for name, tree in (("before", before), ("after", ROOT)):
                res = tmp / "prof.json"
                env = dict(os.environ, PYTHONPATH=str(tree), TOKENIZERS_PARALLELISM="true")
                proc = subprocess.run([sys.executable, str(tmp / "phases.py"), str(src), "-", str(tmp / "cache.npz"), str(res), "0",
                                       str(tmp / "worker.py")], env=env, cwd=tree, capture_output=True, text=True)
                if proc.returncode:
                    raise SystemExit(f"profile of {name} failed:\n{proc.stderr[-3000:]}")
                profiles[name] = json.loads(res.read_text())
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], capture_output=True)
    base = found["before"]
    result["same_findings_as_before"] = {name: found[name] == base for name in found if name != "before"}
    result["findings"] = sum(len(v) for v in base.values())
    rows = {}
    for name, rs in runs.items():
        secs = sorted(r["seconds"] for r in rs)
        median = secs[len(secs) // 2]
        rows[name] = {"seconds": [round(s, 2) for s in secs], "median_seconds": round(median, 2),
                      "nli_pairs": rs[0]["nli_pairs"], "pairs_per_s": round(rs[0]["nli_pairs"] / median, 1)}
    for name in rows:
        rows[name]["speed_vs_before"] = round(rows["before"]["median_seconds"] / rows[name]["median_seconds"], 2)
    result["runs"] = rows
    result["profile"] = profiles
    md = [f"# Host-side cost of `factcheck batch` ({result['machine']['cpu']}, {result['machine']['cores']} cores)", "",
          f"Command: `{result['command']}`", "",
          f"{len(clusters)} clusters from FNC-1 training bodies, {result['claim_texts']} distinct claim texts, "
          f"{rows['before']['nli_pairs']} distinct NLI pairs, {result['findings']} findings. Models cost nothing here "
          "(cached embeddings, hashed logits), so this is the host's ceiling on any accelerator. Before = "
          f"`{args.before_rev}`; shards of {args.shard_size} clusters; each way ran {args.rounds} times, interleaved; "
          "median shown.", "",
          "| code | median s | NLI pairs/s (host only) | speed vs before | same findings |", "|---|---:|---:|---:|---|"]
    for name, r in rows.items():
        same = "" if name == "before" else ("yes" if result["same_findings_as_before"][name] else "**no**")
        md.append(f"| {name} | {r['median_seconds']} | {r['pairs_per_s']} | {r['speed_vs_before']}× | {same} |")
    md += ["", "One in-process pass by phase (seconds, `pipeline` functions, no workers):", "",
           "| phase | before | after |", "|---|---:|---:|"]
    for phase in profiles["before"]["phases"]:
        md.append(f"| {phase} | {profiles['before']['phases'][phase]:.2f} | {profiles['after']['phases'].get(phase, 0):.2f} |")
    md.append("")
    write_results(args.out, result, "\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
