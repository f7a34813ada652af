"""Calibration: temperature and threshold fitting, thresholds files, fit-on != report-on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import GradedFakeNLI, make_nli_rows

from factcheck.errors import InputError
from factcheck.evaluation import DataSpec, calibrate, default_thresholds_path, evaluate, load_eval_set, save_calibration
from factcheck.evaluation.calibration import (
    Objective,
    Calibration,
    decisions,
    fit_temperature,
    fit_threshold,
    fit_thresholds,
    load_thresholds,
)
from factcheck.evaluation.data import BinaryScore, DataRef, EvalSet, Example, Task, parse_label_map
from factcheck.evaluation.tasks import Scored
from factcheck.labels import LABELS
from factcheck.verdict import Thresholds as VerdictThresholds


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _pairs_set(labels: list[str]) -> EvalSet:
    examples = tuple(Example(str(i), "p", "h", lab, lab) for i, lab in enumerate(labels))
    return EvalSet("synthetic", DataRef("synthetic"), Task.pairs, LABELS, {x: x for x in LABELS}, examples, len(labels))


def _scored(probs: np.ndarray) -> Scored:
    n = len(probs)
    return Scored(probs, np.arange(n), np.zeros(n, dtype=np.int64), n, 1.0)


def test_fit_temperature_recovers_overconfidence() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4000, 3)) * 2.0
    true = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    gold = np.array([rng.choice(3, p=p) for p in true])
    overconfident = np.exp(3 * logits) / np.exp(3 * logits).sum(axis=1, keepdims=True)
    evalset = _pairs_set([LABELS[g] for g in gold])
    fitted = fit_thresholds(_scored(overconfident), evalset)
    assert fitted.temperature == pytest.approx(3.0, rel=0.1)
    fit = fitted.provenance["fit"]
    assert fit["nll_after"] < fit["nll_before"]
    assert fit["macro_f1_after"] >= fit["macro_f1_before"] - 1e-9


def test_fit_temperature_on_a_known_curve() -> None:
    assert fit_temperature(lambda t: (np.log(t) - np.log(2.5)) ** 2) == pytest.approx(2.5, rel=1e-3)


def test_fit_threshold_finds_the_separating_cut() -> None:
    scores = np.array([0.1, 0.2, 0.3, 0.6, 0.65, 0.9])
    gold = np.array([0, 0, 0, 1, 1, 1])
    (t,), value = fit_threshold(lambda t: (scores >= t).astype(int), gold, [(x,) for x in (0.25, 0.45, 0.62, 0.8)], 2)
    assert t == 0.45 and value == pytest.approx(1.0)
    (t,), value = fit_threshold(
        lambda t: (scores >= t).astype(int), gold, [(x,) for x in (0.05, 0.95)], 2, Objective.balanced_accuracy
    )
    assert value == pytest.approx(0.5)


def test_binary_fit_moves_the_threshold_to_the_data(tmp_path) -> None:
    # Positives score 0.3-0.4, negatives 0.05-0.2: the 0.5 default calls everything negative.
    rng = np.random.default_rng(1)
    n = 200
    gold = rng.integers(0, 2, n)
    c = np.where(gold == 1, rng.uniform(0.3, 0.4, n), rng.uniform(0.05, 0.2, n))
    probs = np.stack([1 - c - 0.01, np.full(n, 0.01), c], axis=1)
    labels = ["contradiction" if g else "entailment" for g in gold]
    examples = tuple(Example(str(i), "p", "h", lab, lab) for i, lab in enumerate(labels))
    evalset = EvalSet(
        "bin", DataRef("bin"), Task.pairs, ("entailment", "contradiction"),
        {"entailment": "entailment", "contradiction": "contradiction"}, examples, n,
        score=BinaryScore.contradiction,
    )
    before = decisions(_scored(probs), evalset)
    assert before.pred.sum() == 0
    fitted = fit_thresholds(_scored(probs), evalset)
    after = decisions(_scored(probs), evalset, fitted)
    assert (after.pred == gold).all()
    assert fitted.verdict is None and fitted.threshold is not None


def test_thresholds_round_trip_and_verdict_block(tmp_path) -> None:
    evalset = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(60, seed=1))))
    fitted = calibrate(GradedFakeNLI(), evalset)
    path = save_calibration(fitted, None, tmp_path / "out" / "t.json")
    again = load_thresholds(path)
    assert again == fitted
    data = json.loads(path.read_text())
    assert data["provenance"]["data"]["sha256"] == evalset.ref.sha256
    assert data["provenance"]["n"] == 60 and data["provenance"]["model"]["name"] == "graded-fake-nli"
    assert data["provenance"]["created"]
    # `factcheck check` reads the verdict block of the same file.
    verdict = VerdictThresholds.load(path)
    assert verdict.contradiction == data["verdict"]["contradiction"]
    assert verdict.agreement == data["verdict"]["agreement"]


def test_bad_thresholds_files(tmp_path) -> None:
    with pytest.raises(InputError, match="no such thresholds file"):
        load_thresholds(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    for content, message in [("{", "not valid JSON"), ('{"schema": "x"}', "not a factcheck thresholds"),
                             ('{"schema": "factcheck.thresholds/1"}', "malformed"),
                             ('{"schema": "factcheck.thresholds/1", "temperature": -1, "classes": [], "task": "pairs"}', "positive")]:
        bad.write_text(content)
        with pytest.raises(InputError, match=message):
            load_thresholds(bad)


def test_fit_on_one_file_apply_to_another(tmp_path) -> None:
    model = GradedFakeNLI()
    dev = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(90, seed=1))))
    test = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "test.jsonl", make_nli_rows(60, seed=2))))
    fitted = calibrate(model, dev)
    result = evaluate(model, test, thresholds=fitted, n_bootstrap=50)
    used = result.report["thresholds"]
    assert used["fitted_on_sha256"] == dev.ref.sha256 and used["temperature"] == pytest.approx(fitted.temperature)
    assert used["contradiction"] == fitted.contradiction
    expected = decisions(result.scored, test, fitted).pred
    assert (result.decisions.pred == expected).all()
    plain = evaluate(model, test, n_bootstrap=50)
    assert plain.report["thresholds"] is None
    # Same rows as the fit: refused.
    with pytest.raises(InputError, match="refusing to fit"):
        evaluate(model, dev, thresholds=fitted)


def test_thresholds_must_match_task_and_model(tmp_path) -> None:
    dev = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(30, seed=1))))
    test_rows = [{**r, "label": "agree" if r["label"] == "entailment" else "disagree"} for r in make_nli_rows(30, seed=2)]
    binary = load_eval_set(
        DataSpec(path=write_jsonl(tmp_path / "bin.jsonl", test_rows), labels=parse_label_map("agree=entailment,disagree=contradiction"))
    )
    fitted = calibrate(GradedFakeNLI(), dev)
    with pytest.raises(InputError, match="fitted for task pairs with classes entailment/neutral/contradiction"):
        evaluate(GradedFakeNLI(), binary, thresholds=fitted)
    other = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "other.jsonl", make_nli_rows(30, seed=3))))
    with pytest.raises(InputError, match="fitted for model 'graded-fake-nli', not 'another'"):
        evaluate(GradedFakeNLI(name="another"), other, thresholds=fitted)


def test_default_path_is_beside_a_local_model(tmp_path) -> None:
    model_dir = tmp_path / "my-model"
    model_dir.mkdir()
    model = GradedFakeNLI(source=str(model_dir))
    dev = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(30, seed=1))))
    three_way = calibrate(model, dev)
    assert save_calibration(three_way, model.info) == model_dir / "thresholds.json"
    rows = [{**r, "label": "1" if r["label"] == "entailment" else "0"} for r in make_nli_rows(30, seed=4)]
    binary = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "sum.jsonl", rows), labels=parse_label_map("1=entailment,0=contradiction")))
    assert default_thresholds_path(model.info, calibrate(model, binary)) == model_dir / "thresholds-sum.jsonl.json"
    with pytest.raises(InputError, match="--save"):
        default_thresholds_path(GradedFakeNLI().info, three_way)
    assert isinstance(Calibration().rule, str)


def test_verdict_block_is_fitted_on_the_two_way_scores_check_uses() -> None:
    from factcheck.verdict import Verdict, decide, two_way_scores

    # Contradictions look weak one way and strong the other; neutrals look strong one way only.
    # One direction cannot separate them; the two-way mean (what `factcheck check` uses) can.
    con_f, con_b = [0.05, 0.15, 0.6], [0.05, 0.05, 0.9]
    neu_f, neu_b = [0.05, 0.05, 0.9], [0.1, 0.85, 0.05]
    forward = np.array([con_f] * 10 + [neu_f] * 10)
    backward = np.array([con_b] * 10 + [neu_b] * 10)
    labels = ["contradiction"] * 10 + ["neutral"] * 10
    evalset = _pairs_set(labels)
    one_way = fit_thresholds(_scored(forward), evalset)
    two_way = fit_thresholds(_scored(forward), evalset, backward=backward)
    assert "one-direction" in one_way.verdict["note"] and "two-way" in two_way.verdict["note"]
    c, a = two_way_scores(forward, backward)
    fitted = VerdictThresholds.from_dict(two_way.to_dict())
    verdicts, _ = decide(c, a, fitted)
    assert [v.value for v in verdicts] == labels
    assert "(macro_f1 1.0000)" in two_way.verdict["note"]


def test_calibrate_scores_pairs_both_ways(tmp_path) -> None:
    evalset = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(30, seed=2))))
    model = GradedFakeNLI()
    fitted = calibrate(model, evalset)
    seen = {pair for batch in model.calls for pair in batch}
    assert all((ex.hypothesis, ex.premise) in seen for ex in evalset.examples)
    assert "two-way" in fitted.verdict["note"]
