"""Mined cross-article pairs: heuristic labels, cue filtering, twins, cluster-level splits. No models."""

from __future__ import annotations

import random

import pytest

from factcheck.training.mine_pairs import MinedPair, coverage, label_pair, mine_pairs, twin_pairs
from factcheck.training.edits import edit_modality, edit_negation
from factcheck.training.synth import article_split

from conftest import FakeEmbedder


def test_coverage_counts_content_words_of_the_hypothesis():
    premise = "The Kremlin said there was little ground for optimism about the talks."
    assert coverage(premise, "There was little ground for optimism, the Kremlin said.") == 1.0
    assert coverage(premise, "The Kremlin said there was little ground for optimism in Paris.") < 1.0
    assert coverage(premise, "the of and") == 1.0  # nothing to cover


def test_label_pair_is_entailment_only_when_the_premise_covers_the_hypothesis():
    long = "Police said the suspect, a 32-year-old man from Quebec, was shot dead inside the building."
    short = "Police said the suspect was shot dead inside the building."
    assert label_pair(long, short) == "entailment"
    assert label_pair(short, long) == "neutral"


def _bodies() -> dict[str, str]:
    return {
        "1": "Police said the suspect was shot dead inside the parliament building on Wednesday. "
             "The weather in the city was cold and grey all week long.",
        "2": "The suspect was shot dead inside the parliament building, police told reporters on Wednesday. "
             "Officials said the talks could not resume before the summer holidays.",
        "3": "Officials said the talks could resume before the summer holidays began.",
        "4": "The city council approved a new budget for schools and parks last night.",
    }


def test_mine_pairs_finds_restatements_across_bodies_and_drops_cue_conflicts():
    embedder = FakeEmbedder()
    pairs = mine_pairs(_bodies(), embedder.embed, min_similarity=0.5, max_similarity=0.999)
    texts = {frozenset((p.a, p.b)) for p in pairs}
    assert all(p.body_a != p.body_b for p in pairs)
    assert any("shot dead" in p.a and "shot dead" in p.b for p in pairs)
    # "could not resume" vs "could resume" differ in negation: a cue fires, so it is no restatement.
    assert not any("could not resume" in " ".join(t) and "could resume" in " ".join(t) for t in texts)


def test_mine_pairs_skips_same_body_and_near_copies():
    embedder = FakeEmbedder()
    bodies = {"1": "Police said the suspect was shot dead inside the building. "
                   "Police said the suspect was shot dead inside the building today.",
              "2": "Police said the suspect was shot dead inside the building."}
    pairs = mine_pairs(bodies, embedder.embed, min_similarity=0.5, max_similarity=0.97)
    for p in pairs:
        assert p.body_a != p.body_b
        assert p.similarity < 0.97


def test_twins_contradict_only_on_content_the_premise_holds():
    pair = MinedPair("The deployment of allied troops in Eastern Europe is non-negotiable, officials said.",
                     "Officials said the deployment of allied troops in Eastern Europe is non-negotiable.",
                     "10", "11", 0.9)
    rows = twin_pairs([pair] * 20, seed=3, twin_share=1.0)
    twins = [r for r in rows if r.label == "contradiction"]
    assert twins, "a covered restatement with an editable predicate gets a contradiction twin"
    for r in twins:
        assert r.edit.startswith("mined_")
        assert {r.premise, r.hypothesis} & {pair.a, pair.b}
    natural = [r for r in rows if r.edit == "mined"]
    assert {r.label for r in natural} <= {"entailment", "neutral"}
    assert len(natural) == 40  # both directions of every pair


def test_twin_edit_must_not_remove_words_the_premise_lacks():
    # The only editable thing is "Syria" (a place) which the premise never mentions.
    pair = MinedPair("The journalist was kidnapped two years ago while reporting.",
                     "The journalist was kidnapped while reporting from Syria two years ago.",
                     "20", "21", 0.9)
    for row in twin_pairs([pair], seed=0, twin_share=1.0, min_twin_coverage=0.0):
        if row.label == "contradiction":
            assert "Syria" in row.premise or "Syria" in row.hypothesis
            assert row.edit != "mined_place"


def test_a_story_cluster_never_straddles_train_and_test():
    pairs = [MinedPair(f"Sentence {i} about the story.", f"Another sentence {i} about the story.",
                       str(i), str(i + 1), 0.8) for i in range(200)]
    rows = twin_pairs(pairs, seed=0, twin_share=0.0)
    # One chain links every body, so everything lands in one split, decided by the cluster id "0".
    assert {r.split for r in rows} == {article_split("0")}
    assert {r.article for r in rows} == {"0"}


@pytest.mark.parametrize("edit, sentence", [
    (edit_negation, "Officials said the talks could resume before the holidays."),
    (edit_modality, "The deployment of troops is non-negotiable, officials said."),
])
def test_twin_edits_change_meaning_words(edit, sentence):
    out = edit(sentence, random.Random(0))
    assert out is not None and out != sentence
