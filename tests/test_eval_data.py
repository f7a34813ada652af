"""Evaluation data loading: formats, columns, label maps, presets, bad inputs, fit/report identity."""

from __future__ import annotations

import csv
import json
import shutil
import time
from pathlib import Path

import pytest

from factcheck.errors import InputError
from factcheck.evaluation.data import (
    PRESETS,
    BinaryScore,
    DataSpec,
    Task,
    check_disjoint,
    load_eval_set,
    parse_label_map,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not available")

ROWS = [
    {"premise": "The talks ended on Monday.", "hypothesis": "The talks did not end on Monday.", "label": "contradiction"},
    {"premise": "Troops moved to the border.", "hypothesis": "Troops moved to the border.", "label": "entailment"},
    {"premise": "The minister resigned.", "hypothesis": "The minister was born in Lyon.", "label": "neutral"},
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.mark.parametrize(
    "name, writer",
    [
        ("d.jsonl", write_jsonl),
        ("d.csv", write_csv),
        ("d.tsv", lambda p, r: write_csv(p, r, "\t")),
        ("d.parquet", write_parquet),
    ],
)
def test_every_format_gives_the_same_examples(tmp_path, name, writer) -> None:
    es = load_eval_set(DataSpec(path=writer(tmp_path / name, ROWS)))
    assert es.task is Task.pairs and es.classes == ("entailment", "neutral", "contradiction") and not es.binary
    assert [(e.premise, e.hypothesis, e.label) for e in es.examples] == [
        (r["premise"], r["hypothesis"], r["label"]) for r in ROWS
    ]
    assert [e.id for e in es.examples] == ["0", "1", "2"]
    assert es.ref.sha256 and len(es.ref.files) == 1


def test_columns_and_two_way_label_map(tmp_path) -> None:
    rows = [{"doc": r["premise"], "claim": r["hypothesis"], "y": y, "key": f"k{i}"} for i, (r, y) in enumerate(zip(ROWS, ["inconsistent", "consistent", "consistent"]))]
    es = load_eval_set(
        DataSpec(
            path=write_jsonl(tmp_path / "d.jsonl", rows),
            premise="doc",
            hypothesis="claim",
            label="y",
            id_column="key",
            labels=parse_label_map("consistent=entailment,inconsistent=contradiction"),
        )
    )
    assert es.binary and es.classes == ("entailment", "contradiction") and es.positive == "contradiction"
    assert es.score is BinaryScore.contradiction
    assert [e.label for e in es.examples] == ["contradiction", "entailment", "entailment"]
    assert [e.id for e in es.examples] == ["k0", "k1", "k2"]


def test_integer_labels_and_drop(tmp_path) -> None:
    rows = [{**r, "label": v} for r, v in zip(ROWS, [0, 1, 2])]
    es = load_eval_set(DataSpec(path=write_jsonl(tmp_path / "d.jsonl", rows), labels=parse_label_map("1=entailment,0=contradiction,2=drop")))
    assert [e.label for e in es.examples] == ["contradiction", "entailment"]
    assert es.dropped == {"label 2": 1} and es.rows_read == 3


def test_parse_label_map_errors() -> None:
    assert parse_label_map(" E = entailment , c=contradiction") == {"e": "entailment", "c": "contradiction"}
    for bad in ["e", "e=yes", "=entailment", ""]:
        with pytest.raises(InputError):
            parse_label_map(bad)


def test_class_label_features_are_decoded(tmp_path) -> None:
    import datasets

    features = datasets.Features(
        {"premise": datasets.Value("string"), "hypothesis": datasets.Value("string"),
         "label": datasets.ClassLabel(names=["entailment", "neutral", "contradiction"])}
    )
    rows = {k: [r[k] for r in ROWS] for k in ("premise", "hypothesis")}
    rows["label"] = [2, 0, -1]  # -1: no gold label (as in SNLI)
    path = tmp_path / "d.parquet"
    datasets.Dataset.from_dict(rows, features=features).to_parquet(str(path))
    es = load_eval_set(DataSpec(path=path))
    assert [e.label for e in es.examples] == ["contradiction", "entailment"]
    assert es.dropped == {"no gold label": 1}


def test_limit_and_split_column(tmp_path) -> None:
    rows = [{**r, "split": s} for r, s in zip(ROWS, ["dev", "test", "dev"])]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    dev = load_eval_set(DataSpec(path=path, split="dev"))
    assert [e.label for e in dev.examples] == ["contradiction", "neutral"] and dict(dev.ref.selection) == {"split": "dev"}
    assert len(load_eval_set(DataSpec(path=path, limit=2)).examples) == 2
    with pytest.raises(InputError, match="no rows with split"):
        load_eval_set(DataSpec(path=path, split="train"))
    with pytest.raises(InputError, match="'split' column"):
        load_eval_set(DataSpec(path=write_jsonl(tmp_path / "e.jsonl", ROWS), split="dev"))


@pytest.mark.parametrize(
    "spec_kwargs, message",
    [
        ({"premise": "text"}, "no column 'text'"),
        ({"label": "gold"}, "use --label"),
        ({"id_column": "uid"}, "no id column 'uid'"),
        ({"labels": {"entailment": "entailment", "contradiction": "contradiction"}}, "unknown label values.*'neutral'"),
        ({"labels": {"entailment": "entailment"}}, "at least two classes"),
    ],
)
def test_bad_columns_and_labels_are_one_clear_error(tmp_path, spec_kwargs, message) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", ROWS)
    with pytest.raises(InputError, match=message) as info:
        load_eval_set(DataSpec(path=path, **spec_kwargs))
    assert "\n" not in str(info.value)


def test_bad_files_are_one_clear_error(tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text("premise,hypothesis,label\n")
    binary = tmp_path / "bin.parquet"
    binary.write_bytes(b"\x00\x01garbage")
    (tmp_path / "d.txt").write_text("x")
    cases = [
        (DataSpec(path=empty), "empty"),
        (DataSpec(path=header_only), "no rows"),
        (DataSpec(path=binary), "cannot be read as PARQUET"),
        (DataSpec(path=tmp_path / "missing.csv"), "no such file"),
        (DataSpec(path=tmp_path / "d.txt"), "unknown file type"),
        (DataSpec(path=tmp_path), "is a folder"),
        (DataSpec(), "exactly one of --data"),
    ]
    for spec, message in cases:
        with pytest.raises(InputError, match=message) as info:
            load_eval_set(spec)
        assert "\n" not in str(info.value)


def test_hub_dataset_offline_is_one_clear_error(monkeypatch) -> None:
    import datasets
    import huggingface_hub.constants

    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    start = time.perf_counter()
    with pytest.raises(InputError, match="could not be loaded from the Hugging Face Hub") as info:
        load_eval_set(DataSpec(dataset="facebook/anli-does-not-exist-here", split="dev_r1"))
    assert "\n" not in str(info.value) and "--data" in str(info.value)
    assert time.perf_counter() - start < 10


# --- identity of the data: refusing to fit and report on the same rows --------------------------


def test_check_disjoint(tmp_path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", ROWS)
    b = write_jsonl(tmp_path / "b.jsonl", ROWS[:2])
    copy = tmp_path / "copy.jsonl"
    shutil.copy(a, copy)
    ref = lambda p, **kw: load_eval_set(DataSpec(path=p, **kw)).ref  # noqa: E731
    check_disjoint(ref(a), ref(b))
    for fit, report in [(ref(a), ref(a)), (ref(a), ref(copy))]:
        with pytest.raises(InputError, match="refusing to fit"):
            check_disjoint(fit, report)

    split_rows = [{**r, "split": s} for r, s in zip(ROWS, ["dev", "test", "dev"])]
    s = write_jsonl(tmp_path / "s.jsonl", split_rows)
    check_disjoint(ref(s, split="dev"), ref(s, split="test"))
    with pytest.raises(InputError):
        check_disjoint(ref(s, split="dev"), ref(s))  # all rows include the dev rows


# --- presets ---------------------------------------------------------------------------------


def test_presets_are_data() -> None:
    assert set(PRESETS) == {"anli", "fnc1", "summedits"}
    assert PRESETS["anli"].labels == {"e": "entailment", "n": "neutral", "c": "contradiction"}
    assert PRESETS["fnc1"].labels["discuss"] == "drop"


def _fnc1_files(folder: Path, stem: str = "mini") -> Path:
    folder.mkdir(exist_ok=True)
    write_csv(folder / f"{stem}_bodies.csv", [
        {"Body ID": 7, "articleBody": "The bridge was closed on Monday. Engineers found cracks."},
        {"Body ID": 9, "articleBody": "The company reported record profits."},
    ])
    write_csv(folder / f"{stem}_stances.csv", [
        {"Headline": "Bridge closed", "Body ID": 7, "Stance": "agree"},
        {"Headline": "Bridge not closed", "Body ID": 7, "Stance": "disagree"},
        {"Headline": "Profits up", "Body ID": 9, "Stance": "discuss"},
        {"Headline": "Aliens land", "Body ID": 9, "Stance": "unrelated"},
    ])
    return folder


def test_fnc1_join_on_body_id(tmp_path) -> None:
    folder = _fnc1_files(tmp_path / "fnc")
    for path in (folder, folder / "mini_stances.csv", folder / "mini_bodies.csv"):
        es = load_eval_set(DataSpec(preset="fnc1", path=path))
        assert es.task is Task.document and es.binary and es.score is BinaryScore.contradiction
        assert [(e.hypothesis, e.label) for e in es.examples] == [("Bridge closed", "entailment"), ("Bridge not closed", "contradiction")]
        assert es.examples[0].premise.startswith("The bridge was closed")
        assert es.dropped == {"label discuss": 1, "label unrelated": 1}
        assert len(es.ref.files) == 2
    _fnc1_files(folder, "other")
    with pytest.raises(InputError, match="expected one"):
        load_eval_set(DataSpec(preset="fnc1", path=folder))


@needs_shared
def test_anli_preset_on_shared_data() -> None:
    es = load_eval_set(DataSpec(preset="anli", path=SHARED / "anli" / "ANLI_analysis_r1_dev.csv", limit=5))
    assert len(es.examples) == 5 and es.classes == ("entailment", "neutral", "contradiction")
    first = es.examples[0]
    assert first.premise.startswith("Linguistics is the scientific study") and first.label == "contradiction"
    assert first.id == "bf628cf5-6948-4595-a6d0-daf99beb47b9"


@needs_shared
def test_fnc1_preset_on_shared_data() -> None:
    es = load_eval_set(DataSpec(preset="fnc1", path=SHARED / "fnc1", limit=5))
    assert len(es.examples) == 5 and es.binary and set(es.dropped) <= {"label discuss", "label unrelated"}
    assert sum(es.dropped.values()) + 5 == es.rows_read
    assert {e.gold for e in es.examples} <= {"agree", "disagree"}


@needs_shared
def test_summedits_preset_on_shared_data() -> None:
    one = load_eval_set(DataSpec(preset="summedits", path=SHARED / "summedits" / "summedits_podcast.json", limit=4))
    assert one.binary and one.score is BinaryScore.not_entailment and one.task is Task.document
    assert {e.gold for e in one.examples} <= {"0", "1"}
    dev = load_eval_set(DataSpec(preset="summedits", path=SHARED / "summedits", domain="samsum", split="evaluation", limit=3))
    assert dev.name == "summedits/samsum:evaluation" and len(dev.ref.files) == 1
    with pytest.raises(InputError, match="no SummEdits domain"):
        load_eval_set(DataSpec(preset="summedits", path=SHARED / "summedits", domain="nope"))
    everything = load_eval_set(DataSpec(preset="summedits", path=SHARED / "summedits", limit=2))
    assert len(everything.ref.files) == 7
    with pytest.raises(InputError, match="refusing"):
        check_disjoint(everything.ref, one.ref)  # the folder contains the podcast file
