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
from factcheck.align import Candidate, align_copies, count_possible_pairs, lexical_candidates
from factcheck.claims import (Claim, ClaimSet, extract_claim_set, language_notice, no_claims_reason,
                              require_comparable)
from factcheck.cues import contradiction_cues
from factcheck.disputes import CONTRADICTION, ENTAILS, MUTUAL, OTHER, Link, build_disputes
from factcheck.documents import Document, read_documents
from factcheck.embed import Embedder
from factcheck.errors import FactcheckError, InputError
from factcheck.labels import ENT
from factcheck.models import ModelInfo
from factcheck.nli import NLIModel
from factcheck.nli.model import judge
from factcheck.report.schema import Article, DroppedSpan, Finding, NLIScores, Report, Stats
from factcheck.report.schema import Claim as ReportClaim
from factcheck.timecheck import article_date
from factcheck.valuecheck import ValueCheck, judge_values, plan_value_check, score_masked
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
    # Clusters of more than pair_cap_articles articles keep each claim's pair_cap best pairs only.
    pair_cap: int = 10
    pair_cap_articles: int = 6
    # Claims naming the same entity and both stating a date (or a number) are also paired down to this
    # cosine, one extra partner per claim at most (align.lexical_candidates); None turns it off.
    lexical_floor: float | None = 0.3
    thresholds: Thresholds = field(default_factory=Thresholds)
    # The cascade's verifier (an NLI model name, e.g. "large"): it re-scores the default model's candidates
    # and its verdict decides them (factcheck.nli.cascade); None: the NLI model alone decides.
    verify: str | None = None
    # The NLI model's language (ISO 639-1): claims in other languages are counted, not compared
    # (factcheck.language); None compares every claim (a multilingual model).
    nli_language: str | None = "en"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["thresholds"] = self.thresholds.to_dict()
        if d["verify"] is None:  # reports and batch manifests without a cascade stay as they were
            del d["verify"]
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
    identical: bool = False  # same wording: never a contradiction
    overlong: bool = False  # a side was truncated to the NLI model's window
    notes: tuple[str, ...] = ()  # what a later check (e.g. the time check) found, shown after the cues
    verifier: tuple[np.ndarray, np.ndarray] | None = None  # the cascade's verifier's (forward, backward), if run
    quiet_cues: tuple[str, ...] = ()  # cue reasons the value check proved wrong or restated ("numbers differ")

    @property
    def reasons(self) -> tuple[str, ...]:
        """The evidence shown with a finding: both contradiction scores, the cues that fire, truncation.

        Computed when asked (for reported findings), not for every scored pair.
        """
        reasons = [f"contradiction {self.forward[2]:.2f} forward, {self.backward[2]:.2f} backward"]
        cues = [] if self.identical else contradiction_cues(self.a.text, self.b.text)
        if self.quiet_cues:
            cues = [c for c in cues if not c.startswith(self.quiet_cues)]
        reasons += ["same wording (case, punctuation or spacing aside)"] if self.identical else cues
        if self.overlong:
            reasons.append("a side exceeded the NLI model's window; its premise was truncated")
        if self.verifier is not None:
            f, b = self.verifier
            reasons.insert(1, f"verifier: contradiction {f[2]:.2f} forward, {b[2]:.2f} backward")
        return tuple(reasons) + self.notes


def premise_text(claims: ClaimSet, claim: Claim, context: bool) -> str:
    """The premise side of a pair: the claim, optionally after its preceding sentence."""
    if not context or claim.sentence == 0:
        return claim.text
    prev = claims.sentences[claim.sentence - 1]
    return f"{prev.text} {claim.text}"


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


def _report_claim(c: Claim) -> ReportClaim:
    """A claim as a report shows it: its own words with their offsets, a list item's lead apart."""
    return ReportClaim(c.article, c.words, c.start, c.end, c.lead)


def _finding(p: ScoredPair) -> Finding:
    return Finding(
        label=p.label.value,
        score=round(p.score, 4),
        similarity=round(p.similarity, 4),
        claims=(_report_claim(p.a), _report_claim(p.b)),
        forward=NLIScores.from_row(p.forward),
        backward=NLIScores.from_row(p.backward),
        reasons=p.reasons,
        verifier=(NLIScores.from_row(p.verifier[0]), NLIScores.from_row(p.verifier[1])) if p.verifier is not None else None,
    )


