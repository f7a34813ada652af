"""Library entry points: evaluate a model on an EvalSet, fit thresholds, write the outputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from factcheck.device import resolve_device
from factcheck.errors import InputError
from factcheck.evaluation.calibration import (
    Decisions,
    Objective,
    Calibration,
    decisions,
    fit_thresholds,
    save_thresholds,
)
from factcheck.evaluation.data import EvalSet, check_disjoint
from factcheck.evaluation.plots import write_plots
from factcheck.evaluation.reporting import (
    build_report,
    markdown_report,
    prediction_records,
    write_json,
    write_predictions,
)
from factcheck.evaluation.tasks import NLIScorer, Scored, score
from factcheck.models import ModelInfo

__all__ = [
    "EvalResult",
    "calibrate",
    "check_thresholds_for",
    "default_thresholds_path",
    "evaluate",
    "save_calibration",
    "write_outputs",
]


@dataclass(frozen=True)
class EvalResult:
    """Everything one evaluation produced; ``report`` is the JSON report as a dict."""

    evalset: EvalSet
    scored: Scored
    decisions: Decisions
    thresholds: Calibration | None
    report: dict


def _info(model: NLIScorer) -> ModelInfo | None:
    return getattr(model, "info", None)


def check_thresholds_for(thresholds: Calibration, evalset: EvalSet, model_name: str | None = None) -> None:
    """Refuse thresholds fitted for another task shape or model, or on the rows being reported."""
    thresholds.check_applies(evalset, model_name)
    if thresholds.data_ref is not None:
        check_disjoint(thresholds.data_ref, evalset.ref)


def evaluate(
    model: NLIScorer,
    evalset: EvalSet,
    *,
    thresholds: Calibration | None = None,
    thresholds_path: str | Path | None = None,
    batch_size: int = 32,
    seed: int = 0,
    n_bootstrap: int = 1000,
    device: str | None = None,
) -> EvalResult:
    """Score ``evalset`` with ``model`` and build the report (metrics, 95% CIs, provenance)."""
    info = _info(model)
    if thresholds is not None:
        check_thresholds_for(thresholds, evalset, info.name if info else None)
    scored = score(evalset, model, batch_size)
    d = decisions(scored, evalset, thresholds)
    device = device or (info.extra.get("device") if info else None) or resolve_device(None)
    report = build_report(
        evalset,
        scored,
        d,
        model=info.to_dict() if info else {},
        device=device,
        thresholds=thresholds,
        thresholds_path=None if thresholds_path is None else str(thresholds_path),
        seed=seed,
        n_bootstrap=n_bootstrap,
    )
    return EvalResult(evalset, scored, d, thresholds, report)


def calibrate(
    model: NLIScorer,
    evalset: EvalSet,
    *,
    objective: Objective = Objective.macro_f1,
    batch_size: int = 32,
) -> Calibration:
    """Fit temperature and thresholds for ``model`` on the dev set ``evalset``."""
    info = _info(model)
    scored = score(evalset, model, batch_size)
    backward = None
    if not evalset.binary and evalset.task.value == "pairs":
        # `factcheck check` decides on both directions of a pair; fit its verdict block the same way.
        pairs = [(ex.hypothesis, ex.premise) for ex in evalset.examples]
        backward = np.asarray(model.predict(pairs, batch_size=batch_size), dtype=float)
    return fit_thresholds(scored, evalset, objective, provenance={"model": info.to_dict() if info else {}},
                          backward=backward)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "data"


def default_thresholds_path(model_info: ModelInfo | None, thresholds: Calibration) -> Path:
    """Beside a local model: ``thresholds.json`` for a 3-way pairs fit (what `factcheck check` reads),
    ``thresholds-<dataset>.json`` for other fits. InputError for models that are not local directories."""
    source = Path(model_info.local_dir or model_info.source) if model_info and (model_info.local_dir or model_info.source) else None
    if source is None or not source.is_dir():
        where = model_info.name if model_info else "this model"
        raise InputError(f"model {where} is not a local directory; say where to save the thresholds with --save FILE")
    if thresholds.verdict is not None:
        return source / "thresholds.json"
    return source / f"thresholds-{_slug(str(thresholds.provenance.get('dataset', 'data')))}.json"


def save_calibration(thresholds: Calibration, model_info: ModelInfo | None, path: Path | None = None) -> Path:
    """Save to ``path``, or beside the model (`default_thresholds_path`)."""
    return save_thresholds(thresholds, path if path is not None else default_thresholds_path(model_info, thresholds))


def write_outputs(
    result: EvalResult,
    *,
    output: Path | None = None,
    markdown: Path | None = None,
    plots: Path | None = None,
    predictions: Path | None = None,
) -> dict[str, Path | list[Path]]:
    """Write the JSON report (Markdown beside it unless ``markdown`` is given), plots and predictions."""
    written: dict[str, Path | list[Path]] = {}
    if output is not None:
        written["json"] = write_json(output, result.report)
        markdown = markdown if markdown is not None else Path(output).with_suffix(".md")
    if markdown is not None:
        markdown = Path(markdown)
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(markdown_report(result.report), encoding="utf-8")
        written["markdown"] = markdown
    if plots is not None:
        title = f"{result.evalset.name} · {result.report['model'].get('name', '')}"
        written["plots"] = write_plots(plots, result.decisions, result.evalset.classes, title)
    if predictions is not None:
        written["predictions"] = write_predictions(
            predictions, prediction_records(result.evalset, result.scored, result.decisions)
        )
    return written
