"""Model names are checked before anything loads: one-line ModelError for empty folders, files, junk names."""

from __future__ import annotations

import pytest

from factcheck.embed import check_embedder_name, load_embedder
from factcheck.errors import ModelError
from factcheck.nli import check_nli_name, load_nli


def test_nli_names(tmp_path):
    check_nli_name("default")
    check_nli_name("org/some-model")  # a Hub id: checked at load time
    with pytest.raises(ModelError, match="holds no model: it needs config.json") as err:
        check_nli_name(tmp_path)
    assert str(err.value).endswith("(factcheck export-onnx)")  # complete, not cut off
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="holds no model"):
        check_nli_name(tmp_path)  # config without weights
    (tmp_path / "model.safetensors").write_bytes(b"")
    check_nli_name(tmp_path)
    (tmp_path / "w.bin").write_bytes(b"")
    with pytest.raises(ModelError, match="is a file"):
        check_nli_name(tmp_path / "w.bin")
    with pytest.raises(ModelError, match="unknown NLI model 'nope'"):
        check_nli_name("nope")


def test_load_nli_checks_first(tmp_path):
    with pytest.raises(ModelError, match="holds no model"):
        load_nli(tmp_path)


def test_embedder_names(tmp_path):
    check_embedder_name("default")
    check_embedder_name("org/model")
    with pytest.raises(ModelError, match="holds no model"):
        check_embedder_name(tmp_path)
    with pytest.raises(ModelError, match="holds no model"):
        load_embedder(tmp_path)
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(ModelError, match="not an .onnx graph"):
        check_embedder_name(tmp_path / "x.txt")
    with pytest.raises(ModelError, match="unknown embedder 'zzz'"):
        check_embedder_name("zzz")
