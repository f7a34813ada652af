"""A killed training run resumes from its checkpoint and ends where an uninterrupted run ends (tiny random
encoder, fixture data; slow because it trains)."""

from __future__ import annotations

from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[1] / "models" / "factcheck-nli-minilm"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (MODEL / "tokenizer.json").exists(), reason="default model tokenizer missing"),
]


def test_killed_run_resumes_to_the_same_weights(tmp_path, monkeypatch, caplog, tiny_bert_base, med_data_dir):
    import logging

    import torch
    from safetensors.torch import load_file

    from factcheck.training import train as train_mod

    base, data = tiny_bert_base, med_data_dir

    def args(out: Path) -> list[str]:
        return ["--data-dir", str(data), "--sources", "med", "--weights", "med=40", "--base-model", str(base),
                "--out", str(out), "--epochs", "1", "--batch-size", "4", "--checkpoint-every", "3",
                "--val-fraction", "0.2", "--threads", "1", "--log-every", "1"]

    train_mod.main(args(tmp_path / "whole"))

    real_loss = train_mod.set_valued_nll
    calls = {"n": 0}

    def dying_loss(logits, allowed):
        calls["n"] += 1
        if calls["n"] == 8:  # killed during step 8; the last checkpoint is step 6
            raise KeyboardInterrupt
        return real_loss(logits, allowed)

    monkeypatch.setattr(train_mod, "set_valued_nll", dying_loss)
    with pytest.raises(KeyboardInterrupt):
        train_mod.main(args(tmp_path / "killed"))
    assert torch.load(tmp_path / "killed" / "checkpoint.pt", weights_only=False)["step"] == 6
    assert not (tmp_path / "killed" / "epoch1").exists()
    monkeypatch.setattr(train_mod, "set_valued_nll", real_loss)
    caplog.set_level(logging.INFO, logger="factcheck.train")
    train_mod.main(args(tmp_path / "killed"))
    assert "at step 6" in caplog.text and "resumed from" in caplog.text

    whole = load_file(tmp_path / "whole" / "epoch1" / "model.safetensors")
    resumed = load_file(tmp_path / "killed" / "epoch1" / "model.safetensors")
    assert whole.keys() == resumed.keys()
    for name in whole:
        assert torch.equal(whole[name], resumed[name]), name
