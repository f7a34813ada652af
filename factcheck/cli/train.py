"""`factcheck train ...` (synthetic pairs, mined pairs) and `factcheck export-onnx`: the workshop's front door.

Parses options and calls ``factcheck.training``, which is imported only when one of these commands runs,
so the check pipeline never loads the workshop. Library errors become one line on stderr in the root group
(``factcheck.cli.common``).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["SynthKind", "app", "export_onnx_command", "mine_command", "register", "synth_command"]

app = typer.Typer(help="Build training data for the NLI model (the training workshop).", no_args_is_help=True,
                  rich_markup_mode=None)  # plain-text help, as the root app's

NewsOpt = Annotated[Path, typer.Option("--news", help="FNC-1 style bodies CSV (columns Body ID, articleBody).", show_default=False)]
OutOpt = Annotated[Path, typer.Option("--out", help="Output JSONL of labelled pairs.", show_default=False)]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed.")]


class SynthKind(str, Enum):
    """Which synthetic family `factcheck train synth` writes."""

    edits = "edits"
    compound = "compound"
    modal = "modal"
    syntax = "syntax"
    negation_forms = "negation-forms"
    news_families = "news-families"


@app.command("synth")
def synth_command(
    news: NewsOpt,
    out: OutOpt,
    kind: Annotated[SynthKind, typer.Option("--kind", help="edits: one rule-based edit per sentence; compound: compound sentences; modal: '-able' polarity; syntax: rewordings; negation-forms: where the negation sits; news-families: templated negated paraphrase, denial verbs, relative time words, infobox fragments (issue 16).")] = SynthKind.edits,
    seed: SeedOpt = 13,
) -> None:
    """Write synthetic news NLI pairs made by rule-based edits of real sentences (split by article)."""
    from factcheck.training.synth import synth_to_file

    n = synth_to_file(news, out, kind.value, seed=seed)
    typer.echo(f"wrote {n} pairs to {out}")


@app.command("mine")
def mine_command(
    news: NewsOpt,
    out: OutOpt,
    embedder: Annotated[str, typer.Option("--embedder", help="Sentence embedder used to find restatements.")] = "default",
    min_similarity: Annotated[float, typer.Option("--min-similarity", min=-1.0, max=1.0, help="Cosine floor for a restatement.")] = 0.78,
    seed: SeedOpt = 13,
    raw: Annotated[Path | None, typer.Option("--raw", help="Also keep the mined pairs (before labelling) here; read them from it instead of mining when it exists.")] = None,
) -> None:
    """Mine cross-article restatements from news bodies, label them, and add contradiction twins."""
    from factcheck.training.mine_pairs import mine_to_file

    mined, n = mine_to_file(news, out, embedder=embedder, min_similarity=min_similarity, seed=seed, raw=raw)
    typer.echo(f"{mined} mined pairs; wrote {n} rows to {out}")


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


def register(root: typer.Typer) -> None:
    """Add the `train` group and `export-onnx` to ``root``."""
    root.add_typer(app, name="train")
    root.command("export-onnx")(export_onnx_command)
