"""The real default models on the seed articles (slow tier): the demo's promises, end to end."""

from pathlib import Path

import pytest

from factcheck.models import models_dir

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
MODEL = models_dir() / "factcheck-nli-minilm"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (MODEL / "config.json").exists(), reason=f"default NLI model missing at {MODEL}"),
]


@pytest.fixture(scope="module")
def report():
    from factcheck import check

    return check([SEEDS], device="cpu")


def _articles(finding):
    return {c["article"][:3] for c in finding["claims"]}


def _negotiable_pair(finding, other: str) -> bool:
    texts = {c["article"][:3]: c["text"] for c in finding["claims"]}
    return (_articles(finding) == {"004", other} and "can be negotiated" in texts["004"]
            and "negotiable" in texts[other])


def test_negotiable_pairs_are_reported(report):
    assert any(_negotiable_pair(f, "000") for f in report["findings"])
    assert any(_negotiable_pair(f, "001") for f in report["findings"])


def test_negotiable_pairs_in_top_three(report):
    top = report["findings"][:3]
    assert any(_negotiable_pair(f, "000") for f in top), [f["claims"] for f in top]
    assert any(_negotiable_pair(f, "001") for f in top), [f["claims"] for f in top]


def test_identical_quotes_are_not_contradictions(report):
    quote = "there will be no change"
    for f in report["findings"]:
        texts = [c["text"] for c in f["claims"]]
        assert not all(quote in t for t in texts), texts


def test_report_offsets_and_provenance(report):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for f in report["findings"]:
        for c in f["claims"]:
            assert texts[c["article"]][c["start"]:c["end"]] == c["text"]
    nli = report["models"]["nli"]
    assert nli["revision"] and nli["revision"].startswith("sha256:")
    assert report["settings"]["thresholds"]["fitted_on"]
    assert report["stats"]["pairs_scored"] < report["stats"]["pairs_possible"]


# --- the default judge of the CLI: the cascade (the 22M screens, the large tier decides) ---------------------------


@pytest.fixture(scope="module")
def cascade_report():
    from factcheck import check
    from factcheck.nli.large import missing

    if missing():
        pytest.skip("the large tier is not installed: " + "; ".join(missing()))
    return check([SEEDS], device="cpu", verify="large")


def test_the_cascade_keeps_a_negotiable_pair_and_drops_the_nato_false_alarm(cascade_report):
    findings = cascade_report["findings"]
    assert any(_negotiable_pair(f, "000") for f in findings[:3]), [f["claims"] for f in findings]
    for f in findings:
        texts = " ".join(c["text"] for c in f["claims"])
        assert not ("NATO not expand" in texts and "unacceptability" in texts), texts
    assert cascade_report["models"]["verifier"]["name"] == "large"
    assert cascade_report["stats"]["pairs_verified"] < cascade_report["stats"]["pairs_scored"] / 4
