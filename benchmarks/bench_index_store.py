"""Compare embedded vector stores for the story index (issue #26) on synthetic 384-dim claim vectors.

Each (store, size) runs in its own process so its peak memory is its own:

    nice -n 5 .venv/bin/python benchmarks/bench_index_store.py --all --dir /tmp/store_bench \
        --out eval/results/index_store_s26

measures add throughput, query latency (top-10, approximate and exact), recall@10 of approximate
against exact, size on disk and peak RSS. Vectors are random but clustered (a claim has near
neighbours, as real claims of one story do), unit-norm float32, the shipped embedder's dimension.
Embedding is measured elsewhere (eval/results/index_s26.md): here only the store works.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

DIM = 384
QUERIES = 40  # one article's claims
K = 10


def clustered(n: int, seed: int = 0, per_cluster: int = 50, noise: float = 0.06) -> np.ndarray:
    """``n`` unit vectors around ``n / per_cluster`` random centres (cosine to the centre about 0.7)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // per_cluster), DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, DIM), dtype=np.float32)
    step = 100_000
    for s in range(0, n, step):
        e = min(n, s + step)
        x = centres[rng.integers(0, len(centres), e - s)] + noise * rng.standard_normal((e - s, DIM)).astype(np.float32)
        out[s:e] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def queries(n: int) -> np.ndarray:
    """40 new claims near stored ones (same centres, fresh noise)."""
    base = clustered(n, seed=0)[np.random.default_rng(1).integers(0, n, QUERIES)]
    x = base + 0.06 * np.random.default_rng(2).standard_normal(base.shape).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact_ids(data: np.ndarray, q: np.ndarray) -> list[set[int]]:
    sims = q @ data.T
    return [set(np.argpartition(-row, K)[:K].tolist()) for row in sims]


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- stores -------------------------------------------------------------------------------------

