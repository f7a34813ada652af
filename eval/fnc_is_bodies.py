"""Write the first N FNC-1 training bodies that mention the Islamic State, one text file each, for
`factcheck check` on a large set of related real news (the model card's "100 FNC-1 train bodies" section).

    python eval/fnc_is_bodies.py ../shared/data/news/fnc1_train_bodies.csv runs/fnc_is
    factcheck check runs/fnc_is --format json > runs/fnc_is.json
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bodies", type=Path, help="fnc1_train_bodies.csv (Body ID, articleBody)")
    parser.add_argument("out", type=Path, help="folder to write <Body ID>.txt files into")
    parser.add_argument("--phrase", default="Islamic State")
    parser.add_argument("-n", type=int, default=100)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    with args.bodies.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if args.phrase in row["articleBody"]:
                (args.out / f"{int(row['Body ID']):05d}.txt").write_text(row["articleBody"], encoding="utf-8")
                written += 1
                if written == args.n:
                    break
    print(f"wrote {written} bodies to {args.out}")


if __name__ == "__main__":
    main()
