"""Assemble the authored set from the writers' files, write its card, the artifact checks and the second reading.

    python eval/authored/assemble.py collect --writers runs/authoring/out --second runs/authoring/second
    python eval/authored/assemble.py card --second-labels runs/authoring/second_labels

``collect`` checks every line, drops exact duplicates and lines that repeat their premise, numbers the pairs
(``a000001``...), names the author of each and writes ``authored.jsonl`` (hypotheses are the project's own
writing; premises stay by reference in ``premises.jsonl``). It also draws the blind second reading: a seeded 10%
of the pairs, sides shuffled, as reading slices with no label or family. ``card`` counts by family and label,
computes the second reading's kappa per family, the negation share per label and the hypothesis-only baseline,
and writes ``card.json`` and ``CARD.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_slice import FAMILIES, LABELS, has_negation  # noqa: E402

from factcheck.evaluation.news_pairs import cohen_kappa  # noqa: E402
from factcheck.training.authored import load_authored  # noqa: E402

HERE = Path(__file__).resolve().parent
# Revised after the blind second reading: the guide's "unclear: a different fact of the same story" is the reading
# guideline's rule 1 "compatible" (two facts that fit one story); readers read 97% of them so. Label and family
# change, the written label stays in ``written_as``.
REVISED = {"u_otherfact": ("compatible", "k_otherfact")}
AUTHORS = "writer{n}: LLM helper session (Claude) of the founding engineers' session, from eval/authored/GUIDE.md"


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def capped(rows: list[dict], cap: int, dropped: Counter) -> list[dict]:
    """At most ``cap`` hypotheses per premise (the guide's 2-4): taken round-robin over the labels in writing
    order, so a premise keeps its mix of labels."""
    by: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by[r["premise"]][r["label"]].append(r)
    keep = set()
    for labels in by.values():
        queues = [list(labels[k]) for k in ("contradiction", "compatible", "unclear") if labels.get(k)]
        taken = 0
        while taken < cap and any(queues):
            for q in queues:
                if q and taken < cap:
                    keep.add(id(q.pop(0)))
                    taken += 1
    out = [r for r in rows if id(r) in keep]
    dropped["over the per-premise cap"] += len(rows) - len(out)
    return out


def collect(args: argparse.Namespace) -> None:
    premises = {json.loads(x)["id"]: json.loads(x) for x in (HERE / "premises.jsonl").read_text().splitlines()}
    from factcheck.training.authored import premise_texts

    texts = premise_texts(HERE / "premises.jsonl", args.data_dir)
    rows, seen, dropped = [], set(), Counter()
    for path in sorted(Path(args.writers).glob("writer*.jsonl"), key=lambda p: int(p.stem[6:])):
        author = path.stem
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                hyp, label, fam, pid = str(r["hypothesis"]).strip(), r["label"], r["family"], r["premise"]
            except (ValueError, KeyError, TypeError):
                dropped["not a record"] += 1
                continue
            if fam not in FAMILIES or LABELS[fam[0]] != label or fam == "k_otherfact":
                dropped["family/label"] += 1
                continue
            if pid not in premises:
                dropped["unknown premise"] += 1
                continue
            if _norm(hyp) == _norm(texts[pid][1]):
                dropped["repeats its premise"] += 1
                continue
            if (pid, _norm(hyp)) in seen:
                dropped["duplicate"] += 1
                continue
            seen.add((pid, _norm(hyp)))
            row = {"premise": pid, "hypothesis": hyp, "label": label, "family": fam, "author": author}
            if fam in REVISED:
                row.update(label=REVISED[fam][0], family=REVISED[fam][1], written_as=f"{label}/{fam}")
            rows.append(row)
    rows = capped(rows, args.per_premise, dropped)
    for r in rows:  # ids from the content: a later, larger collect keeps every id
        r["id"] = "a" + hashlib.sha256(f"{r['premise']}|{r['hypothesis']}".encode()).hexdigest()[:11]
    out = HERE / "authored.jsonl"
    keys = ("id", "premise", "hypothesis", "label", "family", "author", "written_as")
    out.write_text("".join(json.dumps({k: r[k] for k in keys if k in r}, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    print(f"{len(rows)} pairs -> {out}; dropped {dict(dropped)}", file=sys.stderr)
    (HERE / "collect.json").write_text(json.dumps({"pairs": len(rows), "dropped": dict(dropped)}, indent=1) + "\n")

    if not args.second:
        return
    rng = random.Random(args.seed)
    chosen = sorted(rng.sample(range(len(rows)), round(len(rows) * args.fraction)))
    rng.shuffle(chosen)
    second = Path(args.second)
    second.mkdir(parents=True, exist_ok=True)
    for n in range(0, len(chosen), args.slice_size):
        items = []
        for j in chosen[n:n + args.slice_size]:
            a, b = texts[rows[j]["premise"]][1], rows[j]["hypothesis"]
            if rng.random() < 0.5:
                a, b = b, a
            items.append({"id": rows[j]["id"], "a": a, "b": b})
        (second / f"second{n // args.slice_size + 1:02d}.jsonl").write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), encoding="utf-8")
    print(f"second reading: {len(chosen)} pairs in {second}", file=sys.stderr)


def hypothesis_only(pairs, seed: int = 0) -> dict:
    """A classifier that never sees the premise: TF-IDF words and bigrams + logistic regression, 5 folds grouped by
    story. Near chance means the hypotheses alone do not give the label away."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, roc_auc_score
    from sklearn.model_selection import GroupKFold

    x = [p.hypothesis for p in pairs]
    y = np.array([p.label for p in pairs])
    groups = [p.story for p in pairs]
    pred = np.empty(len(y), dtype=object)
    prob_c = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=5).split(x, y, groups):
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        clf = LogisticRegression(max_iter=2000, C=1.0)
        clf.fit(vec.fit_transform([x[i] for i in tr]), y[tr])
        xt = vec.transform([x[i] for i in te])
        pred[te] = clf.predict(xt)
        prob_c[te] = clf.predict_proba(xt)[:, list(clf.classes_).index("contradiction")]
    majority = Counter(y).most_common(1)[0]
    return {"features": "hypothesis only: TF-IDF 1-2 grams, logistic regression, 5 folds grouped by story",
            "accuracy": round(float((pred == y).mean()), 4),
            "majority_class": majority[0], "majority_accuracy": round(majority[1] / len(y), 4),
            "macro_f1": round(float(f1_score(y, pred.astype(str), average="macro")), 4),
            "chance_macro_f1_uniform": round(1 / 3, 4),
            "contradiction_vs_rest_auc": round(float(roc_auc_score(y == "contradiction", prob_c)), 4)}


