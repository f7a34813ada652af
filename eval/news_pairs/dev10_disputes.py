"""Ten FNC-1 dev clusters: the findings a reader checks before, the disputes after, each pair with its label.

    python eval/news_pairs/dev_clusters.py --out runs/dev10 -n 10
    PYTHONPATH=<tree> python eval/story_recall.py run --clusters runs/dev10 --out runs/dev10_<tag>
    python eval/news_pairs/dev10_disputes.py --before runs/dev10_before --after runs/dev10_after \
        --extra eval/news_pairs/dev10_extra_labels.jsonl --md eval/results/dev10_disputes.md [--unread F]

Labels come from the blind readers' file (matched by body ids and offsets, either order), else from
``--extra`` (pairs read for this table, by key; the annotator is recorded there). Pairs are named
body:start-end, no article text.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from factcheck.evaluation.news_pairs import read_refs


def key(x: tuple, y: tuple) -> str:
    return "|".join(f"{b}:{s}-{e}" for b, s, e in sorted([x, y]))


def side(claim: dict, ids: dict[str, str]) -> tuple:
    return (ids[claim["article"]], claim["start"], claim["end"])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, required=True)
    ap.add_argument("--labels", type=Path, default=Path("eval/news_pairs/labels.jsonl"))
    ap.add_argument("--extra", type=Path)
    ap.add_argument("--unread", type=Path, help="write unread pairs (with text, for reading; not committed)")
    ap.add_argument("--md", type=Path, required=True)
    args = ap.parse_args(argv)
    known = {key((r.body_a, r.start_a, r.end_a), (r.body_b, r.start_b, r.end_b)): (r.label, r.annotator)
             for r in read_refs(args.labels)}
    if args.extra and args.extra.is_file():
        for line in args.extra.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                known.setdefault(r["id"], (r["label"], r["annotator"]))
    unread: dict[str, dict] = {}

    def label(f: dict, ids: dict) -> str:
        a, b = f["claims"]
        k = key(side(a, ids), side(b, ids))
        if k not in known:
            unread[k] = {"id": k, "a": a["text"], "b": b["text"]}
            return "unread"
        return known[k][0]

    lines = ["# Ten FNC-1 dev story clusters: findings before → disputes after", "",
             "Before: the tree at the start of this work (stage-5 model, contradiction ≥ 0.89, pair list). After: "
             "the same model and threshold with the story view (time check, language ID, fact lines, lexical pairs, "
             "disputes). Labels: the blind readers' (eval/news_pairs/labels.jsonl) or, for pairs they never read, "
             "`dev10_extra_labels.jsonl` (annotator recorded there). Items to check: a reader of the pair list "
             "checks each finding; a reader of the story view checks each dispute.", "",
             "| cluster | articles | findings before (real) | findings after (real) | disputes after (real) |",
             "|---|---:|---:|---:|---:|"]
    detail = []
    totals = [0, 0, 0, 0, 0, 0]
    for path in sorted(args.before.glob("*.json")):
        if path.name == "timing.json":
            continue
        rb = json.loads(path.read_text(encoding="utf-8"))["report"]
        ra = json.loads((args.after / path.name).read_text(encoding="utf-8"))["report"]
        ids = {a["id"]: Path(a["source"]).stem.lstrip("0") or "0" for a in rb["articles"] + ra["articles"]}
        fb = [f for f in rb["findings"] if f["label"] == "contradiction"]
        fa = [f for f in ra["findings"] if f["label"] == "contradiction"]
        lb = [label(f, ids) for f in fb]
        la = [label(f, ids) for f in ra["findings"]]
        disputes = ra.get("disputes") or []
        # A dispute is real when one of its findings is a real contradiction.
        dreal = sum(any(la[k] == "contradiction" for k in d["findings"]) for d in disputes)
        cluster = path.stem
        row = [len(fb), lb.count("contradiction"), len(fa), sum(la[k] == "contradiction" for k, f in enumerate(ra["findings"])
                                                                if f["label"] == "contradiction"), len(disputes), dreal]
        totals = [t + r for t, r in zip(totals, row)]
        lines.append(f"| {cluster} | {len(ra['articles'])} | {row[0]} ({row[1]}) | {row[2]} ({row[3]}) | {row[4]} ({row[5]}) |")
        for f, lab in zip(fb, lb):
            a, b = f["claims"]
            detail.append(f"- before {cluster} {f['score']:.3f} [{lab}] {key(side(a, ids), side(b, ids))}")
        for d in disputes:
            labs = [la[k] for k in d["findings"]]
            sides = " vs ".join("+".join(ids[x] for x in s["articles"]) for s in d["sides"])
            detail.append(f"- after {cluster} {d['id']} score {d['score']:.3f}: {sides}; silent "
                          f"{'+'.join(ids[x] for x in d['silent']) or '-'}; findings {labs}")
    lines.append(f"| all | | {totals[0]} ({totals[1]}) | {totals[2]} ({totals[3]}) | {totals[4]} ({totals[5]}) |")
    lines += ["", f"Unread pairs left: {len(unread)}.", "", "## Every finding before and every dispute after", ""] + detail
    args.md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if args.unread:
        args.unread.write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in unread.values()), encoding="utf-8")


if __name__ == "__main__":
    main()
