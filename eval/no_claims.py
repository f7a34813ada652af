"""Count the articles that end with no claims, through the product's readers and claim splitter.

Real articles (only ids and reasons are written, never their text):
- FNC-1 dev stories (``factcheck.evaluation.news_pairs.dev_stories``): every related body is an
  article, read as a JSON record ``{"id", "text"}`` (``document_from_record``, the reader behind
  .json/.jsonl files and batch clusters) and as a plain-text file (``read_documents``);
- the story-recall clusters (``eval/story_recall.py build``; not committed, built into runs/):
  each cluster folder read with ``read_documents`` as ``factcheck check FOLDER`` does;
- the 1,673 FNC-1 training bodies (news/fnc1_train_bodies.csv), read as JSON records.

An article with no claims is counted by its kind: empty, not in the NLI model's language, numbers
only, or "lost" (text that should have given a claim). Only "lost" is a fault.

    python eval/story_recall.py build --data-dir ../shared/data --out runs/story_recall -n 30
    python eval/no_claims.py --data-dir ../shared/data --story-recall runs/story_recall \
        --json eval/results/no_claims.after.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from factcheck.claims import extract_claim_set, no_claims_reason
from factcheck.documents import Document, document_from_record, read_documents
from factcheck.pipeline import CheckSettings


def _kind(doc: Document, claim_set) -> str:
    if not doc.text.strip():
        return "empty"
    if claim_set.foreign:
        return "not-in-model-language"
    if not re.search(r"[^\W\d_]{2,}", doc.text):
        return "numbers-only"
    return "lost"


def _count(docs: list[tuple[str, Document]], settings: CheckSettings) -> dict:
    kinds: Counter[str] = Counter()
    lost = []
    for where, doc in docs:
        cs = extract_claim_set(doc, min_words=settings.min_words, split_clauses=settings.split_clauses,
                               language=settings.nli_language)
        if cs.claims:
            continue
        reason = no_claims_reason(doc, cs)
        kind = _kind(doc, cs)
        kinds[kind] += 1
        if kind == "lost":
            lost.append({"article": where, "reason": reason})
    return {"articles": len(docs), "no_claims": sum(kinds.values()), "by_kind": dict(kinds), "lost": lost}


def fnc1(data_dir: Path, settings: CheckSettings) -> dict:
    from factcheck.evaluation.news_pairs import dev_stories, read_bodies  # eval script: not the product

    bodies = read_bodies(data_dir / "fnc1" / "fnc1_dev_bodies.csv")
    stories = dev_stories(data_dir)
    members = sorted({b for m in stories.values() for b in m}, key=int)
    as_record = [(f"body {b}", document_from_record({"id": b, "text": bodies[b]}, f"body {b}", b)) for b in members]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for b in members:
            path = Path(tmp) / f"{int(b):05d}.txt"
            path.write_text(bodies[b], encoding="utf-8")
            paths.append(path)
        as_file = [(f"body {p.stem}", d) for p, d in zip(paths, read_documents(paths))]
    return {"stories": len(stories), "record": _count(as_record, settings), "txt": _count(as_file, settings)}


def fnc1_train(path: Path, settings: CheckSettings) -> dict:
    from factcheck.evaluation.news_pairs import read_bodies

    bodies = read_bodies(path)
    return _count([(f"body {b}", document_from_record({"id": b, "text": t}, f"body {b}", b))
                   for b, t in bodies.items()], settings)


def story_recall(folder: Path, settings: CheckSettings) -> dict:
    clusters = sorted(d for d in folder.iterdir() if d.is_dir())
    docs = [(f"{c.name}/{d.id}", d) for c in clusters for d in read_documents([c])]
    return {"clusters": len(clusters), **_count(docs, settings)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--story-recall", type=Path, help="folder built by eval/story_recall.py build")
    ap.add_argument("--json", type=Path, help="write the counts here")
    args = ap.parse_args(argv)
    settings = CheckSettings()
    out: dict = {"settings": {"min_words": settings.min_words, "language": settings.nli_language}}
    if (args.data_dir / "fnc1" / "fnc1_dev_bodies.csv").exists():
        out["fnc1_dev"] = fnc1(args.data_dir, settings)
    else:
        out["fnc1_dev"] = "absent: no fnc1/fnc1_dev_bodies.csv under --data-dir"
    train = args.data_dir / "news" / "fnc1_train_bodies.csv"
    out["fnc1_train"] = fnc1_train(train, settings) if train.exists() else f"absent: no {train.name}"
    if args.story_recall and args.story_recall.is_dir():
        out["story_recall"] = story_recall(args.story_recall, settings)
    else:
        out["story_recall"] = "not given: build it with eval/story_recall.py build"
    text = json.dumps(out, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
