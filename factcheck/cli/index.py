"""`factcheck index`: a story index that remembers every article (add, check, stats, remove)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from factcheck.cli.check import _progress
from factcheck.device import PRECISION_HELP, Precision
from factcheck.pipeline import CheckSettings
from factcheck.report import ReportFormat

__all__ = ["index_app", "register"]

_DEFAULTS = CheckSettings()

index_app = typer.Typer(
    help="A story index: store every article's claims once, then check each new article against all of them.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

IndexDir = Annotated[Path, typer.Option("--index", help="The index folder (made by the first `index add`).")]
Embedder = Annotated[str, typer.Option("--embedder", help="Sentence embedder; must be the one the index is pinned to.")]
Device = Annotated[Optional[str], typer.Option("--device", help="cpu, cuda, cuda:1, mps (default: a GPU if present).")]


def _open(index: Path, embedder: str, device: str | None, create: bool, settings: CheckSettings | None = None):
    """Check the folder and the embedder's name against its pin before loading the embedder, then open it."""
    from factcheck.device import check_device
    from factcheck.embed import check_embedder_name, load_embedder
    from factcheck.index import StoryIndex, StoryStore
    from factcheck.errors import FactcheckError
    from factcheck.index.store import IndexError_

    fresh = create and (not index.exists() or (index.is_dir() and not any(index.iterdir())))
    if not fresh:
        pin = StoryStore.read_pin(index)
        if embedder != pin.embedder and embedder == "default":
            try:  # the index's own embedder unless another is asked for
                check_embedder_name(pin.embedder)
                embedder = pin.embedder
            except FactcheckError:
                pass  # not a name this machine loads: the pin check below names both
        elif embedder != pin.embedder:
            raise IndexError_(f"{index}: index built with embedder {pin.describe()}, this run asks for {embedder}; "
                              f"pass --embedder {pin.embedder} or use another index folder")
    check_embedder_name(embedder)
    check_device(device)
    from factcheck.models import quiet_loading

    with quiet_loading(True):
        model = load_embedder(embedder, device=device)
    return StoryIndex.open(index, model, settings, create=create)


@index_app.command("add")
def add_command(
    inputs: Annotated[list[str], typer.Argument(help="Article files or folders (.txt .md .html .json .jsonl), or - for stdin.", show_default=False)],
    index: IndexDir,
    embedder: Embedder = "default",
    device: Device = None,
    no_clauses: Annotated[bool, typer.Option("--no-clauses", help="Store whole sentences only (fixed when the index is made).")] = False,
    commit_every: Annotated[int, typer.Option("--commit-every", min=1, help="Articles per commit (each commit holds whole articles).")] = 32,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
) -> None:
    """Split, embed and store articles. An article already stored is left as it is; a changed one replaces it.

    Articles are committed whole: an add that is killed leaves each article absent or complete, and the
    same command, run again, stores the rest.
    """
    from factcheck.documents import read_documents

    documents = read_documents(inputs, stdin=sys.stdin)
    idx = _open(index, embedder, device, create=True, settings=CheckSettings(split_clauses=not no_clauses))
    result = idx.add(documents, commit_every=commit_every)
    for aid, why in result.skipped:
        typer.echo(f"factcheck: {aid}: not stored: {why}", err=True)
    if not quiet:
        typer.echo(result.line(), err=True)