def _cv_probs(x, y, groups, seed: int):
    """Out-of-fold probabilities of a hypothesis-only model (5 folds by story, shuffled by ``seed``): of the gold
    label, and of contradiction."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    stories = sorted(set(groups))
    order = {s: i for i, s in enumerate(np.random.default_rng(seed).permutation(stories))}
    fold = np.array([order[s] % 5 for s in groups])
    gold, contra = np.zeros(len(y)), np.zeros(len(y))
    for k in range(5):
        tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        clf = LogisticRegression(max_iter=2000).fit(vec.fit_transform(x[tr]), y[tr])
        pr = clf.predict_proba(vec.transform(x[te]))
        cls = list(clf.classes_)
        gold[te] = pr[np.arange(len(te)), [cls.index(t) for t in y[te]]]
        contra[te] = pr[:, cls.index("contradiction")]
    return gold, contra


def train_filter(args: argparse.Namespace) -> None:
    """Adversarial filtering (as AFLite, one round): drop the pairs whose label a hypothesis-only model predicts
    from the hypothesis alone (mean out-of-fold probability of the gold label over three shufflings >= tau), then
    measure a fresh hypothesis-only model on what is kept. The kept ids train the judge; nothing is relabelled."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    pairs = load_authored(HERE / "authored.jsonl", HERE / "premises.jsonl", args.data_dir)
    x = np.array([p.hypothesis for p in pairs], dtype=object)
    y = np.array(["contradiction" if p.label == "contradiction" else "not_contradiction" for p in pairs])
    g = [p.story for p in pairs]
    easy = np.mean([_cv_probs(x, y, g, seed)[0] for seed in range(3)], axis=0)
    keep = np.where(easy < args.tau)[0]

    def measure(idx, seed):
        gold, contra = _cv_probs(x[idx], y[idx], [g[i] for i in idx], seed)
        yk = y[idx]
        return {"pairs": int(len(idx)), "contradictions": int((yk == "contradiction").sum()),
                "accuracy": round(float((gold > 0.5).mean()), 4),
                "majority_accuracy": round(float(max((yk == "contradiction").mean(), (yk != "contradiction").mean())), 4),
                "contradiction_auc": round(float(roc_auc_score(yk == "contradiction", contra)), 4)}

    out = {"procedure": train_filter.__doc__.split("\n\n")[0].replace("\n    ", " "), "tau": args.tau,
           "task": "contradiction vs not", "before": measure(np.arange(len(pairs)), 99),
           "after": measure(keep, 99), "kept_ids": sorted(pairs[i].id for i in keep)}
    (HERE / "train_filter.json").write_text(json.dumps(out) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "kept_ids"}, indent=1))


