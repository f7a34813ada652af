"""Output paths: format from the file name, refusals before work that leave nothing behind, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from factcheck.errors import OutputError
from factcheck.output import check_output, output_format, write_output


@pytest.mark.parametrize("name, fmt, expected", [
    (None, None, "terminal"), (None, "json", "json"), ("r.json", None, "json"), ("r.JSONL", None, "jsonl"),
    ("r.md", None, "markdown"), ("r.html", None, "html"), ("r.htm", None, "html"), ("r.txt", None, "terminal"),
    ("report", None, "terminal"), ("r.txt", "json", "json"), ("r.html", "html", "html"), ("r.pdf", "html", "html"),
    ("/dev/stdout", "json", "json"),
])
def test_output_format(name, fmt, expected):
    assert output_format(Path(name) if name else None, fmt) == expected


def test_conflicts_and_unknown_endings():
    with pytest.raises(OutputError, match=r"r.html looks like html but --format is json"):
        output_format(Path("r.html"), "json")
    with pytest.raises(OutputError, match=r"cannot tell the report format from '.pdf'"):
        output_format(Path("r.pdf"), None)


def test_check_output_refusals_leave_nothing(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        check_output(tmp_path)
    with pytest.raises(OutputError, match="is a device"):
        check_output(Path("/dev/full"))
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="is not a folder"):
        check_output(blocker / "sub" / "r.json")
    check_output(tmp_path / "new" / "deeper" / "r.json")  # missing folders are created when writing
    check_output(Path("/dev/null"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
    before = blocker.stat().st_mtime_ns
    check_output(blocker)
    assert blocker.read_text() == "x" and blocker.stat().st_mtime_ns == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(OutputError, match="cannot write in"):
        check_output(ro / "r.json")


def test_unwritable_system_folder():
    if os.access("/sys", os.W_OK) and os.geteuid() != 0:
        pytest.skip("/sys is writable here")
    with pytest.raises(OutputError, match="cannot write in /sys"):
        check_output(Path("/sys/factcheck-report.json"))


def test_write_output_atomic(tmp_path, monkeypatch):
    target = tmp_path / "a" / "b" / "r.json"
    write_output(target, "{}\n")
    assert target.read_text() == "{}\n"
    os.chmod(target, 0o640)
    write_output(target, "[]\n")
    assert target.read_text() == "[]\n" and (target.stat().st_mode & 0o777) == 0o640

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError, match="No space left"):
        write_output(tmp_path / "x.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
