"""factcheck.batch end to end with fake models: same findings as check, error records, resume, CLI, kill test, Ray."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import factcheck.embed
import factcheck.nli
from factcheck.batch import ModelSpec, read_shard, run
from factcheck.cli import app
from factcheck.documents import document_from_text
from factcheck.errors import InputError
from factcheck.pipeline import CheckSettings, check_clusters, run_check

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

A = ("The ministry said on Monday that the bridge will reopen to traffic next month after repairs. "
     "Engineers inspected the damaged pillars over the weekend.")
B = ("Officials said the bridge will not reopen to traffic next month after repairs, the ministry said Monday. "
     "Engineers inspected the damaged pillars over the weekend.")
C = "The union said the strike at the port will end on Friday after the new offer was accepted by members."
D = "The union said the strike at the port will not end on Friday although a new offer was made to members."


def _as_dict(report) -> dict:
    return report.to_dict() if hasattr(report, "to_dict") else report


def _clusters() -> list[dict]:
    return [
        {"id": "bridge", "articles": [{"id": "a", "text": A}, {"id": "b", "text": B}]},
        {"id": "port", "articles": [{"id": "c", "text": C}, {"id": "d", "text": D}, {"id": "e", "text": A}]},
        {"id": "broken", "articles": [{"id": "x", "text": ""}, {"id": "y", "text": C}]},
        {"id": "wire", "articles": [{"id": f"copy{k}", "text": A} for k in range(6)] + [{"id": "dissent", "text": B}]},
    ]


@pytest.fixture
def fakes(monkeypatch, fake_nli, fake_embedder):
    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: fake_nli)
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)
    return fake_nli, fake_embedder


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "clusters.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in _clusters()), encoding="utf-8")
    return path


def _records(out: Path) -> dict[str, dict]:
    return {r["cluster"]: r for shard in sorted(out.glob("shard-*.jsonl")) for r in read_shard(shard)}


def _findings(report: dict) -> list:
    return [(f["label"], f["score"], [(c["article"], c["start"], c["end"]) for c in f["claims"]]) for f in report["findings"]]


def test_batch_matches_check_cluster_by_cluster(tmp_path, source, fakes, fake_nli, fake_embedder):
    settings = CheckSettings(min_similarity=0.2, include_all=True)
    summary = run(source, tmp_path / "out", settings=settings, shard_size=2)
    assert (summary.clusters, summary.done, summary.failed, summary.skipped, summary.shards) == (4, 3, 1, 0, 2)
    records = _records(tmp_path / "out")
    assert list(records) == ["bridge", "port", "broken", "wire"]
    assert "'text' must be a non-empty string" in records["broken"]["error"]
    for cluster in _clusters():
        if cluster["id"] == "broken":
            continue
        docs = [document_from_text(a["text"], id=a["id"], source=f"{source}") for a in cluster["articles"]]
        alone = _as_dict(run_check(docs, fake_embedder, fake_nli, settings))
        assert _findings(records[cluster["id"]]) == _findings(alone), cluster["id"]
        assert records[cluster["id"]]["disputes"] == alone["disputes"], cluster["id"]  # the story view too
        assert records[cluster["id"]]["schema"] == "factcheck.report/1"
    assert records["bridge"]["disputes"], "the bridge articles disagree: one dispute"


def test_copies_are_scored_once_and_reported_for_each(fakes, fake_nli, fake_embedder):
    wire = [document_from_text(A, id=f"copy{k}", source="x") for k in range(30)]
    dissent = document_from_text(B, id="dissent", source="x")
    settings = CheckSettings(min_similarity=0.2)
    few = _as_dict(run_check(wire[:2] + [dissent], fake_embedder, fake_nli, settings))
    calls_few = sum(len(c) for c in fake_nli.calls)
    fake_nli.calls.clear()
    many = _as_dict(run_check(wire + [dissent], fake_embedder, fake_nli, settings))
    calls_many = sum(len(c) for c in fake_nli.calls)
    assert calls_many <= 2 * calls_few
    # Every copy carries the contradicted claim: one contradiction per copy.
    contradicting = {c["article"] for f in many["findings"] for c in f["claims"]} - {"dissent"}
    assert contradicting == {d.id for d in wire}
    assert len(many["findings"]) == 15 * len(few["findings"]) > 0


def test_clusters_share_nli_batches_and_identical_pairs_run_once(fakes, fake_nli, fake_embedder):
    docs = [document_from_text(t, id=i, source=i) for i, t in (("a", A), ("b", B))]
    settings = CheckSettings(min_similarity=0.2, batch_size=1000)
    reports, distinct = check_clusters([docs, docs, docs], fake_embedder, fake_nli, settings)
    # One shared batch of aligned pairs, then one shared batch for the time check (A and B say "Monday").
    assert len(fake_nli.calls) == 2, "three clusters, one shared NLI batch per phase"
    assert distinct == len(fake_nli.calls[0]) == len(set(fake_nli.calls[0]))
    assert len(fake_nli.calls[1]) == len(set(fake_nli.calls[1]))
    assert len(fake_embedder.calls) == 1
    first = _as_dict(reports[0])
    assert all(_findings(_as_dict(r)) == _findings(first) for r in reports)
    assert 3 * first["stats"]["nli_calls"] > first["stats"]["nli_calls"] >= distinct


def test_resume_skips_finished_shards_and_refuses_other_settings(tmp_path, source, fakes):
    out = tmp_path / "out"
    run(source, out, shard_size=1)
    first = (out / "shard-00000.jsonl").stat().st_mtime_ns
    (out / "shard-00003.jsonl").unlink()
    summary = run(source, out, shard_size=1)
    assert (summary.skipped, summary.done, summary.shards_written) == (3, 1, 1)
    assert (out / "shard-00000.jsonl").stat().st_mtime_ns == first
    with pytest.raises(InputError, match=r"settings.include_all: false in the output folder, true now"):
        run(source, out, shard_size=1, include_all=True)
    with pytest.raises(InputError, match="shard_size"):
        run(source, out, shard_size=2)


def test_cli_batch_default_command_and_merge(tmp_path, source, fakes):
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(source), "--out", str(out), "--shard-size", "3"])
    assert result.exit_code == 0, result.output
    assert "3 done, 1 failed, 0 skipped of 4 clusters" in result.output
    # --workers changes speed, not results: resuming with it is allowed and finds nothing left to do.
    again = runner.invoke(app, ["batch", "run", str(source), "--out", str(out), "--shard-size", "3", "--workers", "1"])
    assert "0 done, 0 failed, 4 skipped" in again.output
    workers = runner.invoke(app, ["batch", str(source), "--out", str(tmp_path / "w"), "--shard-size", "3", "--workers", "2"])
    assert workers.exit_code == 0 and "3 done, 1 failed, 0 skipped of 4 clusters" in workers.output
    merged = runner.invoke(app, ["batch", "merge", str(out)])
    assert merged.exit_code == 0 and "wrote 4 clusters" in merged.output
    lines = (out / "merged.jsonl").read_text().splitlines()
    assert [json.loads(x)["cluster"] for x in lines] == ["bridge", "port", "broken", "wire"]
    bad = runner.invoke(app, ["batch", str(source), "--out", str(out), "--shard-size", "2"])
    assert bad.exit_code == 2 and "refusing to resume" in bad.output


def test_cli_batch_help_and_bad_input(tmp_path, fakes):
    for args in (["batch", "--help"], ["batch", "run", "--help"], ["batch", "merge", "--help"]):
        assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, ["batch", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_ray_engine_without_ray_says_how_to_install(tmp_path, source, fakes, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(InputError, match=r"pip install 'factcheck\[ray\]'"):
        run(source, tmp_path / "out", engine="ray")


def test_kill_test_reduced():
    """SIGKILL a fake-model batch job three times at random moments; the resumed job has every cluster once."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "kill_batch.py"), "--clusters", "60", "--shard-size", "4",
         "--delay", "0.05", "--kill-window", "1.5", "3.5", "--seed", "1"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 60 clusters, each exactly once" in result.stdout