def _link(p: ScoredPair, thresholds: Thresholds, finding: int | None) -> Link:
    """A scored pair as the dispute builder sees it: claims keyed by (article, start, end); for a
    one-way entailment, ``a`` is the claim that entails the other."""
    a, b = p.a, p.b
    if p.label is Verdict.contradiction:
        kind = CONTRADICTION
    elif p.identical or min(p.forward[ENT], p.backward[ENT]) >= thresholds.agreement:
        kind = MUTUAL
    elif p.label is Verdict.agreement:
        kind = ENTAILS
        if p.backward[ENT] > p.forward[ENT]:  # forward is premise a -> hypothesis b
            a, b = b, a
    else:
        kind = OTHER
    return Link((a.article, a.start, a.end), (b.article, b.start, b.end),
                _report_claim(a), _report_claim(b),
                kind, float(p.score), finding)


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
    sets = {cs.article: cs for cs in claim_sets}
    position = {id(p): k for k, p in enumerate(kept)}
    disputes = build_disputes([_link(p, settings.thresholds, position.get(id(p))) for p in best],
                              [d.id for d in documents] or list(n_claims))
    known = set(Stats.FIELDS)
    return Report(
        version=__version__,
        models={"embedder": embedder_info, "nli": nli_info},
        settings=settings.to_dict(),
        articles=tuple(Article(id=d.id, source=d.source, title=d.title, n_claims=n_claims.get(d.id, 0),
                               dropped_chars=d.dropped_chars, url=d.url, date=d.date,
                               dropped=tuple(DroppedSpan(s, e, r) for s, e, r in d.dropped),
                               language=sets[d.id].language if d.id in sets else None,
                               foreign_claims=sets[d.id].foreign if d.id in sets else 0)
                       for d in documents),
        stats=Stats(**{k: v for k, v in stats.items() if k in known}, verdicts=counts,
                    extra={k: v for k, v in stats.items() if k not in known}),
        findings=tuple(_finding(p) for p in kept),
        disputes=disputes,
    )


def prepare_claims(documents: Sequence[Document], settings: CheckSettings) -> list[ClaimSet]:
    """Stage 2 for every article; InputError when there is nothing to compare. Needs no models.

    Without ``within``, at least two articles must have claims; the error names each article that
    lost all its text and why. An article without claims beside two that have some is a warning.
    """
    if len(documents) < 2 and not settings.within:
        raise InputError(f"need at least two articles to compare, got {len(documents)}; "
                         "pass more files or use --within to check sentences inside one article")
    claim_sets = [extract_claim_set(d, min_words=settings.min_words, split_clauses=settings.split_clauses,
                                    language=settings.nli_language)
                  for d in documents]
    require_comparable(documents, claim_sets, settings.within)
    for d, cs in zip(documents, claim_sets):
        if not cs.claims:
            log.warning("%s: no claims, not compared: %s", d.source, no_claims_reason(d, cs))
        elif language_notice(cs):
            log.warning("%s: %s", d.source, language_notice(cs))
        elif cs.windowed:
            log.info("%s: %d sentence(s) too long for one claim were cut into windows", d.source, cs.windowed)
    return claim_sets


@dataclass(frozen=True)
class ClusterClaims:
    """Phase 1 of a check: one cluster's articles and their claims."""

    documents: tuple[Document, ...]
    claim_sets: tuple[ClaimSet, ...]

    @property
    def claims(self) -> list[Claim]:
        return [c for cs in self.claim_sets for c in cs.claims]


@dataclass(frozen=True)
class AlignedCluster:
    """Phase 3: the claim pairs of one cluster that go to NLI, both ways (``nli_pairs[2k]``, ``[2k + 1]``)."""

    cluster: ClusterClaims
    candidates: tuple[Candidate, ...]
    nli_pairs: tuple[tuple[str, str], ...]
    stats: dict


def extract_claims(documents: Sequence[Document], settings: CheckSettings) -> ClusterClaims:
    """Phase 1: the claims of every article (``prepare_claims``), kept with the articles."""
    return ClusterClaims(tuple(documents), tuple(prepare_claims(documents, settings)))


def embed_claims(clusters: Sequence[ClusterClaims], embedder: Embedder, settings: CheckSettings,
                 progress: Progress | None = None) -> list[np.ndarray]:
    """Phase 2: the claims of all ``clusters`` embedded in one call, each distinct text once."""
    texts = [[c.text for c in cl.claims] for cl in clusters]
    index: dict[str, int] = {}
    for ts in texts:
        for t in ts:
            index.setdefault(t, len(index))
    unique = list(index)
    vectors = embedder.embed(unique, batch_size=settings.embed_batch_size,
                             progress=progress("embedding claims", len(unique)) if progress and unique else None)
    return [vectors[[index[t] for t in ts]] if ts else np.zeros((0, embedder.dim), dtype=np.float32) for ts in texts]


