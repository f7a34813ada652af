"""The labelled news pairs (by reference), their loader and the `eval --preset news-pairs` task."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeNLI
from typer.testing import CliRunner

import factcheck.cli.eval
from factcheck.cli import app
from factcheck.errors import InputError
from factcheck.evaluation.news_eval import (NewsScores, fit_news_thresholds, news_metrics, predicted,
                                            score_news_pairs)
from factcheck.evaluation.news_pairs import (PairRef, card_counts, cohen_kappa, dev_stories, load_news_pairs,
                                             read_articles, read_refs, sha, story_split, write_refs)
from factcheck.verdict import Thresholds

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
LABELS = REPO / "eval" / "news_pairs" / "labels.jsonl"

BODIES = {
    "1": "Police said the man was not armed. He was arrested on Monday in Paris.",
    "2": "Police said the man was armed. The arrest came on Monday in Paris.",
    "3": "The man was arrested in Paris. Officers found no weapon.",
}


def _shared(tmp_path: Path) -> Path:
    """A tiny shared-data folder: train bodies (for train/validation) and dev bodies + stances."""
    data = tmp_path / "shared"
    for rel in ("news/fnc1_train_bodies.csv", "fnc1/fnc1_dev_bodies.csv"):
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Body ID", "articleBody"])
            for k, v in BODIES.items():
                w.writerow([k, v])
    with open(data / "fnc1" / "fnc1_dev_stances.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Headline", "Body ID", "Stance"])
        w.writerows([["Man arrested", "1", "agree"], ["Man arrested", "2", "discuss"], ["Other", "2", "agree"],
                     ["Other", "3", "disagree"], ["Unrelated", "1", "unrelated"]])
    return data


def _ref(pid: str, split: str, story: str, a: tuple[str, int, int], b: tuple[str, int, int], label: str,
         type_: str = "other") -> PairRef:
    ta, tb = BODIES[a[0]][a[1]:a[2]], BODIES[b[0]][b[1]:b[2]]
    return PairRef(pid, split, story, a[0], a[1], a[2], sha(ta), b[0], b[1], b[2], sha(tb), label, type_, "tester")


def _refs() -> list[PairRef]:
    s1 = (0, BODIES["1"].index(".") + 1)
    s2 = (0, BODIES["2"].index(".") + 1)
    t1 = (s1[1] + 1, len(BODIES["1"]))
    t2 = (s2[1] + 1, len(BODIES["2"]))
    return [_ref("p1", "dev", "dev-1", ("1", *s1), ("2", *s2), "contradiction", "negation/polarity"),
            _ref("p2", "dev", "dev-1", ("1", *t1), ("2", *t2), "compatible", "paraphrase"),
            _ref("p3", "validation", "train-1", ("1", *s1), ("2", *s2), "contradiction", "negation/polarity"),
            _ref("p4", "train", "train-2", ("1", *t1), ("2", *t2), "compatible", "paraphrase")]


def test_loader_rebuilds_texts_from_offsets_and_checks_hashes(tmp_path) -> None:
    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    write_refs(_refs(), path)
    assert "Police" not in path.read_text()  # by reference: no article text in the file
    pairs = load_news_pairs(path, data, splits=("dev",))
    assert [p.ref.id for p in pairs] == ["p1", "p2"]
    assert pairs[0].a == "Police said the man was not armed." and pairs[0].b == "Police said the man was armed."
    # A body that changed under the labels is refused, naming the pair.
    bad = [r if r.id != "p2" else PairRef(**{**r.to_dict(), "sha_a": "0" * 16}) for r in _refs()]
    write_refs(bad, path)
    with pytest.raises(InputError, match="pair p2.*does not match its hash"):
        load_news_pairs(path, data)


def test_loader_refuses_bad_records_and_missing_data(tmp_path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"labels.jsonl:1: not a news-pair record"):
        read_refs(path)
    write_refs([PairRef(**{**_refs()[0].to_dict(), "label": "maybe"})], path)
    with pytest.raises(InputError, match="label 'maybe'"):
        read_refs(path)
    write_refs(_refs(), path)
    with pytest.raises(InputError, match="not found"):
        load_news_pairs(path, tmp_path / "nowhere")


def test_a_users_file_may_carry_its_texts(tmp_path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"a": "It rained.", "b": "It did not rain.", "label": "contradiction"}) + "\n",
                    encoding="utf-8")
    (pair,) = load_news_pairs(path, tmp_path / "unused")
    assert (pair.a, pair.b, pair.ref.split) == ("It rained.", "It did not rain.", "dev")


def test_a_pair_may_take_a_side_from_a_written_article(tmp_path) -> None:
    data = _shared(tmp_path)
    article = "Officials said the man carried a weapon. He was detained."
    arts = tmp_path / "articles.jsonl"
    arts.write_text(json.dumps({"id": "o2-A", "text": article}) + "\n", encoding="utf-8")
    first = BODIES["2"][: BODIES["2"].index(".") + 1]
    claim = "Officials said the man carried a weapon."
    ref = PairRef(id="w1", split="train", story="train-2", body_a="2", start_a=0, end_a=len(first), sha_a=sha(first),
                  body_b="o2-A", start_b=0, end_b=len(claim), sha_b=sha(claim), label="contradiction",
                  type="negation/polarity", annotator="r1")
    path = tmp_path / "labels.jsonl"
    write_refs([ref], path)
    (pair,) = load_news_pairs(path, data, articles=read_articles(arts))
    assert (pair.a, pair.b) == (first, claim)
    with pytest.raises(InputError, match="body o2-A is not in the shared data"):
        load_news_pairs(path, data)
    arts.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"articles.jsonl:1: not an article record"):
        read_articles(arts)


def test_dev_stories_join_headlines_that_share_a_body(tmp_path) -> None:
    assert dev_stories(_shared(tmp_path)) == {"dev-1": ["1", "2", "3"]}


def test_story_split_is_by_story_and_stable() -> None:
    splits = {story_split(f"train-{i}") for i in range(200)}
    assert splits == {"train", "validation"}
    assert story_split("train-7") == story_split("train-7")
    share = np.mean([story_split(f"train-{i}") == "validation" for i in range(2000)])
    assert 0.15 < share < 0.25


def test_kappa() -> None:
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == 0.0
    assert cohen_kappa(["a", "b", "a", "a"], ["a", "b", "b", "a"]) == pytest.approx(0.5)


def test_card_counts_by_split_label_type() -> None:
    card = card_counts(_refs())
    assert card["dev"]["pairs"] == 2 and card["dev"]["labels"] == {"contradiction": 1, "compatible": 1}
    assert card["train"]["types"] == {"paraphrase": 1}


def _scores(c: list[float], a: list[float] | None = None) -> NewsScores:
    c = np.asarray(c, dtype=float)
    a = np.zeros_like(c) if a is None else np.asarray(a, dtype=float)
    rows = np.stack([a, 1 - a - c, c], axis=1)
    return NewsScores(rows, rows, c, a, np.zeros(len(c), dtype=bool))


def test_metrics_precision_recall_top_k_and_types(tmp_path) -> None:
    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    write_refs(_refs(), path)
    pairs = load_news_pairs(path, data)
    # Reported: p1 (real) and p2 (false alarm); p3 (real) missed.
    scores = _scores([0.9, 0.8, 0.3, 0.1])
    res = news_metrics(pairs, scores, Thresholds(0.5, 0.5), n_bootstrap=50)
    m = res["metrics"]
    assert (m["reported"], m["true_reported"]) == (2, 1)
    assert m["precision"] == pytest.approx(0.5) and m["recall"] == pytest.approx(0.5)
    assert m["f0.5"] == pytest.approx(0.5)
    assert np.isnan(m["precision@10"])  # fewer than 10 pairs
    assert res["per_type"]["paraphrase"]["false_alarms"] == 1
    assert res["per_type"]["negation/polarity"] == {"n": 2, "contradictions": 2, "found": 1, "recall": 0.5,
                                                    "false_alarms": 0, "precision": 1.0}
    assert set(res["ci95"]) >= {"precision", "recall", "pr_auc"}


def test_threshold_fit_is_for_precision_and_never_on_dev(tmp_path) -> None:
    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    refs = []
    for k in range(40):  # 20 real contradictions scored 0.6-0.99, 20 compatible pairs scored 0.5-0.8
        base = _refs()[2 if k % 2 == 0 else 3]
        refs.append(PairRef(**{**base.to_dict(), "id": f"v{k}", "split": "validation", "story": f"train-{k}"}))
    write_refs(refs, path)
    pairs = load_news_pairs(path, data)
    c = [0.6 + 0.39 * k / 40 if k % 2 == 0 else 0.5 + 0.3 * k / 40 for k in range(40)]
    fitted, fit = fit_news_thresholds(pairs, _scores(c), Thresholds(0.76, 0.35), min_precision=0.85)
    pred = predicted(_scores(c), fitted)
    gold = np.array([p.ref.label == "contradiction" for p in pairs])
    assert (gold & pred).sum() / pred.sum() >= 0.85 and pred.sum() >= 10
    # The highest recall at that precision: every lower threshold falls below it.
    for t in np.arange(0.30, fitted.contradiction - 1e-9, 0.005):
        lower = predicted(_scores(c), Thresholds(float(t), 0.35))
        assert (gold & lower).sum() / lower.sum() < 0.85
    assert fitted.agreement == 0.35 and "highest recall" in fit["objective"]
    write_refs(_refs()[:2], tmp_path / "dev.jsonl")
    dev = load_news_pairs(tmp_path / "dev.jsonl", data)
    with pytest.raises(InputError, match="never fitted on the dev split"):
        fit_news_thresholds(dev, _scores([0.9, 0.1]), Thresholds())


def test_threshold_fit_for_f05_takes_the_best_f05_even_where_precision_is_reachable(tmp_path) -> None:
    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    refs = []
    for k in range(40):
        base = _refs()[2 if k % 2 == 0 else 3]
        refs.append(PairRef(**{**base.to_dict(), "id": f"v{k}", "split": "validation", "story": f"train-{k}"}))
    write_refs(refs, path)
    pairs = load_news_pairs(path, data)
    c = [0.6 + 0.39 * k / 40 if k % 2 == 0 else 0.5 + 0.3 * k / 40 for k in range(40)]
    gold = np.array([p.ref.label == "contradiction" for p in pairs])

    def f05(t: float) -> float:
        pred = predicted(_scores(c), Thresholds(t, 0.35))
        tp = (gold & pred).sum()
        p, r = tp / max(1, pred.sum()), tp / gold.sum()
        return 1.25 * p * r / (0.25 * p + r) if tp else 0.0

    by_precision, _ = fit_news_thresholds(pairs, _scores(c), Thresholds(0.76, 0.35), min_precision=0.85)
    fitted, fit = fit_news_thresholds(pairs, _scores(c), Thresholds(0.76, 0.35), min_precision=0.85, rule="f0.5")
    assert fit["objective"] == "max F0.5 on the news-pairs validation split"
    best = max(f05(float(t)) for t in np.round(np.arange(0.30, 0.996, 0.005), 3))
    assert f05(fitted.contradiction) == pytest.approx(best)
    assert f05(fitted.contradiction) > f05(by_precision.contradiction)
    with pytest.raises(InputError, match="threshold rule"):
        fit_news_thresholds(pairs, _scores(c), Thresholds(), rule="f1")


def test_pairs_are_scored_both_ways(tmp_path, fake_nli) -> None:
    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    write_refs(_refs(), path)
    pairs = load_news_pairs(path, data, splits=("dev",))
    scores = score_news_pairs(pairs, fake_nli)
    assert scores.forward.shape == (2, 3)
    assert scores.contradiction[0] == pytest.approx(0.9)  # one side negated: contradiction both ways
    sent = {p for batch in fake_nli.calls for p in batch}
    assert (pairs[0].a, pairs[0].b) in sent and (pairs[0].b, pairs[0].a) in sent


def test_cli_eval_news_pairs(tmp_path, monkeypatch) -> None:
    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    write_refs(_refs(), path)
    monkeypatch.setattr(factcheck.cli.eval, "_load_model", lambda name, device, precision="auto": FakeNLI())
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["eval", "--preset", "news-pairs", "--data", str(path), "--shared-data", str(data),
                                      "--output", str(out), "--bootstrap", "20", "--predictions", str(tmp_path / "p.jsonl")])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["task"] == "news-pairs" and report["split"] == "dev" and report["n"] == 2
    assert report["metrics"]["true_reported"] == 1
    assert "precision" in out.with_suffix(".md").read_text()
    rows = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["p1", "p2"] and "a" not in rows[0]


def test_cli_calibrate_news_pairs_refuses_dev(tmp_path, monkeypatch) -> None:
    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    write_refs(_refs(), path)
    monkeypatch.setattr(factcheck.cli.eval, "_load_model", lambda name, device, precision="auto": FakeNLI())
    result = CliRunner().invoke(app, ["calibrate", "--preset", "news-pairs", "--data", str(path), "--split", "dev",
                                      "--shared-data", str(data)])
    assert result.exit_code != 0 and "never fitted on the dev split" in result.output


@pytest.mark.skipif(not (SHARED.is_dir() and LABELS.is_file()), reason="needs ../shared/data and the labels file")
def test_committed_labels_rebuild_from_the_shared_data() -> None:
    refs = read_refs(LABELS)
    pairs = load_news_pairs(LABELS, SHARED)
    assert len(pairs) == sum(r.label is not None for r in refs) >= 3600
    by_split = {s: {p.ref.story for p in pairs if p.ref.split == s} for s in ("train", "validation", "dev")}
    assert not (by_split["train"] & by_split["validation"])  # split by story, never by pair
    assert all(p.ref.annotator for p in pairs)


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data")
def test_committed_outlet_pairs_rebuild_and_stay_in_train_stories() -> None:
    outlets = REPO / "eval" / "outlets"
    pairs = load_news_pairs(outlets / "pairs.jsonl", SHARED, articles=read_articles(outlets / "articles.jsonl"))
    assert len(pairs) == 6000 and all(p.ref.label and p.ref.annotator for p in pairs)
    stories = json.loads((REPO / "eval" / "authored" / "stories.json").read_text(encoding="utf-8"))
    assert {stories["split"][p.ref.story] for p in pairs} == {"train"}  # never a validation story
    held = {p.ref.story for p in load_news_pairs(LABELS, SHARED) if p.ref.split != "train"}
    assert not held & {p.ref.story for p in pairs}


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data")
def test_committed_round2_outlet_pairs_rebuild_and_stay_in_train_stories() -> None:
    round2 = REPO / "eval" / "outlets" / "round2"
    refs = read_refs(round2 / "pairs.jsonl")
    pairs = load_news_pairs(round2 / "pairs.jsonl", SHARED, articles=read_articles(round2 / "articles.jsonl"))
    assert len(pairs) == sum(r.label is not None for r in refs) >= 3000
    assert all(p.ref.annotator for p in pairs) and {p.ref.split for p in pairs} == {"train"}
    stories = json.loads((REPO / "eval" / "authored" / "stories.json").read_text(encoding="utf-8"))
    assert {stories["split"][p.ref.story] for p in pairs} == {"train"}
    held = {p.ref.story for p in load_news_pairs(LABELS, SHARED) if p.ref.split != "train"}
    assert not held & {p.ref.story for p in pairs}
    first = {p.ref.id for p in load_news_pairs(REPO / "eval" / "outlets" / "pairs.jsonl", SHARED,
                                               articles=read_articles(REPO / "eval" / "outlets" / "articles.jsonl"))}
    assert not first & {p.ref.id for p in pairs}  # no pair read in both rounds


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data")
def test_committed_round3_outlet_pairs_rebuild_and_are_new() -> None:
    outlets = REPO / "eval" / "outlets"
    articles = {**read_articles(outlets / "articles.jsonl"), **read_articles(outlets / "round2" / "articles.jsonl")}
    refs = read_refs(outlets / "round3" / "pairs.jsonl")
    pairs = load_news_pairs(outlets / "round3" / "pairs.jsonl", SHARED, articles=articles)
    assert len(pairs) == sum(r.label is not None for r in refs) >= 1000
    assert all(p.ref.annotator for p in pairs) and {p.ref.split for p in pairs} == {"train"}
    stories = json.loads((REPO / "eval" / "authored" / "stories.json").read_text(encoding="utf-8"))
    assert {stories["split"][p.ref.story] for p in pairs} == {"train"}
    earlier = {r.id for f in (outlets / "pairs.jsonl", outlets / "round2" / "pairs.jsonl") for r in read_refs(f)}
    assert not earlier & {p.ref.id for p in pairs}  # no pair read in an earlier round


def test_news_families_cover_the_failure_modes() -> None:
    from factcheck.training.data import LABEL_SETS
    from factcheck.training.news_families import news_family_pairs

    pairs = news_family_pairs(seed=3, per_family=20)
    edits = {p.edit for p in pairs}
    assert {"neg_paraphrase", "denial_synonym", "relative_vs_weekday", "infobox_date", "infobox_prose"} <= edits
    assert all(p.label in LABEL_SETS for p in pairs)
    # A relative time word against a weekday is never trained as a contradiction; two event days that differ are.
    assert {p.label for p in pairs if p.edit == "relative_vs_weekday"} == {"not_contradiction"}
    assert {p.label for p in pairs if p.edit == "event_day_differs"} == {"contradiction"}
    # A template instance never straddles splits.
    split_of = {}
    for p in pairs:
        assert split_of.setdefault(p.article, p.split) == p.split
    assert news_family_pairs(seed=3, per_family=20) == pairs


def test_news_pairs_train_both_ways_and_only_the_train_split(tmp_path) -> None:
    from factcheck.training.train import news_pair_examples

    data = _shared(tmp_path)
    path = tmp_path / "labels.jsonl"
    write_refs(_refs(), path)
    examples = news_pair_examples(path, data)
    assert len(examples) == 2  # p4 only (train), both directions
    assert {e.label for e in examples} == {"not_contradiction"}
    assert examples[0].premise == examples[1].hypothesis and examples[0].group == "story:train-2"
    # A pair with a side from a written article trains too, given the articles file; contradictions repeat.
    claim = "Officials said the man carried a weapon."
    arts = tmp_path / "articles.jsonl"
    arts.write_text(json.dumps({"id": "o2-A", "text": claim + " He fled."}) + "\n", encoding="utf-8")
    first = BODIES["2"][: BODIES["2"].index(".") + 1]
    written = PairRef(id="w1", split="train", story="train-9", body_a="2", start_a=0, end_a=len(first),
                      sha_a=sha(first), body_b="o2-A", start_b=0, end_b=len(claim), sha_b=sha(claim),
                      label="contradiction", type="negation/polarity", annotator="r1")
    write_refs(_refs() + [written], path)
    examples = news_pair_examples(path, data, contradiction_repeat=3, articles=arts)
    assert len(examples) == 2 + 6
    assert sum(e.hypothesis == claim and e.label == "contradiction" for e in examples) == 3


def test_write_reading_keeps_scores_out_of_the_slices(tmp_path, monkeypatch) -> None:
    import importlib
    import random
    import sys
    from types import SimpleNamespace

    monkeypatch.syspath_prepend(str(REPO / "eval" / "news_pairs"))
    draw = importlib.import_module("draw")
    claim = lambda art, text: SimpleNamespace(article=art, start=0, end=len(text), text=text)  # noqa: E731
    rows = [{"id": f"p{k:03d}", "split": "train", "story": "train-1", "c": k / 250,
             "a": claim("1", f"claim one {k}"), "b": claim("o1-A", f"claim two {k}")} for k in range(250)]
    drawn = draw.sample(rows, 230, random.Random(0))
    refs = draw.write_reading(drawn, random.Random(1), tmp_path / "pairs.jsonl", tmp_path / "slices", double=120)
    assert len(refs) == len(read_refs(tmp_path / "pairs.jsonl")) == 230
    firsts = sorted((tmp_path / "slices").glob("first*.jsonl"))
    seconds = sorted((tmp_path / "slices").glob("second*.jsonl"))
    assert [len(f.read_text().splitlines()) for f in firsts] == [100, 100, 30]
    assert [len(f.read_text().splitlines()) for f in seconds] == [100, 20]
    for f in firsts + seconds:
        assert all(set(json.loads(x)) == {"id", "a", "b"} for x in f.read_text().splitlines())  # no score
    hidden = [json.loads(x) for x in (tmp_path / "hidden" / "draw_scores.jsonl").read_text().splitlines()]
    assert len(hidden) == 230 and all("c" in h and "stratum" in h for h in hidden)
    assert {r.body_a for r in refs} | {r.body_b for r in refs} == {"1", "o1-A"}
    del sys.modules["draw"]
