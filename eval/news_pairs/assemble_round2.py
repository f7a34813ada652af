"""Merge the second round's readings (``draw_more.py``) into the committed label set and its card.

    python eval/news_pairs/assemble_round2.py --refs eval/news_pairs/pairs_round2.jsonl \
        --slices runs/annotation2/slices --labels-dir runs/annotation2/labels

A reader's file ``<reader>_<slice>.jsonl`` labels the slice ``<slice>.jsonl`` line by line; a file whose ids are
not a prefix of its slice's is refused, and a partly read slice contributes the pairs read so far. First readings
are appended to ``labels.jsonl`` (round one's records stay as they are); second readings are appended to
``second_reading.jsonl`` with ``"round": 2``; ``card.json`` gets the new counts and the round's kappa.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from factcheck.evaluation.news_pairs import LABELS, TYPES, card_counts, cohen_kappa, read_refs, write_refs


def readings(slices: Path, labels_dir: Path) -> tuple[dict, dict]:
    """First and second readings by pair id: (row, reader)."""
    first: dict[str, tuple[dict, str]] = {}
    second: dict[str, tuple[dict, str]] = {}
    for path in sorted(labels_dir.glob("*_*.jsonl")):
        reader, name = path.stem.split("_", 1)
        slice_path = slices / f"{name}.jsonl"
        ids = [json.loads(x)["id"] for x in slice_path.read_text(encoding="utf-8").splitlines() if x.strip()]
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        if [r.get("id") for r in rows] != ids[:len(rows)]:
            sys.exit(f"{path}: ids are not those of {slice_path.name} in order")
        for r in rows:
            if r.get("label") not in LABELS or r.get("type") not in TYPES:
                sys.exit(f"{path}: pair {r.get('id')}: label {r.get('label')!r} / type {r.get('type')!r} not allowed")
            (second if name.startswith("second") else first)[r["id"]] = (r, reader)
    return first, second


def kappa_block(pairs: list[tuple[dict, dict, str, str]]) -> dict:
    a = [x[0]["label"] for x in pairs]
    b = [x[1]["label"] for x in pairs]
    return {"pairs": len(pairs), "agreement": sum(x == y for x, y in zip(a, b)) / len(pairs),
            "kappa_3way": cohen_kappa(a, b),
            "kappa_contradiction_vs_rest": cohen_kappa([str(x == "contradiction") for x in a],
                                                       [str(x == "contradiction") for x in b]),
            "confusion": dict(Counter(f"{x} / {y}" for x, y in zip(a, b)).most_common()),
            "first_reader": dict(Counter(x[2] for x in pairs)), "second_readers": dict(Counter(x[3] for x in pairs))}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refs", type=Path, default=Path("eval/news_pairs/pairs_round2.jsonl"))
    ap.add_argument("--slices", type=Path, default=Path("runs/annotation2/slices"))
    ap.add_argument("--labels-dir", type=Path, default=Path("runs/annotation2/labels"))
    ap.add_argument("--out", type=Path, default=Path("eval/news_pairs"))
    ap.add_argument("--round", type=int, default=2)
    args = ap.parse_args(argv)
    first, second = readings(args.slices, args.labels_dir)
    old = [r for r in read_refs(args.out / "labels.jsonl")]
    new_ids = {r.id for r in read_refs(args.refs)}
    old = [r for r in old if r.id not in new_ids]  # re-running replaces round two's records
    round2 = [replace(r, label=first[r.id][0]["label"], type=first[r.id][0]["type"], annotator=first[r.id][1])
              for r in read_refs(args.refs) if r.id in first]
    write_refs(old + round2, args.out / "labels.jsonl")
    second_path = args.out / "second_reading.jsonl"
    kept = [x for x in second_path.read_text(encoding="utf-8").splitlines()
            if x.strip() and json.loads(x).get("round") != args.round]
    with open(second_path, "w", encoding="utf-8") as fh:
        fh.write("".join(x + "\n" for x in kept))
        for i in sorted(second):
            row, reader = second[i]
            fh.write(json.dumps({"id": i, "label": row["label"], "type": row["type"], "annotator": reader,
                                 "round": args.round}) + "\n")
    card = json.loads((args.out / "card.json").read_text(encoding="utf-8"))
    labelled = old + round2
    card["splits"] = card_counts(labelled)
    both = [(first[i][0], second[i][0], first[i][1], second[i][1]) for i in sorted(second) if i in first]
    card[f"round{args.round}"] = {"pairs_drawn": len(new_ids), "pairs_labelled": len(round2),
                      "by_split": dict(Counter(r.split for r in round2)),
                      "contradictions_by_split": dict(Counter(r.split for r in round2 if r.label == "contradiction")),
                      "double_reading": kappa_block(both) if both else None}
    (args.out / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card[f"round{args.round}"], indent=2))


if __name__ == "__main__":
    main()
