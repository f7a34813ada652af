"""`factcheck eval / calibrate / compare` end to end through the CLI, with fake and tiny real models."""

from __future__ import annotations

import json
from hashlib import sha256
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import GradedFakeNLI, make_nli_rows
from typer.testing import CliRunner

import factcheck.cli.eval
from factcheck.cli import app, main
from factcheck.models import portable_path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not available")
PNG = b"\x89PNG\r\n\x1a\n"


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def fake_model(monkeypatch) -> GradedFakeNLI:
    """Every --nli-model loads this GradedFakeNLI."""
    model = GradedFakeNLI()
    monkeypatch.setattr(factcheck.cli.eval, "_load_model", lambda name, device, precision="auto": model)
    return model


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def _pairwise_auc(y: list[bool], s: list[float]) -> float:
    """ROC-AUC by definition: P(score_pos > score_neg) + 0.5 P(tie), over all pairs."""
    pos = [v for v, t in zip(s, y) if t]
    neg = [v for v, t in zip(s, y) if not t]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_eval_three_way_report_matches_predictions(tmp_path, fake_model) -> None:
    data = write_jsonl(tmp_path / "test.jsonl", make_nli_rows(60, seed=2))
    out = tmp_path / "out"
    result = run("eval", "--data", data, "--id-column", "id", "--output", out / "r.json", "--predictions", out / "p.jsonl",
                 "--plots", out / "plots", "--bootstrap", "200")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "r.json").read_text())
    preds = _read_jsonl(out / "p.jsonl")
    assert report["n"] == len(preds) == 60 and report["task"] == "pairs" and report["binary"] is None
    assert [p["id"] for p in preds] == [f"r2-{i}" for i in range(60)]
    accuracy = np.mean([p["gold"] == p["predicted"] for p in preds])
    assert report["metrics"]["accuracy"] == pytest.approx(accuracy)
    auc = _pairwise_auc([p["gold"] == "contradiction" for p in preds], [p["probabilities"]["contradiction"] for p in preds])
    assert report["metrics"]["contradiction_vs_rest"]["roc_auc"] == pytest.approx(auc)
    for key in ("accuracy", "macro_f1", "balanced_accuracy", "ece"):
        lo, hi = report["ci95"][key]
        assert lo <= report["metrics"][key] <= hi
    assert report["model"]["name"] == "graded-fake-nli" and report["device"]
    assert report["pairs_per_second"] > 0 and report["factcheck_version"] and report["seed"] == 0
    assert report["dataset"]["sha256"] and report["dataset"]["source"].endswith("test.jsonl")
    assert "| accuracy |" in (out / "r.md").read_text()
    for name in ("confusion_matrix.png", "roc.png", "reliability.png"):
        assert (out / "plots" / name).read_bytes()[:8] == PNG


def test_eval_binary_document_task_matches_predictions(tmp_path, fake_model) -> None:
    bodies, stances = [], []
    rows = make_nli_rows(40, seed=5, noise=0.2)
    for i, row in enumerate(rows):
        filler = " ".join(f"Sentence number {k} of body {i} adds background." for k in range(6))
        bodies.append({"Body ID": i, "articleBody": f"{filler} {row['premise']} More words follow here."})
        stance = {"entailment": "agree", "contradiction": "disagree", "neutral": "discuss"}[row["label"]]
        stances.append({"Headline": row["hypothesis"], "Body ID": i, "Stance": stance})
    folder = tmp_path / "fnc"
    folder.mkdir()
    import csv

    for name, table in (("x_bodies.csv", bodies), ("x_stances.csv", stances)):
        with (folder / name).open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)
    fake_model.max_length = 40  # forces several windows per body
    out = tmp_path / "out"
    result = run("eval", "--preset", "fnc1", "--data", folder, "--output", out / "r.json", "--predictions", out / "p.jsonl",
                 "--bootstrap", "100")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "r.json").read_text())
    preds = _read_jsonl(out / "p.jsonl")
    assert report["task"] == "document" and report["binary"]["positive"] == "contradiction"
    assert report["binary"]["score_definition"] == "P(contradiction)"
    assert report["dataset"]["dropped"].get("label discuss", 0) == sum(r["label"] == "neutral" for r in rows)
    assert report["inputs"]["windows"] > report["n"] and report["inputs"]["oversized_windows"] == 0
    assert report["nli_pairs"] == report["inputs"]["windows"]
    assert report["metrics"]["accuracy"] == pytest.approx(np.mean([p["gold"] == p["predicted"] for p in preds]))
    y = [p["gold"] == "contradiction" for p in preds]
    assert report["metrics"]["roc_auc"] == pytest.approx(_pairwise_auc(y, [p["score"] for p in preds]))
    assert all(p["score"] == pytest.approx(p["contradiction"]) for p in preds)
    # every window fitted the model: no pair the model saw was over max_length
    seen = [pair for batch in fake_model.calls for pair in batch]
    assert max(fake_model.token_lengths(seen)) <= 40


