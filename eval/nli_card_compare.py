"""Before -> after tables from two `eval/nli_model_card.py` result JSONs (same split, two models).

    python eval/nli_card_compare.py runs/card_before.json eval/results/nli_default.json --out eval/results/nli_before_after.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _row(name: str, before: dict | None, after: dict | None, key: str = "accuracy") -> str:
    def fmt(m: dict | None) -> str:
        return "–" if m is None or m.get(key) is None else f"{m[key]:.3f}"

    delta = ""
    if before and after and before.get(key) is not None and after.get(key) is not None:
        delta = f"{after[key] - before[key]:+.3f}"
    n = (after or before or {}).get("n", "")
    return f"| {name} | {n} | {fmt(before)} | {fmt(after)} | {delta} |"


def compare(before: dict, after: dict) -> str:
    vb, va = before["validation"], after["validation"]
    lines = [f"# NLI model before -> after: `{before['model']['name']}` ({before['model'].get('revision')}) -> "
             f"`{after['model']['name']}` ({after['model'].get('revision')})", "",
             "## Validation split per source (accuracy; FEVER 2-way: entailment vs not)", "",
             "| source | n | before | after | change |", "|---|---:|---:|---:|---:|"]
    lines.append(_row("**all, single-label pairs**", vb["overall"], va["overall"]))
    lines.append(_row("**all, with FEVER 2-way**", {"accuracy": vb["overall"].get("accuracy_with_set_labels"),
                                                     "n": vb["overall"].get("n_with_set_labels")},
                      {"accuracy": va["overall"].get("accuracy_with_set_labels"),
                       "n": va["overall"].get("n_with_set_labels")}))
    for source in sorted(set(vb["per_source"]) | set(va["per_source"])):
        lines.append(_row(source, vb["per_source"].get(source), va["per_source"].get(source)))
    for key, title in [("synthetic_test", "Synthetic news test split"), ("modal_test", "'-able' pairs, held-out adjectives"),
                       ("syntax_test", "Syntactic rewordings, held-out articles"),
                       ("negation-forms_test", "Negation forms, held-out actions")]:
        if key not in before or key not in after:
            continue
        lines += ["", f"## {title}: contradiction rate per edit (one way argmax / two-way verdict)", "",
                  "| edit | gold | n | before | after |", "|---|---|---:|---:|---:|"]
        for edit, b in before[key]["per_edit"].items():
            a = after[key]["per_edit"].get(edit)
            if a is None:
                continue
            lines.append(f"| {edit} | {b['gold']} | {b['n']} | {b['contradiction_rate_one_way_argmax']:.3f} / "
                         f"{b['contradiction_rate_two_way_verdict']:.3f} | {a['contradiction_rate_one_way_argmax']:.3f} / "
                         f"{a['contradiction_rate_two_way_verdict']:.3f} |")
        fb = before[key]["false_contradiction_rate_meaning_preserving"]
        fa = after[key]["false_contradiction_rate_meaning_preserving"]
        lines += ["", f"False-contradiction rate on meaning-preserving pairs (n={fa['n']}): "
                  f"{fb['one_way_argmax']:.3f} / {fb['two_way_verdict']:.3f} -> "
                  f"{fa['one_way_argmax']:.3f} / {fa['two_way_verdict']:.3f}; 3-way accuracy "
                  f"{before[key]['overall']['accuracy']:.3f} -> {after[key]['overall']['accuracy']:.3f}."]
    if "mined_test" in before and "mined_test" in after:
        lines += ["", "## Mined cross-article pairs, held-out story clusters (one way argmax / two-way verdict)", "",
                  "| set | n | before | after |", "|---|---:|---:|---:|"]
        for name, b in before["mined_test"].items():
            a = after["mined_test"][name]
            lines.append(f"| {name} | {b['n']} | {b['contradiction_rate_one_way_argmax']:.3f} / "
                         f"{b['contradiction_rate_two_way_verdict']:.3f} | {a['contradiction_rate_one_way_argmax']:.3f} / "
                         f"{a['contradiction_rate_two_way_verdict']:.3f} |")
    if before.get("anli") and after.get("anli"):
        lines += ["", "## ANLI dev (evaluation only)", "", "| set | n | before | after |", "|---|---:|---:|---:|"]
        for name, b in before["anli"].items():
            lines.append(f"| {name} | {b['n']} | {b['accuracy']:.3f} | {after['anli'][name]['accuracy']:.3f} |")
    tb, ta = before["thresholds"], after["thresholds"]
    lines += ["", f"Thresholds (fitted on the validation split): contradiction {tb['contradiction']:.2f} -> "
              f"{ta['contradiction']:.2f}, agreement {tb['agreement']:.2f} -> {ta['agreement']:.2f}; F0.5 of "
              f"contradiction {tb['f05_contradiction_dev']:.3f} -> {ta['f05_contradiction_dev']:.3f}, F1 of agreement "
              f"{tb['f1_agreement_dev']:.3f} -> {ta['f1_agreement_dev']:.3f}.", ""]
    sb, sa = before["seed_pair"], after["seed_pair"]
    lines += ["Seed pair (000 'non-negotiable' vs 004 'can be negotiated'), P(contradiction): "
              f"000->004 {sb['000_to_004']['contradiction']:.3f} -> {sa['000_to_004']['contradiction']:.3f}, "
              f"004->000 {sb['004_to_000']['contradiction']:.3f} -> {sa['004_to_000']['contradiction']:.3f}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    text = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()))
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
