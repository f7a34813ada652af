"""The library entry point: settings as keyword arguments, checks before models load, quiet loading."""

from __future__ import annotations

from pathlib import Path

import pytest

import factcheck
import factcheck.embed
import factcheck.nli
from factcheck.errors import InputError
from factcheck.pipeline import CheckSettings, settings_with

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
A = "The bridge will reopen to traffic next month, the ministry said on Monday after an inspection."
B = "The bridge will not reopen to traffic next month, the ministry said on Monday after an inspection."


def _pair(tmp_path):
    (tmp_path / "a.txt").write_text(A)
    (tmp_path / "b.txt").write_text(B)
    return [tmp_path / "a.txt", tmp_path / "b.txt"]


def test_settings_as_keywords(tmp_path, fake_nli, fake_embedder):
    report = factcheck.check(_pair(tmp_path), top_k=5, min_similarity=0.1, include_all=True,
                             nli=fake_nli, embedder_model=fake_embedder)
    assert report["settings"]["top_k"] == 5 and report["settings"]["min_similarity"] == 0.1
    assert report["findings"] and report["findings"][0]["label"] == "contradiction"
    assert "load_seconds" not in report["stats"]  # nothing was loaded here
    base = CheckSettings(top_k=7)
    assert settings_with(base, within=True) == CheckSettings(top_k=7, within=True)


def test_unknown_and_bad_options(tmp_path, fake_nli, fake_embedder):
    with pytest.raises(TypeError, match=r"unknown check option\(s\) topk; valid: top_k"):
        factcheck.check(_pair(tmp_path), topk=5, nli=fake_nli, embedder_model=fake_embedder)
    with pytest.raises(InputError, match="top_k must be a whole number"):
        factcheck.check(_pair(tmp_path), top_k=0, nli=fake_nli, embedder_model=fake_embedder)
    with pytest.raises(InputError, match="min_similarity must lie between"):
        factcheck.check(_pair(tmp_path), min_similarity=3, nli=fake_nli, embedder_model=fake_embedder)


def test_everything_is_checked_before_models_load(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(factcheck.nli, "load_nli", boom)
    monkeypatch.setattr(factcheck.embed, "load_embedder", boom)
    (tmp_path / "nav.txt").write_text("Home | News | World\nShare this:\n")
    with pytest.raises(InputError, match="nothing to compare.*nav.txt: all"):
        factcheck.check([_pair(tmp_path)[0], tmp_path / "nav.txt"])
    with pytest.raises(factcheck.errors.ModelError, match="holds no model"):
        factcheck.check(_pair(tmp_path), nli_model=str(tmp_path))
    with pytest.raises(factcheck.errors.DeviceError):
        factcheck.check(_pair(tmp_path), device="banana")


@pytest.mark.slow
def test_real_check_is_quiet_and_times_loading(capfd):
    seeds = sorted(SEEDS.glob("*.txt"))[:2]
    if len(seeds) < 2:
        pytest.skip("seeds/ is absent")
    report = factcheck.check(seeds, top_k=2)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    assert report["settings"]["top_k"] == 2
    assert report["stats"]["load_seconds"] > 0 and report["stats"]["seconds"] > 0
