"""The authored training pairs: premises by reference, hashes checked, both directions, story split, format check."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from factcheck.errors import InputError
from factcheck.evaluation.news_pairs import sha
from factcheck.training.authored import authored_examples, load_authored

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
AUTHORED = REPO / "eval" / "authored"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, AUTHORED / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


BODY = "Police arrested two men on Tuesday. The minister said the talks were non-negotiable."


def _data(tmp_path: Path) -> tuple[Path, Path, Path]:
    data = tmp_path / "shared"
    (data / "news").mkdir(parents=True)
    with open(data / "news" / "fnc1_train_bodies.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Body ID", "articleBody"])
        w.writerow(["7", BODY])
    claim = "Police arrested two men on Tuesday."
    premises = tmp_path / "premises.jsonl"
    premises.write_text(json.dumps({"id": "p00000", "story": "train-7", "body": "7", "start": 0,
                                    "end": len(claim), "sha": sha(claim)}) + "\n")
    authored = tmp_path / "authored.jsonl"
    rows = [("a1", "Two men were detained by police on Friday.", "contradiction", "c_date"),
            ("a2", "Police did not release the two men.", "compatible", "k_negparaphrase"),
            ("a3", "The men's lawyer has yet to comment.", "unclear", "u_otherfact")]
    authored.write_text("".join(json.dumps({"id": i, "premise": "p00000", "hypothesis": h, "label": lab,
                                            "family": f, "author": "writer1"}) + "\n" for i, h, lab, f in rows))
    return data, premises, authored


def test_authored_pairs_rebuild_premises_and_train_both_ways(tmp_path) -> None:
    data, premises, authored = _data(tmp_path)
    pairs = load_authored(authored, premises, data)
    assert [p.premise for p in pairs] == ["Police arrested two men on Tuesday."] * 3
    assert {p.story for p in pairs} == {"train-7"}
    ex = authored_examples(pairs)
    assert len(ex) == 6
    assert [e.label for e in ex] == ["contradiction"] * 2 + ["not_contradiction"] * 2 + ["neutral"] * 2
    assert ex[0].premise == ex[1].hypothesis and ex[0].hypothesis == ex[1].premise
    assert all(e.group == "story:train-7" for e in ex)


def test_a_changed_body_or_bad_label_is_refused(tmp_path) -> None:
    data, premises, authored = _data(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "premise": "p00000", "hypothesis": "h", "label": "entailment",
                               "family": "k_detail", "author": "w"}) + "\n")
    with pytest.raises(InputError, match="label 'entailment'"):
        load_authored(bad, premises, data)
    body = data / "news" / "fnc1_train_bodies.csv"
    body.write_text(body.read_text().replace("Police", "Troops"))
    with pytest.raises(InputError, match="does not match its hash"):
        load_authored(authored, premises, data)


def test_check_slice_flags_format_and_counts_negation(tmp_path) -> None:
    check = _module("check_slice")
    f = tmp_path / "w.jsonl"
    f.write_text("\n".join([
        json.dumps({"premise": "p1", "hypothesis": "The minister said the talks cannot be negotiated.",
                    "label": "contradiction", "family": "c_modality"}),
        json.dumps({"premise": "p1", "hypothesis": "The talks are open to negotiation, officials said.",
                    "label": "compatible", "family": "c_modality"}),
        "{not json",
    ]) + "\n")
    problems, labels, negated = check.check(f, {"p1"})
    assert len(problems) == 2 and "does not go with" in problems[0] and "not JSON" in problems[1]
    assert labels == {"contradiction": 1, "compatible": 1} and negated["contradiction"] == 1
    assert check.has_negation("He hasn\u2019t said") and check.has_negation("She denied it")
    assert not check.has_negation("Nothingness is an island of knots")


def test_hypothesis_only_baseline_sees_no_premise(tmp_path) -> None:
    assemble = _module_with_path("assemble")
    from factcheck.training.authored import AuthoredPair

    # Labels that depend only on the premise: a hypothesis-only model can do no better than chance.
    pairs = []
    for k in range(300):
        lab = ("contradiction", "compatible", "unclear")[k % 3]
        pairs.append(AuthoredPair(f"a{k}", f"s{k % 10}", f"premise {k}", f"the same sentence {k % 7}", lab, "x", "w"))
    out = assemble.hypothesis_only(pairs)
    assert out["accuracy"] < 0.45 and 0.35 < out["contradiction_vs_rest_auc"] < 0.65


def _module_with_path(name: str):
    import sys

    sys.path.insert(0, str(AUTHORED))
    try:
        return _module(name)
    finally:
        sys.path.remove(str(AUTHORED))


@pytest.mark.skipif(not (SHARED.is_dir() and (AUTHORED / "authored.jsonl").is_file()),
                    reason="needs ../shared/data and the authored set")
def test_committed_authored_set_rebuilds_and_uses_only_train_stories() -> None:
    pairs = load_authored(AUTHORED / "authored.jsonl", AUTHORED / "premises.jsonl", SHARED)
    split = json.loads((AUTHORED / "stories.json").read_text())["split"]
    assert len(pairs) >= 20000
    assert {split[p.story] for p in pairs} == {"train"}
    labels = [json.loads(x) for x in (REPO / "eval" / "news_pairs" / "labels.jsonl").read_text().splitlines()]
    held = {r["story"] for r in labels if r["split"] != "train"}
    assert not held & {p.story for p in pairs}


def test_authored_subset_caps_contradictions_and_keeps_whole_premises() -> None:
    from factcheck.training.authored import AuthoredPair, authored_subset

    pairs = [AuthoredPair(f"p{k}h{j}", "s", f"premise {k}", f"hyp {k} {j}", lab, "f", "w")
             for k in range(20) for j, lab in enumerate(("contradiction", "contradiction", "compatible", "unclear"))]
    capped = authored_subset(pairs, contradiction_share=0.2, seed=1)
    con = sum(p.label == "contradiction" for p in capped)
    assert con / len(capped) <= 0.2 + 1e-9 and con > 0
    assert len(capped) - con == 40  # every non-contradiction kept
    few = authored_subset(pairs, limit=5, seed=1)
    assert len({p.premise for p in few}) == 5 and len(few) == 20  # whole premises, all their hypotheses
    assert authored_subset(pairs) == pairs