@pytest.mark.slow  # starts Ray: tens of seconds on two cores
def test_ray_engine_gives_the_same_findings_as_local(tmp_path, source):
    pytest.importorskip("ray.data")
    import conftest
    import ray.cloudpickle
    from conftest import FakeEmbedder, FakeNLI

    # The actors cannot import tests/conftest.py: ship the fakes by value.
    ray.cloudpickle.register_pickle_by_value(conftest)

    class _FakeSpec(ModelSpec):
        def load(self):
            return FakeEmbedder(), FakeNLI()

    settings = CheckSettings(min_similarity=0.2, include_all=True)
    local = run(source, tmp_path / "local", settings=settings, models=_FakeSpec(), shard_size=2)
    remote = run(source, tmp_path / "ray", settings=settings, models=_FakeSpec(), shard_size=2, engine="ray",
                 actors=1)
    assert (remote.done, remote.failed, remote.shards_written) == (local.done, local.failed, local.shards_written)
    a, b = _records(tmp_path / "local"), _records(tmp_path / "ray")
    assert list(a) == list(b) == ["bridge", "port", "broken", "wire"]  # each cluster exactly once
    assert sum(1 for shard in (tmp_path / "ray").glob("shard-*.jsonl") for _ in read_shard(shard)) == 4
    for cid in a:
        assert _findings(a[cid]) == _findings(b[cid]) if "error" not in a[cid] else a[cid] == b[cid]
    assert any(_findings(b[cid]) for cid in b if "error" not in b[cid]), "something to compare was found"