def align_cluster(cluster: ClusterClaims, embeddings: np.ndarray, settings: CheckSettings) -> AlignedCluster:
    """Phase 3: candidate pairs of one cluster, copies of a claim aligned once and reported for each copy."""
    claims = cluster.claims
    sets = {cs.article: cs for cs in cluster.claim_sets}
    groups = [c.article for c in claims]
    # A clause is never compared with its own sentence or a sibling clause.
    parents = [c.sentence for c in claims]
    keys = [c.text for c in claims]  # copies of one text: aligned once, reported for each copy
    stats = {"claims": len(claims),
             "pairs_possible": count_possible_pairs(groups, within=settings.within, parents=parents)}
    candidates: list[Candidate] = []
    if len(claims) >= 2:
        cap = settings.pair_cap if len(cluster.documents) > settings.pair_cap_articles else None
        candidates = align_copies(embeddings, groups, keys, top_k=settings.top_k,
                                  min_similarity=settings.min_similarity, within=settings.within,
                                  parents=parents, max_per_claim=cap)
        if settings.lexical_floor is not None and not settings.within:
            extra = lexical_candidates(embeddings, groups, keys, floor=settings.lexical_floor,
                                       exclude={(c.i, c.j) for c in candidates})
            if extra:
                stats["pairs_lexical"] = len(extra)
                candidates = sorted(candidates + extra, key=lambda c: (-c.similarity, c.i, c.j))
    copies = len(claims) - len(set(keys))
    if copies:
        stats["claims_copied"] = copies
    pairs: list[tuple[str, str]] = []
    for cand in candidates:
        a, b = claims[cand.i], claims[cand.j]
        pairs.append((premise_text(sets[a.article], a, settings.context), b.text))
        pairs.append((premise_text(sets[b.article], b, settings.context), a.text))
    return AlignedCluster(cluster, tuple(candidates), tuple(pairs), stats)


def score_nli(aligned: Sequence[AlignedCluster], nli: NLIModel, settings: CheckSettings,
              progress: Progress | None = None) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
    """Phase 4: every cluster's NLI pairs in shared length-sorted batches, each distinct pair once.

    Returns each cluster's ``(probabilities, overlong)`` and the number of distinct pairs run.
    """
    index: dict[tuple[str, str], int] = {}
    for a in aligned:
        for pair in a.nli_pairs:
            index.setdefault(pair, len(index))
    unique = list(index)
    probs, overlong = nli.predict_with_flags(unique, batch_size=settings.batch_size,
                                             progress=progress("NLI on aligned pairs", len(unique)) if progress and unique else None)
    out = []
    for a in aligned:
        rows = np.fromiter((index[p] for p in a.nli_pairs), dtype=np.int64, count=len(a.nli_pairs))
        out.append((probs[rows], overlong[rows]))
    return out, len(unique)


def plan_time_checks(aligned: AlignedCluster, probs: np.ndarray, settings: CheckSettings) -> list[ValueCheck]:
    """Phase 4b: the pairs of one cluster whose verdict may hinge on a date or a figure (``factcheck.valuecheck``).

    Every pair whose claims both state an explicit date or a figure of the same unit, and every
    contradiction that states a time. Relative times resolve against each article's date.
    """
    if not aligned.candidates:
        return []
    claims = aligned.cluster.claims
    dates = {d.id: article_date(d.date, d.text) for d in aligned.cluster.documents}
    contradiction, agreement = two_way_scores(probs[0::2], probs[1::2])
    threshold = settings.thresholds.contradiction
    out: list[ValueCheck] = []
    for k, cand in enumerate(aligned.candidates):
        a, b = claims[cand.i], claims[cand.j]
        if a.text == b.text:
            continue
        flagged = bool(contradiction[k] >= threshold and contradiction[k] >= agreement[k])
        check = plan_value_check(k, a.text, b.text, dates.get(a.article), dates.get(b.article), flagged)
        if check is not None:
            out.append(check)
    return out


