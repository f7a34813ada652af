"""Command-line interface: parses options, calls the library, turns library errors into one line.

One module per command group: ``check`` (check), ``eval`` (eval, calibrate, compare), ``train`` (train
synth / mine, export-onnx), ``batch`` (batch run, batch merge); ``common`` holds the group that turns
every library error (``FactcheckError``) and usage error into ``factcheck: error: <message>`` on stderr
and exit code 2, with no traceback, whether the app runs as the console script or under ``CliRunner``.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from factcheck import __version__
from factcheck.cli import batch, check, train
from factcheck.cli import index as index_commands
from factcheck.cli import eval as eval_commands
from factcheck.cli.common import ErrorLineGroup

__all__ = ["app", "main"]

app = typer.Typer(
    name="factcheck",
    cls=ErrorLineGroup,
    help="Find contradictions between news articles about the same event.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are plain text, never Rich markup: "pip install 'factcheck[ray]'" keeps its brackets.
    # The root's mode is the one every command and sub-group renders with.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"factcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Find contradictions between news articles about the same event."""
    # Model-loading progress bars from transformers would clutter stderr; ours is the one progress bar.
    # The environment variable does it without importing transformers (a second of start-up, which
    # would delay the checks that run before any model loads).
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()


def main() -> None:
    """Console-script entry point."""
    app()


# The order here is the order of `factcheck --help`.
check.register(app)
eval_commands.register(app)
train.register(app)
batch.register(app)
index_commands.register(app)
