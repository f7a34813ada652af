"""Injected changes inside lists: is one changed list item found, and do unchanged lists stay quiet?

Cases come from the news-pairs TRAIN stories only (the bodies that ``eval/news_pairs/labels.jsonl``
names in rows with ``split == "train"``; FNC-1 train bodies). The injection rules below were written
before any model score was looked at and are not tuned on the results.

Rules, fixed in advance:
- A list sentence (chosen without the checker's own list detector): 12-80 words, no quote marks or
  brackets, at least three parts split by ", ", the last part opening with "and"/"or" or holding
  " and " (so lists without an Oxford comma count too).
- The changed item is the first part after the first one (k >= 1) with at least three words where a
  rule applies, tried in this order: a number (a whole number 2-9999 that is not a year, times 3), a
  place (a name from ``PLACES`` swapped for its partner), a negated verb ("was" -> "was not" for an
  auxiliary), a different actor (a capitalised name inside the item, not its first word, swapped
  for "Norway"'s government: "the Norwegian government").
- The article is the list sentence with one sentence before and after it (a window, so ~60 cases
  run in minutes); the changed article is the same window with only the item changed.
- The control pairs the window with itself, one unchanged part of the same list reworded trivially
  (``TRIVIAL``: "said" -> "stated", "about" -> "around", "more than" -> "over", "also" -> "as well",
  "around" -> "about"); a case without such a word gets no control.
- One case per body, bodies in id order, until ``--n`` cases.

    PYTHONPATH=<tree> python eval/lists/inject.py run --data-dir ../shared/data --out runs/lists/after.json
    python eval/lists/inject.py score --run before=runs/lists/before.json --run after=runs/lists/after.json \
        --md eval/results/lists_s24.md --json eval/results/lists_s24.json

``run`` uses only ``factcheck.documents.document_from_text``, ``factcheck.sentences.split_sentences``
and ``factcheck.pipeline.check`` (with the models loaded once), so an older tree runs it too.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLACES = {
    "Syria": "Iraq", "Iraq": "Syria", "Iran": "Turkey", "Turkey": "Iran", "Russia": "Ukraine", "Ukraine": "Russia",
    "China": "Japan", "Japan": "China", "France": "Spain", "Spain": "France", "Germany": "Austria",
    "Austria": "Germany", "Britain": "Ireland", "Ireland": "Britain", "Israel": "Egypt", "Egypt": "Israel",
    "Gaza": "Beirut", "Beirut": "Gaza", "London": "Paris", "Paris": "London", "Washington": "Moscow",
    "Moscow": "Washington", "New York": "Chicago", "Chicago": "Boston", "Boston": "Chicago",
    "California": "Texas", "Texas": "California", "Florida": "Georgia", "Mexico": "Canada", "Canada": "Mexico",
    "Africa": "Asia", "Asia": "Africa", "Europe": "America", "Australia": "India", "India": "Pakistan",
    "Pakistan": "India", "Afghanistan": "Pakistan", "Nigeria": "Kenya", "Kenya": "Nigeria",
    "Liberia": "Guinea", "Guinea": "Liberia", "Sierra Leone": "Liberia", "Baghdad": "Mosul", "Mosul": "Baghdad",
    "Kobani": "Aleppo", "Aleppo": "Kobani", "Damascus": "Aleppo", "Yemen": "Oman", "Libya": "Tunisia",
}
TRIVIAL = [(r"\bsaid\b", "stated"), (r"\babout\b", "around"), (r"\bmore than\b", "over"), (r"\balso\b", "as well"),
           (r"\baround\b", "about")]
AUX = re.compile(r"\b(is|are|was|were|has|have|had|will|would|can|could)\b(?! not\b)")
NUMBER = re.compile(r"(?<![\d.,$£€])\b(\d{1,4})\b(?![.,]\d)")
WORDS = re.compile(r"[^\W_]+")


def train_bodies(data_dir: Path) -> dict[str, str]:
    """FNC-1 train bodies that the news-pairs train split names, by body id."""
    ids: set[str] = set()
    for line in (ROOT / "eval" / "news_pairs" / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == "train":
            ids.update((row["body_a"], row["body_b"]))
    csv.field_size_limit(10**8)
    with open(data_dir / "news" / "fnc1_train_bodies.csv", encoding="utf-8", newline="") as f:
        return {r["Body ID"]: r["articleBody"] for r in csv.DictReader(f) if r["Body ID"] in ids}


def list_parts(sentence: str) -> list[str] | None:
    """The ", "-split parts of a list sentence (rules above), or None."""
    n = len(WORDS.findall(sentence))
    if not 12 <= n <= 80 or re.search(r"[\"“”«»()\[\]]", sentence):
        return None
    parts = sentence.split(", ")
    if len(parts) < 3 or not (re.match(r"(and|or) ", parts[-1]) or " and " in parts[-1]):
        return None
    return parts


def edit_item(item: str) -> tuple[str, str] | None:
    """(kind, changed item) by the first rule that applies, or None."""
    if len(WORDS.findall(item)) < 3:
        return None
    for m in NUMBER.finditer(item):
        n = int(m.group(1))
        if 2 <= n <= 9999 and not 1900 <= n <= 2099:
            return "number", item[:m.start()] + str(n * 3) + item[m.end():]
    for place, other in PLACES.items():
        m = re.search(rf"\b{re.escape(place)}\b", item)
        if m:
            return "place", item[:m.start()] + other + item[m.end():]
    m = AUX.search(item)
    if m:
        return "negation", item[:m.end()] + " not" + item[m.end():]
    m = re.search(r"(?<=\s)[A-Z][a-z]{2,}(?:\s[A-Z][a-z]+)*", item)
    if m:
        return "actor", item[:m.start()] + "the Norwegian government" + item[m.end():]
    return None


def trivial(parts: list[str], skip: int) -> list[str] | None:
    for k, part in enumerate(parts):
        if k == skip:
            continue
        for pattern, repl in TRIVIAL:
            if re.search(pattern, part):
                return parts[:k] + [re.sub(pattern, repl, part, count=1)] + parts[k + 1:]
    return None


def build_cases(data_dir: Path, n: int) -> list[dict]:
    from factcheck.sentences import split_sentences

    cases = []
    bodies = train_bodies(data_dir)
    for body_id in sorted(bodies, key=int):
        text = bodies[body_id]
        sents = [s.text for s in split_sentences(text)]
        for k, sent in enumerate(sents):
            parts = list_parts(sent)
            if not parts:
                continue
            edit = next(((j, *e) for j in range(1, len(parts)) if (e := edit_item(parts[j]))), None)
            if edit is None:
                continue
            j, kind, changed = edit
            before, after = sents[max(0, k - 1):k], sents[k + 1:k + 2]
            window = " ".join(before + [sent] + after)
            edited = " ".join(before + [", ".join(parts[:j] + [changed] + parts[j + 1:])] + after)
            reworded = trivial(parts, j)
            cases.append({"body": body_id, "kind": kind, "sentence": sent, "item": parts[j], "changed": changed,
                          "original": window, "edited": edited,
                          "control": " ".join(before + [", ".join(reworded)] + after) if reworded else None})
            break
        if len(cases) >= n:
            break
    return cases


def run(args: argparse.Namespace) -> None:
    from factcheck.documents import document_from_text
    from factcheck.errors import InputError
    from factcheck.pipeline import CheckSettings, load_models, model_thresholds, run_check
    from dataclasses import replace

    cases = build_cases(Path(args.data_dir), args.n)
    nli, embedder, _ = load_models()
    settings = replace(CheckSettings(), thresholds=model_thresholds(nli))
    started = time.perf_counter()
    out = []
    for case in cases:
        row = {"body": case["body"], "kind": case["kind"]}
        for name in ("edited", "control"):
            if case[name] is None:
                continue
            # A given title: the window is one line, which a reader could take for its title.
            docs = [document_from_text(case["original"], id="a", source="a", title=f"body {case['body']}"),
                    document_from_text(case[name], id="b", source="b", title=f"body {case['body']}")]
            try:
                report = run_check(docs, embedder, nli, settings).to_dict()
            except InputError as exc:
                row[name] = {"error": str(exc)}
                continue
            found = [f for f in report["findings"] if f["label"] == "contradiction"]
            changed = case["changed"] if name == "edited" else None
            row[name] = {"claims": report["stats"]["claims"], "pairs": report["stats"]["pairs_scored"],
                         "contradictions": len(found),
                         "on_item": sum(1 for f in found if changed and any(
                             changed in (c.get("lead", "") + c["text"]) or (c.get("lead", "") + c["text"]) in changed
                             or c["text"] in case["edited"] and c["text"] not in case["original"] for c in f["claims"])),
                         "findings": [[c.get("lead", "") + c["text"] for c in f["claims"]] + [f["score"]] for f in found]}
        out.append(row)
    seconds = time.perf_counter() - started
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"cases": cases, "results": out, "seconds": round(seconds, 1)}, indent=1),
                              encoding="utf-8")
    print(f"{len(cases)} cases, {seconds:.0f} s")


def score(args: argparse.Namespace) -> None:
    runs = {}
    for spec in args.run:
        name, path = spec.split("=", 1)
        runs[name] = json.loads(Path(path).read_text(encoding="utf-8"))
    table = {}
    for name, r in runs.items():
        res = r["results"]
        kinds = sorted({x["kind"] for x in res})
        errors = sum("error" in x.get(k, {}) for x in res for k in ("edited", "control"))
        res = [x for x in res if "error" not in x["edited"]]
        edited = [x["edited"] for x in res]
        controls = [x["control"] for x in res if "control" in x and "error" not in x["control"]]
        table[name] = {
            "cases": len(res), "errors": errors, "found": sum(e["contradictions"] > 0 for e in edited),
            "found_on_item": sum(e["on_item"] > 0 for e in edited),
            "by_kind": {k: [sum(x["edited"]["contradictions"] > 0 for x in res if x["kind"] == k),
                            sum(x["kind"] == k for x in res)] for k in kinds},
            "controls": len(controls), "control_false_alarms": sum(c["contradictions"] > 0 for c in controls),
            "claims": sum(e["claims"] for e in edited), "pairs_scored": sum(e["pairs"] for e in edited),
            "pairs_scored_controls": sum(c["pairs"] for c in controls), "seconds": r["seconds"],
        }
    Path(args.json).write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    names = list(table)
    rows = [("injected changes found (any contradiction)", "found"), ("found on a claim holding the change", "found_on_item"),
            ("cases", "cases"), ("checks refused (input errors)", "errors"), ("controls (unchanged list, trivial rewording)", "controls"),
            ("false alarms on controls", "control_false_alarms"), ("claims (changed runs)", "claims"),
            ("NLI pairs scored (changed runs)", "pairs_scored"), ("NLI pairs scored (controls)", "pairs_scored_controls"),
            ("seconds (check only)", "seconds")]
    md = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    md += [f"| {label} | " + " | ".join(str(table[n][key]) for n in names) + " |" for label, key in rows]
    kinds = sorted({k for n in names for k in table[n]["by_kind"]})
    md += [f"| found: {k} | " + " | ".join("{}/{}".format(*table[n]["by_kind"].get(k, [0, 0])) for n in names) + " |"
           for k in kinds]
    print("\n".join(md))
    if args.md:
        head = Path(args.md).read_text(encoding="utf-8").split("<!-- table -->")[0] if Path(args.md).exists() else ""
        Path(args.md).write_text(head + "<!-- table -->\n" + "\n".join(md) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    r.add_argument("--out", required=True)
    r.add_argument("-n", type=int, default=60)
    r.add_argument("--list-cases", action="store_true", help="print the cases and stop (no models)")
    s = sub.add_parser("score")
    s.add_argument("--run", action="append", required=True)
    s.add_argument("--md")
    s.add_argument("--json", required=True)
    args = p.parse_args(argv)
    if args.cmd == "run" and args.list_cases:
        for c in build_cases(Path(args.data_dir), args.n):
            print(c["body"], c["kind"], "|", c["item"], "->", c["changed"], "| control" if c["control"] else "")
        return
    (run if args.cmd == "run" else score)(args)


if __name__ == "__main__":
    sys.exit(main())