def score_time_checks(plans: Sequence[Sequence[ValueCheck]], nli: NLIModel,
                      settings: CheckSettings) -> list[dict[int, tuple[np.ndarray, np.ndarray]]]:
    """Phase 4b: every masked pair of every cluster scored both ways in one NLI call (each distinct pair once)."""
    flat = [replace(c, k=(n, c.k)) for n, plan in enumerate(plans) for c in plan]
    scored = score_masked(flat, nli, settings.batch_size)
    out: list[dict[int, tuple[np.ndarray, np.ndarray]]] = [{} for _ in plans]
    for (n, k), rows in scored.items():
        out[n][k] = rows
    return out


def decide_pairs(aligned: AlignedCluster, probs: np.ndarray, overlong: np.ndarray,
                 settings: CheckSettings, time_checks: Sequence[ValueCheck] = (),
                 masked_scores: dict[int, tuple[np.ndarray, np.ndarray]] | None = None) -> tuple[list[ScoredPair], dict]:
    """Phase 5: verdicts and reasons for one cluster's scored pairs, and its stats.

    With ``time_checks`` (phase 4b, ``factcheck.valuecheck.judge_values``): a pair whose masked claims
    state the same fact is decided by its dates and figures (differ: a contradiction; a larger later
    running total: a possible update; agree: no contradiction from them); a contradiction that does
    not survive masking its values is kept only when they differ.
    """
    claims = aligned.cluster.claims
    candidates = aligned.candidates
    stats = {**aligned.stats, "pairs_scored": len(candidates), "nli_calls": len(aligned.nli_pairs),
             "overlong_pairs": int(np.sum(overlong))}
    if not candidates:
        return [], stats
    forward, backward = probs[0::2], probs[1::2]
    contradiction, agreement = two_way_scores(forward, backward)
    identical = np.array([same_wording(claims[c.i].text, claims[c.j].text) for c in candidates], dtype=bool)
    labels, scores = decide(contradiction, agreement, settings.thresholds, identical)
    notes: dict[int, tuple[str, ...]] = {}
    masked_scores = masked_scores or {}
    counts = {"dates_differ": 0, "numbers_differ": 0, "update": 0, "cleared": 0}
    for t in time_checks:
        out = judge_values(t, masked_scores.get(t.k), float(contradiction[t.k]), float(agreement[t.k]),
                           settings.thresholds)
        if out.label is not None:
            labels[t.k], scores[t.k] = out.label, out.score
        if out.notes:
            notes[t.k] = out.notes
        if out.counter:
            counts[out.counter] += 1
    if time_checks:
        stats["time_checked"] = len(time_checks)
        stats["time_cleared"] = counts["cleared"]
        stats["time_dates_differ"] = counts["dates_differ"]
        stats["numbers_differ"] = counts["numbers_differ"]
        stats["possible_updates"] = counts["update"]
    cut = overlong[0::2] | overlong[1::2]
    quiet = {t.k: _quiet_cues(t, notes.get(t.k, ())) for t in time_checks}
    scored = [ScoredPair(claims[cand.i], claims[cand.j], cand.similarity, forward[k], backward[k], labels[k],
                         float(scores[k]), bool(identical[k]), bool(cut[k]), notes.get(k, ()), quiet_cues=quiet.get(k, ()))
              for k, cand in enumerate(candidates)]
    return scored, stats


def _quiet_cues(check: ValueCheck, notes: tuple[str, ...]) -> tuple[str, ...]:
    """The date/number cues that the value check contradicts (values agree) or restates in its notes."""
    out = []
    if (check.numbers is not None and check.numbers.status != "differ") or any(n.startswith("numbers differ") for n in notes):
        out.append("numbers differ")
    if (check.dates is not None and check.dates.status == "same") or any(n.startswith("dates differ") for n in notes):
        out.append("dates differ")
    return tuple(out)


def score_pairs(claim_sets: Sequence[ClaimSet], embedder: Embedder, nli: NLIModel, settings: CheckSettings,
                progress: Progress | None = None) -> tuple[list[ScoredPair], dict]:
    """Align claims across articles, run NLI both ways, decide (phases 2-5 for one cluster)."""
    cluster = ClusterClaims((), tuple(claim_sets))
    aligned = align_cluster(cluster, embed_claims([cluster], embedder, settings, progress)[0], settings)
    ((probs, overlong),), _ = score_nli([aligned], nli, settings, progress)
    plan = plan_time_checks(aligned, probs, settings)
    (masked,) = score_time_checks([plan], nli, settings)
    return decide_pairs(aligned, probs, overlong, settings, plan, masked)


