"""Every help text shows its brackets: no help text is read as Rich markup ('factcheck[ray]' stays whole)."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from typer.testing import CliRunner

from factcheck.cli import app

runner = CliRunner()
_BRACKETED = re.compile(r"\[[^\[\]]+\]")


def _commands(root: typer.Typer) -> dict[tuple[str, ...], object]:
    """Every command and group (the root too, as ()), by its path."""
    out: dict[tuple[str, ...], object] = {}

    def walk(cmd, path: tuple[str, ...]) -> None:
        out[path] = cmd
        for name, sub in getattr(cmd, "commands", {}).items():  # typer ships its own click: no isinstance
            walk(sub, path + (name,))

    walk(typer.main.get_command(root), ())
    return out


def missing_brackets(root: typer.Typer) -> tuple[int, list[str]]:
    """(bracketed texts looked for, those the rendered --help does not show) over every command of ``root``."""
    looked, missing = 0, []
    for path, cmd in _commands(root).items():
        texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
        wanted = [m for text in texts for m in _BRACKETED.findall(text)]
        if not wanted:
            continue
        result = runner.invoke(root, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, (path, result.output)
        shown = " ".join(result.output.split())
        for text in wanted:
            looked += 1
            if " ".join(text.split()) not in shown:
                missing.append(f"{' '.join(path) or '(root)'}: {text}")
    return looked, missing


def test_every_help_text_shows_its_brackets():
    looked, missing = missing_brackets(app)
    assert looked >= 1, "no bracketed help text found: the check looked at nothing"
    assert not missing, missing


def test_the_ray_extra_is_named_in_full():
    result = runner.invoke(app, ["batch", "run", "--help"], terminal_width=200)
    assert "pip install 'factcheck[ray]'" in result.output


def test_the_check_sees_markup_eating_brackets():
    """The check above can fail: a Typer app that reads help as Rich markup loses '[ray]'."""
    rich_app = typer.Typer(rich_markup_mode="rich")

    @rich_app.command()
    def go(engine: Annotated[str, typer.Option(help="install 'factcheck[ray]' first")] = "local") -> None:
        """Run [it]."""

    looked, missing = missing_brackets(rich_app)
    assert looked == 2 and any("[ray]" in m for m in missing)
