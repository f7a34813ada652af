"""What every command group shares: the group that turns library and usage errors into one line."""

from __future__ import annotations

import click
import typer
from typer.core import TyperGroup

from factcheck.errors import FactcheckError

__all__ = ["ErrorLineGroup", "usage_line"]

# Typer vendors its own click; its usage errors (bad value, unknown option, missing argument) share
# the base class of the public typer.BadParameter.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def usage_line(exc) -> str:
    """A click usage error (bad option value, unknown option, missing argument) as one line."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.command_path if exc.ctx is not None else "factcheck"
    return f"{message} (see {command} --help)"


class ErrorLineGroup(TyperGroup):
    """Turns every library error and usage error, in any command, into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FactcheckError as exc:
            click.echo(f"factcheck: error: {exc}", err=True)
            raise typer.Exit(2) from None
        except _UsageError as exc:
            click.echo(f"factcheck: error: {usage_line(exc)}", err=True)
            raise typer.Exit(2) from None
