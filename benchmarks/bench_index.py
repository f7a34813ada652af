"""The story index at scale (issue #26): add speed with the shipped embedder, and `index check` at 100k and 1M claims.

    nice -n 5 .venv/bin/python benchmarks/bench_index.py --data ../shared/data --dir /tmp/ix_bench \
        --bodies 200 --sizes 100000 1000000 --out eval/results/index_s26.json

1. ``add`` of FNC-1 train bodies with the shipped embedder: claims/s including and excluding embedding.
2. Synthetic claims fill the index to each size: each is a real claim's embedding plus noise (so new
   claims find near neighbours, as in a story), 40 claims to an article, written straight to the store.
3. ``index check`` of one 40-claim article (FNC-1 bodies joined to 40 claims) with the default NLI model:
   retrieval alone, end to end, and recall@10 of the approximate search against exact search.
Size on disk and this process's peak RSS are read at each size. The folder is deleted at the end.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck.documents import document_from_text  # noqa: E402
from factcheck.index import StoryIndex  # noqa: E402
from factcheck.pipeline import CheckSettings, load_models, model_thresholds  # noqa: E402


def bodies(data: Path) -> list[tuple[str, str]]:
    csv.field_size_limit(10**8)
    with open(data / "news" / "fnc1_train_bodies.csv", newline="", encoding="utf-8") as f:
        return [(row["Body ID"], row["articleBody"]) for row in csv.DictReader(f)]


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def fill(ix: StoryIndex, target: int, base: np.ndarray, rng: np.random.Generator, chunk: int = 100_000) -> float:
    """Synthetic articles of 40 claims until the index holds ``target`` claims; returns seconds."""
    store = ix.store
    have = store._table.count_rows()
    started = time.perf_counter()
    k = have
    with store.writing():
        while k < target:
            n = min(chunk, target - k)
            n -= n % 40 or 0
            if n <= 0:
                break
            x = base[rng.integers(0, len(base), n)] + 0.35 * rng.standard_normal((n, base.shape[1])).astype(np.float32) / np.sqrt(base.shape[1])
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            arts = [f"syn{(k + j) // 40}" for j in range(n)]
            claim = [(k + j) % 40 for j in range(n)]
            texts = [f"Synthetic claim {k + j} stands in for a stored sentence." for j in range(n)]
            doc = json.dumps({"source": "synthetic", "title": "synthetic", "text": "", "spans": [], "url": None,
                              "date": "2024-01-01", "dropped": [], "sentences": []})
            cols = {"row": [f"{a}#{c}" for a, c in zip(arts, claim)], "article": arts, "source": ["synthetic"] * n,
                    "title": ["synthetic"] * n, "url": [None] * n, "date": ["2024-01-01"] * n, "day": ["2024-01-01"] * n,
                    "language": ["en"] * n, "claim": claim, "start": [0] * n, "end": [0] * n, "sentence": [0] * n,
                    "clause": [False] * n, "text": texts, "text_hash": [f"syn{k + j}" for j in range(n)],
                    "article_hash": arts, "added": ["synthetic"] * n, "doc": [doc if c == 0 else None for c in claim],
                    "vector": list(x)}
            store.commit(cols)
            k += n
        store.build_vector_index()
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/ix_bench"))
    ap.add_argument("--bodies", type=int, default=200)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    nli, embedder, load_s = load_models("default", "default", "cpu")
    settings = CheckSettings(thresholds=model_thresholds(nli))
    ix = StoryIndex.open(args.dir, embedder, settings, create=True)
    rows = bodies(args.data)
    docs = [document_from_text(text, f"fnc{bid}", f"fnc1_train_bodies.csv#{bid}", date="2024-01-02")
            for bid, text in rows[:args.bodies]]
    split_started = time.perf_counter()
    sets = ix.split(docs)
    split_s = time.perf_counter() - split_started
    res = ix.add(docs, sets)
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores (AMD EPYC, no AVX-512), shared with other jobs",
           "embedder": embedder.info.to_dict(), "nli": nli.info.name, "model_load_s": round(load_s, 1),
           "add": {"articles": len(res.added), "claims": res.claims, "embedded": res.embedded,
                   "seconds": round(res.seconds + split_s, 2), "embed_seconds": round(res.embed_seconds, 2),
                   "claims_per_s_including_embedding": round(res.claims / (res.seconds + split_s), 1),
                   "claims_per_s_excluding_embedding": round(res.claims / (res.seconds + split_s - res.embed_seconds), 1)},
           "sizes": []}
    print(json.dumps(out["add"]), flush=True)
    # One new 40-claim article: FNC-1 bodies not stored, joined, cut after their 40th claim.
    text, k = "", args.bodies
    while True:
        text = (text + "\n\n" + rows[k][1]).strip()
        k += 1
        cs = ix.split([document_from_text(text, "new", "new.txt")])[0]
        if len(cs.claims) >= 40:
            text = text[:cs.claims[39].end]
            break
    new = document_from_text(text, "new", "new.txt", date="2024-01-03")
    n_new = len(ix.split([new])[0].claims)
    base = ix.store.articles([d.id for d in docs[:50]])
    base_vecs = np.concatenate([a.vectors for a in base])
    rng = np.random.default_rng(0)
    for size in args.sizes:
        fill_s = fill(ix, size, base_vecs, rng)
        ix.store.refresh()
        new_vecs = embedder.embed([c.text for c in ix.split([new])[0].claims])
        t0 = time.perf_counter()
        approx = ix.store.search(new_vecs, 10, exclude=["new"], rows=True)
        approx_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        exact = ix.store.search(new_vecs, 10, exclude=["new"], exact=True, rows=True)
        exact_s = time.perf_counter() - t0
        hits = sum(len({r for r, _ in a} & {r for r, _ in e}) for a, e in zip(approx, exact))
        recall = hits / sum(len(e) for e in exact)
        t0 = time.perf_counter()
        result = ix.check([new], nli, settings)
        e2e = time.perf_counter() - t0
        new_file = args.dir.parent / f"{args.dir.name}_new.txt"
        new_file.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        cli = subprocess.run(["/usr/bin/time", "-f", "maxrss_kb=%M", sys.executable, "-m", "factcheck", "index", "check", str(new_file), "--index", str(args.dir),
                              "-o", str(args.dir.parent / f"{args.dir.name}_report.json"), "-q", "--device", "cpu"],
                             cwd=ROOT, capture_output=True, text=True)
        cli_s = time.perf_counter() - t0
        if cli.returncode:
            raise SystemExit(cli.stderr)
        stats = ix.store.stats()
        row = {"cli_check_s_with_model_load": round(cli_s, 2),
               "cli_check_peak_rss_mb": round(int(cli.stderr.rsplit("maxrss_kb=", 1)[1].split()[0]) / 1024, 1),
               "claims": stats["claims"], "fill_s": round(fill_s, 1), "new_claims": n_new,
               "retrieval_s_approx": round(approx_s, 3), "retrieval_s_exact": round(exact_s, 3),
               "recall_at_10": round(recall, 4), "check_end_to_end_s": round(e2e, 2),
               "check_retrieval_s": round(result.retrieval_seconds, 3),
               "articles_compared": result.report.stats.extra.get("index_articles_compared"),
               "pairs_scored": result.report.stats.to_dict().get("pairs_scored") if hasattr(result.report.stats, "to_dict") else None,
               "findings": len(result.report.findings), "size_on_disk_mb": stats["size_mb"], "peak_rss_mb": rss_mb(),
               "vector_index": stats["vector_index"]}
        print(json.dumps(row), flush=True)
        out["sizes"].append(row)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n")
    shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
