"""The cascade (factcheck.nli.cascade, --verify): the default model screens, a verifier decides; with fakes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeNLI
from typer.testing import CliRunner

import factcheck.embed
import factcheck.nli
from factcheck.nli.cascade import DEFAULT_SCREEN, CascadeNLI, load_cascade, screen_mask
from factcheck.cli import app
from factcheck.documents import document_from_text
from factcheck.errors import InputError
from factcheck.labels import LABELS
from factcheck.models import ModelInfo
from factcheck.pipeline import CheckSettings, check_clusters, run_check
from factcheck.report.schema import Finding, Report
from factcheck.verdict import Verdict

BRIDGE_A = "The ministry said on Monday that the bridge will reopen to traffic next month after repairs."
BRIDGE_B = "Officials said the bridge will not reopen to traffic next month after repairs, the ministry said."
PORT_A = "The union said the strike at the port will end on Friday after the new offer was accepted by members."
PORT_B = "The union said the strike at the port will not end on Friday although a new offer was made to members."


class FakeVerifier(FakeNLI):
    """A stricter fake: a contradiction only where FakeNLI sees one and the pair is about a strike; else neutral."""

    def __init__(self, thresholds: dict | None = None) -> None:
        super().__init__()
        extra = {"thresholds": thresholds} if thresholds is not None else {}
        self.info = ModelInfo(name="fake-verifier", source="tests/test_cascade.py", backend="fake", revision="1",
                              extra=extra)

    @staticmethod
    def label(premise: str, hypothesis: str) -> str:
        found = FakeNLI.label(premise, hypothesis)
        if found == "contradiction" and "strike" not in premise:
            return "neutral"
        return found

    def _predict_batch(self, pairs):
        self.calls.append(list(pairs))
        out = np.full((len(pairs), len(LABELS)), 0.02, dtype=np.float32)
        for row, (p, h) in enumerate(pairs):
            out[row, LABELS.index(self.label(p, h))] = 0.96
        return out


THRESHOLDS = {"contradiction": 0.6, "agreement": 0.5, "fitted_on": "test",
              "screen": {"threshold": 0.3, "recall": 0.99, "fitted_on": "validation (n=10)"}}


def _docs(*texts: str) -> list:
    return [document_from_text(t, id=f"a{k}", source=f"a{k}.txt") for k, t in enumerate(texts)]


def test_screen_mask_sends_high_scores_and_contradiction_calls_never_identical():
    f = np.array([[0.1, 0.1, 0.8], [0.8, 0.1, 0.1], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    b = np.array([[0.1, 0.1, 0.8], [0.8, 0.1, 0.1], [0.5, 0.4, 0.1], [0.1, 0.1, 0.8]])
    labels = [Verdict.contradiction, Verdict.contradiction, Verdict.neutral, Verdict.neutral]
    mask = screen_mask(f, b, labels, np.array([False, False, False, True]), threshold=0.3)
    assert mask.tolist() == [True, True, False, False]
    assert screen_mask(f, b, [Verdict.neutral] * 4, np.zeros(4, bool), threshold=0.1).tolist() == [True, True, True, True]


def test_cascade_reads_the_verifier_thresholds_or_falls_back():
    fitted = CascadeNLI(FakeNLI(), FakeVerifier(THRESHOLDS))
    assert fitted.screen_threshold == 0.3 and fitted.thresholds.contradiction == 0.6
    assert fitted.verifier_info().extra["cascade"]["screen_fit"]["recall"] == 0.99
    bare = CascadeNLI(FakeNLI(), FakeVerifier())
    assert bare.screen_threshold == DEFAULT_SCREEN and bare.verifier_info().extra["cascade"]["screen_fitted"] is False
    with pytest.raises(InputError):
        CascadeNLI(FakeNLI(), FakeVerifier(), screen_threshold=1.5)
    assert fitted.info.name == "fake-nli"  # the screening model is the report's "nli"


def test_the_verifier_decides_screened_pairs_only(fake_embedder):
    screen, verifier = FakeNLI(), FakeVerifier(THRESHOLDS)
    cascade = CascadeNLI(screen, verifier)
    settings = CheckSettings(min_similarity=0.2, include_all=True)
    alone = run_check(_docs(BRIDGE_A, BRIDGE_B, PORT_A, PORT_B), fake_embedder, screen, settings)
    report = run_check(_docs(BRIDGE_A, BRIDGE_B, PORT_A, PORT_B), fake_embedder, cascade, settings)
    assert alone.count("contradiction") >= 2
    contradictions = [f for f in report.findings if f.label == "contradiction"]
    # The bridge contradiction was screened and cleared by the verifier; the port one confirmed.
    assert contradictions and all("strike" in f.claims[0].text for f in contradictions)
    assert all(f.verifier is not None for f in contradictions)
    assert all(f.reasons[1].startswith("verifier: contradiction 0.96 forward") for f in contradictions)
    verified = {(f.claims[0].text, f.claims[1].text) for f in report.findings if f.verifier is not None}
    # Only screened pairs went to the verifier: those the default model scores >= 0.3 contradiction.
    sent = {pair for call in verifier.calls for pair in call}
    assert sent and all(FakeNLI.label(p, h) == "contradiction" for p, h in sent)
    assert len(verified) == report.stats.extra["pairs_verified"]
    assert report.models["verifier"].name == "fake-verifier" and report.settings["verify"] == "fake-verifier"
    assert report.models["nli"].name == "fake-nli"
    # Both sets of scores are kept: the default model's under nli, the verifier's beside them.
    f = contradictions[0]
    assert f.forward.contradiction == pytest.approx(0.9) and f.verifier[0].contradiction == pytest.approx(0.96)


def test_everything_screened_with_threshold_zero_makes_the_verifier_the_judge(fake_embedder):
    cascade = CascadeNLI(FakeNLI(), FakeVerifier(THRESHOLDS), screen_threshold=0.0)
    settings = CheckSettings(min_similarity=0.2, include_all=True)
    report = run_check(_docs(BRIDGE_A, BRIDGE_B, PORT_A, PORT_B), fake_embedder, cascade, settings)
    identical = sum(1 for f in report.findings if f.score == 1.0 and f.verifier is None)
    assert report.stats.extra["pairs_verified"] == report.stats.pairs_scored - identical > 0
    assert all(f.verifier is not None for f in report.findings if f.score < 1.0)


def test_reports_with_and_without_verifier_scores_round_trip(fake_embedder):
    cascade = CascadeNLI(FakeNLI(), FakeVerifier(THRESHOLDS))
    report = run_check(_docs(PORT_A, PORT_B), fake_embedder, cascade, CheckSettings(min_similarity=0.2))
    data = report.to_dict()
    assert "verifier" in data["findings"][0] and data["models"]["verifier"]["name"] == "fake-verifier"
    back = Report.from_dict(json.loads(json.dumps(data)))
    assert back.findings[0].verifier == report.findings[0].verifier
    plain = dict(data["findings"][0])
    del plain["verifier"]
    old = Finding.from_dict(plain)
    assert old.verifier is None and "verifier" not in old.to_dict()


def test_clusters_checked_together_share_one_verifier_call(fake_embedder):
    verifier = FakeVerifier(THRESHOLDS)
    cascade = CascadeNLI(FakeNLI(), verifier)
    settings = CheckSettings(min_similarity=0.2)
    reports, _ = check_clusters([_docs(BRIDGE_A, BRIDGE_B), _docs(PORT_A, PORT_B)], fake_embedder, cascade, settings)
    assert len(verifier.calls) == 1
    assert [r.count("contradiction") for r in reports] == [0, 1]
    alone = [run_check(d, fake_embedder, CascadeNLI(FakeNLI(), FakeVerifier(THRESHOLDS)), settings)
             for d in (_docs(BRIDGE_A, BRIDGE_B), _docs(PORT_A, PORT_B))]
    assert [r.to_dict()["findings"] for r in reports] == [r.to_dict()["findings"] for r in alone]


def test_verify_setting_without_a_cascade_is_refused(fake_embedder):
    with pytest.raises(InputError, match="needs a cascade"):
        run_check(_docs(PORT_A, PORT_B), fake_embedder, FakeNLI(), CheckSettings(verify="large"))


def test_load_cascade_loads_the_verifier_by_name(monkeypatch):
    verifier = FakeVerifier(THRESHOLDS)
    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: verifier)
    cascade = load_cascade(FakeNLI(), "large")
    assert cascade.verifier is verifier and load_cascade(cascade, "large") is cascade


@pytest.fixture
def cli_fakes(monkeypatch, fake_embedder):
    screen, verifier = FakeNLI(), FakeVerifier(THRESHOLDS)
    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: verifier if name == "large" else screen)
    monkeypatch.setattr(factcheck.nli, "check_nli_name", lambda name: None)
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)
    return screen, verifier


def _findings(report: dict) -> list:
    return [(f["label"], f["score"], [(c["article"], c["start"], c["end"]) for c in f["claims"]], f.get("verifier"),
             f["reasons"]) for f in report["findings"]]


def test_check_and_batch_give_the_same_findings_with_verify(tmp_path: Path, cli_fakes):
    runner = CliRunner()
    texts = {"a": BRIDGE_A + " " + PORT_A, "b": BRIDGE_B + " " + PORT_B}
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text)
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["check", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--verify", "large",
                                 "--min-similarity", "0.2", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    checked = json.loads(out.read_text())
    assert checked["models"]["verifier"]["name"] == "fake-verifier" and checked["settings"]["verify"] == "large"
    assert any(f["label"] == "contradiction" and f["verifier"] for f in checked["findings"])
    source = tmp_path / "clusters.jsonl"
    source.write_text(json.dumps({"id": "c1", "articles": [{"id": "a", "text": texts["a"]},
                                                           {"id": "b", "text": texts["b"]}]}) + "\n")
    result = runner.invoke(app, ["batch", str(source), "--out", str(tmp_path / "out"), "--verify", "large", "-q"])
    assert result.exit_code == 0, result.output
    from factcheck.batch import read_shard

    (record,) = [r for shard in sorted((tmp_path / "out").glob("shard-*.jsonl")) for r in read_shard(shard)]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["models"]["verifier"]["name"] == "fake-verifier" and manifest["settings"]["verify"] == "large"
    assert _findings(record) == _findings(checked)
    # A job started with --verify does not resume without it.
    result = runner.invoke(app, ["batch", str(source), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2 and "factcheck: error:" in result.output


def test_screen_fit_takes_the_highest_threshold_that_keeps_the_recall():
    from factcheck.evaluation.screening import fit_screen_threshold

    score = np.array([0.95, 0.9, 0.6, 0.4, 0.3, 0.1, 0.05, 0.5])
    reports = np.array([True, True, True, True, False, True, False, False])
    fit = fit_screen_threshold(score, reports, recall=0.8)  # 4 of the 5 reported pairs: down to 0.4
    assert fit["threshold"] == 0.4 and fit["recall"] == pytest.approx(0.8)
    assert fit["screened"] == pytest.approx(5 / 8)
    assert fit_screen_threshold(score, reports, recall=1.0)["threshold"] == 0.1
    # A pair the default model calls a contradiction is verified whatever the threshold.
    called = np.array([False, False, False, False, False, True, False, False])
    assert fit_screen_threshold(score, reports, called, recall=1.0)["threshold"] == 0.4
    weights = np.array([1, 1, 1, 1, 1, 10, 1, 1.0])  # a heavy low-scored report pulls the threshold down
    assert fit_screen_threshold(score, reports, recall=0.8, weights=weights)["threshold"] == 0.1
    with pytest.raises(InputError, match="reports no contradiction"):
        fit_screen_threshold(score, np.zeros(8, bool))


def test_screen_fit_on_news_pairs_with_both_models():
    from factcheck.evaluation.news_pairs import TEXT_BODY, NewsPair, PairRef
    from factcheck.evaluation.screening import fit_screen_on_news
    from factcheck.verdict import Thresholds

    texts = [(PORT_A, PORT_B), (BRIDGE_A, BRIDGE_B), (PORT_A, PORT_A + " Members cheered."), (BRIDGE_A, PORT_A)]
    pairs = [NewsPair(PairRef(f"p{k}", "validation", "s", TEXT_BODY, 0, 1, "", TEXT_BODY, 0, 1, "", label="compatible",
                              texts=t), *t) for k, t in enumerate(texts)]
    fit = fit_screen_on_news(pairs, FakeNLI(), FakeVerifier(THRESHOLDS), Thresholds(), Thresholds(0.6, 0.5))
    # The verifier reports the port pair only; the fakes score it 0.9, so the screen can sit at 0.9.
    assert fit["verifier_reports"] == 1 and fit["threshold"] == pytest.approx(0.9) and fit["recall"] == 1.0
    assert fit["screened"] == pytest.approx(0.5)  # the bridge pair is called by the default model, so verified


# --- the default judge: the cascade when the large tier is installed ---------------------------------------


def test_default_verifier_resolution(monkeypatch) -> None:
    import factcheck.nli.cascade as cascade
    from factcheck.errors import InputError

    monkeypatch.delenv("FACTCHECK_VERIFY", raising=False)
    monkeypatch.setattr(cascade, "_verifier_installed", lambda name: [])
    assert cascade.default_verifier(None) == "large"
    assert cascade.default_verifier(None, small=True) is None
    assert cascade.default_verifier("none") is None
    assert cascade.default_verifier("my-verifier") == "my-verifier"
    assert cascade.default_verifier(None, nli_model="deberta-v3-base") is None  # a chosen model decides alone
    monkeypatch.setenv("FACTCHECK_VERIFY", "none")
    assert cascade.default_verifier(None) is None
    with pytest.raises(InputError, match="--small"):
        cascade.default_verifier("large", small=True)


def test_default_verifier_not_installed_warns_and_uses_the_small_judge(monkeypatch, caplog) -> None:
    import factcheck.nli.cascade as cascade

    monkeypatch.delenv("FACTCHECK_VERIFY", raising=False)
    monkeypatch.setattr(cascade, "_verifier_installed", lambda name: ["peft is not installed"])
    with caplog.at_level("WARNING", logger="factcheck"):
        assert cascade.default_verifier(None) is None
    assert "peft is not installed" in caplog.text and "--small" in caplog.text


def test_check_cli_uses_the_cascade_by_default(monkeypatch, tmp_path, fake_nli, fake_embedder) -> None:
    """Without --verify, `check` wraps the default model in the cascade; --small does not."""
    import json

    from typer.testing import CliRunner

    import factcheck.nli.cascade as cascade
    import factcheck.embed
    import factcheck.nli
    from factcheck.cli import app

    monkeypatch.delenv("FACTCHECK_VERIFY", raising=False)
    monkeypatch.setattr(cascade, "_verifier_installed", lambda name: [])
    loaded: list[str] = []

    def load(name="default", device=None, **kw):
        loaded.append(name)
        return fake_nli

    monkeypatch.setattr(factcheck.nli, "load_nli", load)
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda *a, **k: fake_embedder)
    (tmp_path / "a.txt").write_text("The peace talks in Geneva are open to all parties this week.\n"
                                    "The trade deal was signed by both ministers on Monday.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The peace talks in Geneva are not open to all parties this week.\n"
                                    "The trade deal was signed by both ministers on Monday.\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["check", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-f", "json", "-q"])
    assert out.exit_code == 0, out.output
    assert loaded[-1] == "large" and "verifier" in json.loads(out.stdout)["models"]
    loaded.clear()
    out = runner.invoke(app, ["check", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-f", "json", "-q", "--small"])
    assert out.exit_code == 0, out.output
    assert "large" not in loaded and "verifier" not in json.loads(out.stdout)["models"]


def test_news_eval_scores_the_cascade_as_check_does(fake_nli) -> None:
    """eval --preset news-pairs with a cascade: only screened pairs reach the verifier, whose scores decide them."""
    from factcheck.evaluation.news_eval import predicted, score_cascade
    from factcheck.evaluation.news_pairs import NewsPair, PairRef

    def pair(k: int, a: str, b: str) -> NewsPair:
        ref = PairRef(f"p{k}", "validation", "s", "1", 0, 1, "x", "2", 0, 1, "y", "compatible")
        return NewsPair(ref, a, b)

    pairs = [pair(0, BRIDGE_A, BRIDGE_B), pair(1, PORT_A, PORT_B), pair(2, PORT_A, BRIDGE_A)]
    verifier = FakeVerifier(THRESHOLDS)
    cascade = CascadeNLI(fake_nli, verifier)
    scores, verified = score_cascade(pairs, cascade)
    assert verified.tolist() == [True, True, False]  # the unrelated pair is never sent on
    assert sum(len(c) for c in verifier.calls) == 4  # two pairs, both ways
    assert predicted(scores, cascade.thresholds).tolist() == [False, True, False]  # the verifier overrules the bridge
