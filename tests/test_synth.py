"""Synthetic training pairs: the edits change what they claim to, and labels follow the polarity."""

from __future__ import annotations

import random
import re

from factcheck.synth import MODAL_HELD_OUT, MODAL_LEXICON, article_split, edit_modality, edit_negation, modal_pairs

BODIES = {
    "1": "The deployment of allied troops is a matter for the alliance. The new rules were published on Monday. "
         "Officials met in Brussels to discuss the plan for the coming winter months.",
    "2": "The price of the tickets was set by the city council. These talks are expected to last a week. "
         "Diplomats said the meeting in Geneva ended without any agreement on the main issues.",
    "3": "Their request was sent to the court. This decision is final and binding on both sides of the case.",
}


def _polarity(text: str, participle: str, word: str) -> bool | None:
    """True for "can be X-ed" / "is X-able", False for the negative forms, None when absent."""
    if re.search(rf"\b(cannot|can not|can’t|could not|couldn’t) be {participle}\b", text):
        return False
    if re.search(rf"\b(can|could) be {participle}\b", text):
        return True
    if re.search(rf"\b(non-?|un|in|ir|im){word}\b", text):
        return False
    if re.search(rf"\b{word}\b", text):
        return True
    return None


def test_modal_pairs_label_by_polarity_and_subject():
    pairs = modal_pairs(BODIES, seed=1, per_adjective=12)
    assert pairs
    lexicon = {w: (w, prefix, part) for w, prefix, part in MODAL_LEXICON}
    for p in pairs:
        word, _, participle = lexicon[p.article]
        pa, pb = _polarity(p.premise, participle, word), _polarity(p.hypothesis, participle, word)
        assert pa is not None and pb is not None, p
        if p.edit == "modal_flip":
            assert p.label == "contradiction" and pa != pb
        elif p.edit == "modal_same":
            assert pa == pb and p.label in ("entailment", "neutral")
        else:
            assert p.edit == "modal_other_subject" and p.label == "neutral"


def test_held_out_adjectives_only_in_the_test_split():
    pairs = modal_pairs(BODIES, seed=2, per_adjective=5)
    assert {p.split for p in pairs if p.article in MODAL_HELD_OUT} == {"test"}
    assert {p.split for p in pairs if p.article not in MODAL_HELD_OUT} == {"train"}


def test_modal_pairs_need_subjects():
    assert modal_pairs({"1": "no subject sentences here at all, none."}) == []


def test_edit_modality_flips_an_able_predicate():
    out = edit_modality("Officials said the deployment of troops is non-negotiable.", random.Random(0))
    assert out == "Officials said the deployment of troops can be negotiated."


def test_edit_negation_adds_or_removes_one_negation():
    rng = random.Random(0)
    assert edit_negation("The talks did not resume on Monday.", rng) == "The talks resumed on Monday."
    assert "not" in edit_negation("The talks will resume on Monday.", rng)


def test_article_split_is_deterministic_and_roughly_the_fraction():
    splits = [article_split(str(i)) for i in range(2000)]
    assert splits == [article_split(str(i)) for i in range(2000)]
    assert 0.10 < splits.count("test") / len(splits) < 0.20
