"""factcheck batch under faults: failed writes, damaged shards, a second job, SIGINT/SIGTERM, and the fault run."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import factcheck.batch.sink as sink_module
import factcheck.embed
import factcheck.nli
from factcheck.batch import BatchInterrupted, FolderLockedError, ShardSink, merge_shards, read_shard, run
from factcheck.batch.lock import FolderLock
from factcheck.cli import app
from factcheck.errors import InputError, OutputError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

_REAL_WRITE = sink_module._write_bytes
T = "The council said on Monday that the bridge {} reopen next month after the repairs, officials said."


def _clusters(n: int = 6) -> list[dict]:
    return [{"id": f"c{k}", "articles": [{"id": "a", "text": T.format("will")},
                                         {"id": "b", "text": T.format("will not" if k % 2 else "will soon")}]}
            for k in range(n)]


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


def _ids(out: Path) -> list[str]:
    return [r["cluster"] for shard in sorted(out.glob("shard-*.jsonl")) for r in read_shard(shard)]


def _exactly_once(out: Path) -> None:
    assert _ids(out) == [f"c{k}" for k in range(6)]
    assert not list(out.glob(".tmp-*"))
    assert all(ShardSink(out).check(k)[0] == "whole" for k in range(len(list(out.glob("shard-*.jsonl")))))


def _fail_shard_writes(monkeypatch, code: int, after: int) -> list[str]:
    """Let ``after`` shard files be written, then fail every shard write with ``OSError(code)``."""
    real = _REAL_WRITE
    written: list[str] = []

    def write(path: Path, data: bytes) -> None:
        if path.name.startswith(".tmp-shard-") and ".sum." not in path.name:
            if len(written) >= after:
                with open(path, "wb") as fh:  # a partial temporary file, as a real full disk leaves
                    fh.write(data[: len(data) // 2])
                raise OSError(code, os.strerror(code))
            written.append(path.name)
        real(path, data)

    monkeypatch.setattr(sink_module, "_write_bytes", write)
    return written


# ------------------------------------------------------------------ failed writes


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "no space left on device"),
    (errno.EIO, "input/output error"),
    (errno.EROFS, "read-only file system"),
])
def test_a_failed_write_is_one_line_and_the_same_call_resumes(tmp_path, source, fakes, monkeypatch, code, words):
    out = tmp_path / "out"
    _fail_shard_writes(monkeypatch, code, after=2)
    with pytest.raises(OutputError) as caught:
        run(source, out, shard_size=2)
    message = str(caught.value)
    assert message.startswith(f"{words} writing {out / 'shard-00002.jsonl'}"), message
    assert "2 of 3 shards done (4 of 6 clusters)" in message and "run the same command to resume" in message
    assert not list(out.glob(".tmp-*")), "no temporary file left"
    assert not (out / "shard-00002.jsonl.sum").exists(), "no checksum without its shard"
    monkeypatch.setattr(sink_module, "_write_bytes", _REAL_WRITE)  # space freed
    summary = run(source, out, shard_size=2)
    assert (summary.skipped, summary.shards_written) == (4, 1)
    _exactly_once(out)


def test_the_cli_says_it_in_one_line_without_a_traceback(tmp_path, source, fakes, monkeypatch):
    out = tmp_path / "out"
    _fail_shard_writes(monkeypatch, errno.ENOSPC, after=1)
    result = runner.invoke(app, ["batch", str(source), "--out", str(out), "--shard-size", "2"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("factcheck: error:")]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "no space left on device" in lines[0] and "1 of 3 shards done" in lines[0]
    assert "free some space, then run the same command to resume" in lines[0]


def test_a_failed_rename_leaves_no_checksum_and_no_temporary_file(tmp_path, source, fakes, monkeypatch):
    out = tmp_path / "out"
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "shard-00001.jsonl":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_replace(src, dst)

    monkeypatch.setattr(sink_module.os, "replace", replace)
    with pytest.raises(OutputError, match=r"input/output error writing .*shard-00001.jsonl; 1 of 3 shards done"):
        run(source, out, shard_size=2)
    monkeypatch.setattr(sink_module.os, "replace", real_replace)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(("shard", ".tmp"))) == [
        "shard-00000.jsonl", "shard-00000.jsonl.sum"]
    run(source, out, shard_size=2)
    _exactly_once(out)


def test_the_output_folder_removed_mid_run(tmp_path, source, fakes):
    out = tmp_path / "out"

    def remove(result) -> None:
        if result.index == 0:
            shutil.rmtree(out)

    with pytest.raises(OutputError, match=r"the output folder .*out was removed during the run .*"
                                          r"run the same command to start the job again"):
        run(source, out, shard_size=2, on_shard=remove)
    summary = run(source, out, shard_size=2)
    assert summary.skipped == 0 and summary.shards_written == 3
    _exactly_once(out)


# ------------------------------------------------------------------ damaged shards


def test_a_damaged_shard_is_named_by_merge_and_redone_by_resume(tmp_path, source, fakes):
    out = tmp_path / "out"
    run(source, out, shard_size=2)
    first = (out / "shard-00001.jsonl").stat().st_mtime_ns
    truncated = out / "shard-00000.jsonl"
    truncated.write_bytes(truncated.read_bytes()[:-40])
    (out / "shard-00002.jsonl").unlink()
    with pytest.raises(InputError) as caught:
        merge_shards(out)
    message = str(caught.value)
    assert message.startswith(f"{truncated}: damaged:") and "shard-00002.jsonl" in message
    assert "run the same `factcheck batch` command again to repair it" in message
    merged = runner.invoke(app, ["batch", "merge", str(out)])
    assert merged.exit_code == 2 and "shard-00000.jsonl: damaged" in merged.output

    notices: list[str] = []
    summary = run(source, out, shard_size=2, on_notice=notices.append)
    assert summary.repaired == 2 and summary.shards_written == 2 and summary.skipped == 2
    assert len(notices) == 2
    assert notices[0].startswith(f"{truncated}: damaged: ") and "checking its 2 clusters again" in notices[0]
    assert "shard-00002.jsonl: damaged: missing" in notices[1]
    assert (out / "shard-00001.jsonl").stat().st_mtime_ns == first, "the whole shard is left alone"
    _exactly_once(out)
    assert merge_shards(out)[1] == 6


def test_a_changed_byte_is_caught_by_the_checksum(tmp_path, source, fakes):
    out = tmp_path / "out"
    run(source, out, shard_size=3)
    path = out / "shard-00001.jsonl"
    data = bytearray(path.read_bytes())
    data[data.index(b"bridge")] = ord("B")  # same size, still valid JSON
    path.write_bytes(bytes(data))
    state, reason = ShardSink(out).check(1, ["c3", "c4", "c5"])
    assert state == "damaged" and "sha256" in reason
    result = runner.invoke(app, ["batch", str(source), "--out", str(out), "--shard-size", "3"])
    assert result.exit_code == 0, result.output
    assert "shard-00001.jsonl: damaged" in result.output and "1 damaged redone" in result.output
    _exactly_once(out)


def test_shards_without_checksums_are_checked_by_content(tmp_path, source, fakes):
    """Folders written before checksums existed: a shard is whole when it holds exactly its clusters."""
    out = tmp_path / "out"
    run(source, out, shard_size=2)
    for summed in out.glob("*.sum"):
        summed.unlink()
    short = out / "shard-00001.jsonl"
    short.write_text(short.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    sink = ShardSink(out)
    assert sink.check(0, ["c0", "c1"]) == ("whole", "")
    assert sink.check(1, ["c2", "c3"])[0] == "damaged"
    notices: list[str] = []
    summary = run(source, out, shard_size=2, on_notice=notices.append)
    assert summary.skipped == 4 and summary.repaired == 1 and "shard-00001.jsonl" in notices[0]
    _exactly_once(out)


def test_merge_of_an_unfinished_job_says_so(tmp_path, source, fakes):
    out = tmp_path / "out"
    run(source, out, shard_size=2)
    (out / "shard-00002.jsonl").unlink()
    (out / "shard-00002.jsonl.sum").unlink()
    notices: list[str] = []
    dest, count = merge_shards(out, on_notice=notices.append)
    assert count == 4 and "1 of 3 shards not written yet (shard-00002.jsonl)" in notices[0]
    assert "run the same `factcheck batch` command to finish it" in notices[0]


# ------------------------------------------------------------------ one job per folder


_HOLDER = textwrap.dedent("""
    import sys, time
    from factcheck.batch.lock import FolderLock
    FolderLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    time.sleep(120)
