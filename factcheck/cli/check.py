"""`factcheck check`: read articles, run the check pipeline, write the report."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer

from factcheck.device import PRECISION_HELP, Precision
from factcheck.pipeline import CheckSettings
from factcheck.report import ReportFormat

__all__ = ["check", "register"]

# The check command's defaults are CheckSettings' own: one place to change them.
_DEFAULTS = CheckSettings()


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


def check(
    inputs: Annotated[list[str], typer.Argument(help="Article files or folders (.txt .md .html .json .jsonl), or - for stdin. URLs are not fetched.", show_default=False)],
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="Report format (default: from the -o file's ending .json .jsonl .md .html, else terminal).", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file instead of stdout (checked before any work).")] = None,
    nli_model: Annotated[str, typer.Option("--nli-model", help="NLI model: registry name (default, deberta-v3-base, ...), Hub id or local path.")] = "default",
    embedder: Annotated[str, typer.Option("--embedder", help="Sentence embedder: registry name, sentence-transformers name or local path.")] = "default",
    verify: Annotated[Optional[str], typer.Option("--verify", help="Cascade verifier: this NLI model re-scores the candidates the --nli-model screens and decides them (default: large, when installed and --nli-model is default; none: no cascade).", show_default=False)] = None,
    small: Annotated[bool, typer.Option("--small", help="The small 22M judge alone: faster, fewer verdicts that hold (no large verifier).")] = False,
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

    from factcheck.nli.cascade import default_verifier
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
    verify = default_verifier(verify, small, nli_model)
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
        from factcheck.nli.cascade import load_cascade

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


def register(app: typer.Typer) -> None:
    """Add `check` to ``app``."""
    app.command("check")(check)