def run_lancedb(path: Path, data: np.ndarray, q: np.ndarray) -> dict:
    import lancedb
    import pyarrow as pa

    db = lancedb.connect(str(path))
    schema = pa.schema([pa.field("id", pa.int64()), pa.field("vector", pa.list_(pa.float32(), DIM))])
    started = time.perf_counter()
    table = None
    for s in range(0, len(data), 50_000):
        chunk = data[s:s + 50_000]
        batch = pa.table({"id": pa.array(np.arange(s, s + len(chunk))),
                          "vector": pa.FixedSizeListArray.from_arrays(pa.array(chunk.reshape(-1)), DIM)}, schema=schema)
        if table is None:
            table = db.create_table("claims", batch, schema=schema)
        else:
            table.add(batch)
    added = time.perf_counter() - started
    started = time.perf_counter()
    from factcheck.index.store import vector_index_params

    params = vector_index_params(len(data))
    parts = params["num_partitions"]
    table.create_index(metric="dot", **params)
    indexed = time.perf_counter() - started
    table.optimize()

    def approx(v):
        return table.search(v).metric("dot").nprobes(max(20, parts // 20)).refine_factor(10).limit(K).select(["id"]).to_arrow()["id"].to_pylist()

    def exact(v):
        return table.search(v).metric("dot").bypass_vector_index().limit(K).select(["id"]).to_arrow()["id"].to_pylist()

    return {"add_s": added, "index_s": indexed, "approx": approx, "exact": exact,
            "notes": f"{params['index_type']}, {parts} partitions, nprobes {max(20, parts // 20)}, refine x10"}


def run_qdrant(path: Path, data: np.ndarray, q: np.ndarray) -> dict:
    from qdrant_client import QdrantClient
    from qdrant_client.models import Distance, PointStruct, VectorParams

    client = QdrantClient(path=str(path))
    client.create_collection("claims", vectors_config=VectorParams(size=DIM, distance=Distance.COSINE))
    started = time.perf_counter()
    for s in range(0, len(data), 2_000):
        client.upsert("claims", [PointStruct(id=i, vector=data[i].tolist()) for i in range(s, min(len(data), s + 2_000))])
    added = time.perf_counter() - started

    def search(v, exact=False):
        from qdrant_client.models import SearchParams

        res = client.query_points("claims", query=v.tolist(), limit=K, search_params=SearchParams(exact=exact))
        return [p.id for p in res.points]

    return {"add_s": added, "index_s": 0.0, "approx": search, "exact": lambda v: search(v, True),
            "notes": "local mode (no server): brute force over numpy in memory, points pickled into SQLite; "
                     "HNSW only in the Qdrant server", "close": client.close}


def run_sqlite_vec(path: Path, data: np.ndarray, q: np.ndarray) -> dict:
    import apsw
    import sqlite_vec

    path.mkdir(parents=True, exist_ok=True)
    conn = apsw.Connection(str(path / "claims.db"))
    conn.enable_load_extension(True)
    conn.load_extension(sqlite_vec.loadable_path())
    conn.execute(f"create virtual table claims using vec0(embedding float[{DIM}] distance_metric=cosine)")
    started = time.perf_counter()
    for s in range(0, len(data), 10_000):
        with conn:
            conn.executemany("insert into claims(rowid, embedding) values (?, ?)",
                             ((i, data[i].tobytes()) for i in range(s, min(len(data), s + 10_000))))
    added = time.perf_counter() - started

    def search(v):
        return [r[0] for r in conn.execute("select rowid from claims where embedding match ? and k = ?", (v.tobytes(), K))]

    return {"add_s": added, "index_s": 0.0, "approx": search, "exact": search,
            "notes": "apsw binding (stdlib sqlite3 here lacks enable_load_extension); vec0 is exact brute force, no ANN in 0.1.x"}


STORES = {"lancedb": run_lancedb, "qdrant-local": run_qdrant, "sqlite-vec": run_sqlite_vec}
DISTS = {"lancedb": "lancedb", "qdrant-local": "qdrant-client", "sqlite-vec": "sqlite-vec"}


def one(store: str, n: int, root: Path) -> dict:
    path = root / f"{store}-{n}"
    shutil.rmtree(path, ignore_errors=True)
    data = clustered(n)
    q = queries(n)
    truth = exact_ids(data, q)
    r = STORES[store](path, data, q)
    out = {"store": store, "n": n, "add_claims_per_s": round(n / r["add_s"], 1), "add_s": round(r["add_s"], 2),
           "index_build_s": round(r["index_s"], 2), "notes": r["notes"]}
    for kind in ("approx", "exact"):
        r[kind](q[0])  # warm
        times, hits = [], 0
        for v, t in zip(q, truth):
            started = time.perf_counter()
            ids = r[kind](v)
            times.append(time.perf_counter() - started)
            hits += len(set(ids) & t)
        out[f"{kind}_ms_median"] = round(1000 * float(np.median(times)), 2)
        out[f"{kind}_ms_40_queries"] = round(1000 * float(np.sum(times)), 1)
        out[f"{kind}_recall_at_10"] = round(hits / (K * len(q)), 4)
    if "close" in r:
        r["close"]()
    out["disk_mb"] = round(dir_size(path) / 1e6, 1)
    out["raw_vectors_mb"] = round(data.nbytes / 1e6, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    shutil.rmtree(path, ignore_errors=True)
    return out


def install_mb(dist: str, seen: set[str] | None = None) -> float:
    """Size on disk of ``dist`` and its requirements not already needed by factcheck itself."""
    import re

    base = {"numpy", "pyarrow", "pydantic", "pydantic-core", "tqdm", "packaging", "typing-extensions", "urllib3",
            "protobuf", "annotated-types", "typing-inspection", "certifi", "idna", "anyio", "sniffio", "h11"}
    seen = set() if seen is None else seen
    key = dist.lower().replace("_", "-")
    if key in seen or key in base:
        return 0.0
    seen.add(key)
    try:
        d = md.distribution(dist)
    except md.PackageNotFoundError:
        return 0.0
    size = sum((f.size or 0) for f in (d.files or []))
    for req in d.requires or []:
        if "extra ==" in req:
            continue
        size += install_mb(re.split(r"[ <>=!;\[(~]", req, maxsplit=1)[0], seen) * 1e6
    return size / 1e6


def licence(dist: str) -> str:
    meta = md.metadata(dist)
    found = meta.get("License-Expression") or next((c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                                                    if c.startswith("License ::")), None)
    return found or (meta.get("License") or "?").splitlines()[0][:40]


# Qdrant's local mode adds about 56 claims/s (whole collection re-persisted per upsert): 5,000 claims, not 100k.
# LanceDB at 1M is measured through the product (benchmarks/bench_index.py); sqlite-vec 1M by --plan big.
PLAN = [("lancedb", 100_000), ("qdrant-local", 5_000), ("sqlite-vec", 100_000)]
BIG = [("sqlite-vec", 1_000_000)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", choices=sorted(STORES))
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/store_bench"))
    ap.add_argument("--all", action="store_true", help="run the plan, each in its own process")
    ap.add_argument("--out", type=Path, help="write OUT.json and OUT.md")
    ap.add_argument("--timeout", type=int, default=1200)
    ap.add_argument("--big", action="store_true", help="with --all: also the 1M rows (slow on 2 cores)")
    args = ap.parse_args()
    if not args.all:
        print(json.dumps(one(args.store, args.n, args.dir)))
        return
    rows = []
    for store, n in PLAN + (BIG if args.big else []):
        cmd = [sys.executable, __file__, "--store", store, "--n", str(n), "--dir", str(args.dir)]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
            row = json.loads(res.stdout.strip().splitlines()[-1]) if res.returncode == 0 else {
                "store": store, "n": n, "error": (res.stderr.strip().splitlines() or ["?"])[-1][:200]}
        except subprocess.TimeoutExpired:
            row = {"store": store, "n": n, "error": f"not finished in {args.timeout} s"}
            shutil.rmtree(args.dir / f"{store}-{n}", ignore_errors=True)
        print(json.dumps(row), flush=True)
        rows.append(row)
    try:
        import sqlite3

        sqlite3.connect(":memory:").enable_load_extension(True)
        stdlib = "stdlib sqlite3 loads extensions"
    except AttributeError as exc:
        stdlib = f"stdlib sqlite3: AttributeError: {exc}"
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores ({platform.processor() or 'AMD EPYC'}), shared",
            "python": platform.python_version(), "stdlib_sqlite3": stdlib,
            "stores": {s: {"dist": d, "version": md.version(d), "licence": licence(d), "install_mb": round(install_mb(d), 1)}
                       for s, d in DISTS.items()},
            "apsw": {"version": md.version("apsw"), "install_mb": round(install_mb("apsw"), 1)}}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