def check_clusters(clusters: Sequence[Sequence[Document]], embedder: Embedder, nli: NLIModel,
                   settings: CheckSettings, progress: Progress | None = None) -> tuple[list[Report | FactcheckError], int]:
    """Check many clusters at once: one embedding call, shared NLI batches, one ``Report`` per cluster.

    A cluster the pipeline refuses (e.g. one article, or no claims) gets its ``FactcheckError`` in
    its place. Also returns the number of distinct NLI pairs run.
    """
    prepared: list[ClusterClaims | FactcheckError] = []
    for documents in clusters:
        try:
            prepared.append(extract_claims(documents, settings))
        except FactcheckError as exc:
            prepared.append(exc)
    return check_prepared(prepared, embedder, nli, settings, progress)


def check_prepared(prepared: Sequence[ClusterClaims | FactcheckError], embedder: Embedder, nli: NLIModel,
                   settings: CheckSettings, progress: Progress | None = None) -> tuple[list[Report | FactcheckError], int]:
    """Phases 2-5 and the reports for clusters whose claims are extracted (errors pass through)."""
    settings = judge(nli, "judge_settings")(settings)
    started = time.perf_counter()
    ok = [p for p in prepared if isinstance(p, ClusterClaims)]
    embeddings = embed_claims(ok, embedder, settings, progress)
    aligned = [align_cluster(cl, emb, settings) for cl, emb in zip(ok, embeddings)]
    scored, nli_pairs = score_nli(aligned, nli, settings, progress)
    plans = [plan_time_checks(item, probs, settings) for item, (probs, _) in zip(aligned, scored)]
    masked = score_time_checks(plans, nli, settings)
    decided = [decide_pairs(item, probs, overlong, settings, plan, masked_scores)
               for item, (probs, overlong), plan, masked_scores in zip(aligned, scored, plans, masked)]
    decided = judge(nli, "review")(aligned, decided, settings, progress)
    # Time is shared across the clusters checked together: each reports its share by claims.
    seconds = time.perf_counter() - started
    total_claims = sum(a.stats["claims"] for a in aligned) or 1
    out: list[Report | FactcheckError] = []
    for item, (pairs, stats) in zip(aligned, decided):
        stats["seconds"] = round(seconds * (stats["claims"] / total_claims if len(aligned) > 1 else 1.0), 3)
        report = build_report(item.cluster.documents, item.cluster.claim_sets, pairs, stats, settings, embedder.info,
                              nli.info)
        out.append(replace(report, models={**report.models, **judge(nli, "report_models")()}))
    done = iter(out)
    return [p if isinstance(p, FactcheckError) else next(done) for p in prepared], nli_pairs


def run_check(documents: Sequence[Document], embedder: Embedder, nli: NLIModel, settings: CheckSettings | None = None,
              progress: Progress | None = None, claim_sets: Sequence[ClaimSet] | None = None,
              load_seconds: float | None = None) -> Report:
    """Check already-read documents with the given models (the batch phases, for one cluster).

    ``claim_sets`` from ``prepare_claims`` skips stage 2 here. ``stats.seconds`` is the time of the
    check itself; ``load_seconds``, when given, is recorded beside it (``stats.load_seconds``).
    """
    settings = settings or CheckSettings()
    started = time.perf_counter()
    if claim_sets is None:
        claim_sets = prepare_claims(documents, settings)
    (report,), _ = check_prepared([ClusterClaims(tuple(documents), tuple(claim_sets))], embedder, nli, settings, progress)
    extra = dict(report.stats.extra)
    if load_seconds is not None:
        extra["load_seconds"] = round(load_seconds, 3)
    return replace(report, stats=replace(report.stats, seconds=round(time.perf_counter() - started, 3), extra=extra))


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
    for name in ("top_k", "batch_size", "embed_batch_size", "min_words", "pair_cap", "pair_cap_articles"):
        if not isinstance(getattr(out, name), int) or getattr(out, name) < 1:
            raise InputError(f"{name} must be a whole number of at least 1, got {getattr(out, name)!r}")
    if out.nli_language is not None and not (isinstance(out.nli_language, str) and out.nli_language.isalpha()):
        raise InputError(f"nli_language must be a language code such as 'en' (or None), got {out.nli_language!r}")
    for name in ("min_similarity", "lexical_floor"):
        value = getattr(out, name)
        if (value is not None or name == "min_similarity") and (
                not isinstance(value, (int, float)) or isinstance(value, bool) or not -1.0 <= value <= 1.0):
            raise InputError(f"{name} must lie between -1 and 1, got {value!r}")
    if not isinstance(out.thresholds, Thresholds):
        raise InputError(f"thresholds must be a factcheck.verdict.Thresholds, got {type(out.thresholds).__name__}")
    return out


