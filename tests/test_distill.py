"""Stage-5 distillation recipe (factcheck.training.distill): the pure parts without models, and one slow run of
pool -> fit -> label -> distilled fit -> select on a tiny random encoder."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from factcheck.errors import InputError
from factcheck.training import distill
from factcheck.training.data import NLIExample


def test_int8_rows_roundtrip_within_half_a_step():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(7, 50)).astype(np.float32) * rng.uniform(0.01, 3, size=(7, 1)).astype(np.float32)
    w[3] = 0.0
    q, scale = distill.quantize_rows(w)
    assert q.dtype == np.int8 and scale.dtype == np.float16
    back = distill.dequantize_rows(q, scale)
    step = scale.astype(np.float32)[:, None]
    # Half a quantisation step, plus the fp16 rounding of the scale itself (relative 2^-11 of each value).
    assert np.all(np.abs(back - w) <= step / 2 + np.abs(w) * 2**-10 + 1e-8)
    assert np.all(back[3] == 0)


def test_pack_splits_into_parts_and_unpack_restores(tmp_path):
    from safetensors.numpy import load_file, save_file

    rng = np.random.default_rng(1)
    src = tmp_path / "src"
    src.mkdir()
    tensors = {"emb.weight": rng.normal(size=(300, 64)).astype(np.float32),
               "layer.weight": rng.normal(size=(64, 64)).astype(np.float32),
               "layer.bias": rng.normal(size=64).astype(np.float32), "ids": np.arange(5, dtype=np.int64)}
    save_file(tensors, str(src / "model.safetensors"))
    (src / "config.json").write_text("{}")
    parts = distill.pack(src, tmp_path / "packed", part_mb=0.015)
    assert len(parts) >= 2
    # The parts may travel in different folders; pack.json and the small files travel with the first.
    other = tmp_path / "other"
    other.mkdir()
    parts[-1].rename(other / parts[-1].name)
    out = distill.unpack([tmp_path / "packed", other], tmp_path / "restored")
    restored = load_file(str(out / "model.safetensors"))
    assert set(restored) == set(tensors) and (out / "config.json").exists()
    assert np.array_equal(restored["ids"], tensors["ids"])
    for name in ("emb.weight", "layer.weight", "layer.bias"):
        assert restored[name].dtype == np.float32
        assert np.abs(restored[name] - tensors[name]).max() < 0.03 * np.abs(tensors[name]).max()


def test_unpack_refuses_a_missing_part(tmp_path):
    from safetensors.numpy import save_file

    src = tmp_path / "src"
    src.mkdir()
    save_file({"a.weight": np.ones((100, 100), np.float32), "b.weight": np.ones((100, 100), np.float32)},
              str(src / "model.safetensors"))
    parts = distill.pack(src, tmp_path / "packed", part_mb=0.011)
    parts[-1].unlink()
    with pytest.raises(InputError, match="expects 2"):
        distill.unpack([tmp_path / "packed"], tmp_path / "restored")


def test_lr_factor_warms_up_then_decays_to_zero():
    assert distill.lr_factor(0.0) == 0.0
    assert distill.lr_factor(0.06) == pytest.approx(1.0)
    values = [distill.lr_factor(p / 100) for p in range(6, 101)]
    assert all(a >= b for a, b in itertools.pairwise(values))
    assert distill.lr_factor(1.0) == 0.0 and distill.lr_factor(1.5) == 0.0


def test_distillation_loss_mixes_hard_and_soft_terms():
    import torch

    from factcheck.training.losses import set_valued_nll

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 1.5]])
    allowed = torch.tensor([[True, False, False], [False, True, True]])
    hard = set_valued_nll(logits, allowed)
    assert torch.allclose(distill.distillation_loss(logits, allowed, None, 0.5, 2.0), hard)
    assert torch.allclose(distill.distillation_loss(logits, allowed, torch.softmax(logits, -1), 0.0, 1.0), hard)
    # A teacher that agrees with the student (T=1) adds nothing but the (1 - alpha) weight on the hard term.
    same = distill.distillation_loss(logits, allowed, torch.softmax(logits, -1), 0.8, 1.0)
    assert torch.allclose(same, 0.2 * hard, atol=1e-6)
    # One that disagrees costs more, and more the larger alpha.
    other = torch.softmax(torch.tensor([[-1.0, 0.5, 2.0], [1.5, 0.2, 0.1]]), -1)
    assert distill.distillation_loss(logits, allowed, other, 0.8, 1.0) > distill.distillation_loss(logits, allowed, other, 0.2, 1.0)


def test_distillation_loss_rows_without_teacher_or_without_label():
    import torch

    from factcheck.training.data import label_mask
    from factcheck.training.losses import set_valued_nll

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 1.5], [0.3, -0.2, 0.9]])
    allowed = torch.tensor([label_mask("entailment"), label_mask("not_contradiction"), label_mask("any")])
    teacher = torch.softmax(torch.tensor([[-1.0, 0.5, 2.0], [1.5, 0.2, 0.1], [2.0, 0.0, -2.0]]), -1)
    kl = (teacher * (teacher.log() - torch.log_softmax(logits, -1))).sum(-1)
    hard = [set_valued_nll(logits[i:i + 1], allowed[i:i + 1]) for i in range(3)]
    assert float(hard[2]) == pytest.approx(0.0, abs=1e-6)  # 'any' allows every class: no hard loss
    # Row 0 has no teacher (NaN): hard only. Row 1: alpha mix. Row 2 ('any'): the teacher alone, at full weight.
    no_teacher = teacher.clone()
    no_teacher[0] = float("nan")
    got = distill.distillation_loss(logits, allowed, no_teacher, 0.25, 1.0)
    want = (hard[0] + 0.75 * hard[1] + 0.25 * kl[1] + kl[2]) / 3
    assert torch.allclose(got, want, atol=1e-6)
    # Every row with a teacher and a hard label: the old formula, (1 - alpha) * hard + alpha * KL.
    both = allowed[:2]
    old = 0.75 * set_valued_nll(logits[:2], both) + 0.25 * kl[:2].mean()
    assert torch.allclose(distill.distillation_loss(logits[:2], both, teacher[:2], 0.25, 1.0), old, atol=1e-6)


def test_rows_without_a_label_need_a_teacher():
    import torch

    rows = [NLIExample("p", "h", "entailment", "mnli"), NLIExample("p2", "h2", "any", "news_teacher")]
    distill.check_teacher_rows(rows[:1], None, 0.0, "t.npy")  # no 'any' rows: nothing to check
    with pytest.raises(InputError, match="no hard label"):
        distill.check_teacher_rows(rows, None, 0.5, "t.npy")
    with pytest.raises(InputError, match="no hard label"):
        distill.check_teacher_rows(rows, torch.full((2, 3), 1 / 3), 0.0, "t.npy")
    teacher = torch.tensor([[0.2, 0.3, 0.5], [float("nan")] * 3])
    with pytest.raises(InputError, match="1 training rows labelled 'any' have no teacher"):
        distill.check_teacher_rows(rows, teacher, 0.5, "t.npy")
    distill.check_teacher_rows(rows, teacher.flip(0), 0.5, "t.npy")


@pytest.mark.parametrize("suffix", [".xz", ".gz"])
def test_pool_roundtrip(tmp_path, suffix):
    train = [("s1", NLIExample("p1", "h1", "entailment", "mnli")), ("s2", NLIExample("p2", "h2", "not_entailment", "fever"))]
    val = [NLIExample("p3", "h3", "neutral", "mnli", "g3")]
    path = tmp_path / f"pool.jsonl{suffix}"
    distill.write_pool(path, train, val, {"weights": {"s1": 1}})
    header, tr, va = distill.read_pool(path)
    assert header["schema"] == distill.POOL_SCHEMA and header["weights"] == {"s1": 1}
    assert [(e.premise, e.label, e.source) for e in tr] == [("p1", "entailment", "mnli"), ("p2", "not_entailment", "fever")]
    assert va == val


def test_read_pool_refuses_other_files(tmp_path):
    import gzip

    path = tmp_path / "x.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write('{"schema": "something/1"}\n')
    with pytest.raises(InputError, match="not a factcheck.nli_pool/1"):
        distill.read_pool(path)
    with pytest.raises(InputError, match="not found"):
        distill.read_pool(tmp_path / "missing.jsonl.gz")


def test_select_takes_the_best_macro_accuracy_and_skips_failed_runs(tmp_path):
    for name, macro in [("a", 0.80), ("b", 0.84), ("c", 0.83)]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "metrics.json").write_text(json.dumps({"validation": {"macro_accuracy": macro}}))
    (tmp_path / "failed").mkdir()
    runs = [str(tmp_path / n) for n in ("a", "failed", "b", "c")]
    summary = distill.main(["select", *runs, "--out", str(tmp_path / "sel.json")]) or json.loads((tmp_path / "sel.json").read_text())
    assert summary["selected"] == str(tmp_path / "b") and len(summary["macro_accuracy"]) == 3
    with pytest.raises(SystemExit, match="none of the runs"):
        distill.main(["select", str(tmp_path / "failed"), "--out", str(tmp_path / "sel2.json")])


@pytest.mark.slow
def test_pool_fit_label_distil_select_end_to_end(tmp_path, tiny_bert_base, med_data_dir):
    pool = tmp_path / "pool.jsonl.gz"
    distill.main(["pool", "--data-dir", str(med_data_dir), "--sources", "med", "--weights", "med=40",
                  "--val-fraction", "0.2", "--out", str(pool)])
    header, train, val = distill.read_pool(pool)
    assert len(train) == 40 and val and header["train_streams"] == {"med": 40}
    common = ["--pool", str(pool), "--init", str(tiny_bert_base), "--epochs", "1", "--batch-size", "8",
              "--threads", "1", "--log-every", "1", "--max-length", "32"]
    distill.main(["fit", *common, "--out", str(tmp_path / "hard"), "--keep-fp32"])
    hard = json.loads((tmp_path / "hard" / "metrics.json").read_text())
    assert hard["steps"] == 5 and hard["stopped_by"] == "steps" and "med" in hard["validation"]["per_source"]
    assert (tmp_path / "hard" / "model" / "model.safetensors").exists()
    distill.main(["label", "--pool", str(pool), "--model", str(tmp_path / "hard" / "model"),
                  "--out", str(tmp_path / "probs.npy"), "--max-length", "32"])
    probs = np.load(tmp_path / "probs.npy")
    assert probs.shape == (40, 3) and np.allclose(probs.astype(np.float32).sum(1), 1, atol=1e-2)
    distill.main(["fit", *common, "--out", str(tmp_path / "kd"), "--teacher-probs", str(tmp_path / "probs.npy"),
                  "--alpha", "0.5"])
    kd = json.loads((tmp_path / "kd" / "metrics.json").read_text())
    assert kd["args"]["teacher_probs"] and kd["steps"] == 5
    # A zero time budget would never start; a tiny one stops early and still decays to lr 0 and exports.
    distill.main(["fit", *common, "--out", str(tmp_path / "short"), "--time-budget", "1e-6"])
    short = json.loads((tmp_path / "short" / "metrics.json").read_text())
    assert short["stopped_by"] == "time budget" and short["steps"] < 5
    distill.main(["select", str(tmp_path / "hard"), str(tmp_path / "kd"), "--out", str(tmp_path / "sel.json")])
    assert json.loads((tmp_path / "sel.json").read_text())["selected"] in {str(tmp_path / "hard"), str(tmp_path / "kd")}


def test_recipe_script_names_existing_subcommands():
    script = (Path(distill.__file__).parent / "recipes" / "stage5_gpu.sh").read_text()
    for sub in ("unpack", "fit", "label", "select"):
        assert f"$D {sub} " in script
