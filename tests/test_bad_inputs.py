"""A corpus of hostile and odd inputs, as a user or a crawler produces them, through `factcheck check`.

Every case that fails must fail with exactly one line on stderr (``factcheck: error: ...`` naming
the file, option or problem), exit code 2, no traceback, and no model loaded (checked before work).
Every case that succeeds must have compared something (``pairs_scored > 0``). Fake models keep it fast.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

import factcheck.embed
import factcheck.nli
from factcheck.cli import app

runner = CliRunner()

A = "The bridge will reopen to traffic next month, the ministry said on Monday after an inspection."
B = "The bridge will not reopen to traffic next month, the ministry said on Monday after an inspection."
NAV_HTML = """<html><head><title>News</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<ul><li><a href="/a">Read more</a></li><li><a href="/b">Subscribe</a></li></ul>
<footer>© 2024 Example Media. All rights reserved.</footer></body></html>"""
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@dataclass(frozen=True)
class Case:
    """One input: how to build the arguments (and stdin) in a temp folder, the exit code, a needle."""

    cls: str
    build: Callable[[Path], tuple[list[str], str | None]]
    code: int = 2
    needle: str = ""


def w(tmp: Path, name: str, text: str | bytes) -> str:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def ok_pair(tmp: Path) -> list[str]:
    return [w(tmp, "ok_a.txt", A), w(tmp, "ok_b.txt", B)]


def folder(tmp: Path, files: dict[str, str | bytes]) -> str:
    d = tmp / "folder"
    d.mkdir()
    for name, text in files.items():
        w(d, name, text)
    return str(d)


def symlink_loop(tmp: Path) -> str:
    link = tmp / "loop.txt"
    os.symlink(link, link)
    return str(link)


def broken_link(tmp: Path) -> str:
    link = tmp / "broken.txt"
    os.symlink(tmp / "gone.txt", link)
    return str(link)


def unwritable_dir(tmp: Path) -> str:
    if ROOT:  # root writes anywhere except where the kernel refuses
        return "/sys/factcheck-report.json"
    d = tmp / "ro"
    d.mkdir()
    d.chmod(0o500)
    return str(d / "report.json")


def unreadable(tmp: Path) -> str:
    """A file that exists but cannot be read: mode 000, or for root (who reads anything) /proc/self/mem."""
    if ROOT:
        return "/proc/self/mem"
    path = Path(w(tmp, "secret.txt", A))
    path.chmod(0o000)
    return str(path)


def fifo(tmp: Path, text: str) -> str:
    path = tmp / "pipe.txt"
    os.mkfifo(path)
    pid = os.fork()
    if pid == 0:  # child: feed the pipe once, then leave without running pytest's cleanup
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        finally:
            os._exit(0)
    return str(path)


def _thresholds(tmp: Path, body: str) -> list[str]:
    return [*ok_pair(tmp), "--thresholds", w(tmp, "t.json", body)]


CASES: dict[str, Case] = {
    # --- files: bytes that are not an article
    "empty file": Case("files", lambda t: ([w(t, "empty.txt", ""), *ok_pair(t)], None), needle="empty.txt: file is empty"),
    "whitespace-only file": Case("files", lambda t: ([w(t, "blank.txt", " \n\t\n "), *ok_pair(t)], None), needle="blank.txt"),
    "NUL bytes": Case("files", lambda t: ([w(t, "bin.txt", b"\x00\x01\x02" * 100), *ok_pair(t)], None), needle="binary"),
    "control characters": Case("files", lambda t: ([w(t, "ctl.txt", bytes(range(1, 9)) * 100), *ok_pair(t)], None), needle="binary"),
    "PDF named explicitly": Case("files", lambda t: ([w(t, "a.pdf", b"%PDF-1.4\n\x00\x00binary"), *ok_pair(t)], None), needle="a.pdf"),
    "PNG named explicitly": Case("files", lambda t: ([w(t, "a.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), *ok_pair(t)], None), needle="a.png"),
    "gzip named .txt": Case("files", lambda t: ([w(t, "a.txt", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x00\x00"), *ok_pair(t)], None), needle="a.txt"),
    # --- encodings
    "latin-1 text": Case("encoding", lambda t: ([w(t, "l1.txt", "Der Bürgermeister sagte, die Brücke öffnet.".encode("latin-1")), *ok_pair(t)], None), needle="not UTF-8"),
    "cp1252 quotes": Case("encoding", lambda t: ([w(t, "cp.txt", "He said \x93no\x94 to the plan on Monday, officials said.".encode("latin-1")), *ok_pair(t)], None), needle="cp.txt"),
    "broken UTF-16": Case("encoding", lambda t: ([w(t, "u16.txt", b"\xff\xfe" + "The bridge".encode("utf-16-le") + b"\x00\xd8"), *ok_pair(t)], None), needle="UTF-16"),
    "truncated UTF-8": Case("encoding", lambda t: ([w(t, "cut.txt", A.encode() + b" caf\xc3"), *ok_pair(t)], None), needle="cut.txt"),
    "UTF-16 with BOM (fine)": Case("encoding", lambda t: ([w(t, "u16ok.txt", "\ufeff".encode("utf-16-le")[:0] + A.encode("utf-16")), w(t, "b.txt", B)], None), code=0),
    "UTF-8 BOM and CRLF (fine)": Case("encoding", lambda t: ([w(t, "bom.txt", b"\xef\xbb\xbf" + A.encode() + b"\r\n\r\n"), w(t, "b.txt", B)], None), code=0),
    "HTML declaring latin-1 (fine)": Case("encoding", lambda t: ([w(t, "l1.html", f'<html><head><meta charset="iso-8859-1"></head><body><article><p>{A} Der Bürgermeister.</p></article></body></html>'.encode("latin-1")), w(t, "b.txt", B)], None), code=0),
    # --- sizes and shapes of text
    "huge single line (fine)": Case("text shape", lambda t: ([w(t, "huge.txt", ", ".join([A[:-1]] * 2000) + "."), w(t, "b.txt", B)], None), code=0),
    "run-on without stops (fine)": Case("text shape", lambda t: ([w(t, "runon.txt", " ".join([A.lower().rstrip(".")] * 4)), w(t, "b.txt", B)], None), code=0),
    "prose written with pipes (fine)": Case("text shape", lambda t: ([w(t, "pipes.txt", A.replace(", ", " | ").replace(" on ", " | on ")), w(t, "b.txt", B)], None), code=0),
    "hard-wrapped e-mail text (fine)": Case("text shape", lambda t: ([w(t, "wrap.txt", "The bridge will reopen to traffic next\nmonth, the ministry said on Monday after\nan inspection of the whole structure by\nengineers from the city and the region.\n"), w(t, "b.txt", B)], None), code=0),
    "only numbers": Case("text shape", lambda t: ([w(t, "nums.txt", "\n".join(" ".join(str(i * k) for i in range(9)) for k in range(30))), w(t, "b.txt", B)], None), needle="nums.txt"),
    "only short fragments": Case("text shape", lambda t: ([w(t, "short.txt", "Yes.\nNo.\nMaybe later.\n"), w(t, "b.txt", B)], None), needle="short.txt"),
    "only page furniture": Case("text shape", lambda t: ([w(t, "furn.txt", "Home > World > Europe\nShare this:\nAdvertisement\n© 2024 Example\n"), w(t, "b.txt", B)], None), needle="furn.txt: all"),
    # --- HTML
    "HTML with only navigation": Case("html", lambda t: ([w(t, "nav.html", NAV_HTML), w(t, "b.txt", B)], None), needle="nav.html"),
    "HTML with only scripts": Case("html", lambda t: ([w(t, "js.html", "<html><body><script>var a = 1;</script></body></html>"), w(t, "b.txt", B)], None), needle="js.html"),
    "truncated HTML (fine)": Case("html", lambda t: ([w(t, "cut.html", f"<html><body><article><p>{A}</p><p>{A.replace('bridge', 'tunnel')}</p><p>The"), w(t, "b.txt", B)], None), code=0),
    # --- JSON / JSONL
    "malformed JSON": Case("json", lambda t: ([w(t, "bad.json", '{"text": "x",'), *ok_pair(t)], None), needle="bad.json: malformed JSON"),
    "JSON without text field": Case("json", lambda t: ([w(t, "nt.json", '{"id": "x", "body": "..."}'), *ok_pair(t)], None), needle="missing 'text' field"),
    "JSON text is a number": Case("json", lambda t: ([w(t, "num.json", '{"text": 42}'), *ok_pair(t)], None), needle="non-empty string"),
    "JSON top-level string": Case("json", lambda t: ([w(t, "str.json", '"just a string"'), *ok_pair(t)], None), needle="expected a JSON object"),
    "JSON empty list": Case("json", lambda t: ([w(t, "none.json", "[]"), *ok_pair(t)], None), needle="none.json"),
    "JSON list with a non-object": Case("json", lambda t: ([w(t, "mix.json", json.dumps([{"text": A}, 3])), *ok_pair(t)], None), needle="mix.json[1]"),
    "JSONL bad line": Case("json", lambda t: ([w(t, "bad.jsonl", json.dumps({"text": A}) + "\n{oops\n"), *ok_pair(t)], None), needle="bad.jsonl:2"),
    "JSONL only blank lines": Case("json", lambda t: ([w(t, "blank.jsonl", "\n\n\n"), *ok_pair(t)], None), needle="blank.jsonl"),
    "JSONL wrong field type": Case("json", lambda t: ([w(t, "wf.jsonl", json.dumps({"text": ["a", "b"]}) + "\n"), *ok_pair(t)], None), needle="wf.jsonl:1"),
    "JSON duplicate ids": Case("json", lambda t: ([w(t, "dup.jsonl", json.dumps({"id": "x", "text": A}) + "\n" + json.dumps({"id": "x", "text": B}) + "\n")], None), needle="duplicate article id"),
    "JSONL with blank lines (fine)": Case("json", lambda t: ([w(t, "ok.jsonl", "\n" + json.dumps({"id": "a", "text": A}) + "\n\n" + json.dumps({"id": "b", "text": B}) + "\n")], None), code=0),
    # --- paths
    "missing path": Case("paths", lambda t: ([str(t / "nope.txt"), *ok_pair(t)], None), needle="nope.txt: no such file"),
    "empty folder": Case("paths", lambda t: ([folder(t, {})], None), needle="no supported files"),
    "folder of unusable files": Case("paths", lambda t: ([folder(t, {"a.pdf": b"%PDF", "b.png": b"\x89PNG"})], None), needle="no supported files"),
    "folder of hidden files": Case("paths", lambda t: ([folder(t, {".a.txt": A, ".b.txt": B})], None), needle="no supported files"),
    "folder with one stray file (fine)": Case("paths", lambda t: ([folder(t, {"a.txt": A, "b.txt": B, "c.pdf": b"%PDF"})], None), code=0),
    "symlink loop": Case("paths", lambda t: ([symlink_loop(t), *ok_pair(t)], None), needle="symlink loop"),
    "broken symlink": Case("paths", lambda t: ([broken_link(t), *ok_pair(t)], None), needle="broken.txt"),
    "unreadable file": Case("paths", lambda t: ([unreadable(t), *ok_pair(t)], None), needle="cannot read ("),
    "device file": Case("paths", lambda t: (["/dev/zero", *ok_pair(t)], None), needle="/dev/zero: not a regular file"),
    "URL argument": Case("paths", lambda t: (["https://example.com/news/story.html?id=1", *ok_pair(t)], None), needle="https://example.com/news/story.html?id=1: URLs are not fetched"),
    "duplicate file ids": Case("paths", lambda t: ([w(t, "x/a.txt", A), w(t, "y/a.txt", B)], None), needle="duplicate article id 'a'"),
    "same file twice": Case("paths", lambda t: ([w(t, "a.txt", A), str(t / "a.txt")], None), needle="a.txt: given more than once"),
    "one article": Case("paths", lambda t: ([w(t, "a.txt", A)], None), needle="at least two"),
    "named pipe (fine)": Case("paths", lambda t: ([fifo(t, A), w(t, "b.txt", B)], None), code=0),
    # --- stdin
    "stdin empty": Case("stdin", lambda t: (["-", w(t, "b.txt", B)], ""), needle="no text on standard input"),
    "stdin twice": Case("stdin", lambda t: (["-", "-"], A + " " + B), needle="more than once"),
    "stdin binary-ish": Case("stdin", lambda t: (["-", w(t, "b.txt", B)], "\x00\x01\x02" * 50), needle="<stdin>"),
    "stdin with --within (fine)": Case("stdin", lambda t: (["-", "--within"], A + " " + B), code=0),
    # --- options
    "no inputs": Case("options", lambda t: ([], None), needle="Missing argument"),
    "unknown option": Case("options", lambda t: ([*ok_pair(t), "--frobnicate"], None), needle="--frobnicate"),
    "top-k 0": Case("options", lambda t: ([*ok_pair(t), "--top-k", "0"], None), needle="--top-k"),
    "top-k not a number": Case("options", lambda t: ([*ok_pair(t), "--top-k", "three"], None), needle="--top-k"),
    "min-similarity 2": Case("options", lambda t: ([*ok_pair(t), "--min-similarity", "2"], None), needle="--min-similarity"),
    "threshold 1.5": Case("options", lambda t: ([*ok_pair(t), "--threshold", "1.5"], None), needle="--threshold"),
    "batch-size 0": Case("options", lambda t: ([*ok_pair(t), "--batch-size", "0"], None), needle="--batch-size"),
    "unknown format": Case("options", lambda t: ([*ok_pair(t), "--format", "pdf"], None), needle="--format"),
    "device banana": Case("options", lambda t: ([*ok_pair(t), "--device", "banana"], None), needle="unknown device 'banana'"),
    "device cuda without CUDA": Case("options", lambda t: ([*ok_pair(t), "--device", "cuda"], None), needle="--device cuda"),
    "device cuda:7": Case("options", lambda t: ([*ok_pair(t), "--device", "cuda:7"], None), needle="--device cuda:7"),
    "nli-model empty folder": Case("options", lambda t: ([*ok_pair(t), "--nli-model", folder(t, {})], None), needle="config.json"),
    "nli-model unknown name": Case("options", lambda t: ([*ok_pair(t), "--nli-model", "no-such-model"], None), needle="no-such-model"),
    "nli-model a file": Case("options", lambda t: ([*ok_pair(t), "--nli-model", w(t, "m.bin", b"x")], None), needle="m.bin"),
    "embedder empty folder": Case("options", lambda t: ([*ok_pair(t), "--embedder", folder(t, {})], None), needle="folder"),
    # --- thresholds files
    "thresholds missing": Case("thresholds", lambda t: ([*ok_pair(t), "--thresholds", str(t / "none.json")], None), needle="none.json: cannot read thresholds (No such file or directory)"),
    "thresholds malformed": Case("thresholds", lambda t: (_thresholds(t, "{oops"), None), needle="t.json"),
    "thresholds wrong fields": Case("thresholds", lambda t: (_thresholds(t, '{"colour": "blue"}'), None), needle="t.json"),
    "thresholds out of range": Case("thresholds", lambda t: (_thresholds(t, '{"contradiction": 7, "agreement": 0.5}'), None), needle="t.json"),
    "thresholds a list": Case("thresholds", lambda t: (_thresholds(t, "[0.5, 0.5]"), None), needle="t.json"),
    "thresholds a folder": Case("thresholds", lambda t: ([*ok_pair(t), "--thresholds", folder(t, {})], None), needle="folder"),
    # --- output paths
    "-o an existing folder": Case("output", lambda t: ([*ok_pair(t), "-o", folder(t, {})], None), needle="is a folder"),
    "-o /dev/full": Case("output", lambda t: ([*ok_pair(t), "-o", "/dev/full"], None), needle="/dev/full"),
    "-o in an unwritable folder": Case("output", lambda t: ([*ok_pair(t), "-o", unwritable_dir(t)], None), needle="cannot write"),
    "-o in a missing folder (fine, created)": Case("output", lambda t: ([*ok_pair(t), "-o", str(t / "no" / "dir" / "r.json")], None), code=0),
    "-o under a file": Case("output", lambda t: ([*ok_pair(t), "-o", str(Path(w(t, "f.txt", A)) / "r.json")], None), needle="not a folder"),
    "-o extension conflicts with --format": Case("output", lambda t: ([*ok_pair(t), "-o", str(t / "r.html"), "--format", "json"], None), needle="r.html"),
    "-o unknown extension": Case("output", lambda t: ([*ok_pair(t), "-o", str(t / "r.pdf")], None), needle="r.pdf"),
    "-o .html infers html (fine)": Case("output", lambda t: ([*ok_pair(t), "-o", str(t / "r.html")], None), code=0),
}


def _pairs_file(tmp: Path) -> str:
    rows = [{"premise": A, "hypothesis": B, "label": "contradiction"}, {"premise": A, "hypothesis": A, "label": "entailment"}]
    return w(tmp, "pairs.jsonl", "".join(json.dumps(r) + "\n" for r in rows))


# The other commands that load a model: the same one-line errors before any work.
OTHER_COMMANDS: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "eval --device banana": (lambda t: ["eval", "--data", _pairs_file(t), "--device", "banana"], "unknown device 'banana'"),
    "eval --device cuda:7": (lambda t: ["eval", "--data", _pairs_file(t), "--device", "cuda:7"], "--device cuda:7"),
    "eval --nli-model empty folder": (lambda t: ["eval", "--data", _pairs_file(t), "--nli-model", folder(t, {})], "holds no model"),
    "calibrate --device cuda": (lambda t: ["calibrate", "--data", _pairs_file(t), "--device", "cuda"], "--device cuda"),
    "calibrate --batch-size 0": (lambda t: ["calibrate", "--data", _pairs_file(t), "--batch-size", "0"], "--batch-size"),
    "calibrate --news-rule f1": (lambda t: ["calibrate", "--preset", "news-pairs", "--news-rule", "f1"], "--news-rule 'f1'"),
    "eval missing data": (lambda t: ["eval", "--data", str(t / "none.jsonl")], "none.jsonl"),
    "unknown command": (lambda t: ["chek", "seeds"], "No such command 'chek'"),
}


@pytest.fixture
def loads(monkeypatch, fake_nli, fake_embedder):
    """Fake models for "default"; other names go to the real loaders. Counts every load attempt."""
    from factcheck.device import resolve_device

    count = Counter()
    real_nli, real_emb = factcheck.nli.load_nli, factcheck.embed.load_embedder

    def nli(name="default", device=None, **kw):
        count["nli"] += 1
        if str(name) != "default":
            return real_nli(name, device=device, **kw)
        resolve_device(device)
        return fake_nli

    def emb(name="default", device=None, **kw):
        count["embedder"] += 1
        if str(name) != "default":
            return real_emb(name, device=device, **kw)
        resolve_device(device)
        return fake_embedder

    monkeypatch.setattr(factcheck.nli, "load_nli", nli)
    monkeypatch.setattr(factcheck.embed, "load_embedder", emb)
    return count


def _counts() -> Counter:
    return Counter(case.cls for case in CASES.values())


@pytest.mark.parametrize("name", list(CASES))
def test_corpus_case(name, tmp_path, loads):
    case = CASES[name]
    args, stdin = case.build(tmp_path)
    extra = ["--min-similarity", "0.1", "--format", "json"] if case.code == 0 and "-o" not in args else []
    if case.code == 0 and "-o" in args:
        extra = ["--min-similarity", "0.1"]
    result = runner.invoke(app, ["check", *args, *extra], input=stdin)
    out = result.output
    assert "Traceback" not in out and (result.exception is None or isinstance(result.exception, SystemExit)), (
        name, repr(result.exception), out)
    assert result.exit_code == case.code, (name, out)
    if case.code == 0:
        if "-o" in args:
            target = Path(args[args.index("-o") + 1])
            text = target.read_text(encoding="utf-8")
            if target.suffix == ".html":  # format inferred from the file name
                assert "<html" in text[:500].lower() and "pairs scored" in text.lower()
                return
        report = json.loads(text if "-o" in args else result.stdout)
        assert report["stats"]["pairs_scored"] > 0, name
        return
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, (name, result.stderr)
    assert lines[0].startswith("factcheck: error:"), (name, lines[0])
    assert case.needle in lines[0], (name, lines[0])
    assert loads["nli"] == 0 and loads["embedder"] == 0, (name, "a model was loaded before the error")
    if "-o" in args:
        target = Path(args[args.index("-o") + 1])
        assert target.is_dir() or not target.exists() or target.is_char_device(), "left a file behind"


@pytest.mark.parametrize("name", list(OTHER_COMMANDS))
def test_other_commands(name, tmp_path, loads):
    build, needle = OTHER_COMMANDS[name]
    result = runner.invoke(app, build(tmp_path))
    assert "Traceback" not in result.output and (result.exception is None or isinstance(result.exception, SystemExit))
    assert result.exit_code == 2, (name, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("factcheck: error:") and needle in lines[0], (name, result.stderr)
    assert loads["nli"] == 0


def test_corpus_covers_every_class():
    counts = _counts()
    assert set(counts) == {"files", "encoding", "text shape", "html", "json", "paths", "stdin", "options",
                           "thresholds", "output"}
    assert sum(counts.values()) >= 70


@pytest.mark.parametrize("extra", [["--device", "banana"], ["--device", "cuda:7"], ["-o", "/dev/full"], ["--top-k", "0"]])
def test_console_script_one_line(tmp_path, extra):
    """The real entry point (not CliRunner): one line, exit 2, before any model loads."""
    import subprocess
    import sys

    torch = pytest.importorskip("torch")
    if extra[0] == "--device" and torch.cuda.is_available() and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a GPU 7")
    proc = subprocess.run([sys.executable, "-m", "factcheck", "check", *ok_pair(tmp_path), *extra],
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("factcheck: error:"), proc.stderr
    assert proc.stdout == ""
