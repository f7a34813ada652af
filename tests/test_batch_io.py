"""factcheck.batch inputs and shard sink: formats, duplicate ids, per-cluster errors, atomic shards, manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from factcheck.batch.inputs import read_clusters
from factcheck.batch.sink import ShardSink, merge_shards, read_shard
from factcheck.errors import InputError

T1 = "The council approved the new budget on Tuesday after a long debate."
T2 = "The council rejected the new budget on Tuesday after a long debate."
T3 = "Heavy rain flooded the main road into the town early on Sunday morning."


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_article_per_line_groups_by_cluster(tmp_path):
    src = _jsonl(tmp_path / "a.jsonl", [{"cluster": "c1", "text": T1}, {"cluster": "c2", "text": T3},
                                         {"cluster": "c1", "text": T2, "id": "second"}, {"cluster": "c2", "text": T1}])
    clusters = read_clusters([src])
    assert [c.id for c in clusters] == ["c1", "c2"]
    assert [d.text for d in clusters[0].documents] == [T1, T2]
    assert clusters[0].documents[1].id == "second"
    assert all(c.error is None for c in clusters)


def test_cluster_per_line_and_folder_of_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _jsonl(folder / "x.jsonl", [{"id": "k1", "articles": [{"text": T1}, {"text": T2}]}])
    _jsonl(folder / "y.jsonl", [{"id": 7, "articles": [{"text": T3, "id": "a"}, {"text": T1, "id": "b"}]}])
    clusters = read_clusters([folder])
    assert [(c.id, len(c.documents)) for c in clusters] == [("k1", 2), ("7", 2)]


def test_folder_of_cluster_folders(tmp_path):
    for name, texts in {"event-a": [T1, T2], "event-b": [T3, T1]}.items():
        (tmp_path / name).mkdir()
        for k, text in enumerate(texts):
            (tmp_path / name / f"{k}.txt").write_text(text, encoding="utf-8")
    clusters = read_clusters([tmp_path])
    assert [c.id for c in clusters] == ["event-a", "event-b"]
    assert [d.id for d in clusters[0].documents] == ["0", "1"]


def test_parquet_both_layouts(tmp_path):
    pq.write_table(pa.table({"cluster": ["p", "p"], "text": [T1, T2]}), tmp_path / "articles.parquet")
    pq.write_table(pa.table({"id": ["q"], "articles": [[{"text": T3}, {"text": T1}]]}), tmp_path / "clusters.parquet")
    clusters = read_clusters([tmp_path / "articles.parquet", tmp_path / "clusters.parquet"])
    assert [(c.id, len(c.documents)) for c in clusters] == [("p", 2), ("q", 2)]


def test_duplicate_cluster_ids_are_refused(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", [{"id": "same", "articles": [{"text": T1}, {"text": T2}]}])
    b = _jsonl(tmp_path / "b.jsonl", [{"id": "same", "articles": [{"text": T3}, {"text": T1}]}])
    with pytest.raises(InputError, match="duplicate cluster id 'same'.*a.jsonl.*b.jsonl"):
        read_clusters([a, b])
    c = _jsonl(tmp_path / "c.jsonl", [{"cluster": "same", "text": T1}])
    with pytest.raises(InputError, match="duplicate cluster id 'same'"):
        read_clusters([a, c])


def test_bad_cluster_becomes_an_error_not_a_crash(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [
        {"id": "ok", "articles": [{"text": T1}, {"text": T2}]},
        {"id": "empty", "articles": [{"text": "  "}, {"text": T2}]},
        {"id": "alone", "articles": [{"text": T1}]},
        {"id": "dup", "articles": [{"text": T1, "id": "x"}, {"text": T2, "id": "x"}]},
        {"id": "big", "articles": [{"text": T1}] * 5},
    ])
    by_id = {c.id: c for c in read_clusters([src], max_articles=4)}
    assert by_id["ok"].error is None
    assert "non-empty" in by_id["empty"].error and "in.jsonl:2" in by_id["empty"].error
    assert "at least two" in by_id["alone"].error
    assert "duplicate article id 'x'" in by_id["dup"].error
    assert "limit of 4" in by_id["big"].error


def test_malformed_input_names_file_and_line(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"cluster": "a", "text": "x"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:2: malformed JSON"):
        read_clusters([src])
    with pytest.raises(InputError, match="no such file"):
        read_clusters([tmp_path / "missing.jsonl"])
    with pytest.raises(InputError, match="no 'cluster' field"):
        read_clusters([_jsonl(tmp_path / "n.jsonl", [{"text": T1}])])


MANIFEST = {"settings": {"top_k": 3}, "models": {"nli": {"name": "fake"}}, "shards": 2}


def test_shards_are_atomic_and_merge_in_order(tmp_path):
    sink = ShardSink(tmp_path / "out")
    sink.open(MANIFEST)
    (sink.out / ".tmp-shard-00001.jsonl.999").write_text('{"cluster": "half', encoding="utf-8")
    sink.write(1, [{"cluster": "c", "findings": []}])
    sink.write(0, [{"cluster": "a", "findings": []}, {"cluster": "b", "error": "bad"}])
    ShardSink(tmp_path / "out").open(MANIFEST)  # resume sweeps the stale temp file
    assert not list(sink.out.glob(".tmp-*"))
    assert sink.done(0) and sink.done(1) and not sink.done(2)
    dest, n = merge_shards(sink.out)
    assert n == 3
    assert [json.loads(x)["cluster"] for x in dest.read_text().splitlines()] == ["a", "b", "c"]


def test_resume_with_other_settings_says_which(tmp_path):
    ShardSink(tmp_path).open(MANIFEST)
    other = {**MANIFEST, "settings": {"top_k": 5}}
    with pytest.raises(InputError, match=r"settings.top_k: 3 in the output folder, 5 now"):
        ShardSink(tmp_path).open(other)
    with pytest.raises(InputError, match="format"):
        ShardSink(tmp_path, "parquet").open(MANIFEST)


def test_parquet_shards_round_trip(tmp_path):
    sink = ShardSink(tmp_path, "parquet")
    sink.open(MANIFEST)
    records = [{"cluster": "a", "schema": "factcheck.report/1", "findings": [{"label": "contradiction"}]},
               {"cluster": "b", "error": "too large"}]
    path = sink.write(0, records)
    assert path.name == "shard-00000.parquet"
    assert list(read_shard(path)) == records
    dest, n = merge_shards(tmp_path)
    assert n == 2 and json.loads(dest.read_text().splitlines()[1]) == records[1]