def test_same_seed_same_metrics(tmp_path, fake_model) -> None:
    data = write_jsonl(tmp_path / "d.jsonl", make_nli_rows(45, seed=3))
    reports = []
    for i, seed in enumerate((7, 7, 8)):
        assert run("eval", "--data", data, "--seed", seed, "--bootstrap", "150", "--output", tmp_path / f"{i}.json").exit_code == 0
        reports.append(json.loads((tmp_path / f"{i}.json").read_text()))
    a, b, c = reports
    assert a["metrics"] == b["metrics"] and a["ci95"] == b["ci95"] and a["seed"] == 7
    assert a["metrics"] == c["metrics"] and a["ci95"] != c["ci95"]


def test_calibrate_then_eval_and_refusals(tmp_path, fake_model) -> None:
    dev = write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(60, seed=1))
    test = write_jsonl(tmp_path / "test.jsonl", make_nli_rows(45, seed=2))
    copy = tmp_path / "dev-copy.jsonl"
    shutil.copy(dev, copy)
    saved = tmp_path / "t.json"
    result = run("calibrate", "--data", dev, "--save", saved)
    assert result.exit_code == 0, result.output
    assert "saved:" in result.stdout and json.loads(saved.read_text())["provenance"]["n"] == 60

    result = run("eval", "--report-on", test, "--thresholds", saved, "--output", tmp_path / "r.json", "--bootstrap", "50")
    assert result.exit_code == 0, result.output
    used = json.loads((tmp_path / "r.json").read_text())["thresholds"]
    assert used["file"] == portable_path(saved) == f"{saved.name} (sha256:{sha256(saved.read_bytes()).hexdigest()[:12]})"
    assert used["fitted_on"] == dev.name  # outside the checkout: the name, with its sha256 beside it
    assert used["fitted_on_sha256"] == sha256(dev.read_bytes()).hexdigest()

    result = run("eval", "--report-on", test, "--fit-on", dev, "--output", tmp_path / "f.json", "--bootstrap", "50")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "f.json").read_text())["thresholds"]["fitted_on"] == dev.name

    for args in (("--thresholds", saved), ("--fit-on", dev), ("--fit-on", copy)):
        result = run("eval", "--report-on", dev, *args)
        assert result.exit_code == 2, result.output
        assert "refusing to fit thresholds on the data the report scores" in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "content, args, message",
    [
        ('{"premise": "a", "hypothesis": "b", "label": "entailment"}\n', ("--premise", "text"), "no column 'text'"),
        ('{"premise": "a", "hypothesis": "b", "label": "maybe"}\n', (), "unknown label values in column 'label': 'maybe'"),
        ("", (), "the file is empty"),
        ('{"premise": "a", "hypothesis": "b", "label": "entailment"}\n', ("--labels", "e=yes"), "bad --labels target"),
    ],
)
def test_bad_inputs_exit_2_with_one_line(tmp_path, fake_model, content, args, message) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(content)
    result = run("eval", "--data", data, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("factcheck: error: ")


def test_hub_dataset_offline_exits_2(monkeypatch, fake_model) -> None:
    import datasets
    import huggingface_hub.constants

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    result = run("eval", "--dataset", "anli", "--split", "dev_r1")
    assert result.exit_code == 2
    assert "dataset 'anli' could not be loaded from the Hugging Face Hub" in result.stderr


def test_console_entry_point_exits_2(tmp_path, monkeypatch, capsys, fake_model) -> None:
    dev = write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(6, seed=1))
    monkeypatch.setattr(sys, "argv", ["factcheck", "eval", "--data", str(dev), "--fit-on", str(dev)])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("factcheck: error: refusing to fit") and len(err.strip().splitlines()) == 1


