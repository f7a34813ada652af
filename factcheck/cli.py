"""Command-line interface: parses options, calls the library, turns library errors into one line.

Every library error (``FactcheckError``) becomes ``factcheck: error: <message>`` on stderr and exit
code 2, with no traceback, whether the app runs as the console script or under ``CliRunner``.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import click
import typer
from typer.core import TyperGroup

from factcheck import __version__
from factcheck.device import PRECISION_HELP, Precision
from factcheck.errors import FactcheckError
from factcheck.pipeline import CheckSettings
from factcheck.report import ReportFormat

# The check command's defaults are CheckSettings' own: one place to change them.
_DEFAULTS = CheckSettings()


# Typer vendors its own click; its usage errors (bad value, unknown option, missing argument) share
# the base class of the public typer.BadParameter.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def _usage_line(exc) -> str:
    """A click usage error (bad option value, unknown option, missing argument) as one line."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.command_path if exc.ctx is not None else "factcheck"
    return f"{message} (see {command} --help)"


class _Group(TyperGroup):
    """Turns every library error and usage error, in any command, into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except FactcheckError as exc:
            click.echo(f"factcheck: error: {exc}", err=True)
            raise typer.Exit(2) from None
        except _UsageError as exc:
            click.echo(f"factcheck: error: {_usage_line(exc)}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    name="factcheck",
    cls=_Group,
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


# --------------------------------------------------------------------------- check


@contextmanager
def _progress(quiet: bool) -> Iterator[object]:
    """A rich progress bar on stderr, or None when quiet or stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        def stage(description: str, total: int):
            task = bar.add_task(description, total=total)
            return lambda n: bar.advance(task, n)

        yield stage


@app.command()
def check(
    inputs: Annotated[list[str], typer.Argument(help="Article files or folders (.txt .md .html .json .jsonl), or - for stdin. URLs are not fetched.", show_default=False)],
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="Report format (default: from the -o file's ending .json .jsonl .md .html, else terminal).", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file instead of stdout (checked before any work).")] = None,
    nli_model: Annotated[str, typer.Option("--nli-model", help="NLI model: registry name (default, deberta-v3-base, ...), Hub id or local path.")] = "default",
    embedder: Annotated[str, typer.Option("--embedder", help="Sentence embedder: registry name, sentence-transformers name or local path.")] = "default",
    verify: Annotated[Optional[str], typer.Option("--verify", help="Cascade: this NLI model (e.g. large) re-scores the candidates the --nli-model screens, and its verdict decides them.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also report agreements and neutral pairs, not only contradictions (one finding per sentence pair).")] = _DEFAULTS.include_all,
    within: Annotated[bool, typer.Option("--within", help="Also compare sentences inside the same article.")] = _DEFAULTS.within,
    context: Annotated[bool, typer.Option("--context", help="Give the NLI premise its preceding sentence as context.")] = _DEFAULTS.context,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Nearest neighbours per claim in each other article.")] = _DEFAULTS.top_k,
    min_similarity: Annotated[float, typer.Option("--min-similarity", min=-1.0, max=1.0, help="Cosine similarity floor for aligned claims.")] = _DEFAULTS.min_similarity,
    threshold: Annotated[Optional[float], typer.Option("--threshold", min=0.0, max=1.0, help="Contradiction threshold (default: the one fitted with the NLI model).")] = None,
    thresholds_file: Annotated[Optional[Path], typer.Option("--thresholds", help="Thresholds JSON (from factcheck calibrate) to use instead of the model's.")] = None,
    no_clauses: Annotated[bool, typer.Option("--no-clauses", help="Compare whole sentences only, no clause-level claims.")] = not _DEFAULTS.split_clauses,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="NLI batch size.")] = _DEFAULTS.batch_size,
    embed_batch_size: Annotated[int, typer.Option("--embed-batch-size", min=1, help="Sentence-embedding batch size.")] = _DEFAULTS.embed_batch_size,
    device: Annotated[Optional[str], typer.Option("--device", help="cpu, cuda, cuda:1, mps (default: a GPU if present).")] = None,
    precision: Annotated[Precision, typer.Option("--precision", help=PRECISION_HELP)] = Precision.auto,
    fail_on_contradiction: Annotated[bool, typer.Option("--fail-on-contradiction", help="Exit with code 1 when a contradiction is found.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Find sentences in different articles that contradict each other, with evidence."""
    from dataclasses import replace

    from factcheck.device import check_device
    from factcheck.documents import read_documents
    from factcheck.embed import check_embedder_name
    from factcheck.nli import check_nli_name
    from factcheck.output import check_output, output_format, write_output
    from factcheck.pipeline import load_models, model_thresholds, prepare_claims, run_check
    from factcheck.report import render, write_report
    from factcheck.verdict import Thresholds

    # Everything that can be wrong is checked before a model loads: output, options, inputs, names, device.
    report_format = ReportFormat(output_format(output, fmt.value if fmt else None))
    check_output(output)
    thresholds = Thresholds.load(thresholds_file) if thresholds_file else None
    settings = CheckSettings(top_k=top_k, min_similarity=min_similarity, within=within, context=context,
                             include_all=show_all, split_clauses=not no_clauses, batch_size=batch_size,
                             embed_batch_size=embed_batch_size, verify=verify)
    documents = read_documents(inputs, stdin=sys.stdin)
    claim_sets = prepare_claims(documents, settings)
    check_nli_name(nli_model)
    if verify:
        check_nli_name(verify)
    check_embedder_name(embedder)
    check_device(device)

    nli, emb, load_seconds = load_models(nli_model, embedder, device, precision=precision.value)
    if verify:
        from factcheck.cascade import load_cascade

        started = time.perf_counter()
        nli = load_cascade(nli, verify, device)
        load_seconds += time.perf_counter() - started
    thresholds = thresholds or model_thresholds(nli)
    if threshold is not None:
        thresholds = replace(thresholds, contradiction=threshold, fitted_on="--threshold")
    settings = replace(settings, thresholds=thresholds)
    with _progress(quiet) as progress:
        report = run_check(documents, emb, nli, settings, progress=progress, claim_sets=claim_sets,
                           load_seconds=load_seconds)
    texts = {d.id: d.text for d in documents}
    if output is None:
        write_report(report, report_format, None, texts=texts)
    else:
        write_output(output, render(report, report_format, texts))
    if fail_on_contradiction and report.count("contradiction"):
        raise typer.Exit(1)


from factcheck.cli_eval import register as _register_eval  # noqa: E402

_register_eval(app)

from factcheck.cli_train import app as _train_app  # noqa: E402  (imports factcheck.training only when run)

app.add_typer(_train_app, name="train")


@app.command("export-onnx")
def export_onnx_command(
    model: Annotated[str, typer.Argument(help="NLI model: registry name of a local model (default) or a model directory.")] = "default",
    out: Annotated[Optional[Path], typer.Option("--out", help="Output directory (default: the model's own directory).")] = None,
    int8: Annotated[bool, typer.Option("--int8/--no-int8", help="Also write a dynamically quantised int8 graph.")] = True,
) -> None:
    """Export a local NLI model to ONNX (fp32, and int8) for the ONNX Runtime backend (--nli-model default-onnx)."""
    from factcheck.nli import local_model_dir
    from factcheck.training.onnx_export import export_onnx

    written = export_onnx(local_model_dir(model), out_dir=out, quantize=int8)
    typer.echo(f"wrote ONNX graphs to {written}")


from factcheck.cli_batch import register as _register_batch  # noqa: E402

_register_batch(app)
