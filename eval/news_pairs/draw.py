"""Draw the news pairs to label: the pairs the checker itself aligns (``--all``) in real story clusters,
stratified by its two-way contradiction score, written by reference plus reading slices without scores.

    python eval/news_pairs/draw.py --data-dir ../shared/data --out eval/news_pairs/pairs.jsonl \
        --slices runs/annotation

- dev stories: FNC-1 competition-test headlines' related bodies (``dev_stories``);
- train/validation stories: FNC-1 train bodies grouped by body embedding (average-link, cosine), split by
  story hash. Stories of more than 8 bodies are checked in chunks of at most 8 (same story id).

The scores used for stratifying and the reading assignment go to ``<slices>/../hidden/`` only; the reading
slices hold the pair id and the two claim texts and nothing else. The slices of this session's labels were
rebalanced once by hand to this round-robin assignment (the first draw gave every second read to one reader).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from factcheck.documents import document_from_text
from factcheck.evaluation.news_pairs import PairRef, dev_stories, read_bodies, sha, story_split, write_refs
from factcheck.pipeline import check_clusters, load_models, model_thresholds, settings_with
from factcheck.verdict import same_wording

# Strata of the two-way contradiction score and the share of each split's sample drawn from each:
# the confident end is over-represented so that false alarms are well covered.
STRATA = ((0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.76), (0.76, 0.9), (0.9, 0.97), (0.97, 1.01))
SHARES = (0.10, 0.10, 0.10, 0.15, 0.15, 0.20, 0.20)


def chunks(bodies: list[str], size: int = 8) -> list[list[str]]:
    """Split a story's bodies into near-equal chunks of at most ``size``."""
    k = math.ceil(len(bodies) / size)
    step = math.ceil(len(bodies) / k)
    return [bodies[i:i + step] for i in range(0, len(bodies), step)]


def train_stories(bodies: dict[str, str], embedder, threshold: float, min_size: int) -> dict[str, list[str]]:
    """Group train bodies into stories by the cosine of their opening embeddings (average link)."""
    from sklearn.cluster import AgglomerativeClustering

    ids = sorted(bodies, key=int)
    vectors = embedder.embed([bodies[i][:1500] for i in ids], batch_size=32)
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=threshold).fit_predict(vectors)
    groups: dict[int, list[str]] = defaultdict(list)
    for i, lab in zip(ids, labels):
        groups[int(lab)].append(i)
    out = {}
    for members in groups.values():
        if len(members) >= min_size:
            members = sorted(members, key=int)
            out[f"train-{members[0]}"] = members
    return out


def pair_id(story: str, a, b) -> str:
    key = f"{story}|{a.article}:{a.start}-{a.end}|{b.article}:{b.start}-{b.end}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def stratum(c: float) -> int:
    return next(k for k, (lo, hi) in enumerate(STRATA) if lo <= c < hi)


def collect(stories: dict[str, list[str]], bodies: dict[str, str], nli, embedder, settings, split_of) -> list[dict]:
    """Every distinct aligned sentence pair of every story chunk, with its two-way contradiction score."""
    clusters, names = [], []
    for story, members in stories.items():
        for part in chunks(members):
            if len(part) >= 2:
                clusters.append([document_from_text(bodies[b], id=b, source=f"fnc1:{b}") for b in part])
                names.append(story)
    print(f"checking {len(clusters)} clusters ({sum(map(len, clusters))} bodies)", file=sys.stderr, flush=True)
    reports, n = check_clusters(clusters, embedder, nli, settings)
    print(f"  {n} NLI pairs", file=sys.stderr, flush=True)
    rows, seen = [], set()
    for story, report in zip(names, reports):
        if isinstance(report, Exception):
            continue
        for f in report.findings:
            a, b = f.claims
            if same_wording(a.text, b.text):
                continue
            pid = pair_id(story, a, b)
            if pid in seen:
                continue
            seen.add(pid)
            c = (f.forward.contradiction + f.backward.contradiction) / 2
            rows.append({"id": pid, "split": split_of(story), "story": story, "a": a, "b": b, "c": float(c),
                         "label": f.label})
    return rows


