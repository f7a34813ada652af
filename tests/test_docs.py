"""The README and docs/ hold together: every relative link resolves, every `factcheck` command that README.md
and docs/ show exists (its --help runs, its options are real), and the README stays short. Each check is also
run on a broken sample, so it is shown to fail."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from factcheck.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
README_LIMIT = 8192  # bytes
DOCS = sorted([README, *(ROOT / "docs").glob("*.md")])
NOT_YET = {"index": "`factcheck index` is issue #26's, written in another branch (docs/index.md)"}

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_IMG_SRC = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)
_SHELL_OPS = {"|", "||", "&&", ";", "&", "(", ")", "$("}


def links(text: str) -> list[str]:
    """Link targets of a Markdown text (inline, reference-style and <img src>), outside code."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    return [m.group(1) for rx in (_MD_LINK, _REF_LINK, _IMG_SRC) for m in rx.finditer(prose)]


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """The relative links of ``path`` that name no file or folder inside ``root`` (anchors stripped)."""
    broken = []
    for target in links(path.read_text(encoding="utf-8")):
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http(s), mailto: and in-page anchors
        rel = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (path.parent / rel).resolve()
        if not resolved.exists() or not resolved.is_relative_to(root.resolve()):
            broken.append(target)
    return broken


def shown_commands(text: str) -> list[list[str]]:
    """The words after `factcheck` (or `python -m factcheck`) in the text's shell code blocks, one list per command,
    up to the next shell operator; comments dropped."""
    commands = []
    for block in _FENCE.finditer(text):
        lang = block.group(0).split("\n", 1)[0].strip("`~ \t").lower()
        if lang not in ("", "sh", "bash", "shell", "console"):
            continue
        for line in block.group(0).splitlines()[1:-1]:
            lex = shlex.shlex(line.lstrip("$ "), posix=True, punctuation_chars=True)
            lex.whitespace_split = True
            try:
                tokens = list(lex)
            except ValueError as exc:
                raise AssertionError(f"cannot read the shell line {line!r}: {exc}") from None
            start = True
            for i, tok in enumerate(tokens):
                if tok in _SHELL_OPS:
                    start = True
                    continue
                is_cli = start and (tok == "factcheck" or tok.endswith("/factcheck"))
                is_module = tok == "factcheck" and tokens[i - 1:i] == ["-m"]
                if is_cli or is_module:
                    rest = tokens[i + 1:]
                    end = next((j for j, t in enumerate(rest) if t in _SHELL_OPS), len(rest))
                    commands.append(rest[:end])
                if start and "=" not in tok:
                    start = False
    return commands


def _subcommands(command) -> dict | None:
    """A group's subcommands by name, None for a plain command (typer 0.29 carries its own copy of click)."""
    return getattr(command, "commands", None)


def resolve(words: list[str]) -> tuple[list[str], object] | str:
    """The command path that ``words`` name and its click command, or why there is none: the command words run
    until a word that is no subcommand of the group reached (an argument) or the first option."""
    cur = typer.main.get_command(app)
    path: list[str] = []
    for word in words:
        if word.startswith("-") or _subcommands(cur) is None:
            break
        sub = _subcommands(cur).get(word)
        if sub is None:
            if not path:  # the top level takes no arguments: a word there must be a command
                return f"no such command: factcheck {word}"
            break
        path.append(word)
        cur = sub
    if not path:
        return "no command word after factcheck"
    return path, cur


def options_of(command) -> set[str]:
    return {name for p in command.params for name in (*p.opts, *p.secondary_opts)} | {"--help"}


def unknown_options(words: list[str], command) -> list[str]:
    known = options_of(command)
    if (_subcommands(command) or {}).get("run"):  # `batch ARGS` runs `batch run ARGS`
        known |= options_of(command.commands["run"])
    return [w for w in words if w.startswith("-") and w != "-" and w.split("=", 1)[0] not in known]


def too_long(path: Path, limit: int = README_LIMIT) -> str | None:
    """Why ``path`` is over ``limit`` bytes, or None."""
    size = len(path.read_bytes())
    return f"{path.name} is {size} bytes, over {limit}: move detail into docs/" if size > limit else None