def test_compare_puts_runs_side_by_side(tmp_path, fake_model) -> None:
    for i in range(2):
        data = write_jsonl(tmp_path / f"d{i}.jsonl", make_nli_rows(30, seed=10 + i))
        assert run("eval", "--data", data, "--bootstrap", "20", "--output", tmp_path / f"r{i}.json").exit_code == 0
    result = run("compare", tmp_path / "r0.json", tmp_path / "r1.json", "--markdown", tmp_path / "cmp.md")
    assert result.exit_code == 0, result.output
    table = (tmp_path / "cmp.md").read_text().splitlines()
    assert table[0].startswith("| run | task | n | accuracy | macro_f1")
    assert len(table) == 4 and "d0.jsonl" in table[2] and "d1.jsonl" in table[3]
    accuracy = json.loads((tmp_path / "r1.json").read_text())["metrics"]["accuracy"]
    assert f"{accuracy:.3f}" in table[3]
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    assert run("compare", bad).exit_code == 2


# --- a tiny real transformers model --------------------------------------------------------------


def build_tiny_nli(path: Path, words: set[str]) -> Path:
    """A random 1-layer BERT NLI classifier (64 positions) with a WordPiece vocab of ``words``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(words), *"abcdefghijklmnopqrstuvwxyz."]
    vocab = list(dict.fromkeys(vocab))
    BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}).save_pretrained(path)
    torch.manual_seed(0)
    id2label = {0: "contradiction", 1: "entailment", 2: "neutral"}
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
        max_position_embeddings=64, initializer_range=0.5, id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )
    BertForSequenceClassification(config).eval().save_pretrained(path)
    return path


def test_tiny_real_model_document_task_has_no_silent_truncation(tmp_path) -> None:
    rows = make_nli_rows(8, seed=4)
    for i, row in enumerate(rows):
        extra = " ".join(f"{w.title()} {w} {w}." for w in row["premise"].lower().rstrip(".").split())
        row["premise"] = f"{row['premise']} {extra} Minister " + ("minister " * 70).strip() + "."  # one sentence over 64 tokens
    words = {w.strip(".").lower() for r in rows for t in (r["premise"], r["hypothesis"]) for w in t.split()}
    model_dir = build_tiny_nli(tmp_path / "tiny", words)
    data = write_jsonl(tmp_path / "d.jsonl", rows)
    out = tmp_path / "r.json"
    result = run("eval", "--data", data, "--task", "document", "--nli-model", model_dir, "--device", "cpu",
                 "--bootstrap", "20", "--output", out, "--predictions", tmp_path / "p.jsonl")
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["model"]["source"] == model_dir.name and report["inputs"]["max_length"] == 64
    assert report["inputs"]["oversized_windows"] >= 8 and report["inputs"]["examples_with_oversized_windows"] == 8
    assert report["inputs"]["windows"] > 8
    preds = _read_jsonl(tmp_path / "p.jsonl")
    assert all(p["over_max_length"] == 1 for p in preds)  # only the long sentence; every planned window fits
    assert all(abs(sum(p["probabilities"].values()) - 1) < 1e-6 for p in preds)
    # calibrate saves beside the local model by default
    dev = write_jsonl(tmp_path / "dev.jsonl", make_nli_rows(9, seed=6))
    result = run("calibrate", "--data", dev, "--nli-model", model_dir, "--device", "cpu")
    assert result.exit_code == 0, result.output
    assert (model_dir / "thresholds.json").is_file()


# --- the shared public data, a few rows each -----------------------------------------------------


@needs_shared
@pytest.mark.parametrize(
    "args, task, n",
    [
        (("--preset", "anli", "--data", SHARED / "anli" / "ANLI_analysis_r1_dev.csv"), "pairs", 12),
        (("--preset", "fnc1", "--data", SHARED / "fnc1"), "document", 12),
        (("--preset", "summedits", "--data", SHARED / "summedits" / "summedits_podcast.json"), "document", 3),
    ],
)
def test_presets_on_shared_data(tmp_path, fake_model, args, task, n) -> None:
    out = tmp_path / "r.json"
    result = run("eval", *args, "--limit", n, "--bootstrap", "20", "--output", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["task"] == task and report["n"] == n and report["dataset"]["limit"] == n
    if args[1] == "fnc1":
        assert report["dataset"]["dropped"] and report["binary"]["positive"] == "contradiction"
