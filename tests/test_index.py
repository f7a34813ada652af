"""The story index (factcheck.index, `factcheck index`) with the fake embedder and NLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lancedb")

import factcheck.embed  # noqa: E402
import factcheck.nli  # noqa: E402
from factcheck.cli import app  # noqa: E402
from factcheck.documents import document_from_text  # noqa: E402
from factcheck.errors import FactcheckError  # noqa: E402
from factcheck.index import IndexError_, StoryIndex, StoryStore, time_notes  # noqa: E402
from factcheck.pipeline import CheckSettings, ScoredPair  # noqa: E402
from factcheck.claims import Claim  # noqa: E402
from factcheck.verdict import Verdict  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

A = ("The storm killed nine people in the northern town on Monday. "
     "Rescue teams reached the flooded valley by noon on Tuesday.")
B = ("The storm killed nine people in the northern town on Monday. "
     "Rescue teams did not reach the flooded valley by noon on Tuesday.")
C = ("The mayor said the old bridge over the river is closed for good. "
     "Engineers found deep cracks in two of its stone pillars.")


def doc(text: str, id: str, date: str | None = None):
    return document_from_text(text, id, f"{id}.txt", date=date)


@pytest.fixture
def index(tmp_path, fake_embedder):
    return StoryIndex.open(tmp_path / "ix", fake_embedder, create=True)


def test_add_is_idempotent_replaces_and_removes(index, fake_embedder):
    first = index.add([doc(A, "a", "2024-03-01"), doc(C, "c")])
    assert first.added == ["a", "c"] and first.claims == 4 and first.embedded == 4
    again = index.add([doc(A, "a", "2024-03-01"), doc(C, "c")])
    assert again.unchanged == ["a", "c"] and again.claims == 0 and again.embedded == 0
    changed = index.add([doc(B, "a", "2024-03-01")])
    assert changed.replaced == ["a"]
    assert changed.embedded == 1  # the unchanged first sentence keeps its stored embedding
    stats = index.store.stats()
    assert (stats["articles"], stats["claims"]) == (2, 4)
    (stored,) = index.store.articles(["a"])
    assert stored.document.text == B and [c.text for c in stored.claim_set.claims][1].startswith("Rescue teams did not")
    assert stats["first_day"] == stats["last_day"] == "2024-03-01"
    assert index.remove("c") == 2
    assert index.store.stats()["articles"] == 1
    with pytest.raises(FactcheckError, match="no article 'c'"):
        index.remove("c")


def test_check_reports_stored_articles_with_dates(index, fake_nli):
    index.add([doc(A, "a", "2024-03-01"), doc(C, "c", "2024-03-01")])
    result = index.check([doc(B, "b", "2024-03-03")], fake_nli)
    report = result.report.to_dict()
    assert report["schema"] == "factcheck.report/1" if "schema" in report else True
    assert {a["id"] for a in report["articles"]} >= {"a", "b"}
    (finding,) = report["findings"]
    assert {c["article"] for c in finding["claims"]} == {"a", "b"}
    assert "dated 2024-03-03 (b) and 2024-03-01 (a)" in finding["reasons"] or \
        "dated 2024-03-01 (a) and 2024-03-03 (b)" in finding["reasons"]
    assert report["disputes"]
    # --since after the stored article's day: nothing to compare with
    later = index.check([doc(B, "b", "2024-03-03")], fake_nli, since="2024-03-02").report
    assert not later.findings and [a.id for a in later.articles] == ["b"]
    with pytest.raises(FactcheckError, match="not a date"):
        index.check([doc(B, "b")], fake_nli, since="soon")


def test_a_later_larger_count_is_a_possible_update():
    a = Claim("old", 0, "The toll rose to 9 in the town.", 0, 31, 0)
    b = Claim("new", 0, "The toll rose to 12 in the town.", 0, 32, 0)
    p = ScoredPair(a, b, 0.9, np.zeros(3), np.zeros(3), Verdict.contradiction, 0.9)
    import datetime as dt

    notes = time_notes(p, {"old": dt.date(2024, 3, 1), "new": dt.date(2024, 3, 2)})
    assert notes[0] == "dated 2024-03-01 (old) and 2024-03-02 (new)"
    assert notes[1].startswith("possible update: the later article (2024-03-02) gives 12 where the earlier one gave 9")
    assert len(time_notes(p, {"old": dt.date(2024, 3, 2), "new": dt.date(2024, 3, 1)})) == 1  # later, smaller
    assert time_notes(p, {"old": dt.date(2024, 3, 1)}) == ()


def test_another_embedder_is_refused_in_one_line(tmp_path, fake_embedder):
    from conftest import FakeEmbedder

    StoryIndex.open(tmp_path / "ix", fake_embedder, create=True).add([doc(A, "a")])
    other = FakeEmbedder(dim=128)
    with pytest.raises(IndexError_) as err:
        StoryIndex.open(tmp_path / "ix", other)
    assert "fake-embedder (revision 0, 256 dims)" in str(err.value) and "128 dims" in str(err.value)
    assert "\n" not in str(err.value)


def test_damaged_or_foreign_folders_are_refused(tmp_path, fake_embedder):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("hello")
    with pytest.raises(IndexError_, match="not a factcheck story index"):
        StoryIndex.open(foreign, fake_embedder, create=True)
    ix = tmp_path / "ix"
    StoryIndex.open(ix, fake_embedder, create=True).add([doc(A, "a")])
    (ix / "index.json").write_text("{broken")
    with pytest.raises(IndexError_, match="damaged story index"):
        StoryIndex.open(ix, fake_embedder)
    ix2 = tmp_path / "ix2"
    StoryIndex.open(ix2, fake_embedder, create=True).add([doc(A, "a")])
    for f in (ix2 / "claims.lance" / "_versions").iterdir():
        f.write_bytes(b"garbage")
    with pytest.raises(IndexError_, match="damaged story index"):
        StoryIndex.open(ix2, fake_embedder)
    with pytest.raises(IndexError_, match="no story index here"):
        StoryStore.read_pin(tmp_path / "absent")


@pytest.fixture
def fakes(monkeypatch, fake_nli, fake_embedder):
    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: fake_nli)
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)


def test_cli_add_check_stats_remove(tmp_path, fakes):
    runner = CliRunner()
    for name, text in (("a", A), ("b", B), ("c", C)):
        (tmp_path / f"{name}.txt").write_text(text)
    ix = str(tmp_path / "ix")
    res = runner.invoke(app, ["index", "add", str(tmp_path / "a.txt"), str(tmp_path / "c.txt"), "--index", ix])
    assert res.exit_code == 0, res.output
    assert "2 added" in res.output
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["index", "check", str(tmp_path / "b.txt"), "--index", ix, "-o", str(out), "--add"])
    assert res.exit_code == 0, res.output
    report = json.loads(out.read_text())
    assert report["findings"][0]["label"] == "contradiction"
    res = runner.invoke(app, ["index", "stats", "--index", ix, "--json"])
    assert json.loads(res.output)["articles"] == 3
    assert runner.invoke(app, ["index", "remove", "b", "--index", ix]).exit_code == 0
    res = runner.invoke(app, ["index", "remove", "b", "--index", ix])
    assert res.exit_code == 2 and res.output.strip().count("\n") == 0 and "no article 'b'" in res.output
    res = runner.invoke(app, ["index", "stats", "--index", str(tmp_path)])
    assert res.exit_code == 2 and "not a factcheck story index" in res.output
    res = runner.invoke(app, ["index", "check", str(tmp_path / "missing.txt"), "--index", ix])
    assert res.exit_code == 2 and "missing.txt" in res.output
    for cmd in ("add", "check", "stats", "remove"):
        assert runner.invoke(app, ["index", cmd, "--help"]).exit_code == 0


def _articles(folder: Path, n: int) -> list[str]:
    folder.mkdir()
    ids = []
    for k in range(n):
        words = " ".join(f"w{k}x{j}" for j in range(6))
        text = " ".join(f"Sentence {j} of article {k} says {words} plainly here." for j in range(5))
        (folder / f"art{k:03d}.txt").write_text(text)
        ids.append(f"art{k:03d}")
    return ids


def _stored(ix: Path) -> dict[str, int]:
    from factcheck.index.store import StoryStore

    store = StoryStore.open(ix)
    if store._table is None:
        return {}
    t = store._scan(None, ["article"])
    out: dict[str, int] = {}
    for a in t["article"].to_pylist():
        out[a] = out.get(a, 0) + 1
    return out


def test_sigkill_during_add_then_resume_stores_every_article_once(tmp_path):
    ids = _articles(tmp_path / "in", 16)
    ix = tmp_path / "ix"
    cmd = [sys.executable, str(HERE / "fake_index_cli.py"), "index", "add", str(tmp_path / "in"), "--index", str(ix),
           "--commit-every", "1", "-q"]
    env = dict(os.environ, FACTCHECK_FAKE_EMBED_DELAY="0.1", RUST_LOG="error", PYTHONPATH=str(ROOT))
    kills, before = 0, 0
    for pause in (0.0, 0.13, 0.27):
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and len(_stored(ix) if (ix / "claims.lance").exists() else {}) <= before:
            time.sleep(0.02)  # kill only once this run has committed something: mid-add, not at start-up
        time.sleep(pause)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        counts = _stored(ix)
        assert all(n == 5 for n in counts.values()), counts  # never half an article
        before = len(counts)
    assert kills == 3 and before < len(ids)
    done = subprocess.run(cmd, env=dict(env, FACTCHECK_FAKE_EMBED_DELAY="0"), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _stored(ix) == {i: 5 for i in ids}


def test_check_during_add_sees_whole_articles_only(tmp_path, fake_embedder, fake_nli):
    ids = _articles(tmp_path / "in", 10)
    ix = tmp_path / "ix"
    StoryIndex.open(ix, fake_embedder, create=True)
    cmd = [sys.executable, str(HERE / "fake_index_cli.py"), "index", "add", str(tmp_path / "in"), "--index", str(ix),
           "--commit-every", "1", "-q"]
    proc = subprocess.Popen(cmd, env=dict(os.environ, FACTCHECK_FAKE_EMBED_DELAY="0.1", RUST_LOG="error", PYTHONPATH=str(ROOT)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = set()
    probe = doc("Sentence 1 of article 3 says w3x0 w3x1 w3x2 w3x3 w3x4 w3x5 plainly here. "
                "Sentence 2 of article 3 does not say w3x0 w3x1 w3x2 w3x3 w3x4 w3x5 plainly here.", "probe")
    while proc.poll() is None:
        counts = _stored(ix)
        assert all(n == 5 for n in counts.values()), counts
        seen.add(len(counts))
        report = StoryIndex.open(ix, fake_embedder).check([probe], fake_nli).report
        assert all(a.n_claims in (2, 5) for a in report.articles)
    assert proc.returncode == 0, proc.stderr.read()
    assert _stored(ix) == {i: 5 for i in ids}
    assert len(seen) >= 2  # the reader did run while articles were being added


def test_batch_index_stores_every_checked_cluster(tmp_path, fakes):
    clusters = [{"id": "c1", "articles": [{"id": "a", "text": A}, {"id": "b", "text": B}]},
                {"id": "c2", "articles": [{"id": "a", "text": C}, {"id": "b", "text": B}]},
                {"id": "c3", "articles": [{"id": "a", "text": C}]}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(c) + "\n" for c in clusters))
    ix = tmp_path / "ix"
    res = CliRunner().invoke(app, ["batch", str(src), "--out", str(tmp_path / "out"), "--index", str(ix), "-q"])
    assert res.exit_code == 0, res.output
    assert _stored(ix) == {"c1/a": 2, "c1/b": 2, "c2/a": 2, "c2/b": 2}
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "x").write_text("x")
    res = CliRunner().invoke(app, ["batch", str(src), "--out", str(tmp_path / "out2"), "--index", str(foreign)])
    assert res.exit_code == 2 and "not a factcheck story index" in res.output
    assert not (tmp_path / "out2").exists()


def test_vector_index_search_finds_what_exact_search_finds(tmp_path, fake_embedder):
    ix = StoryIndex.open(tmp_path / "ix", fake_embedder, create=True)
    docs = [doc(" ".join(f"Report {k} line {j} names town{k} river{j} and bridge{k + j} today." for j in range(5)),
                f"r{k}", f"2024-03-{1 + k % 28:02d}") for k in range(80)]
    ix.add(docs)
    assert ix.store.build_vector_index(min_rows=100)
    assert ix.store.stats()["vector_index"] is not None
    assert ix.store.maintain(min_rows=100) is None  # nothing new to fold in
    q = fake_embedder.embed(["Report 7 line 2 names town7 river2 and bridge9 today."])
    approx = ix.store.search(q, 5, rows=True)[0]
    exact = ix.store.search(q, 5, rows=True, exact=True)[0]
    assert approx[0][0] == exact[0][0] == "r7#2"
    since = ix.store.search(q, 5, since="2024-03-20")[0]
    assert since and all(ix.store.articles([a])[0].day >= "2024-03-20" for a, _ in since)
