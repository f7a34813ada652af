"""Merge the readers' label files into the committed, by-reference label set and its data card.

    python eval/news_pairs/assemble.py --refs eval/news_pairs/pairs.jsonl --annotation runs/annotation \
        --assignment runs/hidden/assignment.json --out eval/news_pairs

Writes ``labels.jsonl`` (each pair's first reading: label, type, annotator), ``second_reading.jsonl`` (the
independent second reading of the doubly read pairs, by id) and ``card.json`` (counts by split, label and type;
Cohen's kappa on the doubly read pairs). A label file whose ids differ from its slice is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from factcheck.evaluation.news_pairs import LABELS, TYPES, card_counts, cohen_kappa, read_refs, write_refs


def read_labels(slice_path: Path) -> list[dict] | None:
    """The labels of one slice, checked against it; None when the reader has not written them yet."""
    path = slice_path.with_name(slice_path.stem + ".labels.jsonl")
    if not path.is_file():
        return None
    ids = [json.loads(line)["id"] for line in slice_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    got = [r.get("id") for r in rows]
    if len(got) < len(ids) and got == ids[:len(got)]:
        return None  # still being read
    if got != ids:
        sys.exit(f"{path}: ids differ from {slice_path.name} ({len(rows)} rows for {len(ids)} pairs)")
    for r in rows:
        if r.get("label") not in LABELS or r.get("type") not in TYPES:
            sys.exit(f"{path}: pair {r.get('id')}: label {r.get('label')!r} / type {r.get('type')!r} not allowed")
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refs", type=Path, default=Path("eval/news_pairs/pairs.jsonl"))
    ap.add_argument("--annotation", type=Path, default=Path("runs/annotation"))
    ap.add_argument("--assignment", type=Path, default=Path("runs/hidden/assignment.json"))
    ap.add_argument("--out", type=Path, default=Path("eval/news_pairs"))
    args = ap.parse_args(argv)
    assignment = json.loads(args.assignment.read_text(encoding="utf-8"))
    by_file: dict[str, list[dict]] = {}
    for a in assignment:
        by_file.setdefault(a["file"], []).append(a)
    first: dict[str, tuple[dict, str]] = {}
    second: dict[str, tuple[dict, str]] = {}
    missing = Counter()
    for file, items in sorted(by_file.items()):
        rows = read_labels(Path(file))
        if rows is None:
            missing[items[0]["reader"]] += len(items)
            continue
        for a, row in zip(items, rows):
            (first if a["round"] == "first" else second)[a["id"]] = (row, a["reader"])
    refs = read_refs(args.refs)
    labelled = []
    for r in refs:
        if r.id in first:
            row, reader = first[r.id]
            r = replace(r, label=row["label"], type=row["type"], annotator=reader)
        labelled.append(r)
    write_refs(labelled, args.out / "labels.jsonl")
    both = [(first[i][0], second[i][0], first[i][1], second[i][1]) for i in sorted(second) if i in first]
    with open(args.out / "second_reading.jsonl", "w", encoding="utf-8") as fh:
        for i in sorted(second):
            row, reader = second[i]
            fh.write(json.dumps({"id": i, "label": row["label"], "type": row["type"], "annotator": reader}) + "\n")
    card = {"pairs_drawn": len(refs), "pairs_labelled": sum(r.label is not None for r in labelled),
            "not_yet_labelled_by_reader": dict(missing), "splits": card_counts(labelled)}
    if both:
        a = [x[0]["label"] for x in both]
        b = [x[1]["label"] for x in both]
        binary_a = [x == "contradiction" for x in a]
        binary_b = [x == "contradiction" for x in b]
        card["double_reading"] = {
            "pairs": len(both),
            "agreement": sum(x == y for x, y in zip(a, b)) / len(both),
            "kappa_3way": cohen_kappa(a, b),
            "kappa_contradiction_vs_rest": cohen_kappa([str(x) for x in binary_a], [str(x) for x in binary_b]),
            "type_agreement_on_agreed_contradictions": (
                sum(x[0]["type"] == x[1]["type"] for x in both if x[0]["label"] == x[1]["label"] == "contradiction")
                / max(1, sum(x[0]["label"] == x[1]["label"] == "contradiction" for x in both))),
            "confusion": dict(Counter(f"{x} / {y}" for x, y in zip(a, b)).most_common()),
            "first_reader": dict(Counter(x[2] for x in both)), "second_readers": dict(Counter(x[3] for x in both)),
        }
    (args.out / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()