""")


def test_a_second_job_is_refused_and_a_killed_ones_lock_is_not_in_the_way(tmp_path, source, fakes):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(out)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(FolderLockedError) as caught:
            run(source, out, shard_size=2)
        message = str(caught.value)
        assert f"pid {holder.pid} on {socket.gethostname()}" in message and "another --out folder" in message
        result = runner.invoke(app, ["batch", str(source), "--out", str(out)])
        assert result.exit_code == 2 and f"pid {holder.pid}" in result.output
        assert FolderLock(out).holder().startswith(f"pid {holder.pid} on ")
        assert not list(out.glob("shard-*")), "the refused job wrote nothing"
    finally:
        holder.kill()  # SIGKILL: the kernel releases its lock; the lock file stays, naming it
        holder.wait()
    assert json.loads((out / ".lock").read_text())["pid"] == holder.pid
    assert FolderLock(out).holder() is None
    run(source, out, shard_size=2)
    _exactly_once(out)


def test_the_same_folder_twice_in_one_process_is_refused(tmp_path, source, fakes):
    sink = ShardSink(tmp_path / "out")
    sink.lock()
    try:
        with pytest.raises(FolderLockedError, match="in this process"):
            run(source, tmp_path / "out", shard_size=2)
    finally:
        sink.unlock()
    run(source, tmp_path / "out", shard_size=2)
    assert (tmp_path / "out" / ".lock").read_text() == "", "a finished job leaves the lock file empty"


# ------------------------------------------------------------------ SIGINT / SIGTERM


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_between_shards_stops_cleanly(tmp_path, source, fakes, signum, code):
    out = tmp_path / "out"
    before = signal.getsignal(signum)

    def send(result) -> None:
        if result.index == 0:
            os.kill(os.getpid(), signum)

    with pytest.raises(BatchInterrupted) as caught:
        run(source, out, shard_size=2, on_shard=send, handle_signals=True)
    assert caught.value.exit_code == code
    assert str(caught.value) == (f"stopped by {signal.Signals(signum).name}: 1 of 3 shards done (2 of 6 clusters); "
                                 "run the same command to resume")
    assert signal.getsignal(signum) is before, "the handlers are put back"
    assert FolderLock(out).holder() is None
    run(source, out, shard_size=2)
    _exactly_once(out)


def test_a_signal_inside_a_write_waits_for_the_shard(tmp_path, source, fakes, monkeypatch):
    out = tmp_path / "out"
    real = sink_module._write_bytes

    def write(path: Path, data: bytes) -> None:
        if path.name == f".tmp-shard-00000.jsonl.{os.getpid()}":
            os.kill(os.getpid(), signal.SIGTERM)  # arrives between the shard's bytes and its rename
        real(path, data)

    monkeypatch.setattr(sink_module, "_write_bytes", write)
    with pytest.raises(BatchInterrupted, match="1 of 3 shards done"):
        run(source, out, shard_size=2, handle_signals=True)
    assert sorted(p.name for p in out.glob("shard-*")) == ["shard-00000.jsonl", "shard-00000.jsonl.sum"]
    assert ShardSink(out).check(0, ["c0", "c1"]) == ("whole", "")


def test_a_signal_mid_shard_drops_the_shard(tmp_path, source, fake_embedder, monkeypatch):
    """A signal while the models run: the shard is never written (so never counted done), no traceback."""
    from conftest import FakeNLI

    out = tmp_path / "out"

    class Interrupting(FakeNLI):
        def _predict_batch(self, pairs):
            if (out / "shard-00000.jsonl").exists():  # Ctrl-C while shard 1 is being checked
                os.kill(os.getpid(), signal.SIGINT)
            return super()._predict_batch(pairs)

    monkeypatch.setattr(factcheck.nli, "load_nli", lambda name, device=None: Interrupting())
    monkeypatch.setattr(factcheck.embed, "load_embedder", lambda name, device=None: fake_embedder)
    result = runner.invoke(app, ["batch", str(source), "--out", str(out), "--shard-size", "2"])
    assert result.exit_code == 130, result.output
    assert "factcheck: stopped by SIGINT: 1 of 3 shards done (2 of 6 clusters); run the same command to resume" \
        in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.glob("shard-*.jsonl")) == ["shard-00000.jsonl"]
    assert not list(out.glob(".tmp-*"))


# ------------------------------------------------------------------ the fault run


def test_fault_run_reduced():
    """kill, full disk, SIGTERM, a second job, a damaged shard in a row (simulated disk): every cluster once."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "fault_batch.py"), "--disk", "simulated", "--quick",
         "--kills", "1", "--clusters", "24", "--shard-size", "3", "--delay", "0.05", "--jitter", "0.15"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every fault handled; every cluster exactly once" in result.stdout
    for fault in ("SIGKILL 1", "full disk", "second job on the folder", "SIGTERM to the first job",
                  "damaged shard: resume"):
        assert f"| {fault} | ✓" in result.stdout, fault
