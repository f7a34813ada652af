"""`factcheck check` end to end: documents -> claims -> alignment -> two-way NLI -> verdicts -> ``Report``.

Each stage is a plain function over plain data; the embedder and NLI model are passed in (or loaded
by name once, here, for the CLI and the ``check`` convenience call).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Callable, Sequence, TextIO

import numpy as np

from factcheck import __version__
from factcheck.align import align, count_possible_pairs
from factcheck.claims import Claim, ClaimSet, extract_claim_set, no_claims_reason, require_comparable
from factcheck.cues import contradiction_cues
from factcheck.documents import Document, read_documents
from factcheck.embed import Embedder
from factcheck.errors import InputError
from factcheck.models import ModelInfo
from factcheck.nli import NLIModel
from factcheck.report.schema import Article, DroppedSpan, Finding, NLIScores, Report, Stats
from factcheck.report.schema import Claim as ReportClaim
from factcheck.verdict import Thresholds, Verdict, decide, same_wording, two_way_scores

log = logging.getLogger("factcheck")

# progress(stage, total) returns a callback advanced by the number of items done.
Progress = Callable[[str, int], Callable[[int], None]]


@dataclass(frozen=True)
class CheckSettings:
    """Everything that changes what `check` reports; recorded in the report's ``settings``."""

    top_k: int = 3
    min_similarity: float = 0.55
    within: bool = False
    context: bool = False
    include_all: bool = False
    split_clauses: bool = True
    min_words: int = 5
    batch_size: int = 32
    embed_batch_size: int = 64
    thresholds: Thresholds = field(default_factory=Thresholds)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["thresholds"] = self.thresholds.to_dict()
        return d


@dataclass(frozen=True)
class ScoredPair:
    """One aligned claim pair with its NLI probabilities both ways and the verdict."""

    a: Claim
    b: Claim
    similarity: float
    forward: np.ndarray
    backward: np.ndarray
    label: Verdict
    score: float
    reasons: tuple[str, ...]


def premise_text(claims: ClaimSet, claim: Claim, context: bool) -> str:
    """The premise side of a pair: the claim, optionally after its preceding sentence."""
    if not context or claim.sentence == 0:
        return claim.text
    prev = claims.sentences[claim.sentence - 1]
    return f"{prev.text} {claim.text}"


def score_pairs(claim_sets: Sequence[ClaimSet], embedder: Embedder, nli: NLIModel, settings: CheckSettings,
                progress: Progress | None = None) -> tuple[list[ScoredPair], dict]:
    """Align claims across articles, run NLI both ways, decide. Returns the pairs and stats."""
    claims = [c for cs in claim_sets for c in cs.claims]
    sets = {cs.article: cs for cs in claim_sets}
    groups = [c.article for c in claims]
    # A clause is never compared with its own sentence or a sibling clause.
    parents = [c.sentence for c in claims]
    stats = {"claims": len(claims),
             "pairs_possible": count_possible_pairs(groups, within=settings.within, parents=parents)}
    if len(claims) < 2:
        return [], {**stats, "pairs_scored": 0, "nli_calls": 0, "overlong_pairs": 0}
    texts = [c.text for c in claims]
    embeddings = embedder.embed(texts, batch_size=settings.embed_batch_size, progress=progress("embedding claims", len(texts)) if progress else None)
    candidates = align(embeddings, groups, top_k=settings.top_k, min_similarity=settings.min_similarity,
                       within=settings.within, parents=parents)
    pairs: list[tuple[str, str]] = []
    for cand in candidates:
        a, b = claims[cand.i], claims[cand.j]
        pairs.append((premise_text(sets[a.article], a, settings.context), b.text))
        pairs.append((premise_text(sets[b.article], b, settings.context), a.text))
    probs, overlong = nli.predict_with_flags(pairs, batch_size=settings.batch_size,
                                             progress=progress("NLI on aligned pairs", len(pairs)) if progress else None)
    forward, backward = probs[0::2], probs[1::2]
    contradiction, agreement = two_way_scores(forward, backward)
    identical = np.array([same_wording(claims[c.i].text, claims[c.j].text) for c in candidates], dtype=bool)
    labels, scores = decide(contradiction, agreement, settings.thresholds, identical)
    scored = []
    for k, cand in enumerate(candidates):
        a, b = claims[cand.i], claims[cand.j]
        reasons = [f"contradiction {forward[k, 2]:.2f} forward, {backward[k, 2]:.2f} backward"]
        reasons += ["same wording (case, punctuation or spacing aside)"] if identical[k] else contradiction_cues(a.text, b.text)
        if overlong[2 * k] or overlong[2 * k + 1]:
            reasons.append("a side exceeded the NLI model's window; its premise was truncated")
        scored.append(ScoredPair(a, b, cand.similarity, forward[k], backward[k], labels[k], float(scores[k]),
                                 tuple(reasons)))
    stats.update(pairs_scored=len(candidates), nli_calls=len(pairs), overlong_pairs=int(np.sum(overlong)))
    return scored, stats


