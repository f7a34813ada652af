"""The paired comparison of two runs' PR-AUC (factcheck.evaluation.paired and `factcheck compare --predictions`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.errors import InputError
from factcheck.evaluation.paired import load_predictions, paired_difference


def _write(path: Path, gold: list[str], scores: np.ndarray, stories: list[str] | None = None) -> Path:
    rows = []
    for k, (g, s) in enumerate(zip(gold, scores)):
        row = {"id": f"p{k}", "gold": g, "contradiction": float(s)}
        if stories is not None:
            row["story"] = stories[k]
        rows.append(json.dumps(row))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def data():
    rng = np.random.default_rng(1)
    n = 300
    y = rng.random(n) < 0.2
    gold = ["contradiction" if t else "compatible" for t in y]
    stories = [f"s{k // 10}" for k in range(n)]
    noise = rng.random(n)
    good = np.clip(0.6 * y + 0.4 * noise, 0, 1)
    return gold, stories, noise, good


def test_a_better_run_wins_with_an_interval_above_zero(tmp_path, data):
    gold, stories, noise, good = data
    a = load_predictions(_write(tmp_path / "a.jsonl", gold, noise, stories))
    b = load_predictions(_write(tmp_path / "b.jsonl", gold, good, stories))
    d = paired_difference(a, b, resamples=300)
    assert d.b > d.a and d.difference == pytest.approx(d.b - d.a)
    assert 0 < d.low < d.difference < d.high
    assert d.p_better > 0.99
    assert (d.unit, d.units, d.n, d.positives) == ("story", 30, 300, sum(g == "contradiction" for g in gold))
    worse = paired_difference(b, a, resamples=300)
    assert worse.high < 0 and worse.p_better < 0.01


def test_the_same_run_twice_differs_by_nothing(tmp_path, data):
    gold, _, noise, _ = data
    a = load_predictions(_write(tmp_path / "a.jsonl", gold, noise))
    d = paired_difference(a, a, resamples=50)
    assert (d.difference, d.low, d.high, d.p_better) == (0.0, 0.0, 0.0, 0.0)
    assert d.unit == "pair" and d.units == len(gold)


def test_runs_on_different_pairs_are_refused(tmp_path, data):
    gold, _, noise, good = data
    a = load_predictions(_write(tmp_path / "a.jsonl", gold, noise))
    b = load_predictions(_write(tmp_path / "b.jsonl", gold[:-1], good[:-1]))
    with pytest.raises(InputError, match="not the same pairs"):
        paired_difference(a, b)


def test_a_bad_record_names_the_file_and_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a", "gold": "contradiction", "contradiction": 0.5}\n{"id": "b", "gold": "x"}\n')
    with pytest.raises(InputError, match=r"p\.jsonl: line 2 "):
        load_predictions(path)
    with pytest.raises(InputError, match="no such prediction file"):
        load_predictions(tmp_path / "missing.jsonl")


def _report(path: Path, name: str) -> Path:
    path.write_text(json.dumps({"task": "news-pairs", "split": "validation", "model": {"name": name, "source": name},
                                "n": 300, "metrics": {"pr_auc": 0.5, "precision": 0.5, "recall": 0.3},
                                "thresholds": {"contradiction": 0.9}}))
    return path


def test_compare_adds_the_paired_table(tmp_path, data):
    gold, stories, noise, good = data
    ra, rb = _report(tmp_path / "a.json", "old"), _report(tmp_path / "b.json", "new")
    pa = _write(tmp_path / "a.pred.jsonl", gold, noise, stories)
    pb = _write(tmp_path / "b.pred.jsonl", gold, good, stories)
    result = CliRunner().invoke(app, ["compare", str(ra), str(rb), "--predictions", str(pa), "--predictions", str(pb),
                                      "--resamples", "200", "--markdown", str(tmp_path / "cmp.md")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "cmp.md").read_text()
    assert "| news-pairs validation · old (old) | news-pairs | 300 | 0.500 |" in text
    assert "bootstrap over 30 stories, 200 resamples" in text
    row = next(line for line in text.splitlines() if line.startswith("| b.pred.jsonl |"))
    assert "| +0." in row and row.rstrip().endswith("| 1.00 |")
    one = CliRunner().invoke(app, ["compare", str(ra), str(rb), "--predictions", str(pa)])
    assert one.exit_code == 2 and "one prediction file per report" in one.output
