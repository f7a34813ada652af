"""Command-line interface: parses options, calls the library, turns library errors into one line."""

from __future__ import annotations

import sys

import typer

from factcheck import __version__
from factcheck.errors import FactcheckError

app = typer.Typer(
    name="factcheck",
    help="Find contradictions between news articles about the same event.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"factcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Find contradictions between news articles about the same event."""


def main() -> None:
    """Console-script entry point: library errors become one line on stderr and exit code 2."""
    try:
        app(standalone_mode=False)
    except FactcheckError as exc:
        print(f"factcheck: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("factcheck: aborted", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # click usage errors come through here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        raise