@index_app.command("check")
def check_command(
    inputs: Annotated[list[str], typer.Argument(help="New article files or folders, or - for stdin.", show_default=False)],
    index: IndexDir,
    since: Annotated[Optional[str], typer.Option("--since", help="Compare with stored articles dated on or after this day (YYYY-MM-DD) only.")] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Nearest neighbours per claim in each other article (as in check).")] = _DEFAULTS.top_k,
    retrieve: Annotated[int, typer.Option("--retrieve", min=1, help="Nearest stored claims each new claim retrieves from the index.")] = 10,
    max_articles: Annotated[int, typer.Option("--max-articles", min=1, help="Stored articles compared at most (those with the nearest claims).")] = 30,
    add: Annotated[bool, typer.Option("--add", help="Store the new articles after the check.")] = False,
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="Report format (default: from the -o file's ending .json .jsonl .md .html, else terminal).", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")] = None,
    nli_model: Annotated[str, typer.Option("--nli-model", help="NLI model: registry name, Hub id or local path.")] = "default",
    verify: Annotated[Optional[str], typer.Option("--verify", help="Cascade verifier, as for check (default: large, when installed and --nli-model is default; none: no cascade).", show_default=False)] = None,
    small: Annotated[bool, typer.Option("--small", help="The small 22M judge alone (no large verifier).")] = False,
    embedder: Embedder = "default",
    show_all: Annotated[bool, typer.Option("--all", help="Also report agreements and neutral pairs.")] = False,
    min_similarity: Annotated[float, typer.Option("--min-similarity", min=-1.0, max=1.0, help="Cosine similarity floor for aligned claims.")] = _DEFAULTS.min_similarity,
    device: Device = None,
    precision: Annotated[Precision, typer.Option("--precision", help=PRECISION_HELP)] = Precision.auto,
    fail_on_contradiction: Annotated[bool, typer.Option("--fail-on-contradiction", help="Exit with code 1 when a contradiction is found.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Check new articles against every stored article; writes the usual report, stored articles included."""
    from dataclasses import replace

    import numpy as np

    from factcheck.documents import read_documents
    from factcheck.index.store import StoryStore
    from factcheck.nli import check_nli_name
    from factcheck.output import check_output, output_format, write_output
    from factcheck.pipeline import load_models, model_thresholds
    from factcheck.report import render, write_report
    from factcheck.timecheck import parse_date
    from factcheck.errors import InputError

    report_format = ReportFormat(output_format(output, fmt.value if fmt else None))
    check_output(output)
    if since is not None and parse_date(since) is None:
        raise InputError(f"--since {since!r} is not a date (use YYYY-MM-DD)")
    from factcheck.nli.cascade import default_verifier

    verify = default_verifier(verify, small, nli_model)
    documents = read_documents(inputs, stdin=sys.stdin)
    pin = StoryStore.read_pin(index)
    check_nli_name(nli_model)
    if verify:
        check_nli_name(verify)
    settings = CheckSettings(top_k=top_k, min_similarity=min_similarity, include_all=show_all, verify=verify)
    settings = replace(settings, split_clauses=pin.split_clauses, min_words=pin.min_words)
    idx = _open(index, embedder, device, create=False, settings=settings)
    nli, _, _ = load_models(nli_model, device=device, embedder_model=idx.embedder, precision=precision.value)
    if verify:
        from factcheck.nli.cascade import load_cascade

        nli = load_cascade(nli, verify, device)
    settings = replace(settings, thresholds=model_thresholds(nli))
    with _progress(quiet) as progress:
        result = idx.check(documents, nli, settings, since=since, retrieve=retrieve, max_articles=max_articles,
                           progress=progress)
    if output is None:
        write_report(result.report, report_format, None, texts=result.texts)
    else:
        write_output(output, render(result.report, report_format, result.texts))
    if add:
        counts = np.cumsum([0] + [len(cs.claims) for cs in result.claim_sets])
        vectors = [result.vectors[counts[k]:counts[k + 1]] for k in range(len(documents))]
        typer.echo(idx.add(documents, result.claim_sets, vectors).line(), err=True)
    if fail_on_contradiction and result.report.count("contradiction"):
        raise typer.Exit(1)


@index_app.command("stats")
def stats_command(
    index: IndexDir,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Articles, claims, size on disk, embedder and dates of an index."""
    from factcheck.index import StoryStore

    stats = StoryStore.open(index).stats()
    stats["index"] = str(index)
    if as_json:
        typer.echo(json.dumps(stats, indent=1))
        return
    for key, value in stats.items():
        typer.echo(f"{key}: {value}")


@index_app.command("remove")
def remove_command(
    article: Annotated[str, typer.Argument(help="The article id to remove.", show_default=False)],
    index: IndexDir,
) -> None:
    """Remove one article and its claims (in one commit)."""
    from factcheck.index import StoryStore
    from factcheck.errors import InputError

    store = StoryStore.open(index)
    with store.writing():
        n = store.delete(article)
    if not n:
        raise InputError(f"{index}: no article {article!r} in the index")
    typer.echo(f"removed {article} ({n} claims)", err=True)


def register(app: typer.Typer) -> None:
    """Add the `index` group to ``app``."""
    app.add_typer(index_app, name="index")
