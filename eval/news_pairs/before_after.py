"""The news-pairs before -> after table from `factcheck eval --preset news-pairs` JSON reports.

    python eval/news_pairs/before_after.py eval/results/news_pairs_dev.stage5.json:"stage 5 @ 0.76 (before)" \
        eval/results/news_pairs_dev.json:"stage 5 @ 0.89 (shipped)" ... > eval/results/news_pairs_before_after.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEYS = ("reported", "precision", "recall", "f0.5", "pr_auc", "precision@10", "precision@50", "precision@100")


def cell(m: dict, ci: dict, key: str) -> str:
    v = m.get(key)
    if key == "reported":
        return f"{int(v)} ({int(m['true_reported'])} real)"
    if v is None or v != v:
        return "n/a"
    lo, hi = ci.get(key, (None, None))
    return f"{v:.3f} [{lo:.2f}, {hi:.2f}]" if lo is not None and lo == lo else f"{v:.3f}"


def main(argv: list[str]) -> None:
    runs = []
    for arg in argv:
        path, _, name = arg.partition(":")
        runs.append((name or Path(path).stem, json.loads(Path(path).read_text(encoding="utf-8"))))
    split = runs[0][1]["split"]
    first = runs[0][1]
    print(f"### news-pairs {split}: {first['n']} pairs, {first['stories']} stories, gold {first['labels']}\n")
    print("| model @ contradiction threshold | " + " | ".join(KEYS) + " |")
    print("|---|" + "---|" * len(KEYS))
    for name, r in runs:
        print(f"| {name} | " + " | ".join(cell(r["metrics"], r["ci95"], k) for k in KEYS) + " |")
    print("\nPer type (contradictions found / false alarms):\n")
    types = list(first["per_type"])
    print("| model | " + " | ".join(f"{t} ({first['per_type'][t]['contradictions']})" for t in types) + " |")
    print("|---|" + "---|" * len(types))
    for name, r in runs:
        print(f"| {name} | " + " | ".join(f"{r['per_type'][t]['found']} / {r['per_type'][t]['false_alarms']}" for t in types) + " |")
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
