"""Rival-outlet pairs (#23, session 28): align the written articles against their originals and make reading slices.

    python eval/outlets/align.py --articles 'runs/outlets/articles/*.jsonl' --out eval/outlets/pairs.jsonl \
        --slices runs/outlets/reading/slices

Each story is one cluster: its FNC-1 train body (by id, from ``../shared/data``) and the articles written for it
(``eval/outlets/GUIDE.md``). factcheck extracts and aligns the claims exactly as ``check`` does, and every
distinct aligned pair goes to reading (at most ``--max-pairs``, stratified by the shipped model's score like the
news pairs' rounds; the scores go only to ``<slices>/../hidden/``). Readers see the two claims, sides shuffled.
The originals' claims are stored by body id, offsets and hash; the articles go to ``eval/outlets/articles.jsonl``
(the project's own writing, with their writer), without the writers' lists of intended disagreements, which go to
``<slices>/../hidden/intended.jsonl`` until the reading is done.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "news_pairs"))

from draw import collect, pair_refs, sample  # noqa: E402

from factcheck.evaluation.news_pairs import read_bodies, sha, write_refs  # noqa: E402
from factcheck.pipeline import load_models, model_thresholds, settings_with  # noqa: E402


def article_id(story: str, outlet: str) -> str:
    """The body id an article gets in pair refs: ``o<body>-<outlet>`` (never a number, so never an FNC-1 id)."""
    return f"o{story.removeprefix('train-')}-{outlet}"


def read_articles(pattern: str) -> list[dict]:
    """Every written article, with its writer (from the file name ``<writer>_<slice>.jsonl``)."""
    rows = []
    for path in sorted(glob.glob(pattern)):
        writer = Path(path).stem.split("_")[0]
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: not JSON ({exc.msg})")
            if not row.get("text", "").strip():
                raise SystemExit(f"{path}:{n}: empty text")
            row["writer"] = writer
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--articles", default="runs/outlets/articles/*.jsonl")
    ap.add_argument("--out", type=Path, default=Path("eval/outlets/pairs.jsonl"))
    ap.add_argument("--articles-out", type=Path, default=Path("eval/outlets/articles.jsonl"))
    ap.add_argument("--slices", type=Path, default=Path("runs/outlets/reading/slices"))
    ap.add_argument("--max-pairs", type=int, default=5000)
    ap.add_argument("--double", type=float, default=0.1, help="share of pairs also given to a second reader")
    ap.add_argument("--slice-size", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261208)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    articles = read_articles(args.articles)
    originals = read_bodies(args.data_dir / "news" / "fnc1_train_bodies.csv")
    bodies: dict[str, str] = {}
    stories: dict[str, list[str]] = {}
    for a in articles:
        aid = article_id(a["story"], a["outlet"])
        if aid in bodies:
            raise SystemExit(f"{a['writer']}: story {a['story']} outlet {a['outlet']} written twice")
        bodies[aid] = a["text"].strip()  # FNC-1 bodies carry no headline either
        stories.setdefault(a["story"], [a["body"]]).append(aid)
        bodies[a["body"]] = originals[a["body"]]

    nli, embedder, _ = load_models()
    settings = settings_with(include_all=True, thresholds=model_thresholds(nli))
    print(f"{len(stories)} stories, {len(articles)} articles", file=sys.stderr)
    rows = collect(stories, bodies, nli, embedder, settings, lambda s: "train")
    print(f"{len(rows)} aligned pairs", file=sys.stderr)
    drawn = sample(rows, min(args.max_pairs, len(rows)), rng)

    refs, reading = pair_refs(drawn, rng)
    write_refs(refs, args.out)
    args.articles_out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.articles_out, "w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps({"id": article_id(a["story"], a["outlet"]), "story": a["story"], "body": a["body"],
                                 "outlet": a["outlet"], "writer": a["writer"], "title": a.get("title", ""),
                                 "text": a["text"], "sha": sha(bodies[article_id(a['story'], a['outlet'])])},
                                ensure_ascii=False) + "\n")
    hidden = args.slices.parent / "hidden"
    hidden.mkdir(parents=True, exist_ok=True)
    with open(hidden / "draw_scores.jsonl", "w", encoding="utf-8") as fh:
        for r, k, w in drawn:
            fh.write(json.dumps({"id": r["id"], "c": round(r["c"], 4), "stratum": k}) + "\n")
    with open(hidden / "intended.jsonl", "w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps({"id": article_id(a["story"], a["outlet"]), "writer": a["writer"],
                                 "disagreements": a.get("disagreements", [])}, ensure_ascii=False) + "\n")
    order = list(range(len(reading)))
    rng.shuffle(order)
    per = args.slice_size
    args.slices.mkdir(parents=True, exist_ok=True)
    for n in range(0, len(order), per):
        (args.slices / f"first{n // per + 1:02d}.jsonl").write_text(
            "".join(json.dumps(reading[j], ensure_ascii=False) + "\n" for j in order[n:n + per]), encoding="utf-8")
    second = order[: round(len(order) * args.double)]
    rng.shuffle(second)
    for n in range(0, len(second), per):
        (args.slices / f"second{n // per + 1:02d}.jsonl").write_text(
            "".join(json.dumps(reading[j], ensure_ascii=False) + "\n" for j in second[n:n + per]), encoding="utf-8")
    print(f"wrote {len(refs)} refs to {args.out}; {math.ceil(len(order) / per)} first slices, "
          f"{math.ceil(len(second) / per)} second slices in {args.slices}", file=sys.stderr)


if __name__ == "__main__":
    main()