def card(args: argparse.Namespace) -> None:
    pairs = load_authored(HERE / "authored.jsonl", HERE / "premises.jsonl", args.data_dir)
    by_id = {p.id: p for p in pairs}
    fam_label = Counter((p.family, p.label) for p in pairs)
    neg = defaultdict(lambda: [0, 0])
    for p in pairs:
        neg[p.label][0] += has_negation(p.hypothesis)
        neg[p.label][1] += 1
    second_rows = []
    for f in sorted(Path(args.second_labels).glob("*.jsonl")) if args.second_labels else []:
        reader = f.stem.split("_")[0]
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                if r.get("id") in by_id:
                    second_rows.append((by_id[r["id"]], r["label"], reader))
    written = {json.loads(x)["id"]: json.loads(x).get("written_as", "").split("/")[0]
               for x in (HERE / "authored.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()}
    reading = {}
    if second_rows:
        as_written = [written.get(p.id) or p.label for p, _, _ in second_rows]
        first = [p.label for p, _, _ in second_rows]
        sec = [lab for _, lab, _ in second_rows]
        per_family = {}
        for fam in sorted({p.family for p, _, _ in second_rows}):
            rows = [(p.label, lab) for p, lab, _ in second_rows if p.family == fam]
            per_family[fam] = {"pairs": len(rows), "agreement": round(sum(a == b for a, b in rows) / len(rows), 3)}
        per_label = {}
        for lab in ("contradiction", "compatible", "unclear"):
            rows = [(p.label, s) for p, s, _ in second_rows if p.label == lab]
            if rows:
                per_label[lab] = {"pairs": len(rows), "agreement": round(sum(a == b for a, b in rows) / len(rows), 3)}
        reading = {"pairs": len(second_rows),
                   "kappa_3way": round(cohen_kappa(first, sec), 4),
                   "kappa_3way_as_written": round(cohen_kappa(as_written, sec), 4),
                   "kappa_contradiction_vs_rest": round(cohen_kappa(
                       [x == "contradiction" for x in first], [x == "contradiction" for x in sec]), 4),
                   "agreement": round(sum(a == b for a, b in zip(first, sec)) / len(first), 4),
                   "confusion": dict(Counter(f"{a} / {b}" for a, b in zip(first, sec)).most_common()),
                   "per_label": per_label, "per_family": per_family,
                   "second_readers": dict(Counter(r for _, _, r in second_rows))}
    out = {"pairs": len(pairs), "premises": len({p.premise for p in pairs}),
           "stories": len({p.story for p in pairs}),
           "labels": dict(Counter(p.label for p in pairs).most_common()),
           "families": {f"{f} ({lab})": n for (f, lab), n in sorted(fam_label.items())},
           "authors": dict(Counter(p.author for p in pairs).most_common()),
           "negation_share": {lab: round(a / b, 4) for lab, (a, b) in sorted(neg.items())},
           "hypothesis_only": hypothesis_only(pairs), "second_reading": reading}
    (HERE / "card.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(required=True)
    c = sub.add_parser("collect")
    c.add_argument("--writers", default="runs/authoring/out")
    c.add_argument("--second", default="", help="also draw the blind second reading into this folder")
    c.add_argument("--fraction", type=float, default=0.10)
    c.add_argument("--per-premise", type=int, default=4)
    c.add_argument("--slice-size", type=int, default=100)
    c.add_argument("--seed", type=int, default=20261206)
    c.set_defaults(func=collect)
    f = sub.add_parser("filter")
    f.add_argument("--tau", type=float, default=0.7)
    f.set_defaults(func=train_filter)
    k = sub.add_parser("card")
    k.add_argument("--second-labels", default="runs/authoring/second_labels")
    k.set_defaults(func=card)
    for p in (c, f, k):
        p.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    args = ap.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
