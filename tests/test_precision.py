"""Precision: the auto choice (pure), bf16 and static int8 with tiny local models, batch == check at each precision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import factcheck.device as device_mod
import factcheck.nli as nli_mod
import factcheck.nli.loading as nli_loading  # where the precision choice reads the CPU flags
from factcheck.device import AGREEMENT_BAR, check_precision, choose_precision, meets_bar
from factcheck.errors import DeviceError, InputError, ModelError

GOOD = {"label_agreement": 0.999, "mean_abs_diff": 0.002}
BAD = {"label_agreement": 0.99, "mean_abs_diff": 0.01}


# --- the choice (pure) ---------------------------------------------------------------------------


def test_precision_names() -> None:
    assert check_precision(None) == "auto" and check_precision(" BF16 ") == "bf16"
    with pytest.raises(InputError, match="auto, fp32, bf16, int8"):
        check_precision("fp8")


def test_the_bar() -> None:
    assert meets_bar(GOOD) and not meets_bar(BAD) and not meets_bar(None) and not meets_bar({"label_agreement": 1})
    assert meets_bar({"label_agreement": AGREEMENT_BAR["label_agreement"], "mean_abs_diff": AGREEMENT_BAR["mean_abs_diff"]})


def test_auto_on_a_cpu_needs_bf16_units_and_measured_agreement() -> None:
    assert choose_precision("auto", "cpu", {"bf16": GOOD}, bf16_flag="avx512_bf16").precision == "bf16"
    assert choose_precision("auto", "cpu", {"bf16": GOOD}, bf16_flag=None).precision == "fp32"
    assert choose_precision("auto", "cpu", {"bf16": BAD}, bf16_flag="amx_bf16").precision == "fp32"
    assert choose_precision("auto", "cpu", None, bf16_flag="amx_bf16").precision == "fp32"
    choice = choose_precision("auto", "cpu", {"bf16": GOOD}, bf16_flag="amx_bf16")
    assert "amx_bf16" in choice.reason and "99.90%" in choice.reason


def test_auto_takes_int8_only_where_it_is_available_and_agrees() -> None:
    everything = ("fp32", "bf16", "int8")
    assert choose_precision("auto", "cpu", {"int8": GOOD}, everything, None).precision == "int8"
    assert choose_precision("auto", "cpu", {"int8": GOOD}, ("fp32", "bf16"), None).precision == "fp32"
    assert choose_precision("auto", "cpu", {"int8": BAD}, everything, None).precision == "fp32"
    both = choose_precision("auto", "cpu", {"int8": GOOD, "bf16": GOOD}, everything, "avx512_bf16").precision
    assert both == device_mod.CPU_ORDER[0]


def test_explicit_precisions() -> None:
    assert choose_precision("bf16", "cpu", None, bf16_flag=None).precision == "bf16"
    assert choose_precision("fp32", "cpu", {"bf16": GOOD}, bf16_flag="amx_bf16").precision == "fp32"
    assert choose_precision("int8", "cpu", None, ("fp32", "bf16", "int8")).precision == "int8"
    with pytest.raises(InputError, match="export-onnx"):
        choose_precision("int8", "cpu", None, ("fp32", "bf16"))
    with pytest.raises(DeviceError, match="--device cpu"):
        choose_precision("int8", "cuda", None, ("fp32", "bf16", "int8"))
    assert choose_precision("auto", "mps").precision == "fp32"


def test_cpu_flags(monkeypatch, tmp_path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    original = device_mod.Path

    def fake_path(p):
        return cpuinfo if str(p) == "/proc/cpuinfo" else original(p)

    monkeypatch.setattr(device_mod, "Path", fake_path)
    for flags, expected in [("fpu avx512f avx512_bf16 sse", "avx512_bf16"), ("fpu amx_bf16 amx_tile", "amx_bf16"),
                            ("fpu avx2 avx512f", None)]:
        cpuinfo.write_text(f"processor : 0\nflags : {flags}\n")
        device_mod.cpu_bf16.cache_clear()
        assert device_mod.cpu_bf16() == expected
    device_mod.cpu_bf16.cache_clear()


# --- tiny local models ---------------------------------------------------------------------------

A = ("The ministry said on Monday that the bridge will reopen to traffic next month after repairs. "
     "Engineers inspected the damaged pillars over the weekend.")
B = ("Officials said the bridge will not reopen to traffic next month after repairs, the ministry said Monday. "
     "Engineers inspected the damaged pillars over the weekend.")
C = "The union said the strike at the port will end on Friday after the new offer was accepted by members."
D = "The union said the strike at the port will not end on Friday although a new offer was made to members."
CLUSTERS = [
    {"id": "bridge", "articles": [{"id": "a", "text": A}, {"id": "b", "text": B}]},
    {"id": "port", "articles": [{"id": "c", "text": C}, {"id": "d", "text": D}, {"id": "e", "text": A}]},
    {"id": "mixed", "articles": [{"id": "f", "text": B + " " + C}, {"id": "g", "text": D}, {"id": "h", "text": A}]},
]
_WORDS = sorted({w.strip(".,").lower() for c in CLUSTERS for a in c["articles"] for w in a["text"].split()})


def _tiny_bert(path: Path, classifier: bool, seed: int) -> Path:
    from conftest import build_tiny_bert

    return build_tiny_bert(path, _WORDS, classifier, seed)


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory) -> Path:
    return _tiny_bert(tmp_path_factory.mktemp("tiny-nli"), classifier=True, seed=1)


@pytest.fixture(scope="module")
def tiny_embedder(tmp_path_factory) -> Path:
    return _tiny_bert(tmp_path_factory.mktemp("tiny-emb"), classifier=False, seed=2)


PAIRS = [(A, B), (C, D), (B, C), ("The bridge will reopen.", "The bridge will not reopen.")]


def test_bf16_is_recorded_and_close_to_fp32(tiny_nli) -> None:
    fp32 = nli_mod.load_nli(tiny_nli, device="cpu", precision="fp32")
    bf16 = nli_mod.load_nli(tiny_nli, device="cpu", precision="bf16")
    assert fp32.info.extra["precision"] == "fp32" and fp32.info.extra["dtype"] == "float32"
    assert bf16.info.extra["precision"] == "bf16" and bf16.info.extra["dtype"] == "bfloat16"
    assert bf16.info.extra["precision_choice"] == "asked for"
    diff = np.abs(bf16.predict(PAIRS) - fp32.predict(PAIRS))
    assert 0 < diff.max() < 0.05


def _with_precision_file(src: Path, dst: Path, precisions: dict, revision: str | None = None) -> Path:
    shutil.copytree(src, dst)
    data = {"schema": "factcheck.precision/1", "precisions": precisions}
    if revision:
        data["revision"] = revision
    (dst / nli_mod.PRECISION_FILE).write_text(json.dumps(data))
    return dst


def test_auto_reads_the_measured_agreement(tiny_nli, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(nli_loading, "cpu_bf16", lambda: "avx512_bf16")
    good = _with_precision_file(tiny_nli, tmp_path / "good", {"bf16": GOOD})
    bad = _with_precision_file(tiny_nli, tmp_path / "bad", {"bf16": BAD})
    assert nli_mod.load_nli(good, device="cpu").info.extra["precision"] == "bf16"
    assert nli_mod.load_nli(bad, device="cpu").info.extra["precision"] == "fp32"
    assert nli_mod.load_nli(tiny_nli, device="cpu").info.extra["precision"] == "fp32"  # nothing measured
    monkeypatch.setattr(nli_loading, "cpu_bf16", lambda: None)
    assert nli_mod.load_nli(good, device="cpu").info.extra["precision"] == "fp32"


def test_figures_measured_on_other_weights_are_ignored(tiny_nli, tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setattr(nli_loading, "cpu_bf16", lambda: "avx512_bf16")
    stale = _with_precision_file(tiny_nli, tmp_path / "stale", {"bf16": GOOD}, revision="sha256:000000000000")
    assert nli_mod.load_nli(stale, device="cpu").info.extra["precision"] == "fp32"
    assert "measured on other weights" in caplog.text
    current = nli_mod.weights_revision(tiny_nli)
    fresh = _with_precision_file(tiny_nli, tmp_path / "fresh", {"bf16": GOOD}, revision=current)
    assert nli_mod.load_nli(fresh, device="cpu").info.extra["precision"] == "bf16"


def test_int8_needs_a_calibrated_graph(tiny_nli) -> None:
    with pytest.raises(InputError, match="export-onnx"):
        nli_mod.load_nli(tiny_nli, device="cpu", precision="int8")
    with pytest.raises(ModelError, match="Hub"):
        nli_mod.load_nli("org/some-model", device="cpu", precision="int8")


def test_the_embedder_follows_the_precision(tiny_embedder) -> None:
    from factcheck.embed import TorchEmbedder, load_embedder

    fp32 = load_embedder(str(tiny_embedder), device="cpu", precision="fp32")
    bf16 = load_embedder(str(tiny_embedder), device="cpu", precision="bf16")
    assert isinstance(bf16, TorchEmbedder) and bf16.info.extra["precision"] == "bf16"
    a, b = fp32.embed([A, C]), bf16.embed([A, C])
    assert np.min(np.sum(a * b, axis=1)) > 0.99
    with pytest.raises(ModelError, match="fp32 or bf16"):
        load_embedder(str(tiny_embedder), device="cpu", precision="int8")


@pytest.fixture(scope="module")
def tiny_int8(tiny_nli, tmp_path_factory) -> Path:
    """The tiny model with its static int8 graph (and fp32 graph) beside the weights."""
    pytest.importorskip("onnxruntime")
    from factcheck.training.onnx_export import export_onnx

    model_dir = tmp_path_factory.mktemp("tiny-int8") / "model"
    shutil.copytree(tiny_nli, model_dir)
    return export_onnx(model_dir)


def test_static_int8_is_recorded_and_batch_independent(tiny_int8) -> None:
    record = json.loads((tiny_int8 / nli_mod.PRECISION_FILE).read_text())["precisions"]["int8"]
    assert record["quantization"] == "static" and record["file"] == "model_int8.onnx"
    nli = nli_mod.load_nli(tiny_int8, device="cpu", precision="int8")
    assert isinstance(nli, nli_mod.OnnxNLI) and nli.info.extra["precision"] == "int8"
    alone = np.concatenate([nli.predict([p]) for p in PAIRS])
    together = nli.predict(PAIRS * 3, batch_size=5)[: len(PAIRS)]
    np.testing.assert_array_equal(alone, together)


def _findings(report) -> list:
    report = report.to_dict() if hasattr(report, "to_dict") else report
    return [(f["label"], f["score"], [(c["article"], c["start"], c["end"]) for c in f["claims"]])
            for f in report["findings"]]


@pytest.mark.parametrize("precision", ["fp32", "bf16", "int8"])
def test_batch_gives_the_findings_of_check_at_each_precision(precision, tiny_nli, tiny_int8, tiny_embedder,
                                                             tmp_path) -> None:
    from factcheck.batch import ModelSpec, read_shard, run
    from factcheck.documents import document_from_text
    from factcheck.pipeline import CheckSettings, load_models, run_check

    nli_dir = tiny_int8 if precision == "int8" else tiny_nli
    settings = CheckSettings(min_similarity=-1.0, include_all=True, top_k=5)
    source = tmp_path / "clusters.jsonl"
    source.write_text("".join(json.dumps(c) + "\n" for c in CLUSTERS), encoding="utf-8")
    models = ModelSpec(str(nli_dir), str(tiny_embedder), "cpu", None, precision)
    run(source, tmp_path / "out", settings=settings, models=models, shard_size=3)
    records = {r["cluster"]: r for shard in sorted((tmp_path / "out").glob("shard-*.jsonl")) for r in read_shard(shard)}
    nli, embedder, _ = load_models(str(nli_dir), str(tiny_embedder), "cpu", precision=precision)
    assert nli.info.extra["precision"] == precision
    assert embedder.info.extra["precision"] == ("fp32" if precision == "int8" else precision)
    assert records["bridge"]["models"]["nli"]["extra"]["precision"] == precision
    for cluster in CLUSTERS:
        docs = [document_from_text(a["text"], id=a["id"], source=str(source)) for a in cluster["articles"]]
        alone = run_check(docs, embedder, nli, settings)
        assert _findings(records[cluster["id"]]) == _findings(alone) != [], cluster["id"]


def test_packed_bf16_linears_give_the_numbers_of_plain_ones(tiny_nli) -> None:
    import torch

    from factcheck.runtime.bert import load_bert

    plain, packed = load_bert(tiny_nli, torch.bfloat16, head=True), load_bert(tiny_nli, torch.bfloat16, head=True)
    if not packed.pack_for_cpu():
        pytest.skip("no oneDNN bf16 here")
    x = torch.randn(3, 5, 32).bfloat16()
    name = "encoder.layer.0.attention.self.query"
    with torch.inference_mode():
        torch.testing.assert_close(packed._linear(x, name), plain._linear(x, name), rtol=0, atol=0)
        fused, unfused = packed._linear(x, "encoder.layer.0.intermediate.dense", gelu=True), plain._linear(
            x, "encoder.layer.0.intermediate.dense", gelu=True)
        torch.testing.assert_close(fused.float(), unfused.float(), rtol=0.02, atol=0.02)
        ids = torch.tensor([[2, 8, 9, 10, 3, 11, 12, 3], [2, 8, 9, 3, 11, 3, 0, 0]])
        mask = (ids != 0).long()
        together = packed(ids, mask).logits
        alone = torch.cat([packed(ids[i:i + 1, : int(mask[i].sum())], mask[i:i + 1, : int(mask[i].sum())]).logits
                           for i in range(2)])
        torch.testing.assert_close(together, alone, rtol=0, atol=0)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_text_scores_the_same_alone_and_in_any_batch(precision, tiny_nli, tiny_embedder) -> None:
    from factcheck.embed import load_embedder

    texts = [A, B, C, D, "The bridge will reopen.", "Engineers inspected the pillars.", A + " " + C]
    emb = load_embedder(str(tiny_embedder), device="cpu", precision=precision)
    together = emb.embed(texts, batch_size=3)
    np.testing.assert_array_equal(np.concatenate([emb.embed([t]) for t in texts]), together)
    np.testing.assert_array_equal(emb.embed(texts[::-1], batch_size=2)[::-1], together)
    nli = nli_mod.load_nli(tiny_nli, device="cpu", precision=precision)
    pairs = [(a, b) for a in texts for b in texts[:3]]
    together = nli.predict(pairs, batch_size=4)
    alone = np.concatenate([nli.predict([p]) for p in pairs])
    if precision == "bf16":  # exact: a bf16 step, once moved, would show in the reported 4 decimals
        np.testing.assert_array_equal(alone, together)
    else:  # fp32 kernels sum in an order that may follow the batch: 1e-7, far below the reported decimals
        np.testing.assert_allclose(alone, together, rtol=0, atol=1e-6)
