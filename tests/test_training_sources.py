"""Second-wave training data: one loader per source with its label map, the set-valued loss, the grouped
validation split, per-source set accuracy and the mixing weights."""

from __future__ import annotations

import gzip
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from factcheck.errors import InputError
from factcheck.training.data import LABEL_NAMES, NLIExample, label_mask, split_train_validation
from factcheck.training.sources import load_sources
from factcheck.training.sources import (
    NEW_SOURCES,
    connect_groups,
    load_streams,
    data_files,
    novel_content_words,
    read_conjnli,
    read_fever,
    read_med,
    read_mnli_dev,
    read_vitaminc_real,
    read_vitaminc_synthetic,
    read_wikisplit,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not available")


def _gz(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as fh:
        fh.write(text.encode(encoding))
    return path


def test_mnli_dev_csv_with_quoted_commas(tmp_path):
    _gz(tmp_path / "mnli_dev_folds1-4.csv.gz",
        'premise,hypothesis,label\n"Yes, he came.",He came.,entailment\nA dog ran.,A cat sat.,neutral\n'
        "Rain fell.,It was dry.,contradiction\n")
    ex = list(read_mnli_dev(tmp_path))
    assert [(e.premise, e.label, e.source) for e in ex] == [
        ("Yes, he came.", "entailment", "mnli"), ("A dog ran.", "neutral", "mnli"), ("Rain fell.", "contradiction", "mnli")]
    assert ex[0].group == "yes, he came."


def test_mnli_unknown_label_names_file_and_line(tmp_path):
    _gz(tmp_path / "mnli_dev_folds1-4.csv.gz", "premise,hypothesis,label\nA.,B.,entailment\nA.,C.,maybe\n")
    with pytest.raises(InputError, match=r"mnli_dev_folds1-4.csv.gz:3: unknown label 'maybe'"):
        list(read_mnli_dev(tmp_path))


def _vitaminc_rows(rows: list[tuple[str, str, str, str]]) -> str:
    return "".join(json.dumps({"unique_id": str(i), "label": lab, "claim": c, "evidence": e, "page": p}) + "\n"
                   for i, (e, c, lab, p) in enumerate(rows))


def test_vitaminc_label_map_and_page_groups(tmp_path):
    rows = [("Sales were 13 million .", "Sales were 13 million .", "SUPPORTS", "Westlife"),
            ("Sales were 13 million .", "Sales were 20 million .", "REFUTES", "Westlife"),
            ("He was born in 1950 .", "He has two sons .", "NOT ENOUGH INFO", "Bob")]
    _gz(tmp_path / "vitaminc_real_train90.jsonl.gz", _vitaminc_rows(rows))
    _gz(tmp_path / "vitaminc_synthetic_train90.jsonl.gz", _vitaminc_rows(rows[:1]))
    real = list(read_vitaminc_real(tmp_path))
    assert [e.label for e in real] == ["entailment", "contradiction", "neutral"]
    assert [e.group for e in real] == ["page:Westlife", "page:Westlife", "page:Bob"]
    assert real[0].premise == "Sales were 13 million ." and real[1].hypothesis == "Sales were 20 million ."
    assert {e.source for e in real} == {"vitaminc_real"}
    assert [e.source for e in read_vitaminc_synthetic(tmp_path)] == ["vitaminc_synthetic"]


def test_vitaminc_bad_row_is_one_clear_error(tmp_path):
    _gz(tmp_path / "vitaminc_real_train90.jsonl.gz", '{"claim": "x", "evidence": "y", "page": "p"}\n')
    with pytest.raises(InputError, match=r"vitaminc_real_train90.jsonl.gz:1: not a VitaminC row"):
        list(read_vitaminc_real(tmp_path))


def test_fever_two_way_and_components(tmp_path):
    _gz(tmp_path / "fever_dev_2way.tsv.gz",
        "premise\thypothesis\tlabel\n"
        "E1 .\tClaim A .\tentailment\n"
        "E2 .\tClaim A .\tnot_entailment\n"   # same claim, other evidence: same group as row 1
        "E2 .\tClaim B .\tnot_entailment\n"   # same evidence as row 2: same group again
        "E3 .\tClaim C .\tentailment\n")
    ex = list(read_fever(tmp_path))
    assert [e.label for e in ex] == ["entailment", "not_entailment", "not_entailment", "entailment"]
    assert ex[0].group == ex[1].group == ex[2].group != ex[3].group
    assert label_mask("not_entailment") == (False, True, True)


def test_conjnli_reads_byte_order_mark(tmp_path):
    text = "Premise\tHypothesis\tLabel\nHe ran and swam.\tHe ran.\tentailment\nA or B.\tA.\tneutral\n"
    _gz(tmp_path / "adversarial_train_15k.tsv.gz", "\ufeff" + text)
    _gz(tmp_path / "conj_dev.tsv.gz", "\ufeff" + text.replace("neutral", "contradiction"))
    ex = list(read_conjnli(tmp_path))
    assert [e.label for e in ex] == ["entailment", "neutral", "entailment", "contradiction"]
    assert ex[0].premise == "He ran and swam."


def test_med_gold_labels_only_entailment_and_neutral(tmp_path):
    head = "index\tsentence1\tsentence2\tlabel1\tgold_label\n"
    _gz(tmp_path / "MED.tsv.gz", head + "1\tAn Irishman won the prize.\tAn Irishman won a prize.\tx\tentailment\n"
        "2\tNo one finished the report on time.\tNo one finished the report.\tx\tneutral\n")
    assert [e.label for e in read_med(tmp_path)] == ["entailment", "neutral"]
    _gz(tmp_path / "MED.tsv.gz", head + "1\tA.\tB.\tx\tcontradiction\n")
    with pytest.raises(InputError, match="MED.tsv.gz:2: unknown label 'contradiction'"):
        list(read_med(tmp_path))


def test_wikisplit_both_directions_unless_content_added(tmp_path):
    lines = [
        "Bob , born in 1950 , is a singer .\tBob was born in 1950 . <::::> He is a singer .",
        # The split adds a fact ("daughter of Jim"): only split -> original is entailed.
        "Ann plays Danielle in EastEnders .\tAnn is the daughter of Jim . <::::> Ann plays Danielle in EastEnders .",
    ]
    for name in ("tune.tsv.gz", "validation.tsv.gz", "test.tsv.gz"):
        _gz(tmp_path / name, "\n".join(lines) + "\n" if name == "tune.tsv.gz" else "")
    ex = list(read_wikisplit(tmp_path))
    pairs = [(e.premise, e.hypothesis) for e in ex]
    assert pairs == [
        ("Bob , born in 1950 , is a singer .", "Bob was born in 1950 . He is a singer ."),
        ("Bob was born in 1950 . He is a singer .", "Bob , born in 1950 , is a singer ."),
        ("Ann is the daughter of Jim . Ann plays Danielle in EastEnders .", "Ann plays Danielle in EastEnders ."),
    ]
    assert {e.label for e in ex} == {"entailment"}
    assert ex[0].group == ex[1].group != ex[2].group
    assert novel_content_words("Ann plays Danielle .", "Ann is the daughter of Jim .") == {"daughter", "jim"}


def test_wikisplit_wrong_column_count(tmp_path):
    _gz(tmp_path / "tune.tsv.gz", "only one column\n")
    with pytest.raises(InputError, match=r"tune.tsv.gz:1: expected 2 tab-separated columns"):
        list(read_wikisplit(tmp_path))


def test_unknown_source_name(tmp_path):
    with pytest.raises(InputError, match="unknown training source 'nope'"):
        load_sources(tmp_path, ["nope"])


# --- the set-valued loss -----------------------------------------------------------------------------------

def test_set_valued_nll_is_cross_entropy_for_singletons():
    torch = pytest.importorskip("torch")
    from factcheck.training.losses import set_valued_nll

    g = torch.Generator().manual_seed(0)
    logits = torch.randn(7, 3, generator=g)
    gold = torch.tensor([0, 1, 2, 2, 1, 0, 0])
    mask = torch.nn.functional.one_hot(gold, 3).bool()
    assert torch.allclose(set_valued_nll(logits, mask), torch.nn.functional.cross_entropy(logits, gold), atol=1e-6)


def test_set_valued_nll_sums_probabilities_of_the_set():
    torch = pytest.importorskip("torch")
    from factcheck.training.losses import set_valued_nll

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0]])
    mask = torch.tensor([[False, True, True], [True, False, True]])
    p = torch.softmax(logits, dim=-1)
    expected = -(torch.log(p[0, 1] + p[0, 2]) + torch.log(p[1, 0] + p[1, 2])) / 2
    assert math.isclose(set_valued_nll(logits, mask).item(), expected.item(), rel_tol=1e-6)
    # All three labels allowed: nothing to learn.
    assert set_valued_nll(logits, torch.ones(2, 3, dtype=torch.bool)).item() == pytest.approx(0.0, abs=1e-6)


