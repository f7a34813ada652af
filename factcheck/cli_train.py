"""`factcheck train ...`: the training workshop's commands (synthetic pairs, mined pairs).

Parses options and calls ``factcheck.training``; imported only when a `train` command runs, so the check
pipeline never loads the workshop. Library errors become one line on stderr in factcheck.cli's group.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["SynthKind", "app", "mine_command", "synth_command"]

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
    from factcheck.training.synth import GENERATORS, print_counts, read_news_bodies, write_jsonl

    pairs = GENERATORS[kind.value](read_news_bodies(news), seed=seed)
    n = write_jsonl(pairs, out)
    print_counts(pairs)
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
