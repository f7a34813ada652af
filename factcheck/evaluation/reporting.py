"""Evaluation reports: the JSON report, per-example predictions (JSONL) and Markdown tables."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from factcheck import __version__
from factcheck.errors import InputError
from factcheck.models import portable_path
from factcheck.labels import CON
from factcheck.evaluation.calibration import Decisions, Calibration
from factcheck.evaluation.data import SCORE_DEFINITIONS, EvalSet, read_json
from factcheck.evaluation.tasks import Scored
from factcheck.evaluation.metrics import (
    average_precision,
    bootstrap_ci,
    classification_metrics,
    confusion_matrix,
    per_class_prf,
    roc_auc,
)

__all__ = [
    "SCHEMA",
    "build_report",
    "compare_markdown",
    "jsonable",
    "load_report",
    "markdown_report",
    "prediction_records",
    "write_json",
    "write_predictions",
]

SCHEMA = "factcheck.eval/1"
# Scalar metrics in the order tables show them.
METRIC_ORDER = ("accuracy", "macro_f1", "balanced_accuracy", "roc_auc", "pr_auc", "ece")
# `factcheck eval --preset news-pairs` reports: the checker's reported contradictions
NEWS_PAIRS_ORDER = ("precision", "recall", "f0.5", "precision@10", "precision@50")


def jsonable(value):
    """Plain JSON values: numpy scalars/arrays to Python, nan/inf to None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _scalars(d: Decisions, n_classes: int, idx: np.ndarray | None = None) -> dict[str, float]:
    sel = slice(None) if idx is None else idx
    return classification_metrics(
        d.gold[sel],
        d.pred[sel],
        d.probs[sel],
        n_classes,
        positive=1 if d.scores is not None else None,
        scores=None if d.scores is None else d.scores[sel],
    )


def build_report(
    evalset: EvalSet,
    scored: Scored,
    d: Decisions,
    *,
    model: dict,
    device: str,
    thresholds: Calibration | None,
    thresholds_path: str | None = None,
    seed: int = 0,
    n_bootstrap: int = 1000,
) -> dict:
    """The run's JSON report: metrics, 95% bootstrap intervals, data and model provenance."""
    k = len(evalset.classes)
    cm = confusion_matrix(d.gold, d.pred, k)
    prf = per_class_prf(cm)
    metrics: dict = _scalars(d, k)
    metrics["per_class"] = {
        c: {name: prf[name][i] for name in ("precision", "recall", "f1", "support")}
        for i, c in enumerate(evalset.classes)
    }
    metrics["confusion_matrix"] = {"labels": list(evalset.classes), "rows": "gold", "columns": "predicted", "matrix": cm}
    if not evalset.binary:
        y = d.gold == evalset.classes.index("contradiction")
        metrics["contradiction_vs_rest"] = {"roc_auc": roc_auc(y, d.probs[:, CON]), "pr_auc": average_precision(y, d.probs[:, CON])}
    ci = bootstrap_ci(lambda idx: _scalars(d, k, idx), len(d.gold), n_resamples=n_bootstrap, seed=seed)

    binary = None
    if evalset.binary:
        positive = evalset.positive
        binary = {
            "positive": positive,
            "negative": evalset.classes[0],
            "gold_values": {c: sorted(v for v, t in evalset.label_map.items() if t == c) for c in evalset.classes},
            "score": evalset.score.value,
            "score_definition": SCORE_DEFINITIONS[evalset.score],
            "threshold": 0.5 if thresholds is None or thresholds.threshold is None else thresholds.threshold,
        }
    report = {
        "schema": SCHEMA,
        "factcheck_version": __version__,
        "task": evalset.task.value,
        "dataset": {
            "name": evalset.name,
            **evalset.ref.to_dict(),
            "rows_read": evalset.rows_read,
            "dropped": dict(evalset.dropped),
            "limit": evalset.limit,
            "label_map": dict(evalset.label_map),
        },
        "model": model,
        "device": device,
        "n": len(evalset.examples),
        "classes": list(evalset.classes),
        "binary": binary,
        "metrics": metrics,
        "ci95": {name: list(bounds) for name, bounds in ci.items()},
        "bootstrap": {"resamples": n_bootstrap, "seed": seed, "method": "percentile"},
        "seed": seed,
        "pairs_per_second": scored.n_pairs / scored.seconds if scored.seconds > 0 else None,
        "examples_per_second": scored.n_examples / scored.seconds if scored.seconds > 0 else None,
        "nli_pairs": scored.n_pairs,
        "model_seconds": scored.seconds,
        "inputs": dict(scored.stats),
        "thresholds": None if thresholds is None else _thresholds_summary(thresholds, thresholds_path),
    }
    return jsonable(report)


def _thresholds_summary(t: Calibration, path: str | None) -> dict:
    data = t.provenance.get("data") or {}
    return {
        "file": None if path is None else portable_path(path),
        "temperature": t.temperature,
        "threshold": t.threshold,
        "contradiction": t.contradiction,
        "entailment": t.entailment,
        "rule": t.rule,
        "fitted_on": data.get("source"),
        "fitted_on_sha256": data.get("sha256"),
        "fitted_on_selection": data.get("selection"),
    }