def best_per_sentence_pair(pairs: list[ScoredPair]) -> list[ScoredPair]:
    """Keep one finding per (sentence, sentence) pair: clause claims must not repeat their sentence's finding."""
    best: dict[tuple, ScoredPair] = {}
    rank = {Verdict.contradiction: 2, Verdict.agreement: 1, Verdict.neutral: 0}
    for p in pairs:
        key = tuple(sorted([(p.a.article, p.a.sentence), (p.b.article, p.b.sentence)]))
        cur = best.get(key)
        if cur is None or (rank[p.label], p.score) > (rank[cur.label], cur.score):
            best[key] = p
    return list(best.values())


def _finding(p: ScoredPair) -> Finding:
    return Finding(
        label=p.label.value,
        score=round(p.score, 4),
        similarity=round(p.similarity, 4),
        claims=(ReportClaim(p.a.article, p.a.text, p.a.start, p.a.end),
                ReportClaim(p.b.article, p.b.text, p.b.start, p.b.end)),
        forward=NLIScores.from_row(p.forward),
        backward=NLIScores.from_row(p.backward),
        reasons=p.reasons,
    )


def build_report(documents: Sequence[Document], claim_sets: Sequence[ClaimSet], pairs: list[ScoredPair],
                 stats: dict, settings: CheckSettings, embedder_info: ModelInfo, nli_info: ModelInfo) -> Report:
    """The typed report: one finding per sentence pair, contradictions first (all verdicts with ``include_all``)."""
    best = best_per_sentence_pair(pairs)
    kept = best if settings.include_all else [p for p in best if p.label is Verdict.contradiction]
    order = {Verdict.contradiction: 0, Verdict.agreement: 1, Verdict.neutral: 2}
    kept.sort(key=lambda p: (order[p.label], -p.score, -p.similarity))
    counts = {v.value: 0 for v in Verdict}
    for p in best:
        counts[p.label.value] += 1
    n_claims = {cs.article: len(cs.claims) for cs in claim_sets}
    known = set(Stats.FIELDS)
    return Report(
        version=__version__,
        models={"embedder": embedder_info, "nli": nli_info},
        settings=settings.to_dict(),
        articles=tuple(Article(id=d.id, source=d.source, title=d.title, n_claims=n_claims.get(d.id, 0),
                               dropped_chars=d.dropped_chars, url=d.url, date=d.date,
                               dropped=tuple(DroppedSpan(s, e, r) for s, e, r in d.dropped))
                       for d in documents),
        stats=Stats(**{k: v for k, v in stats.items() if k in known}, verdicts=counts,
                    extra={k: v for k, v in stats.items() if k not in known}),
        findings=tuple(_finding(p) for p in kept),
    )


def prepare_claims(documents: Sequence[Document], settings: CheckSettings) -> list[ClaimSet]:
    """Stage 2 for every article; InputError when there is nothing to compare. Needs no models.

    Without ``within``, at least two articles must have claims; the error names each article that
    lost all its text and why. An article without claims beside two that have some is a warning.
    """
    if len(documents) < 2 and not settings.within:
        raise InputError(f"need at least two articles to compare, got {len(documents)}; "
                         "pass more files or use --within to check sentences inside one article")
    claim_sets = [extract_claim_set(d, min_words=settings.min_words, split_clauses=settings.split_clauses)
                  for d in documents]
    require_comparable(documents, claim_sets, settings.within)
    for d, cs in zip(documents, claim_sets):
        if not cs.claims:
            log.warning("%s: no claims, not compared: %s", d.source, no_claims_reason(d, cs))
        elif cs.windowed:
            log.info("%s: %d sentence(s) too long for one claim were cut into windows", d.source, cs.windowed)
    return claim_sets


def run_check(documents: Sequence[Document], embedder: Embedder, nli: NLIModel, settings: CheckSettings | None = None,
              progress: Progress | None = None, claim_sets: Sequence[ClaimSet] | None = None,
              load_seconds: float | None = None) -> Report:
    """Check already-read documents with the given models.

    ``claim_sets`` from ``prepare_claims`` skips stage 2 here. ``stats.seconds`` is the time of the
    check itself; ``load_seconds``, when given, is recorded beside it (``stats.load_seconds``).
    """
    settings = settings or CheckSettings()
    started = time.perf_counter()
    if claim_sets is None:
        claim_sets = prepare_claims(documents, settings)
    pairs, stats = score_pairs(claim_sets, embedder, nli, settings, progress)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    if load_seconds is not None:
        stats["load_seconds"] = round(load_seconds, 3)
    return build_report(documents, claim_sets, pairs, stats, settings, embedder.info, nli.info)


