import pytest

from factcheck.cues import contradiction_cues, date_cue, modality_cue, negation_cue, number_cue

SEED_000 = ("allied deployments of troops and military equipment in Eastern Europe are non-negotiable.")
SEED_004 = ("the deployment of Allied troops and military equipment to Eastern Europe can be negotiated.")


def test_modality_flip_in_the_seed_pair():
    assert modality_cue(SEED_000, SEED_004) is not None
    assert modality_cue(SEED_004, SEED_000) is not None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Russia has massed 100,000 troops.", "Russia has massed 10,000 troops."),
        ("The vote was 52 to 48.", "The vote was 60 to 40."),
    ],
)
def test_number_cue_fires_on_different_figures(a, b):
    assert number_cue(a, b) is not None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Russia has massed about 100,000 troops.", "Russia has massed 100,000 troops."),
        ("Some 100,000 troops are near the border.", "A buildup of roughly 95,000 troops."),
        ("Russia has massed 100,000 troops.", "Russia has massed troops."),
    ],
)
def test_number_cue_tolerates_same_or_hedged_or_missing_figures(a, b):
    assert number_cue(a, b) is None


def test_date_and_negation_cues():
    assert date_cue("The talks were on Monday.", "The talks were on Friday.")
    assert date_cue("The talks were on Monday.", "The talks were on Monday.") is None
    assert negation_cue("He did not sign.", "He signed.")
    assert negation_cue("He did not sign.", "He never signed.") is None


def test_paraphrase_has_no_cues():
    assert contradiction_cues("The minister resigned on Tuesday.", "On Tuesday the minister quit.") == []