# What factcheck itself writes during a fake-model batch run; any other line is someone else's.
_OWN_LINES = re.compile(r"^(?:NLI model fake-nli has no fitted thresholds; .*"
                        r"|\d+ done, \d+ failed, \d+ skipped of \d+ clusters \(.*\) -> .*)$")


def _fake_batch(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tests" / "fake_cli.py"), "batch", str(source), "--out", str(out),
                           "--shard-size", "2", "--engine", "ray", *extra],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.slow  # starts Ray twice
def test_ray_engine_keeps_rays_log_lines_off_the_terminal_unless_verbose(tmp_path, source):
    pytest.importorskip("ray.data")
    quiet = _fake_batch(source, tmp_path / "quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""
    lines = quiet.stderr.splitlines()
    assert lines and all(_OWN_LINES.match(line) for line in lines), lines
    assert "3 done, 1 failed, 0 skipped of 4 clusters" in quiet.stderr
    # The check above can fail: with --verbose, Ray's own lines come through.
    verbose = _fake_batch(source, tmp_path / "verbose", "--verbose")
    assert verbose.returncode == 0, verbose.stderr
    assert any(not _OWN_LINES.match(line) for line in (verbose.stdout + verbose.stderr).splitlines())
    assert list(_records(tmp_path / "verbose")) == list(_records(tmp_path / "quiet"))


@pytest.mark.slow  # starts Ray twice
def test_ray_engine_kill_and_resume_gives_every_cluster_once():
    """SIGKILL the driver's process group (the driver, Ray's raylet and GCS, the actors) mid-job, resume, check exactly-once."""
    pytest.importorskip("ray.data")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "kill_batch.py"), "--engine", "ray", "--clusters", "16",
         "--shard-size", "2", "--kills", "1", "--delay", "0.5", "--kill-at-shards", "3", "--seed", "2"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"run 1: SIGKILL to the process group after [\d.]+ s: [1-7]/8 shards written", result.stdout), \
        result.stdout  # killed mid-job, not before or after it
    assert "OK: 16 clusters, each exactly once" in result.stdout


def test_parquet_shards_hold_the_same_records(tmp_path, source, fakes):
    run(source, tmp_path / "j", shard_size=3)
    run(source, tmp_path / "p", shard_size=3, fmt="parquet")
    parquet = {r["cluster"]: r for shard in sorted((tmp_path / "p").glob("shard-*.parquet")) for r in read_shard(shard)}
    jsonl = _records(tmp_path / "j")
    assert list(parquet) == list(jsonl)
    assert all(_findings(parquet[c]) == _findings(jsonl[c]) for c in jsonl if "error" not in jsonl[c])