def help_exit_code(path: list[str]) -> int:
    return CliRunner().invoke(app, [*path, "--help"]).exit_code


def _readme_commands() -> list[list[str]]:
    return shown_commands(README.read_text(encoding="utf-8"))


def _shown_everywhere() -> list[tuple[str, list[str]]]:
    return [(str(page.relative_to(ROOT)), words)
            for page in DOCS for words in shown_commands(page.read_text(encoding="utf-8"))]


# --- the repository's own docs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    assert broken_links(page) == [], f"{page.relative_to(ROOT)} links to missing files"


def test_readme_shows_commands() -> None:
    firsts = {words[0] for words in _readme_commands() if words}
    assert {"check", "batch", "eval"} <= firsts


@pytest.mark.parametrize(("page", "words"), _shown_everywhere(),
                         ids=lambda x: " ".join(x) if isinstance(x, list) else x)
def test_shown_command_exists(page: str, words: list[str]) -> None:
    """Every `factcheck ...` command in README.md (and docs/) exists: its --help runs and its options are real."""
    if words and words[0] in NOT_YET and typer.main.get_command(app).commands.get(words[0]) is None:
        pytest.skip(NOT_YET[words[0]])
    found = resolve(words)
    assert not isinstance(found, str), f"{page}: {found}"
    path, command = found
    assert help_exit_code(path) == 0, f"{page}: factcheck {' '.join(path)} --help failed"
    assert unknown_options(words, command) == [], f"{page}: factcheck {' '.join(path)} has no such option"


def test_readme_is_short() -> None:
    assert too_long(README) is None


# --- each check fails on a broken sample ------------------------------------------------------------------------

def test_broken_links_are_found(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    page = tmp_path / "sub" / "page.md"
    page.write_text(
        "[ok](../there.md#part) [gone](../missing.md) ![pic](nope.png) [web](https://example.com/x.md)\n"
        "[here](#top) [out](../../outside.md) <img src=\"../absent.png\" width=\"5\">\n"
        "`[in code](not-a-link.md)`\n```sh\n[in a block](also-not.md)\n```\n[ref]: ../ref-missing.md\n",
        encoding="utf-8")
    assert broken_links(page, root=tmp_path) == ["../missing.md", "nope.png", "../../outside.md",
                                                 "../ref-missing.md", "../absent.png"]


def test_command_words_are_read_from_shell_blocks() -> None:
    text = ("```sh\nfactcheck check seeds -o r.json   # a comment\ncat a.txt | .venv/bin/factcheck check - --within\n"
            "python -m factcheck batch merge out/\npip install factcheck\nA=1 factcheck eval --split dev\n```\n"
            "```python\nfactcheck check nope\n```\n`factcheck check inline`\n")
    assert shown_commands(text) == [["check", "seeds", "-o", "r.json"], ["check", "-", "--within"],
                                    ["batch", "merge", "out/"], ["eval", "--split", "dev"]]


def test_unknown_commands_and_options_are_found() -> None:
    assert resolve(["chekc", "seeds"]) == "no such command: factcheck chekc"
    if typer.main.get_command(app).commands.get("index") is None:
        assert resolve(["index", "add", "seeds"]) == "no such command: factcheck index"
    path, command = resolve(["batch", "merge", "out/"])
    assert path == ["batch", "merge"]
    path, command = resolve(["batch", "clusters.jsonl", "--out", "out/"])
    assert path == ["batch"] and unknown_options(["--out", "o", "--shard-size", "3"], command) == []
    path, command = resolve(["check", "seeds", "--smal"])
    assert unknown_options(["seeds", "--smal", "-o", "r.json", "-"], command) == ["--smal"]
    assert help_exit_code(["chekc"]) != 0


def test_size_limit_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_bytes(b"x" * README_LIMIT)
    assert too_long(page) is None
    page.write_bytes(b"x" * (README_LIMIT + 1))
    assert too_long(page) == f"README.md is {README_LIMIT + 1} bytes, over {README_LIMIT}: move detail into docs/"
