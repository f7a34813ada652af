"""The shipped NLI model on sentence pairs from the seeds that agree, and on ones that contradict (slow tier).

Agreeing pairs (same quote, paraphrase, a name spelled two ways, compatible hedged numbers) must not come
out as contradictions under the model's own fitted thresholds; flipped versions must.
"""

import pytest

from factcheck.models import models_dir
from factcheck.verdict import Verdict, decide, two_way_scores

MODEL = models_dir() / "factcheck-nli-minilm"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (MODEL / "config.json").exists(), reason=f"default NLI model missing at {MODEL}"),
]

AGREE = [
    # the same quote, attributed with the name spelled two ways
    ("“There is no change, there will be no change,” US Secretary of State Antony Blinken said.",
     "“There is no change, there will be no change,” said Secretary of State Anthony Blinken."),
    # compatible hedged numbers
    ("Tensions have soared as the US and its NATO allies expressed concern about a buildup of about 100,000 Russian troops near Ukraine.",
     "Russia has massed more than 90,000 troops near Ukraine, worrying the US and its NATO allies."),
    # paraphrase
    ("The Kremlin said Thursday that there was little ground for optimism in resolving the crisis over Ukraine.",
     "On Thursday the Kremlin said there was little reason to be optimistic about resolving the Ukraine crisis."),
    # a negation moved into a noun
    ("Those are the Russian demands for the non-expansion of NATO and the non-deployment of weapons that might threaten Russia.",
     "Those are Moscow’s demands that NATO not expand and that the alliance refrain from deploying weapons that might threaten Russia."),
    # the same figure
    ("Biden is set to have a call with Ukraine's President Volodymyr Zelenskyy later Thursday.",
     "Biden is set to speak with Ukrainian President Volodymyr Zelensky later on Thursday."),
]
CONTRADICT = [
    ("The US said that allied deployments of troops in Eastern Europe are non-negotiable.",
     "The US said that the deployment of allied troops in Eastern Europe can be negotiated."),
    ("Russia has massed about 100,000 troops near the border with Ukraine.",
     "Russia has massed about 10,000 troops near the border with Ukraine."),
    ("Kuleba said Kyiv had seen the U.S. response before it was delivered to Russia and had no objections.",
     "Kuleba said Kyiv had not seen the U.S. response before it was delivered to Russia."),
]


@pytest.fixture(scope="module")
def nli_and_thresholds():
    from factcheck.nli import load_nli
    from factcheck.pipeline import model_thresholds

    nli = load_nli("default", device="cpu")
    return nli, model_thresholds(nli)


def _verdicts(nli, thresholds, pairs):
    fwd = nli.predict(pairs)
    bwd = nli.predict([(h, p) for p, h in pairs])
    c, a = two_way_scores(fwd, bwd)
    return decide(c, a, thresholds)[0], c


def test_agreeing_pairs_are_not_contradictions(nli_and_thresholds):
    nli, thresholds = nli_and_thresholds
    verdicts, c = _verdicts(nli, thresholds, AGREE)
    bad = [(pair, float(score)) for pair, v, score in zip(AGREE, verdicts, c) if v is Verdict.contradiction]
    assert not bad, bad


@pytest.mark.parametrize("pair", CONTRADICT)
def test_flipped_pairs_are_contradictions(nli_and_thresholds, pair):
    nli, thresholds = nli_and_thresholds
    verdicts, c = _verdicts(nli, thresholds, [pair])
    assert verdicts[0] is Verdict.contradiction, float(c[0])