def sample(rows: list[dict], n: int, rng: random.Random) -> list[tuple[dict, int, float]]:
    """``n`` rows stratified by score (``SHARES``), unused quota passed on; each with stratum and weight."""
    by = defaultdict(list)
    for r in rows:
        by[stratum(r["c"])].append(r)
    quota = [round(n * s) for s in SHARES]
    # Strata too small for their quota give the rest to the others, largest first.
    take = [min(q, len(by[k])) for k, q in enumerate(quota)]
    spare = n - sum(take)
    while spare > 0:
        room = [k for k in range(len(STRATA)) if len(by[k]) > take[k]]
        if not room:
            break
        for k in sorted(room, key=lambda k: -(len(by[k]) - take[k])):
            if spare == 0:
                break
            take[k] += 1
            spare -= 1
    out = []
    for k in range(len(STRATA)):
        pool = sorted(by[k], key=lambda r: r["id"])
        chosen = rng.sample(pool, take[k]) if take[k] < len(pool) else pool
        w = len(pool) / max(1, len(chosen))
        out += [(r, k, w) for r in chosen]
    return out


def rescore_screened(rows: list[dict], screen: float) -> int:
    """Rows whose score reaches ``screen`` get the shipped 110M's two-way score, as the cascade would give them
    (``c_screen`` keeps the screen's). Returns how many were sent on."""
    from factcheck.nli import load_nli
    from factcheck.verdict import two_way_scores

    sent = [r for r in rows if r["c"] >= screen]
    if sent:
        texts = [(r["a"].text, r["b"].text) for r in sent] + [(r["b"].text, r["a"].text) for r in sent]
        p = np.asarray(load_nli("large").predict(texts, batch_size=32)).reshape(-1, 3)
        c, _ = two_way_scores(p[: len(sent)], p[len(sent):])
        for r, v in zip(sent, c):
            r["c_screen"], r["c"] = r["c"], float(v)
    return len(sent)


def pair_refs(drawn: list[tuple[dict, int, float]], rng: random.Random) -> tuple[list[PairRef], list[dict]]:
    """The drawn pairs as refs (by body, offsets and hash) and as reading rows (id and the two texts), the sides
    shuffled so that a reader cannot tell which article came first."""
    refs, reading = [], []
    for r, k, w in drawn:
        a, b = r["a"], r["b"]
        if rng.random() < 0.5:
            a, b = b, a
        refs.append(PairRef(id=r["id"], split=r["split"], story=r["story"], body_a=a.article, start_a=a.start,
                            end_a=a.end, sha_a=sha(a.text), body_b=b.article, start_b=b.start, end_b=b.end,
                            sha_b=sha(b.text), stratum=f"{STRATA[k][0]:.2f}-{min(STRATA[k][1], 1.0):.2f}",
                            weight=round(w, 3)))
        reading.append({"id": r["id"], "a": a.text, "b": b.text})
    return refs, reading


