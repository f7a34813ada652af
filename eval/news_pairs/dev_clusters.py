"""Write N FNC-1 dev story clusters of 5-8 bodies as folders of text files, for `factcheck check` before/after.

    python eval/news_pairs/dev_clusters.py --data-dir ../shared/data --out runs/dev10 -n 10
    for d in runs/dev10/*/; do factcheck check "$d" --format json > "${d%/}.json"; done
"""

from __future__ import annotations

import argparse
from pathlib import Path

from factcheck.evaluation.news_pairs import dev_stories, read_bodies


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("-n", type=int, default=10)
    args = ap.parse_args(argv)
    bodies = read_bodies(args.data_dir / "fnc1" / "fnc1_dev_bodies.csv")
    chosen = [(s, m) for s, m in dev_stories(args.data_dir).items() if 5 <= len(m) <= 8][: args.n]
    for story, members in chosen:
        folder = args.out / story
        folder.mkdir(parents=True, exist_ok=True)
        for b in members:
            (folder / f"{int(b):05d}.txt").write_text(bodies[b], encoding="utf-8")
        print(story, len(members))


if __name__ == "__main__":
    main()