def prediction_records(evalset: EvalSet, scored: Scored, d: Decisions) -> Iterable[dict]:
    """One record per example for error analysis: id, gold, predicted, probabilities, score."""
    classes = evalset.classes
    for i, ex in enumerate(evalset.examples):
        record = {
            "id": ex.id,
            "gold": ex.label,
            "gold_value": ex.gold,
            "predicted": classes[int(d.pred[i])],
            "correct": bool(d.pred[i] == d.gold[i]),
            "probabilities": {c: float(d.probs[i, j]) for j, c in enumerate(classes)},
        }
        if d.scores is not None:
            record["score"] = float(d.scores[i])
        record["entailment"] = float(d.entailment[i])
        record["contradiction"] = float(d.contradiction[i])
        if scored.oversized is not None and scored.oversized[i]:
            record["over_max_length"] = int(scored.oversized[i])
        yield record


def write_predictions(path: Path, records: Iterable[dict]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(jsonable(record), ensure_ascii=False) + "\n")
    return path


def write_json(path: Path, data: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_report(path: Path) -> dict:
    """An eval report (``factcheck eval --output``), or a news-pairs one (``--preset news-pairs``)."""
    path = Path(path)
    data = read_json(path, "no such report file")
    news_pairs = isinstance(data, dict) and data.get("task") == "news-pairs" and isinstance(data.get("metrics"), dict)
    if not isinstance(data, dict) or (data.get("schema") != SCHEMA and not news_pairs):
        raise InputError(f"{path}: not a factcheck eval report (expected schema {SCHEMA}, or a news-pairs report)")
    return data


def _run_name(report: dict) -> str:
    model = report.get("model") or {}
    if report.get("task") == "news-pairs":
        return f"news-pairs {report.get('split', '?')} · {model.get('name', '?')} ({model.get('source', '?')})"
    return f"{report['dataset']['name']} · {model.get('name', '?')}"


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ci(report: dict, name: str) -> str:
    bounds = report.get("ci95", {}).get(name)
    if not bounds or bounds[0] is None:
        return "–"
    return f"[{bounds[0]:.3f}, {bounds[1]:.3f}]"


def markdown_report(report: dict) -> str:
    """A Markdown summary of one report: provenance lines, headline metrics, per-class table."""
    ds, model = report["dataset"], report.get("model") or {}
    lines = [
        f"# factcheck eval: {ds['name']} ({report['task']})",
        "",
        f"- data: `{ds['source']}` (sha256 `{(ds.get('sha256') or '–')[:12]}`), n = {report['n']}"
        + (f", limit {ds['limit']}" if ds.get("limit") else ""),
        f"- model: {model.get('name', '?')} ({model.get('source', '?')}), device {report['device']},"
        f" {_fmt(report.get('pairs_per_second'), 1)} pairs/s",
    ]
    if ds.get("dropped"):
        lines.append("- dropped: " + ", ".join(f"{k}: {v}" for k, v in ds["dropped"].items()))
    if report.get("binary"):
        b = report["binary"]
        lines.append(
            f"- binary: positive class **{b['positive']}** (gold {', '.join(b['gold_values'][b['positive']])}),"
            f" score = {b['score_definition']}, threshold {_fmt(b['threshold'])}"
        )
    inputs = report.get("inputs") or {}
    if "oversized_windows" in inputs:
        lines.append(
            f"- document windows: {inputs['windows']} (max_length {inputs['max_length']}),"
            f" {inputs['oversized_windows']} single sentences over max_length"
        )
    elif inputs.get("truncated_pairs"):
        lines.append(f"- {inputs['truncated_pairs']} pairs over max_length {inputs['max_length']} (truncated by the model)")
    if report.get("thresholds"):
        t = report["thresholds"]
        lines.append(f"- thresholds: T = {_fmt(t['temperature'])}, {t['rule']} (fitted on `{t['fitted_on']}`)")
    lines += ["", "| metric | value | 95% CI |", "|---|---:|---|"]
    for name in METRIC_ORDER:
        if name in report["metrics"]:
            lines.append(f"| {name} | {_fmt(report['metrics'][name])} | {_ci(report, name)} |")
    lines += ["", "| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for cls, row in report["metrics"]["per_class"].items():
        lines.append(f"| {cls} | {_fmt(row['precision'])} | {_fmt(row['recall'])} | {_fmt(row['f1'])} | {row['support']} |")
    cm = report["metrics"]["confusion_matrix"]
    lines += ["", "| gold \\ predicted | " + " | ".join(cm["labels"]) + " |", "|---|" + "---:|" * len(cm["labels"])]
    for label, row in zip(cm["labels"], cm["matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def compare_markdown(reports: Sequence[dict], names: Sequence[str] | None = None) -> str:
    """Several runs side by side: one row per run, one column per headline metric any of them has."""
    names = list(names) if names else [_run_name(r) for r in reports]
    metrics = [m for m in (*METRIC_ORDER, *NEWS_PAIRS_ORDER) if any(m in r["metrics"] for r in reports)]
    header = ["run", "task", "n", *metrics, "pairs/s", "thresholds"]
    lines = ["| " + " | ".join(header) + " |", "|---|---|---:|" + "---:|" * (len(metrics) + 1) + "---|"]
    for name, r in zip(names, reports):
        cells = [name, r["task"], str(r["n"])]
        cells += [_fmt(r["metrics"].get(m)) for m in metrics]
        cells.append(_fmt(r.get("pairs_per_second"), 1))
        cells.append("fitted" if r.get("thresholds") else "none")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
