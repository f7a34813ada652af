"""Second round of the news pairs (#23): more validation stories and more of dev's pool, drawn like the first.

    python eval/news_pairs/draw_more.py --out eval/news_pairs/pairs_round2.jsonl --slices runs/annotation2/slices

- validation: the stories that ``eval/authored/stories.json`` puts in validation (``story_split`` below 0.2, and
  unlabelled stories of two or more bodies below 0.3) that have no labelled pair yet;
- dev: the same FNC-1 competition-test stories as round one, pairs not drawn before;
- train (round 4, ``--train-pairs``): train stories of ``eval/authored/stories.json`` (two or more bodies, no
  validation or dev story), ``--train-stories`` of them in the order of the hash of their id after skipping
  ``--train-skip``, pairs not drawn before. Pass ``--validation-pairs 0 --dev-pairs 0`` for a train-only round.

Stratified by the shipped model's two-way contradiction score exactly as round one (``draw.STRATA``/``SHARES``);
the scores go only to ``<slices>/../hidden/``. Reading slices hold the pair id and the two texts, sides shuffled;
``--double`` pairs are also given to a second reader.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from draw import collect, sample, write_reading  # noqa: E402

from factcheck.evaluation.news_pairs import dev_stories, read_bodies, read_refs, sha  # noqa: E402
from factcheck.pipeline import load_models, model_thresholds, settings_with  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--stories", type=Path, default=Path("eval/authored/stories.json"))
    ap.add_argument("--labels", type=Path, default=Path("eval/news_pairs/labels.jsonl"))
    ap.add_argument("--out", type=Path, default=Path("eval/news_pairs/pairs_round2.jsonl"))
    ap.add_argument("--slices", type=Path, default=Path("runs/annotation2/slices"))
    ap.add_argument("--validation-pairs", type=int, default=1300)
    ap.add_argument("--dev-pairs", type=int, default=900)
    ap.add_argument("--train-pairs", type=int, default=0)
    ap.add_argument("--train-stories", type=int, default=120)
    ap.add_argument("--train-skip", type=int, default=0, help="skip this many train stories first (a later round)")
    ap.add_argument("--double", type=int, default=320)
    ap.add_argument("--readers", type=int, default=2)
    ap.add_argument("--slice-size", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261206)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    old = read_refs(args.labels)
    old_ids = {r.id for r in old}
    old_stories = {r.story for r in old}
    split = json.loads(args.stories.read_text(encoding="utf-8"))
    val = {s: m for s, m in split["stories"].items()
           if split["split"][s] == "validation" and len(m) >= 2 and s not in old_stories}
    train_all = {s: m for s, m in split["stories"].items() if split["split"][s] == "train" and len(m) >= 2}
    train = dict(sorted(train_all.items(), key=lambda kv: sha(kv[0]))[args.train_skip: args.train_skip + args.train_stories]) if args.train_pairs else {}

    nli, embedder, _ = load_models()
    from factcheck.device import cpu_bf16

    if cpu_bf16():  # scores choose strata only; without bf16 units bf16 is emulated and slower than fp32
        import torch

        nli.model.to(torch.bfloat16)
    settings = settings_with(include_all=True, thresholds=model_thresholds(nli))
    train_b = read_bodies(args.data_dir / "news" / "fnc1_train_bodies.csv")
    dev_b = read_bodies(args.data_dir / "fnc1" / "fnc1_dev_bodies.csv")
    dev = {s: m for s, m in dev_stories(args.data_dir).items() if len(m) >= 3}
    if not args.validation_pairs:
        val = {}
    if not args.dev_pairs:
        dev = {}
    print(f"{len(val)} new validation stories ({sum(map(len, val.values()))} bodies), {len(train)} train stories "
          f"({sum(map(len, train.values()))} bodies)", file=sys.stderr)
    val_rows = [r for r in collect(val, train_b, nli, embedder, settings, lambda s: "validation")
                if r["id"] not in old_ids] if val else []
    dev_rows = ([r for r in collect(dev, dev_b, nli, embedder, settings, lambda s: "dev") if r["id"] not in old_ids]
                if dev else [])
    train_rows = ([r for r in collect(train, train_b, nli, embedder, settings, lambda s: "train")
                   if r["id"] not in old_ids] if train else [])
    print(f"pool: {len(val_rows)} validation pairs, {len(dev_rows)} new dev pairs, {len(train_rows)} train pairs",
          file=sys.stderr)
    drawn = (sample(val_rows, args.validation_pairs, rng) + sample(dev_rows, args.dev_pairs, rng)
             + sample(train_rows, args.train_pairs, rng))

    refs = write_reading(drawn, rng, args.out, args.slices, args.double, per=args.slice_size)
    per, n_second = args.slice_size, min(args.double, len(refs))
    print(f"wrote {len(refs)} refs to {args.out}; {math.ceil(len(refs) / per)} first slices, "
          f"{math.ceil(n_second / per)} second slices in {args.slices}", file=sys.stderr)


if __name__ == "__main__":
    main()
