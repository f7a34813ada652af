"""Figures for the NLI model card: validation accuracy per source, synthetic news test split per edit type,
ANLI R1/R2 dev, the seed sentence pair; fits the verdict thresholds on the validation split (dev) only.

    python eval/nli_model_card.py --model models/factcheck-nli-minilm --data-dir ../shared/data \
        --synthetic runs/synth.jsonl --out eval/results/nli_default --save-thresholds

Writes ``<out>.json`` and ``<out>.md``; with ``--save-thresholds`` also ``<model>/thresholds.json``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from factcheck import __version__
from factcheck.evaluation.metrics import classification_metrics, confusion_matrix, per_class_prf
from factcheck.labels import LABELS
from factcheck.nli import load_nli
from factcheck.training.data import label_mask, split_train_validation
from factcheck.training.sources import load_streams
from factcheck.sentences import split_sentences
from factcheck.training.synth import MODAL_HELD_OUT, NEGATION_HELD_OUT
from factcheck.evaluation.calibration import fit_contradiction_threshold
from factcheck.verdict import Thresholds, Verdict, decide, two_way_scores

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def three_way(gold_labels: list[str], probs: np.ndarray) -> dict:
    gold = np.array([LABELS.index(g) for g in gold_labels])
    pred = probs.argmax(1)
    prf = per_class_prf(confusion_matrix(gold, pred, 3))
    return {
        **classification_metrics(gold, pred, probs, 3),
        "n": len(gold),
        "per_class_f1": {lab: float(prf["f1"][k]) for k, lab in enumerate(LABELS)},
        "confusion": confusion_matrix(gold, pred, 3).tolist(),
    }


def validation(model, data_dir: Path, synthetic: Path | None, val_fraction: float, batch_size: int,
               extra: tuple[Path, ...] = (), sources: list[str] | None = None) -> tuple[dict, dict]:
    """Accuracy per source on the group-hashed validation split (the same split training holds out), and the
    verdict thresholds fitted on it. A set-valued label (FEVER's not_entailment) is right when the argmax
    lies in the set: FEVER is scored 2-way."""
    # Extra training files (mined pairs, families) join the pool; the group-hashed split holds out the
    # same groups training held out.
    jsonl = ([synthetic] if synthetic else []) + list(extra)
    val: list = []
    for examples in load_streams(data_dir, sources, jsonl).values():
        val.extend(split_train_validation(examples, val_fraction)[1])
    fwd = model.predict([(e.premise, e.hypothesis) for e in val], batch_size=batch_size)
    bwd = model.predict([(e.hypothesis, e.premise) for e in val], batch_size=batch_size)
    single = [i for i, e in enumerate(val) if e.label in LABELS]
    allowed = np.array([label_mask(e.label) for e in val], dtype=bool).reshape(len(val), 3)
    right = allowed[np.arange(len(val)), fwd.argmax(1)]
    out = {"overall": {**three_way([val[i].label for i in single], fwd[single]),
                       "accuracy_with_set_labels": float(right.mean()), "n_with_set_labels": len(val)},
           "per_source": {}}
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(val):
        by_source[e.source].append(i)
    for source, idx in sorted(by_source.items()):
        if all(val[i].label in LABELS for i in idx):
            out["per_source"][source] = three_way([val[i].label for i in idx], fwd[idx])
        else:
            # 2-way (entailment vs not): accuracy, and macro-F1 of the two classes.
            gold = np.array([val[i].label == "entailment" for i in idx])
            pred = fwd[idx].argmax(1) == LABELS.index("entailment")
            f1s = []
            for positive in (True, False):
                tp = np.sum((pred == positive) & (gold == positive))
                denom = np.sum(pred == positive) + np.sum(gold == positive)
                f1s.append(2 * tp / denom if denom else 0.0)
            out["per_source"][source] = {"accuracy": float(right[idx].mean()), "macro_f1": float(np.mean(f1s)),
                                         "n": len(idx), "two_way": True}
    # Verdict thresholds fitted here, on the dev (validation) split, never on a reported test set; on the
    # single-label pairs only (FEVER's not_entailment does not say whether a pair is a contradiction).
    c, a = two_way_scores(fwd[single], bwd[single])
    gold = np.array([val[i].label for i in single])
    # Precision-leaning (F0.5): a false contradiction costs a reader more than a missed one.
    t_c, f_c = fit_contradiction_threshold(c, gold == "contradiction", beta=0.5)
    t_a, f_a = fit_contradiction_threshold(a, gold == "entailment")
    fit = {"contradiction": t_c, "agreement": t_a, "f05_contradiction_dev": f_c, "f1_agreement_dev": f_a,
           "n_dev": len(single)}
    return out, fit


def _score_test_split(model, path: Path, thresholds: Thresholds, batch_size: int):
    """Test-split rows of a pairs JSONL, both directions' probabilities and the two-way verdicts."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    rows = [r for r in rows if r["split"] == "test"]
    fwd = model.predict([(r["premise"], r["hypothesis"]) for r in rows], batch_size=batch_size)
    bwd = model.predict([(r["hypothesis"], r["premise"]) for r in rows], batch_size=batch_size)
    c, a = two_way_scores(fwd, bwd)
    verdicts, _ = decide(c, a, thresholds)
    return rows, fwd, c, verdicts


def synthetic_test(model, synthetic: Path, thresholds: Thresholds, batch_size: int) -> dict:
    rows, fwd, _, verdicts = _score_test_split(model, synthetic, thresholds, batch_size)
    by_edit: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_edit[r["edit"]].append(i)
    per_edit = {}
    for edit, idx in sorted(by_edit.items()):
        label = rows[idx[0]]["label"]
        argmax_con = float(np.mean(fwd[idx].argmax(1) == 2))
        verdict_con = float(np.mean([verdicts[i] is Verdict.contradiction for i in idx]))
        per_edit[edit] = {"gold": label, "n": len(idx),
                          "contradiction_rate_one_way_argmax": argmax_con,
                          "contradiction_rate_two_way_verdict": verdict_con,
                          "accuracy_one_way_argmax": float(np.mean(fwd[idx].argmax(1) == LABELS.index(label)))}
    preserving = [i for i, r in enumerate(rows) if r["label"] == "entailment"]
    return {
        "overall": three_way([r["label"] for r in rows], fwd),
        "per_edit": per_edit,
        "false_contradiction_rate_meaning_preserving": {
            "one_way_argmax": float(np.mean(fwd[preserving].argmax(1) == 2)),
            "two_way_verdict": float(np.mean([verdicts[i] is Verdict.contradiction for i in preserving])),
            "n": len(preserving),
        },
    }


def mined_test(model, mined: Path, thresholds: Thresholds, batch_size: int) -> dict:
    """Held-out story clusters of ``factcheck.training.mine_pairs``: natural cross-article restatements
    (should not be contradictions) and their contradiction twins (should be)."""
    rows, fwd, c, verdicts = _score_test_split(model, mined, thresholds, batch_size)
    natural = [i for i, r in enumerate(rows) if r["edit"] == "mined"]
    twins = [i for i, r in enumerate(rows) if r["edit"] != "mined"]

    def rates(idx: list[int]) -> dict:
        return {"n": len(idx),
                "contradiction_rate_one_way_argmax": float(np.mean(fwd[idx].argmax(1) == 2)) if idx else None,
                "contradiction_rate_two_way_verdict": float(np.mean([verdicts[i] is Verdict.contradiction for i in idx])) if idx else None,
                "mean_two_way_contradiction": float(np.mean(c[idx])) if idx else None}

    return {"restatements": rates(natural), "contradiction_twins": rates(twins)}


def anli(model, data_dir: Path, batch_size: int) -> dict:
    out = {}
    for rnd in ("r1", "r2"):
        path = data_dir / "anli" / f"ANLI_analysis_{rnd}_dev.csv"
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        mapping = {"e": "entailment", "n": "neutral", "c": "contradiction"}
        pairs = [(r["context"], r["statement"]) for r in rows]
        started = time.perf_counter()
        probs = model.predict(pairs, batch_size=batch_size)
        seconds = time.perf_counter() - started
        res = three_way([mapping[r["gold_label"]] for r in rows], probs)
        res["overlong_pairs"] = int(model.overlong(pairs).sum())
        res["pairs_per_second"] = len(pairs) / seconds
        out[f"anli_{rnd}_dev"] = res
    return out


def seed_pair(model) -> dict:
    def sentence(path_glob: str, needle: str) -> str:
        path = next(SEEDS.glob(path_glob))
        text = path.read_text(encoding="utf-8")
        return next(s.text for s in split_sentences(text) if needle in s.text)

    a = sentence("000_*.txt", "non-negotiable")
    b = sentence("004_*.txt", "can be negotiated")
    probs = model.predict([(a, b), (b, a)])
    return {"premise_000": a, "premise_004": b,
            "000_to_004": dict(zip(LABELS, map(float, probs[0]))),
            "004_to_000": dict(zip(LABELS, map(float, probs[1])))}


# Extra pair families (python -m factcheck.training.synth --<name>): their train split joins validation, their
# test split is reported. name -> (section title, what the test split holds)
FAMILIES = {
    "modal": ("'-able' polarity pairs, held-out adjectives (`factcheck.training.synth --modal`)",
              f"Adjectives never trained on: {', '.join(sorted(MODAL_HELD_OUT))}. "),
    "syntax": ("Syntactic rewordings, held-out articles (`factcheck.training.synth --syntax`)", ""),
    "negation-forms": ("Negation forms, held-out actions (`factcheck.training.synth --negation-forms`)",
                       f"Actions never trained on: {', '.join(sorted(NEGATION_HELD_OUT))}. "),
}


def _edit_table(s: dict, title: str, intro: str) -> list[str]:
    """Markdown for one `synthetic_test` result: a row per edit type."""
    lines = [f"## {title}", "", f"{intro}3-way accuracy {s['overall']['accuracy']:.3f} (n={s['overall']['n']}).", "",
             "| edit | gold | n | contradiction rate (one way, argmax) | contradiction rate (two-way verdict) |",
             "|---|---|---:|---:|---:|"]
    for edit, m in s["per_edit"].items():
        lines.append(f"| {edit} | {m['gold']} | {m['n']} | {m['contradiction_rate_one_way_argmax']:.3f} | "
                     f"{m['contradiction_rate_two_way_verdict']:.3f} |")
    f = s["false_contradiction_rate_meaning_preserving"]
    lines += ["", f"False-contradiction rate on meaning-preserving pairs: {f['one_way_argmax']:.3f} one way (argmax), "
              f"{f['two_way_verdict']:.3f} with the two-way verdict (n={f['n']}).", ""]
    return lines


def markdown(result: dict) -> str:
    v = result["validation"]
    lines = [f"# NLI model figures: `{result['model']['name']}`", "",
             f"Command: `{result['command']}`", "",
             "## Validation split (premise-grouped, held out from training)", "",
             "| source | n | accuracy | macro-F1 |", "|---|---:|---:|---:|"]
    for source, m in [("**all** (single-label pairs)", v["overall"])] + sorted(v["per_source"].items()):
        name = f"{source} (2-way)" if m.get("two_way") else source
        lines.append(f"| {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} |")
    if "accuracy_with_set_labels" in v["overall"]:
        lines += ["", f"All pairs, a set-valued label right when the argmax lies in it: "
                  f"{v['overall']['accuracy_with_set_labels']:.3f} (n={v['overall']['n_with_set_labels']})."]
    t = result["thresholds"]
    lines += ["", f"Thresholds fitted on this split: contradiction ≥ {t['contradiction']:.2f}, "
              f"agreement ≥ {t['agreement']:.2f}.", ""]
    sections = [("synthetic_test", "Synthetic news test split (held-out articles)", "")]
    sections += [(f"{name}_test", title, intro) for name, (title, intro) in FAMILIES.items()]
    for key, title, intro in sections:
        if key in result:
            lines += _edit_table(result[key], title, intro)
    if "mined_test" in result:
        m = result["mined_test"]
        lines += ["## Mined cross-article pairs, held-out story clusters (`factcheck.training.mine_pairs`)", "",
                  "Heuristic labels: restatements should not be contradictions, their edited twins should.", "",
                  "| set | n | contradiction rate (one way, argmax) | contradiction rate (two-way verdict) |",
                  "|---|---:|---:|---:|"]
        for name, r in m.items():
            lines.append(f"| {name} | {r['n']} | {r['contradiction_rate_one_way_argmax']:.3f} | "
                         f"{r['contradiction_rate_two_way_verdict']:.3f} |")
        lines.append("")
    if result.get("anli"):
        lines += ["## ANLI dev (adversarial; chance is 0.333)", "", "| set | n | accuracy | macro-F1 | overlong |",
                  "|---|---:|---:|---:|---:|"]
        for name, m in result["anli"].items():
            lines.append(f"| {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {m['overlong_pairs']} |")
        lines.append("")
    sp = result["seed_pair"]
    lines += ["## Seed pair (whole sentences)", "", f"- 000: {sp['premise_000']}", f"- 004: {sp['premise_004']}", "",
              "| direction | entailment | neutral | contradiction |", "|---|---:|---:|---:|"]
    for key in ("000_to_004", "004_to_000"):
        p = sp[key]
        lines.append(f"| {key} | {p['entailment']:.3f} | {p['neutral']:.3f} | {p['contradiction']:.3f} |")
    return "\n".join(lines) + "\n"


def thresholds_payload(fit: dict, revision: str | None, date: str) -> dict:
    """The flat thresholds file `factcheck check` reads beside the model (schema factcheck.thresholds/1)."""
    return {
        "schema": "factcheck.thresholds/1",
        "contradiction": fit["contradiction"],
        "agreement": fit["agreement"],
        "fitted_on": {"split": "validation", "n": fit["n_dev"],
                      "objective": "contradiction: max F0.5 of the two-way contradiction score; "
                                   "agreement: max F1 of the max entailment",
                      "scores": {"f05_contradiction": fit["f05_contradiction_dev"],
                                 "f1_agreement": fit["f1_agreement_dev"]}},
        "model_revision": revision,
        "date": date,
        "version": __version__,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--synthetic", type=Path)
    parser.add_argument("--mined", type=Path, help="mined cross-article pairs JSONL (python -m factcheck.training.mine_pairs): "
                        "its train split joins validation, its test split is reported")
    for name in FAMILIES:
        parser.add_argument(f"--{name}", type=Path, dest=name.replace("-", "_"),
                            help=f"pairs JSONL of python -m factcheck.training.synth --{name}: its train split joins "
                                 "validation, its test split is reported")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="more training pairs JSONL (e.g. runs/synth_compound.jsonl): train split joins validation")
    parser.add_argument("--sources", nargs="+",
                        help="data-dir training sources whose validation split is scored (default: the first wave; "
                             "names in factcheck.training.data.SOURCES and factcheck.training.sources.NEW_SOURCES)")
    parser.add_argument("--val-fraction", type=float, default=0.06)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", required=True)
    parser.add_argument("--save-thresholds", action="store_true", help="write <model>/thresholds.json")
    args = parser.parse_args(argv)

    families = {name: getattr(args, name.replace("-", "_")) for name in FAMILIES}
    model = load_nli(args.model)
    info = model.info.to_dict()
    # Provenance without this machine's paths or a nested copy of the previous thresholds file.
    info["source"] = Path(args.model).as_posix()
    info.get("extra", {}).pop("thresholds", None)
    result: dict = {"model": info, "version": __version__,
                    "command": "python " + " ".join([Path(sys.argv[0]).as_posix()] + (argv or sys.argv[1:])),
                    "date": dt.date.today().isoformat(), "machine": {"python": platform.python_version(),
                                                                     "processor": platform.machine()}}
    result["validation"], fit = validation(model, args.data_dir, args.synthetic, args.val_fraction, args.batch_size,
                                              extra=tuple(p for p in [args.mined, *families.values(), *args.extra] if p),
                                              sources=args.sources)
    result["thresholds"] = fit
    thresholds = Thresholds(fit["contradiction"], fit["agreement"], fitted_on="validation split (dev)")
    if args.synthetic:
        result["synthetic_test"] = synthetic_test(model, args.synthetic, thresholds, args.batch_size)
    for name, path in families.items():
        if path:
            result[f"{name}_test"] = synthetic_test(model, path, thresholds, args.batch_size)
    if args.mined:
        result["mined_test"] = mined_test(model, args.mined, thresholds, args.batch_size)
    result["anli"] = anli(model, args.data_dir, args.batch_size)
    result["seed_pair"] = seed_pair(model)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(result))
    if args.save_thresholds:
        (Path(args.model) / "thresholds.json").write_text(json.dumps(thresholds_payload(fit, model.info.revision,
                                                                                        result["date"]), indent=2) + "\n")
    print(markdown(result))


if __name__ == "__main__":
    main()