def test_set_valued_nll_gradient_moves_mass_into_the_set():
    torch = pytest.importorskip("torch")
    from factcheck.training.losses import set_valued_nll

    logits = torch.tensor([[3.0, 0.0, 0.0]], requires_grad=True)
    set_valued_nll(logits, torch.tensor([[False, True, True]])).backward()
    assert logits.grad[0, 0] > 0 and logits.grad[0, 1] < 0 and logits.grad[0, 2] < 0


def test_set_valued_nll_rejects_empty_sets_and_shape_mismatch():
    torch = pytest.importorskip("torch")
    from factcheck.training.losses import set_valued_nll

    with pytest.raises(ValueError, match="at least one label"):
        set_valued_nll(torch.zeros(1, 3), torch.zeros(1, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match="differ in shape"):
        set_valued_nll(torch.zeros(2, 3), torch.ones(1, 3, dtype=torch.bool))


# --- accuracy with set labels, mixing -----------------------------------------------------------------------

def test_set_accuracy_scores_fever_two_way():
    from factcheck.training.train import set_accuracy

    preds = np.array([LABEL_NAMES.index(x) for x in ("contradiction", "neutral", "entailment", "entailment", "neutral")])
    labels = ["not_entailment", "not_entailment", "not_entailment", "entailment", "contradiction"]
    sources = ["fever", "fever", "fever", "fever", "mnli"]
    res = set_accuracy(preds, labels, sources)
    assert res["per_source"]["fever"] == {"accuracy": 0.75, "n": 4}
    assert res["per_source"]["mnli"] == {"accuracy": 0.0, "n": 1}
    assert res["accuracy"] == pytest.approx(0.6)


def _ex(i: int, source: str = "s") -> NLIExample:
    return NLIExample(f"premise {i}", f"hypothesis {i}", "entailment", source, f"g{i}")


def test_mix_streams_counts_and_replay():
    from factcheck.training.train import mix_streams

    streams = {"big": [_ex(i, "big") for i in range(100)], "small": [_ex(i, "small") for i in range(3)],
               "off": [_ex(i, "off") for i in range(5)]}
    mixed = mix_streams(streams, {"big": 10, "small": 7, "off": 0}, seed=1)
    assert sum(e.source == "big" for e in mixed) == 10 and len({e.premise for e in mixed if e.source == "big"}) == 10
    small = [e.premise for e in mixed if e.source == "small"]
    assert len(small) == 7 and set(small) == {f"premise {i}" for i in range(3)}
    assert not any(e.source == "off" for e in mixed)
    assert mixed == mix_streams(streams, {"big": 10, "small": 7, "off": 0}, seed=1)


def test_mix_streams_needs_explicit_weight_for_every_stream():
    from factcheck.training.train import mix_streams

    with pytest.raises(InputError, match=r"no weight for \['b'\]"):
        mix_streams({"a": [_ex(0)], "b": [_ex(1)]}, {"a": 1}, seed=0)


def test_parse_weights(tmp_path):
    from factcheck.training.train import parse_weights

    assert parse_weights("mnli=10, fever=0") == {"mnli": 10, "fever": 0}
    path = tmp_path / "w.json"
    path.write_text('{"mnli": 5}')
    assert parse_weights(str(path)) == {"mnli": 5}
    with pytest.raises(InputError, match="not an integer"):
        parse_weights("mnli=many")


def test_grouped_split_never_puts_a_group_on_both_sides():
    rng = random.Random(3)
    examples = [NLIExample(f"p{rng.randrange(200)}", f"h{i}", "neutral", "x", f"g{rng.randrange(150)}")
                for i in range(3000)]
    train, val = split_train_validation(examples, 0.2)
    assert train and val
    assert not {e.group for e in train} & {e.group for e in val}


# --- the real shared data -----------------------------------------------------------------------------------

def test_connect_groups_joins_groups_sharing_a_premise():
    ex = [NLIExample("Generic line .", "a", "neutral", "v", "page:A"),
          NLIExample("Generic line .", "b", "neutral", "v", "page:B"),
          NLIExample("Other line .", "c", "neutral", "v", "page:B"),
          NLIExample("Lone line .", "d", "neutral", "v", "page:C")]
    groups = [e.group for e in connect_groups(ex)]
    assert groups[0] == groups[1] == groups[2] == "page:A" and groups[3] == "page:C"


@needs_shared
def test_real_second_wave_sources_load_and_split_by_group():
    streams = load_streams(SHARED, list(NEW_SOURCES))
    counts = {name: len(ex) for name, ex in streams.items()}
    train, val = [], []
    for name, ex in streams.items():
        assert {e.source for e in ex} == {name}
        assert {e.label for e in ex} <= {"entailment", "neutral", "contradiction", "not_entailment"}
        tr, va = split_train_validation(ex, 0.06)
        assert va and tr
        train += tr
        val += va
    # No group, and no premise (so no Wikipedia evidence sentence, FEVER claim component or WikiSplit source
    # sentence), on both sides, across all second-wave sources together.
    assert not {e.group for e in train} & {e.group for e in val}
    assert not {e.premise for e in train} & {e.premise for e in val}
    assert counts["mnli"] == 15693 and counts["vitaminc_real"] == 31332 and counts["vitaminc_synthetic"] == 18448
    assert counts["fever"] == 12465 and counts["conjnli"] == 15623 and counts["med"] == 5382
    assert 10000 < counts["wikisplit"] < 30000
    assert all(p.is_file() for p in data_files(SHARED, NEW_SOURCES))


def test_data_provenance_is_relative_with_hashes(tmp_path):
    import hashlib

    from factcheck.training.train import data_provenance

    data = tmp_path / "data"
    _gz(data / "nli" / "med" / "MED.tsv.gz", "sentence1\tsentence2\tgold_label\nA.\tB.\tneutral\n")
    (data / "nli" / "med" / "LICENSE").write_text("licence text")
    pairs = tmp_path / "synth.jsonl"
    pairs.write_text("{}\n")
    prov = data_provenance(data, ["med"], [pairs])
    digest = hashlib.sha256((data / "nli" / "med" / "MED.tsv.gz").read_bytes()).hexdigest()
    assert prov == {"data_dir_files": {"nli/med/MED.tsv.gz": digest},
                    "pair_files": {"synth.jsonl": hashlib.sha256(b"{}\n").hexdigest()}}
    assert str(tmp_path) not in json.dumps(prov)


def _model_card_module():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "eval" / "nli_model_card.py"
    spec = importlib.util.spec_from_file_location("nli_model_card", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_thresholds_file_is_flat_and_readable_by_the_checker():
    from factcheck.verdict import Thresholds

    card = _model_card_module()
    fit = {"contradiction": 0.81, "agreement": 0.5, "f05_contradiction_dev": 0.9, "f1_agreement_dev": 0.77, "n_dev": 123}
    payload = card.thresholds_payload(fit, "sha256:0123456789ab", "2026-11-26")
    assert payload["schema"] == "factcheck.thresholds/1"
    assert (payload["contradiction"], payload["agreement"]) == (0.81, 0.5)
    assert payload["fitted_on"] == {"split": "validation", "n": 123,
                                    "objective": "contradiction: max F0.5 of the two-way contradiction score; agreement: max F1 of the max entailment",
                                    "scores": {"f05_contradiction": 0.9, "f1_agreement": 0.77}}
    assert payload["model_revision"] == "sha256:0123456789ab" and payload["date"] == "2026-11-26"
    # Flat: no nested copy of an older file, nothing but plain values at the top.
    assert set(payload) == {"schema", "contradiction", "agreement", "fitted_on", "model_revision", "date", "version"}
    t = Thresholds.from_dict(payload)
    assert (t.contradiction, t.agreement) == (0.81, 0.5)
