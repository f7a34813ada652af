"""Merge the readings of the rival-outlet pairs into ``eval/outlets/pairs.jsonl`` and write its data card.

    python eval/outlets/assemble.py --refs eval/outlets/pairs.jsonl --slices runs/outlets/reading/slices \
        --labels-dir runs/outlets/reading/labels --intended runs/outlets/reading/hidden/intended.jsonl

First readings become the pairs' labels (unread pairs stay unlabelled); second readings go to
``second_reading.jsonl`` and give kappa. The card (``card.json``) also holds the artifact checks of #23: the share
of claims with a negation word per label, and a one-side baseline, a classifier that sees only the written
article's claim (never the original's), which must stay near chance; and how many of the writers' listed
disagreements were aligned and read as contradictions.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "news_pairs"))

from assemble_round2 import kappa_block, readings  # noqa: E402

from factcheck.evaluation.news_pairs import (load_news_pairs, read_articles, read_bodies, read_refs, sha,  # noqa: E402
                                             write_refs)
from factcheck.training.authored import has_negation  # noqa: E402


def one_side_baseline(texts: list[str], labels: list[str], groups: list[str]) -> dict:
    """TF-IDF 1-2 grams + logistic regression on the written side only, 5 folds grouped by story."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    y = np.array([lab == "contradiction" for lab in labels])
    prob = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=5).split(texts, y, groups):
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        clf = LogisticRegression(max_iter=2000, class_weight="balanced")
        clf.fit(vec.fit_transform([texts[i] for i in tr]), y[tr])
        prob[te] = clf.predict_proba(vec.transform([texts[i] for i in te]))[:, 1]
    return {"features": "one claim only (the side the key names): TF-IDF 1-2 grams, logistic regression (balanced), "
                        "5 folds grouped by story", "pairs": len(y),
            "contradiction_vs_rest_auc": round(float(roc_auc_score(y, prob)), 4), "chance_auc": 0.5}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refs", type=Path, default=Path("eval/outlets/pairs.jsonl"))
    ap.add_argument("--articles", type=Path, nargs="+", default=[Path("eval/outlets/articles.jsonl")],
                    help="the written articles the pairs take sides from (round 3 needs rounds 1 and 2's)")
    ap.add_argument("--slices", type=Path, default=Path("runs/outlets/reading/slices"))
    ap.add_argument("--labels-dir", type=Path, default=Path("runs/outlets/reading/labels"))
    ap.add_argument("--intended", type=Path, default=Path("runs/outlets/reading/hidden/intended.jsonl"),
                    help="the writers' listed disagreements; 'none' for a round with no new writing")
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("eval/outlets"))
    args = ap.parse_args(argv)

    first, second = readings(args.slices, args.labels_dir)
    refs = [replace(r, label=first[r.id][0]["label"], type=first[r.id][0]["type"], annotator=first[r.id][1])
            if r.id in first else r for r in read_refs(args.refs)]
    write_refs(refs, args.refs)
    both = [(first[i][0], second[i][0], first[i][1], second[i][1]) for i in second if i in first]
    with open(args.out / "second_reading.jsonl", "w", encoding="utf-8") as fh:
        for i, (row, reader) in sorted(second.items()):
            fh.write(json.dumps({"id": i, "label": row["label"], "type": row["type"], "annotator": reader}) + "\n")

    articles = {k: v for path in args.articles for k, v in read_articles(path).items()}
    pairs = load_news_pairs(args.refs, args.data_dir, splits=("train",), articles=articles)
    labelled = [p for p in pairs if p.ref.label]
    written = [p.b if p.ref.body_b in articles else p.a for p in labelled]
    labels = [p.ref.label for p in labelled]
    kind = ["written/written" if p.ref.body_a in articles and p.ref.body_b in articles else "original/written"
            for p in labelled]
    by_kind = {k: dict(Counter(p.ref.label for p, pk in zip(labelled, kind) if pk == k)) for k in sorted(set(kind))}
    negation = {lab: round(sum(has_negation(p.a) or has_negation(p.b) for p in labelled if p.ref.label == lab)
                           / max(1, labels.count(lab)), 3) for lab in ("contradiction", "compatible", "unclear")}

    mixed = [p for p, pk in zip(labelled, kind) if pk == "original/written"]

    # The writers' listed disagreements: aligned (the pair holds both sentences) and read as contradiction.
    intended = [] if str(args.intended) == "none" else [
        json.loads(x) for x in args.intended.read_text(encoding="utf-8").splitlines() if x.strip()]
    originals = read_bodies(args.data_dir / "news" / "fnc1_train_bodies.csv")
    listed = aligned = found = 0
    for art in intended:
        for d in art["disagreements"]:
            listed += 1
            d = dict(d, original=_original(d.get("original"), originals))
            hits = [p for p in labelled if art["id"] in (p.ref.body_a, p.ref.body_b)
                    and _overlaps(d.get("article", ""), p.b if p.ref.body_b == art["id"] else p.a)
                    and _overlaps(d.get("original", ""), p.a if p.ref.body_b == art["id"] else p.b)]
            aligned += bool(hits)
            found += any(p.ref.label == "contradiction" for p in hits)

    card = {"pairs": len(refs), "read": len(labelled), "stories": len({p.ref.story for p in labelled}),
            "articles": len(articles), "writers": dict(Counter(json.loads(x)["writer"] for path in args.articles
                                                    for x in path.read_text(encoding="utf-8").splitlines() if x.strip())),
            "labels": dict(Counter(labels)), "types_of_contradictions": dict(Counter(
                p.ref.type for p in labelled if p.ref.label == "contradiction")),
            "by_pair_kind": by_kind, "readers": dict(Counter(p.ref.annotator for p in labelled)),
            "second_reading": kappa_block(both) if both else None,
            "negation_share": negation,
            "one_side_baseline": {
                "written_side_all_pairs": one_side_baseline(written, labels, [p.ref.story for p in labelled]),
                # On the original/written pairs, the same test on each side: the original is real news, so what
                # its side alone predicts is the domain's (claims with figures and dates clash more), not the writers'.
                "written_side_original_pairs": one_side_baseline(
                    [w for w, pk in zip(written, kind) if pk == "original/written"],
                    [p.ref.label for p in mixed], [p.ref.story for p in mixed]),
                "original_side_original_pairs": one_side_baseline(
                    [p.a if p.ref.body_a not in articles else p.b for p in mixed],
                    [p.ref.label for p in mixed], [p.ref.story for p in mixed]),
                "real_train_pairs_one_side": real_one_side(args.data_dir)},
            "intended_disagreements": {"listed": listed, "aligned": aligned, "read_as_contradiction": found}}
    (args.out / "card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card, indent=2))


def real_one_side(data_dir: Path) -> dict:
    """The same one-side test on the read real train pairs (one side drawn at random): the domain's baseline."""
    import random

    pairs = load_news_pairs(Path("eval/news_pairs/labels.jsonl"), data_dir, splits=("train",))
    rng = random.Random(0)
    return one_side_baseline([p.a if rng.random() < 0.5 else p.b for p in pairs], [p.ref.label for p in pairs],
                             [p.ref.story for p in pairs])


def _original(ref, bodies: dict[str, str]) -> str:
    """The original's words a writer quoted: committed by reference (body, offsets, hash), never as text."""
    if isinstance(ref, str) or not ref:  # the writers' own files, before the reference was taken
        return ref or ""
    text = bodies[ref["body"]][ref["start"]:ref["end"]]
    if sha(text) != ref["sha"]:
        raise SystemExit(f"intended disagreement: body {ref['body']} {ref['start']}-{ref['end']} does not match its hash")
    return text


def _overlaps(sentence: str, claim: str) -> bool:
    """The claim is (part of) the sentence, or the sentence part of the claim: 60% of the shorter's words shared."""
    a, b = set(sentence.lower().split()), set(claim.lower().split())
    return bool(a and b) and len(a & b) >= 0.6 * min(len(a), len(b))


if __name__ == "__main__":
    main()
