"""Every finding of `factcheck check --format json` reports on the ten dev clusters, with the readers' label
where the pair was read (matched by body ids and offsets, either order); unread pairs are listed for reading.

    python eval/news_pairs/findings_table.py runs/dev10 --tag before [--tag after] [--unread runs/dev10_unread.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from factcheck.evaluation.news_pairs import read_refs


def key(body_a: str, sa: int, ea: int, body_b: str, sb: int, eb: int) -> tuple:
    return tuple(sorted([(str(body_a), sa, ea), (str(body_b), sb, eb)]))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--tag", action="append", required=True)
    ap.add_argument("--labels", type=Path, default=Path("eval/news_pairs/labels.jsonl"))
    ap.add_argument("--extra-labels", type=Path, action="append", default=[],
                    help="labels of pairs read for this table (id = key string); repeat for several files")
    ap.add_argument("--unread", type=Path)
    ap.add_argument("--no-text", action="store_true", help="name pairs by body:offsets only (for committing)")
    args = ap.parse_args(argv)
    known = {key(r.body_a, r.start_a, r.end_a, r.body_b, r.start_b, r.end_b): r.label for r in read_refs(args.labels)}
    extra = {}
    for path in args.extra_labels:
        if path.is_file():
            extra.update({json.loads(l)["id"]: json.loads(l)["label"] for l in path.read_text().splitlines() if l.strip()})
    unread, summary = {}, {}
    for tag in args.tag:
        rows = []
        for f in sorted(args.folder.glob(f"*.{tag}.json")):
            report = json.loads(f.read_text(encoding="utf-8"))
            ids = {a["id"]: Path(a["source"]).stem.lstrip("0") or "0" for a in report["articles"]}
            for fd in report["findings"]:
                a, b = fd["claims"]
                k = key(ids[a["article"]], a["start"], a["end"], ids[b["article"]], b["start"], b["end"])
                kid = "|".join(f"{x}:{s}-{e}" for x, s, e in k)
                label = known.get(k) or extra.get(kid)
                if label is None:
                    unread[kid] = {"id": kid, "a": a["text"], "b": b["text"]}
                rows.append({"cluster": f.name.split(".")[0], "score": fd["score"], "label": label,
                             "a": kid.split("|")[0] if args.no_text else a["text"],
                             "b": kid.split("|")[1] if args.no_text else b["text"]})
        summary[tag] = rows
        real = sum(r["label"] == "contradiction" for r in rows)
        print(f"{tag}: {len(rows)} findings, {real} real, {sum(r['label'] is None for r in rows)} unread")
    for tag, rows in summary.items():
        print(f"\n## {tag}")
        for r in rows:
            print(f"- {r['cluster']} {r['score']:.3f} [{r['label']}] {r['a'][:110]!r} / {r['b'][:110]!r}")
    if args.unread:
        args.unread.write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in unread.values()), encoding="utf-8")


if __name__ == "__main__":
    main()