def test_a_cluster_that_breaks_the_shared_batch_fails_alone(tmp_path, source, monkeypatch, fake_embedder):
    from conftest import FakeNLI

    class Fussy(FakeNLI):
        def _predict_batch(self, pairs):
            if any("strike" in p or "strike" in h for p, h in pairs):
                raise RuntimeError("model crashed on this text")
            return super()._predict_batch(pairs)

    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: Fussy())
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)
    summary = run(source, tmp_path / "out", shard_size=4, settings=CheckSettings(min_similarity=0.2))
    records = _records(tmp_path / "out")
    assert "model crashed" in records["port"]["error"]
    assert "error" not in records["bridge"] and "error" not in records["wire"]
    assert (summary.done, summary.failed) == (2, 2)


def test_a_large_cluster_scores_about_ten_pairs_per_claim(fake_embedder, fake_nli):
    import random

    rng = random.Random(0)
    words = ["bridge", "reopen", "traffic", "ministry", "repairs", "month", "engineers", "pillars", "river", "city",
             "council", "budget", "mayor", "storm", "damage", "road", "closed", "officials", "said", "week"]
    docs = [document_from_text(" ".join(f"The {' '.join(rng.sample(words, 7))} today." for _ in range(5)),
                               id=f"a{k}", source=f"a{k}") for k in range(100)]
    report = _as_dict(run_check(docs, fake_embedder, fake_nli, CheckSettings(min_similarity=0.0)))
    assert report["stats"]["pairs_scored"] <= 10 * report["stats"]["claims"]


def _without_times(out: Path) -> dict[str, dict]:
    records = _records(out)
    for r in records.values():
        r.get("stats", {}).pop("seconds", None)
    return records


def test_claims_extracted_in_worker_processes_give_the_same_shards(tmp_path, source, fakes):
    settings = CheckSettings(min_similarity=0.2, include_all=True)
    run(source, tmp_path / "w0", settings=settings, shard_size=1, workers=0)
    summary = run(source, tmp_path / "w2", settings=settings, shard_size=1, workers=2)
    assert (summary.done, summary.failed) == (3, 1)
    assert _without_times(tmp_path / "w2") == _without_times(tmp_path / "w0")
    with pytest.raises(InputError, match="--workers must be 0 or more"):
        run(source, tmp_path / "bad", workers=-1)


def _failing_prepare(clusters, settings):
    raise RuntimeError("worker broke")


def test_a_worker_that_fails_leaves_the_shard_to_this_process(source, caplog):
    from factcheck.batch.engine import prefetch_claims, prepare_shard
    from factcheck.batch.inputs import read_clusters

    clusters = read_clusters([source])
    shards = [(0, clusters[:2]), (1, clusters[2:])]
    with caplog.at_level("WARNING", logger="factcheck"):
        got = list(prefetch_claims(shards, CheckSettings(), 1, prepare=_failing_prepare))
    assert [(k, prepared) for k, _, prepared in got] == [(0, None), (1, None)]
    assert "extracting here" in caplog.text
    ok = list(prefetch_claims(shards, CheckSettings(), 1))
    assert [len(p) for _, _, p in ok] == [2, 1]  # the unreadable cluster is not extracted
    assert ok[0][2][0].claims == prepare_shard(clusters[:1], CheckSettings())[0].claims


def test_the_manifest_pins_the_precision_a_job_ran_at():
    from factcheck.batch.runner import _fingerprint
    from factcheck.models import ModelInfo

    fp32 = ModelInfo("default", "x", "torch", "r1", extra={"precision": "fp32"})
    bf16 = ModelInfo("default", "x", "torch", "r1", extra={"precision": "bf16"})
    assert _fingerprint(fp32) != _fingerprint(bf16)
    assert "precision" not in _fingerprint(ModelInfo("fake", "x", "fake"))
