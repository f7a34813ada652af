"""Evaluation harness: load labelled data, score it with an NLI model, report and calibrate.

Typical use::

    from factcheck.evaluation import DataSpec, evaluate, load_eval_set
    evalset = load_eval_set(DataSpec(preset="anli", path=Path("ANLI_analysis_r1_dev.csv"), limit=200))
    result = evaluate(load_nli("default"), evalset, seed=0)
    result.report["metrics"]["macro_f1"]
"""

from __future__ import annotations

from factcheck.evaluation.calibration import Objective, Calibration, load_thresholds
from factcheck.evaluation.data import (
    PRESETS,
    BinaryScore,
    DataRef,
    DataSpec,
    EvalSet,
    Example,
    PresetName,
    Task,
    check_disjoint,
    load_eval_set,
    parse_label_map,
)
from factcheck.evaluation.reporting import compare_markdown, load_report, markdown_report
from factcheck.evaluation.runner import (
    EvalResult,
    calibrate,
    check_thresholds_for,
    default_thresholds_path,
    evaluate,
    save_calibration,
    write_outputs,
)

__all__ = [
    "PRESETS",
    "BinaryScore",
    "DataRef",
    "DataSpec",
    "EvalResult",
    "EvalSet",
    "Example",
    "Objective",
    "PresetName",
    "Task",
    "Calibration",
    "calibrate",
    "check_disjoint",
    "check_thresholds_for",
    "compare_markdown",
    "default_thresholds_path",
    "evaluate",
    "load_eval_set",
    "load_report",
    "load_thresholds",
    "markdown_report",
    "parse_label_map",
    "save_calibration",
    "write_outputs",
]
