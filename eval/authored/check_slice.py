"""Check an authored slice's format and its shares of labels and negation words; never judges a label.

    python eval/authored/check_slice.py runs/authoring/out/writer1.jsonl [--premises runs/authoring/slices/writer1.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

LABELS = {"c": "contradiction", "k": "compatible", "u": "unclear"}
FAMILIES = {
    "c_denial", "c_hoax", "c_number", "c_date", "c_place", "c_person", "c_roles", "c_negated", "c_modality",
    "c_outcome", "k_negparaphrase", "k_denialsyn", "k_hedged", "k_reltime", "k_attribution", "k_vague",
    "k_detail", "k_paraphrase", "u_otherfact", "k_otherfact",
}
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from factcheck.training.authored import has_negation  # noqa: E402  (one word list for the guide, the card and the mix)


def check(path: Path, premises: set[str] | None = None) -> tuple[list[str], Counter, Counter]:
    """Format problems, label counts and negated-hypothesis counts per label."""
    problems: list[str] = []
    labels: Counter = Counter()
    negated: Counter = Counter()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{path}:{n}: not JSON ({e.msg})")
            continue
        missing = {"premise", "hypothesis", "label", "family"} - set(obj)
        if missing:
            problems.append(f"{path}:{n}: missing {sorted(missing)}")
            continue
        fam, label = obj["family"], obj["label"]
        if fam not in FAMILIES:
            problems.append(f"{path}:{n}: unknown family {fam!r}")
        elif LABELS[fam[0]] != label:
            problems.append(f"{path}:{n}: family {fam} does not go with label {label!r}")
        if premises is not None and obj["premise"] not in premises:
            problems.append(f"{path}:{n}: premise {obj['premise']!r} is not in the slice")
        words = len(str(obj["hypothesis"]).split())
        if not 4 <= words <= 60:
            problems.append(f"{path}:{n}: hypothesis of {words} words")
        labels[label] += 1
        negated[label] += has_negation(obj["hypothesis"])
    return problems, labels, negated


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--premises", type=Path, help="the slice, to check that every premise id is in it")
    args = ap.parse_args(argv)
    ids = None
    if args.premises:
        ids = {json.loads(x)["id"] for x in args.premises.read_text(encoding="utf-8").splitlines() if x.strip()}
    problems, labels, negated = check(args.file, ids)
    for p in problems[:30]:
        print(p)
    total = sum(labels.values())
    print(f"{total} lines, {len(problems)} problems")
    for label in ("contradiction", "compatible", "unclear"):
        n = labels[label]
        print(f"  {label}: {n} ({n / max(1, total):.0%}), with a negation word {negated[label] / max(1, n):.0%}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
