"""`factcheck batch`: check many clusters into resumable shards (`batch INPUT... --out DIR`, `batch merge OUT`).

``batch`` is a group whose default command is ``run``: ``factcheck batch in.jsonl --out out/`` is
``factcheck batch run in.jsonl --out out/``. (Give ``batch run`` explicitly for an input file named
``merge`` or ``run``.)
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import click
import typer
from typer.core import TyperGroup

from factcheck.batch.runner import Engine
from factcheck.device import PRECISION_HELP, Precision
from factcheck.batch.sink import OutputFormat


class _RunByDefault(TyperGroup):
    """``batch ARGS`` means ``batch run ARGS`` unless ARGS starts with a subcommand or --help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


batch_app = typer.Typer(
    cls=_RunByDefault,
    help="Check thousands of article clusters into resumable shard files (default command: run).",
    no_args_is_help=True,
    rich_markup_mode=None,  # help texts are plain text: "factcheck[ray]" must show its brackets
)


@contextmanager
def _progress(quiet: bool) -> Iterator[tuple[object, object] | None]:
    """``(on_start, on_shard)`` driving a rich bar with clusters/s, NLI pairs/s and ETA; None when quiet or not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield None
        return
    columns = (TextColumn("clusters"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        state: dict = {}

        def on_start(total: int, skipped: int) -> None:
            state.update(task=bar.add_task("batch", total=total, completed=skipped, rate=""),
                         start=time.perf_counter(), clusters=0, pairs=0)

        def on_shard(result) -> None:
            state["clusters"] += result.done + result.failed
            state["pairs"] += result.nli_pairs
            elapsed = max(time.perf_counter() - state["start"], 1e-9)
            rate = f"{state['clusters'] / elapsed:.2f} clusters/s, {state['pairs'] / elapsed:.0f} NLI pairs/s"
            bar.update(state["task"], advance=result.done + result.failed, rate=rate)

        yield on_start, on_shard


@batch_app.command("run")
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="JSONL/Parquet files or folders (article per line with 'cluster', cluster per line with 'id' and 'articles', or a folder of cluster folders).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Output folder for shard files and manifest.json (resumes a job already there).")],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Shard file format.")] = OutputFormat.jsonl,
    engine: Annotated[Engine, typer.Option("--engine", help="local: this process; ray: Ray Data actors (pip install 'factcheck[ray]').")] = Engine.local,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Address of an existing Ray cluster (default: start a local one).")] = None,
    actors: Annotated[int, typer.Option("--actors", min=1, help="Ray actors, each with its own models (and one GPU if there are GPUs).")] = 1,
    shard_size: Annotated[int, typer.Option("--shard-size", min=1, help="Clusters per shard file (checked together in shared batches).")] = 64,
    batch_size: Annotated[Optional[int], typer.Option("--batch-size", min=1, help="NLI batch size (default: 256 on a GPU, 32 on a CPU).")] = None,
    nli_model: Annotated[str, typer.Option("--nli-model", help="NLI model: registry name, Hub id or local path.")] = "default",
    embedder: Annotated[str, typer.Option("--embedder", help="Sentence embedder: registry name, sentence-transformers name or local path.")] = "default",
    verify: Annotated[Optional[str], typer.Option("--verify", help="Cascade verifier: this NLI model re-scores the candidates the --nli-model screens and decides them (default: large, when installed and --nli-model is default; none: no cascade).", show_default=False)] = None,
    small: Annotated[bool, typer.Option("--small", help="The small 22M judge alone: faster, fewer verdicts that hold (no large verifier).")] = False,
    device: Annotated[Optional[str], typer.Option("--device", help="cpu, cuda, cuda:1 ... (default: a GPU if present).")] = None,
    precision: Annotated[Precision, typer.Option("--precision", help=PRECISION_HELP)] = Precision.auto,
    show_all: Annotated[bool, typer.Option("--all", help="Also report agreements and neutral pairs, not only contradictions.")] = False,
    max_articles: Annotated[int, typer.Option("--max-articles", min=2, help="Clusters with more articles fail with an error record.")] = 2000,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Processes extracting the claims of the next shards while the models run (for a GPU with spare CPU cores; 0: none).")] = 0,
    index: Annotated[Optional[Path], typer.Option("--index", help="Also store every checked cluster's articles in this story index (see factcheck index).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary line.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="With --engine ray: show Ray's own log lines (kept in Ray's session logs otherwise).")] = False,
) -> None:
    """Check every cluster into OUT/shard-*.jsonl; a stopped job resumes where it stopped.

    The same command resumes a job that was killed, stopped (Ctrl-C, SIGTERM: exit 130, 143) or
    ended by a full or read-only disk; it redoes only the shards not written whole, damaged ones
    included. One job at a time per OUT folder.
    """
    from factcheck.batch import BatchInterrupted, ModelSpec, run
    from factcheck.nli.cascade import default_verifier

    verify = default_verifier(verify, small, nli_model)

    if index is not None and index.exists() and (not index.is_dir() or any(index.iterdir())):
        from factcheck.index import StoryStore

        StoryStore.read_pin(index)  # a foreign or damaged folder is refused before any work

    def notice(line: str) -> None:
        typer.echo(f"factcheck: {line}", err=True)

    try:
        with _progress(quiet) as hooks:
            on_start, on_shard = hooks if hooks else (None, None)
            summary = run(inputs, out, include_all=show_all, models=ModelSpec(nli_model, embedder, device, verify, precision.value),
                          fmt=fmt, engine=engine, shard_size=shard_size, batch_size=batch_size,
                          ray_address=ray_address, actors=actors, verbose=verbose, max_articles=max_articles, workers=workers,
                          on_start=on_start, on_shard=on_shard, on_notice=notice, handle_signals=True)
    except BatchInterrupted as exc:
        typer.echo(f"factcheck: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    if not quiet:
        typer.echo(summary.line(), err=True)
    if index is not None:
        from factcheck.cli.index import _open
        from factcheck.index.core import add_batch_inputs

        added = add_batch_inputs(_open(index, embedder, device, create=True), inputs, max_articles)
        if not quiet:
            typer.echo(f"index {index}: {added.line()}", err=True)


@batch_app.command("merge")
def merge_command(
    out: Annotated[Path, typer.Argument(help="The --out folder of a batch job.", show_default=False)],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Merged JSONL file (default: OUT/merged.jsonl).")] = None,
) -> None:
    """Concatenate a job's shards into one JSONL file, one cluster per line.

    Every shard is checked against its checksum first: a damaged one is named (exit 2), and the
    batch command that wrote the folder, run again, repairs it.
    """
    from factcheck.batch import merge_shards

    dest, count = merge_shards(out, output, on_notice=lambda line: typer.echo(f"factcheck: {line}", err=True))
    typer.echo(f"wrote {count} clusters to {dest}")


def register(app: typer.Typer) -> None:
    """Add the `batch` group to ``app``."""
    app.add_typer(batch_app, name="batch")