def write_reading(drawn: list[tuple[dict, int, float]], rng: random.Random, out: Path, slices: Path, double: int,
                  per: int = 100) -> list[PairRef]:
    """The drawn pairs as refs (``out``, sides shuffled), reading slices of ``per`` pairs without scores
    (``first*``; ``second*`` for the ``double`` pairs read twice) and their scores in ``<slices>/../hidden/``."""
    refs, reading = pair_refs(drawn, rng)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    write_refs(refs, out)
    hidden = Path(slices).parent / "hidden"
    Path(slices).mkdir(parents=True, exist_ok=True)
    hidden.mkdir(exist_ok=True)
    with open(hidden / "draw_scores.jsonl", "w", encoding="utf-8") as fh:
        for r, k, w in drawn:
            fh.write(json.dumps({"id": r["id"], "c": round(r["c"], 4), "c_screen": r.get("c_screen"),
                                 "stratum": k}) + "\n")
    order = list(range(len(reading)))
    rng.shuffle(order)
    second = order[:double]
    rng.shuffle(second)
    for name, ids in (("first", order), ("second", second)):
        for n in range(0, len(ids), per):
            (Path(slices) / f"{name}{n // per + 1:02d}.jsonl").write_text(
                "".join(json.dumps(reading[j], ensure_ascii=False) + "\n" for j in ids[n:n + per]), encoding="utf-8")
    return refs


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("eval/news_pairs/pairs.jsonl"))
    ap.add_argument("--slices", type=Path, default=Path("runs/annotation"))
    ap.add_argument("--train-pairs", type=int, default=3300)
    ap.add_argument("--dev-pairs", type=int, default=720)
    ap.add_argument("--double", type=int, default=340, help="pairs read by a second annotator")
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--slice-size", type=int, default=60)
    ap.add_argument("--train-bodies", type=int, default=900, help="at most this many train bodies are checked")
    ap.add_argument("--threshold", type=float, default=0.35, help="cosine distance for grouping train bodies")
    ap.add_argument("--bf16", action="store_true", help="score in bfloat16 (stratifying only)")
    ap.add_argument("--seed", type=int, default=20261201)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    nli, embedder, _ = load_models()
    if args.bf16:
        import torch
        nli.model.to(torch.bfloat16)
    settings = settings_with(include_all=True, thresholds=model_thresholds(nli))

    dev_b = read_bodies(args.data_dir / "fnc1" / "fnc1_dev_bodies.csv")
    dev = {s: m for s, m in dev_stories(args.data_dir).items() if len(m) >= 3}
    train_b = read_bodies(args.data_dir / "news" / "fnc1_train_bodies.csv")
    train = train_stories(train_b, embedder, args.threshold, min_size=3)
    sizes = sorted((len(m) for m in train.values()), reverse=True)
    print(f"train stories: {len(train)} of >=3 bodies, sizes {sizes[:15]}...; dev stories: {len(dev)}", file=sys.stderr)
    names = sorted(train)
    rng.shuffle(names)
    kept, total = {}, 0
    for s in names:
        if total >= args.train_bodies:
            break
        kept[s] = train[s]
        total += len(train[s])

    dev_rows = collect(dev, dev_b, nli, embedder, settings, lambda s: "dev")
    train_rows = collect(kept, train_b, nli, embedder, settings, story_split)
    print(f"pool: {len(train_rows)} train/validation pairs, {len(dev_rows)} dev pairs", file=sys.stderr)
    drawn = sample(train_rows, args.train_pairs, rng) + sample(dev_rows, args.dev_pairs, rng)

    refs, reading = pair_refs(drawn, rng)
    write_refs(refs, args.out)

    # Reading slices: shuffled, no scores. The scores and who reads what twice go to a folder readers never open.
    hidden = args.slices.parent / "hidden"
    hidden.mkdir(parents=True, exist_ok=True)
    with open(hidden / "draw_scores.jsonl", "w", encoding="utf-8") as fh:
        for r, k, w in drawn:
            fh.write(json.dumps({"id": r["id"], "c": round(r["c"], 4), "label": r["label"], "stratum": k}) + "\n")
    order = list(range(len(reading)))
    rng.shuffle(order)
    per = math.ceil(len(order) / args.readers)
    owner = {j: n // per for n, j in enumerate(order)}
    assign: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for j in order:
        assign[owner[j]].append((j, "first"))
    # The second reads go round-robin to every reader but the first one.
    for n, j in enumerate(order[: args.double]):
        others = [r for r in range(args.readers) if r != owner[j]]
        assign[others[n % len(others)]].append((j, "second"))
    manifest = []
    for reader, items in sorted(assign.items()):
        rng.shuffle(items)
        for s in range(0, len(items), args.slice_size):
            path = args.slices / f"reader{reader + 1}" / f"slice{s // args.slice_size + 1:02d}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                for j, rnd in items[s:s + args.slice_size]:
                    fh.write(json.dumps({"id": reading[j]["id"], "a": reading[j]["a"], "b": reading[j]["b"]},
                                        ensure_ascii=False) + "\n")
                    manifest.append({"file": str(path), "id": reading[j]["id"], "round": rnd,
                                     "reader": f"reader{reader + 1}"})
    (hidden / "assignment.json").write_text(json.dumps(manifest), encoding="utf-8")
    print(f"wrote {len(refs)} refs to {args.out}; slices for {len(assign)} readers in {args.slices}", file=sys.stderr)


if __name__ == "__main__":
    main()