def load_models(nli_model: str = "default", embedder: str = "default", device: str | None = None,
                quiet: bool = True, nli: NLIModel | None = None,
                embedder_model: Embedder | None = None, precision: str = "auto") -> tuple[NLIModel, Embedder, float]:
    """Load the NLI model and the embedder by name (unless given); returns both and the seconds it took.

    ``precision`` (auto, fp32, bf16, int8) is the NLI model's; the embedder takes the same float
    precision (with int8, its own auto choice). Each records its choice in ``info.extra["precision"]``.
    """
    from factcheck.embed import load_embedder
    from factcheck.models import quiet_loading
    from factcheck.nli import load_nli

    started = time.perf_counter()
    with quiet_loading(quiet):
        # Precision is passed only when set, so loaders with the older signature (test fakes) still fit.
        nli = nli if nli is not None else load_nli(nli_model, device=device, **_precision_kw(precision))
        chosen = (getattr(getattr(nli, "info", None), "extra", None) or {}).get("precision", precision)
        same = chosen if chosen in ("fp32", "bf16") else "auto"
        embedder_model = (embedder_model if embedder_model is not None
                          else load_embedder(embedder, device=device, **_precision_kw(same)))
    return nli, embedder_model, time.perf_counter() - started


def _precision_kw(precision: str | None) -> dict:
    return {} if precision in (None, "auto") else {"precision": precision}


def check(inputs: Sequence[str | Path] | str | Path, *, nli_model: str = "default", embedder: str = "default",
          device: str | None = None, settings: CheckSettings | None = None, stdin: TextIO | None = None,
          progress: Progress | None = None, nli=None, embedder_model=None, verbose: bool = False,
          precision: str = "auto", **options) -> dict:
    """Library entry point: ``check(["a.txt", "b.txt"], top_k=5)`` returns the JSON report as a dict.

    ``options`` are ``CheckSettings`` fields (top_k, min_similarity, within, context, include_all,
    split_clauses, min_words, batch_size, embed_batch_size, thresholds), applied over ``settings``.
    Everything is checked before a model loads: inputs, options, that two articles have claims,
    model names and the device. Models are loaded by name unless instances are passed (``nli=``,
    ``embedder_model=``), quietly unless ``verbose``. Thresholds default to those saved with the NLI
    model. ``stats.seconds`` is the check; ``stats.load_seconds`` the model loading, when done here.
    ``precision`` (auto, fp32, bf16, int8) as for ``load_models``.
    """
    from factcheck.device import check_device, check_precision
    from factcheck.embed import check_embedder_name
    from factcheck.nli import check_nli_name

    base = settings_with(settings, **options)
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    documents = read_documents(list(inputs), stdin=stdin)
    claim_sets = prepare_claims(documents, base)
    if base.verify:
        check_nli_name(base.verify)
    load_seconds = None
    if nli is None or embedder_model is None:
        if nli is None:
            check_nli_name(nli_model)
        if embedder_model is None:
            check_embedder_name(embedder)
        check_device(device)
        precision = check_precision(precision)
        nli, embedder_model, load_seconds = load_models(nli_model, embedder, device, quiet=not verbose,
                                                        nli=nli, embedder_model=embedder_model, precision=precision)
    if base.verify:
        from factcheck.nli.cascade import load_cascade

        loading = time.perf_counter()
        nli = load_cascade(nli, base.verify, device)
        load_seconds = (load_seconds or 0.0) + time.perf_counter() - loading
    if settings is None and "thresholds" not in options:
        base = replace(base, thresholds=model_thresholds(nli))
    return run_check(documents, embedder_model, nli, base, progress, claim_sets=claim_sets,
                     load_seconds=load_seconds).to_dict()


__all__ = ["AlignedCluster", "CheckSettings", "ClusterClaims", "ScoredPair", "align_cluster", "check", "check_clusters",
           "check_prepared", "decide_pairs", "embed_claims", "extract_claims", "run_check", "score_nli", "score_pairs",
           "build_report",
           "best_per_sentence_pair", "premise_text", "model_thresholds", "prepare_claims", "settings_with",
           "load_models"]
