import json

import numpy as np
import pytest

from factcheck.errors import InputError
from factcheck.evaluation.calibration import fit_contradiction_threshold
from factcheck.verdict import Thresholds, Verdict, decide, two_way_scores


def test_two_way_scores_mean_contradiction_and_max_entailment():
    fwd = np.array([[0.1, 0.1, 0.8], [0.7, 0.2, 0.1]])
    bwd = np.array([[0.1, 0.3, 0.6], [0.2, 0.7, 0.1]])
    c, a = two_way_scores(fwd, bwd)
    np.testing.assert_allclose(c, [0.7, 0.1])
    np.testing.assert_allclose(a, [0.1, 0.7])


def test_two_way_scores_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        two_way_scores(np.zeros((2, 3)), np.zeros((3, 3)))


def test_one_way_contradiction_is_not_enough():
    # Only one direction sees a contradiction: the mean stays under the threshold.
    c, a = two_way_scores(np.array([[0.0, 0.1, 0.9]]), np.array([[0.1, 0.8, 0.1]]))
    labels, _ = decide(c, a, Thresholds(contradiction=0.6, agreement=0.5))
    assert labels == [Verdict.neutral]


def test_decide_labels_and_scores():
    c = np.array([0.9, 0.2, 0.3, 0.55])
    a = np.array([0.05, 0.8, 0.3, 0.6])
    labels, scores = decide(c, a, Thresholds(contradiction=0.5, agreement=0.5))
    assert labels == [Verdict.contradiction, Verdict.agreement, Verdict.neutral, Verdict.agreement]
    np.testing.assert_allclose(scores, [0.9, 0.8, 0.7, 0.6])
    assert all(0 <= s <= 1 for s in scores)


def test_fit_threshold_separates_dev_scores():
    scores = np.array([0.1, 0.2, 0.35, 0.6, 0.7, 0.9])
    gold = np.array([False, False, False, True, True, True])
    t, f = fit_contradiction_threshold(scores, gold)
    assert 0.35 < t <= 0.6
    assert f == pytest.approx(1.0)


def test_thresholds_load(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"verdict": {"contradiction": 0.7, "agreement": 0.4, "fitted_on": "dev"}}))
    t = Thresholds.load(path)
    assert (t.contradiction, t.agreement, t.fitted_on) == (0.7, 0.4, "dev")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(InputError, match="bad.json"):
        Thresholds.load(bad)


def test_same_wording_ignores_case_punctuation_and_hyphens():
    from factcheck.verdict import same_wording

    assert same_wording("Deployments are non-negotiable.", "deployments are nonnegotiable")
    assert same_wording("“There is no change,” he said.", '"There is no change," he said.')
    assert not same_wording("Deployments are non-negotiable.", "Deployments are negotiable.")


def test_identical_pairs_are_agreements_whatever_the_model_says():
    c, a = np.array([0.9, 0.9]), np.array([0.05, 0.05])
    labels, scores = decide(c, a, Thresholds(0.5, 0.5), identical=np.array([True, False]))
    assert labels == [Verdict.agreement, Verdict.contradiction]
    assert scores[0] == 1.0
