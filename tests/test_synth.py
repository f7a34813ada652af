"""Synthetic training pairs: the edits change what they claim to, and labels follow the polarity."""

from __future__ import annotations

import random
import re

from factcheck.training.edits import edit_modality, edit_negation
from factcheck.training.synth import MODAL_HELD_OUT, MODAL_LEXICON, article_split, modal_pairs

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


def test_edit_syntax_rewords_without_changing_words_that_carry_meaning():
    from factcheck.training.edits import edit_syntax

    vocab = frozenset({"undermining", "threatening"})
    rng = random.Random(0)
    seen = set()
    for _ in range(40):
        out = edit_syntax("Officials said that the report lists Russia's actions that undermine security.", rng, vocab)
        assert out is not None
        seen.add(out)
    assert "Officials said the report lists Russia's actions that undermine security." in seen
    assert any("the actions of Russia" in o for o in seen)
    assert any("actions undermining security" in o for o in seen)
    for o in seen:
        assert "not" not in o.split()


def test_edit_syntax_needs_the_ing_form_in_the_vocabulary():
    from factcheck.training.edits import edit_syntax

    sentence = "Police found weapons that soon disappeared from the scene."
    for seed in range(10):
        out = edit_syntax(sentence, random.Random(seed), frozenset())
        assert out is None or "sooning" not in out


def test_syntax_pairs_are_entailments_with_contradiction_twins():
    from factcheck.training.synth import syntax_pairs

    bodies = {str(i): "The minister said that the plan was approved by the council on Monday. "
                      "Critics pointed to the costs of the plan, which rose sharply last year. "
                      "Officials said the project would create 400 new jobs in the region." for i in range(20)}
    pairs = syntax_pairs(bodies, seed=3)
    assert {p.label for p in pairs if p.edit == "syntax"} == {"entailment"}
    twins = [p for p in pairs if p.edit.startswith("syntax_")]
    assert twins and {p.label for p in twins} == {"contradiction"}
    assert {p.split for p in pairs} <= {"train", "test"}


def test_negation_form_pairs_label_by_polarity_and_hold_out_actions():
    from factcheck.training.synth import NEGATION_HELD_OUT, negation_form_pairs

    bodies = {str(i): f"Officials from Acme Corp met leaders of Northland and Southport in Geneva on day {i}. "
                      "Talks with Eastland Motors continued." for i in range(5)}
    pairs = negation_form_pairs(bodies, seed=4, per_action=20)
    assert pairs
    negative = re.compile(r"\bnot\b|non-|opposition to|rejection of|refrain from")
    for p in pairs:
        assert (p.split == "test") == (p.article in NEGATION_HELD_OUT)
        if p.edit == "negation_form_other_party":
            assert p.label == "neutral"
            continue
        same = bool(negative.search(p.premise)) == bool(negative.search(p.hypothesis))
        assert p.label == ("entailment" if same else "contradiction"), p
