"""End-to-end recall on real story clusters: inject one contradiction per cluster and see whether `check` finds it.

Clusters are FNC-1 dev story groups (evaluation data: nothing here is fitted on them). In each, two
articles state the same fact in near-identical words (token Jaccard >= 0.5); the project's own edit
generators (``factcheck.training.edits``: number, date, negation, modality, antonym, entity, place)
rewrite one article's sentence into a contradiction of the other's. A third of the clusters carry the
edited fact in fragment form (its own line, no full stop: a caption or infobox line); another third
get two short articles in Spanish, French or German that contradict each other (written for this
benchmark), which an English NLI model must not compare.

    python eval/story_recall.py build --data-dir ../shared/data --out runs/story_recall -n 30
    PYTHONPATH=<tree> python eval/story_recall.py run --clusters runs/story_recall --out runs/story_recall/after
    python eval/story_recall.py score --clusters runs/story_recall --run before=runs/.../before --run after=... \
        --md eval/results/story_recall.md

``run`` also checks any folder of cluster folders (no manifest), e.g. ``eval/news_pairs/dev_clusters.py``'s.
It uses only ``read_documents``, ``prepare_claims``, ``run_check`` and the model loaders, so it runs
in an older tree (a ``git worktree``) as well: that is the "before".
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

KINDS = ("number", "date", "negation", "modality", "antonym", "entity_swap", "place")
# Written for this benchmark: each pair contradicts itself (negated), in a language the NLI model was not trained on.
FOREIGN = {
    "es": ("El ministerio confirmó el lunes que treinta personas murieron en el ataque contra la base militar. "
           "Según el comunicado, los heridos fueron trasladados al hospital de la ciudad.",
           "El ministerio negó el lunes que treinta personas hubieran muerto en el ataque contra la base militar. "
           "Según el comunicado, no hubo heridos trasladados al hospital de la ciudad."),
    "fr": ("Le gouvernement a annoncé mardi que l'accord avait été signé par les deux pays après des mois de négociations. "
           "Le président s'est félicité de ce résultat devant la presse.",
           "Le gouvernement a démenti mardi que l'accord ait été signé par les deux pays après des mois de négociations. "
           "Le président a refusé de commenter devant la presse."),
    "de": ("Die Polizei teilte am Freitag mit, dass der Verdächtige in der Nähe des Bahnhofs festgenommen wurde. "
           "Er soll am Montag einem Haftrichter vorgeführt werden.",
           "Die Polizei teilte am Freitag mit, dass der Verdächtige in der Nähe des Bahnhofs nicht gefunden wurde. "
           "Die Fahndung nach ihm dauert weiter an."),
}
_WORD = re.compile(r"[a-z0-9]+")


def norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _jaccard(a: str, b: str) -> float:
    x, y = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    return len(x & y) / max(1, len(x | y))


def build(args: argparse.Namespace) -> None:
    from factcheck.evaluation.news_pairs import dev_stories, read_bodies
    from factcheck.sentences import split_sentences
    from factcheck.training.edits import EDITS

    rng = random.Random(args.seed)
    bodies = read_bodies(args.data_dir / "fnc1" / "fnc1_dev_bodies.csv")
    stories = [(s, m) for s, m in sorted(dev_stories(args.data_dir).items()) if 3 <= len(m) <= args.max_articles]
    rng.shuffle(stories)
    manifest = []
    for story, members in stories:
        if len(manifest) >= args.n:
            break
        sents = {b: [s.text for s in split_sentences(bodies[b], 0, len(bodies[b]))] for b in members}
        pairs = [(a, sa, b, sb) for i, a in enumerate(members) for b in members[i + 1:]
                 for sa in sents[a] for sb in sents[b]
                 if 8 <= len(sb.split()) <= 45 and _jaccard(sa, sb) >= 0.5]
        rng.shuffle(pairs)
        chosen = None
        for a, sa, b, sb in pairs[:50]:
            kinds = list(KINDS)
            rng.shuffle(kinds)
            for kind in kinds:
                edited = EDITS[kind][0](sb, rng)
                if edited and edited != sb and sb in bodies[b]:
                    chosen = (a, sa, b, sb, kind, edited)
                    break
            if chosen:
                break
        if chosen is None:
            continue
        a, sa, b, sb, kind, edited = chosen
        form = ("plain", "fragment", "foreign")[len(manifest) % 3]
        folder = args.out / story
        folder.mkdir(parents=True, exist_ok=True)
        injected = edited
        for m in members:
            text = bodies[m]
            if m == b:
                if form == "fragment":
                    injected = edited.rstrip().rstrip(".!?")
                    text = text.replace(sb, f"\n\n{injected}\n\n", 1)
                else:
                    text = text.replace(sb, edited, 1)
            (folder / f"{int(m):05d}.txt").write_text(text, encoding="utf-8")
        foreign = []
        if form == "foreign":
            lang = ("es", "fr", "de")[(len(manifest) // 3) % 3]
            for k, text in enumerate(FOREIGN[lang]):
                name = f"zz_{lang}{k}.txt"
                (folder / name).write_text(text + "\n", encoding="utf-8")
                foreign.append(name)
        manifest.append({"cluster": story, "kind": kind, "form": form, "original_article": f"{int(a):05d}",
                         "original": sa, "edited_article": f"{int(b):05d}", "before_edit": sb,
                         "injected": injected, "foreign": foreign, "articles": len(members) + len(foreign)})
    (args.out / "manifest.jsonl").write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in manifest),
                                            encoding="utf-8")
    print(f"{len(manifest)} clusters in {args.out}")


def run(args: argparse.Namespace) -> None:
    from factcheck.documents import read_documents
    from factcheck.pipeline import CheckSettings, load_models, model_thresholds, prepare_claims, run_check

    listing = args.clusters / "manifest.jsonl"
    manifest = ([json.loads(line) for line in listing.read_text(encoding="utf-8").splitlines()] if listing.exists()
                else [{"cluster": d.name} for d in sorted(args.clusters.iterdir()) if d.is_dir()])
    nli, emb, _ = load_models()
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for m in manifest:
        docs = read_documents([args.clusters / m["cluster"]])
        thresholds = model_thresholds(nli)
        if args.threshold is not None:  # the contradiction threshold only, e.g. the one used before a refit
            thresholds = type(thresholds)(args.threshold, thresholds.agreement, f"set by hand to {args.threshold}")
        settings = CheckSettings(thresholds=thresholds)
        claims = {cs.article: [c.text for c in cs.claims] for cs in prepare_claims(docs, settings)}
        started = time.perf_counter()
        report = run_check(docs, emb, nli, settings).to_dict()
        total += time.perf_counter() - started
        (args.out / f"{m['cluster']}.json").write_text(json.dumps({"report": report, "claims": claims},
                                                                  ensure_ascii=False), encoding="utf-8")
        print(m["cluster"], len(report["findings"]), flush=True)
    (args.out / "timing.json").write_text(json.dumps({"check_seconds": round(total, 1), "clusters": len(manifest)}))


def _hits(claim_text: str, target: str) -> bool:
    c, t = norm(claim_text), norm(target)
    return bool(c) and (c in t or t in c)


def score_run(clusters: Path, folder: Path, valid: set[str] | None = None) -> dict:
    manifest = [json.loads(line) for line in (clusters / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = []
    for m in manifest:
        data = json.loads((folder / f"{m['cluster']}.json").read_text(encoding="utf-8"))
        report, claims = data["report"], data["claims"]
        found = False
        other = 0
        foreign_pairs = 0
        foreign_ids = {Path(f).stem for f in m["foreign"]}
        for f in report["findings"]:
            if f["label"] != "contradiction":
                continue
            a, b = f["claims"]
            ids = {a["article"], b["article"]}
            if ids & foreign_ids:
                foreign_pairs += 1
            if any(c["article"] == m["edited_article"] and _hits(c["text"], m["injected"]) for c in (a, b)):
                found = True
            else:
                other += 1
        kept = any(_hits(t, m["injected"]) for t in claims.get(m["edited_article"], []))
        rows.append({"cluster": m["cluster"], "kind": m["kind"], "form": m["form"], "found": found,
                     "other_findings": other, "foreign_pairs": foreign_pairs, "injected_is_claim": kept,
                     "disputes": len(report.get("disputes") or []),
                     "findings": sum(1 for f in report["findings"] if f["label"] == "contradiction")})
    timing = json.loads((folder / "timing.json").read_text()) if (folder / "timing.json").exists() else {}
    n = len(rows)
    frag = [r for r in rows if r["form"] == "fragment"]
    real = [r for r in rows if valid is not None and r["cluster"] in valid]
    return {
        "recall_real_edits": f"{sum(r['found'] for r in real)}/{len(real)}" if valid is not None else None,
        "clusters": n,
        "recall": round(sum(r["found"] for r in rows) / max(1, n), 3),
        "recall_by_form": {f: round(sum(r["found"] for r in rows if r["form"] == f) / max(1, sum(r["form"] == f for r in rows)), 3)
                           for f in ("plain", "fragment", "foreign")},
        "recall_by_kind": {k: f"{sum(r['found'] for r in rows if r['kind'] == k)}/{sum(r['kind'] == k for r in rows)}"
                           for k in KINDS if any(r["kind"] == k for r in rows)},
        "fragments_kept_as_claims": f"{sum(r['injected_is_claim'] for r in frag)}/{len(frag)}",
        "foreign_pairs_reported": sum(r["foreign_pairs"] for r in rows),
        "other_findings": sum(r["other_findings"] for r in rows),
        "findings": sum(r["findings"] for r in rows),
        "disputes": sum(r["disputes"] for r in rows),
        "check_seconds": timing.get("check_seconds"),
        "rows": rows,
    }


def score(args: argparse.Namespace) -> None:
    runs = dict(r.split("=", 1) for r in args.run)
    valid = None
    if args.edits:
        judged = [json.loads(line) for line in args.edits.read_text(encoding="utf-8").splitlines() if line.strip()]
        valid = {j["cluster"] for j in judged if j["edit_is"] == "contradiction"}
    results = {name: score_run(args.clusters, Path(path), valid) for name, path in runs.items()}
    names = list(results)
    lines = ["# Injected contradictions in real story clusters (FNC-1 dev), " + " → ".join(names), "",
             f"`python eval/story_recall.py` ({results[names[0]]['clusters']} clusters; one contradiction injected per "
             "cluster with the project's edit generators; a third in fragment form, a third with two contradicting "
             "non-English articles added). Default models and thresholds of each tree.", "",
             "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label in (("recall", "injected contradictions found (recall)"),
                       ("recall_real_edits", "found, of the edits read as real contradictions"), ("fragments_kept_as_claims", "fragment-form facts kept as claims"),
                       ("foreign_pairs_reported", "non-English pairs reported"), ("other_findings", "other contradictions reported"),
                       ("findings", "contradiction findings in all"), ("disputes", "disputes in all"),
                       ("check_seconds", "check seconds (models loaded)")):
        lines.append(f"| {label} | " + " | ".join(str(results[n][key]) for n in names) + " |")
    for form in ("plain", "fragment", "foreign"):
        lines.append(f"| recall, {form} | " + " | ".join(str(results[n]["recall_by_form"][form]) for n in names) + " |")
    for kind in KINDS:
        if kind in results[names[0]]["recall_by_kind"]:
            lines.append(f"| recall, {kind} | " + " | ".join(results[n]["recall_by_kind"].get(kind, "-") for n in names) + " |")
    lines += ["", "Per cluster (found: the injected sentence is a side of a reported contradiction):", "",
              "| cluster | kind | form | " + " | ".join(f"{n}: found / other / disputes" for n in names) + " |",
              "|---|---|---|" + "---|" * len(names)]
    for k, row in enumerate(results[names[0]]["rows"]):
        cells = [f"{'yes' if results[n]['rows'][k]['found'] else 'no'} / {results[n]['rows'][k]['other_findings']} / "
                 f"{results[n]['rows'][k]['disputes']}" for n in names]
        lines.append(f"| {row['cluster']} | {row['kind']} | {row['form']} | " + " | ".join(cells) + " |")
    args.md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args.md.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines[:20]))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("-n", type=int, default=30)
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--max-articles", type=int, default=6)
    r = sub.add_parser("run")
    r.add_argument("--clusters", type=Path, required=True)
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--threshold", type=float, help="contradiction threshold instead of the model's")
    s = sub.add_parser("score")
    s.add_argument("--clusters", type=Path, required=True)
    s.add_argument("--run", action="append", required=True, help="name=folder, in order")
    s.add_argument("--md", type=Path, required=True)
    s.add_argument("--edits", type=Path, help="the edits read and judged: {cluster, edit_is} per line")
    args = ap.parse_args(argv)
    {"build": build, "run": run, "score": score}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