def model_thresholds(nli: NLIModel) -> Thresholds:
    """Thresholds saved with the NLI model (fitted on its dev split), else the neutral defaults."""
    saved = (nli.info.extra or {}).get("thresholds")
    if saved:
        return Thresholds.from_dict(saved, f"thresholds of NLI model {nli.info.name}")
    log.warning("NLI model %s has no fitted thresholds; using %s", nli.info.name, Thresholds())
    return Thresholds()


_SETTING_NAMES = tuple(f.name for f in fields(CheckSettings))


def settings_with(settings: CheckSettings | None = None, **options) -> CheckSettings:
    """``settings`` (default ``CheckSettings()``) with ``options`` (CheckSettings fields) replaced.

    Unknown option names raise TypeError listing the valid ones; values are checked like the CLI's.
    """
    unknown = sorted(set(options) - set(_SETTING_NAMES))
    if unknown:
        raise TypeError(f"unknown check option(s) {', '.join(unknown)}; valid: {', '.join(_SETTING_NAMES)}")
    out = replace(settings or CheckSettings(), **options)
    for name in ("top_k", "batch_size", "embed_batch_size", "min_words"):
        if not isinstance(getattr(out, name), int) or getattr(out, name) < 1:
            raise InputError(f"{name} must be a whole number of at least 1, got {getattr(out, name)!r}")
    if not isinstance(out.min_similarity, (int, float)) or not -1.0 <= out.min_similarity <= 1.0:
        raise InputError(f"min_similarity must lie between -1 and 1, got {out.min_similarity!r}")
    if not isinstance(out.thresholds, Thresholds):
        raise InputError(f"thresholds must be a factcheck.verdict.Thresholds, got {type(out.thresholds).__name__}")
    return out


def load_models(nli_model: str = "default", embedder: str = "default", device: str | None = None,
                quiet: bool = True, nli: NLIModel | None = None,
                embedder_model: Embedder | None = None) -> tuple[NLIModel, Embedder, float]:
    """Load the NLI model and the embedder by name (unless given); returns both and the seconds it took."""
    from factcheck.embed import load_embedder
    from factcheck.models import quiet_loading
    from factcheck.nli import load_nli

    started = time.perf_counter()
    with quiet_loading(quiet):
        nli = nli if nli is not None else load_nli(nli_model, device=device)
        embedder_model = embedder_model if embedder_model is not None else load_embedder(embedder, device=device)
    return nli, embedder_model, time.perf_counter() - started


def check(inputs: Sequence[str | Path] | str | Path, *, nli_model: str = "default", embedder: str = "default",
          device: str | None = None, settings: CheckSettings | None = None, stdin: TextIO | None = None,
          progress: Progress | None = None, nli=None, embedder_model=None, verbose: bool = False,
          **options) -> dict:
    """Library entry point: ``check(["a.txt", "b.txt"], top_k=5)`` returns the JSON report as a dict.

    ``options`` are ``CheckSettings`` fields (top_k, min_similarity, within, context, include_all,
    split_clauses, min_words, batch_size, embed_batch_size, thresholds), applied over ``settings``.
    Everything is checked before a model loads: inputs, options, that two articles have claims,
    model names and the device. Models are loaded by name unless instances are passed (``nli=``,
    ``embedder_model=``), quietly unless ``verbose``. Thresholds default to those saved with the NLI
    model. ``stats.seconds`` is the check; ``stats.load_seconds`` the model loading, when done here.
    """
    from factcheck.device import check_device
    from factcheck.embed import check_embedder_name
    from factcheck.nli import check_nli_name

    base = settings_with(settings, **options)
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    documents = read_documents(list(inputs), stdin=stdin)
    claim_sets = prepare_claims(documents, base)
    load_seconds = None
    if nli is None or embedder_model is None:
        if nli is None:
            check_nli_name(nli_model)
        if embedder_model is None:
            check_embedder_name(embedder)
        check_device(device)
        nli, embedder_model, load_seconds = load_models(nli_model, embedder, device, quiet=not verbose,
                                                        nli=nli, embedder_model=embedder_model)
    if settings is None and "thresholds" not in options:
        base = replace(base, thresholds=model_thresholds(nli))
    return run_check(documents, embedder_model, nli, base, progress, claim_sets=claim_sets,
                     load_seconds=load_seconds).to_dict()


__all__ = ["CheckSettings", "ScoredPair", "check", "run_check", "score_pairs", "build_report",
           "best_per_sentence_pair", "premise_text", "model_thresholds", "prepare_claims", "settings_with",
           "load_models"]
