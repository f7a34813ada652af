"""``StoryIndex``: add articles to a story index, and check new articles against everything stored.

Adding reads nothing new: it takes documents (``factcheck.documents.read_documents``), splits them
with the check's own claim splitter and language rule, embeds each claim once (an embedding already
stored for the same text, or handed over by a check, is reused) and commits whole articles.

Checking composes the check's own stages: the new claims are embedded, each retrieves its nearest
stored claims from other articles, and the stored articles that answered join the new ones in one
cluster, with their stored claims and embeddings. That cluster is aligned exactly as ``check``
aligns it (``pipeline.align_cluster``), pairs between two stored articles are dropped, and the rest
go through the NLI model both ways, the time check, the cascade and the report as in ``check``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from factcheck.claims import ClaimSet, extract_claim_set, language_notice, no_claims_reason
from factcheck.documents import Document
from factcheck.embed import Embedder
from factcheck.errors import InputError
from factcheck.index.store import IndexPin, StoryStore, article_hash, text_hash
from factcheck.nli import NLIModel
from factcheck.nli.model import judge
from factcheck.pipeline import (AlignedCluster, CheckSettings, ClusterClaims, ScoredPair, align_cluster, build_report,
                                decide_pairs, embed_claims, plan_time_checks, score_nli, score_time_checks)
from factcheck.report.schema import Report
from factcheck.timecheck import parse_date
from factcheck.verdict import Verdict

__all__ = ["AddResult", "IndexCheck", "StoryIndex", "add_batch_inputs", "time_notes"]


@dataclass
class AddResult:
    """What an add did, article by article."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why): no claims to store
    claims: int = 0
    embedded: int = 0  # embeddings computed by this add (the rest were reused)
    embed_seconds: float = 0.0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged "
                f"(already stored), {len(self.skipped)} without claims; {self.claims} claims written, "
                f"{self.embedded} embedded in {self.embed_seconds:.1f} s, {self.seconds:.1f} s in all")


@dataclass(frozen=True)
class IndexCheck:
    """A check against the index: the report, the texts the renderers highlight, and the new claims."""

    report: Report
    texts: dict[str, str]
    claim_sets: tuple[ClaimSet, ...]
    vectors: np.ndarray
    retrieval_seconds: float


_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\w])|(?<![\w.,])\d+(?:\.\d+)?(?![\w])")


def _numbers(text: str) -> set[float]:
    out = set()
    for m in _NUMBER.finditer(text):
        v = float(m.group().replace(",", ""))
        if not (1900 <= v <= 2100 and "." not in m.group()):  # a year is a date, not a count
            out.add(v)
    return out


def time_notes(p: ScoredPair, days: dict[str, dt.date | None]) -> tuple[str, ...]:
    """Notes for a pair across time: both dates, and a later larger number marked a possible update."""
    da, db = days.get(p.a.article), days.get(p.b.article)
    if p.label is not Verdict.contradiction or da is None or db is None or da == db:
        return ()
    notes = [f"dated {da.isoformat()} ({p.a.article}) and {db.isoformat()} ({p.b.article})"]
    (early, e_day), (late, l_day) = sorted([(p.a, da), (p.b, db)], key=lambda x: x[1])
    old, new = _numbers(early.text) - _numbers(late.text), _numbers(late.text) - _numbers(early.text)
    if len(old) == 1 and len(new) == 1 and next(iter(new)) > next(iter(old)):
        n_old, n_new = next(iter(old)), next(iter(new))
        notes.append(f"possible update: the later article ({l_day.isoformat()}) gives {n_new:g} "
                     f"where the earlier one gave {n_old:g}")
    return tuple(notes)


class StoryIndex:
    """An index folder with the embedder it is pinned to and the claim settings."""

    def __init__(self, store: StoryStore, embedder: Embedder, settings: CheckSettings) -> None:
        self.store, self.embedder, self.settings = store, embedder, settings

    @classmethod
    def open(cls, path: str | Path, embedder: Embedder, settings: CheckSettings | None = None,
             create: bool = False) -> StoryIndex:
        """Open the index at ``path`` (``create``: make it if absent); refuses another embedder in one line."""
        settings = settings or CheckSettings()
        pin = IndexPin.of(embedder.info, embedder.dim, settings.min_words, settings.split_clauses, settings.nli_language)
        return cls(StoryStore.open(path, pin, create=create), embedder, settings)

    def split(self, documents: Sequence[Document]) -> list[ClaimSet]:
        """The check's claims of each article (same splitter, settings and language rule)."""
        s = self.settings
        return [extract_claim_set(d, min_words=s.min_words, split_clauses=s.split_clauses, language=s.nli_language)
                for d in documents]

    # --- add ----------------------------------------------------------------------------------

    def add(self, documents: Sequence[Document], claim_sets: Sequence[ClaimSet] | None = None,
            vectors: Sequence[np.ndarray] | None = None, commit_every: int = 32,
            on_commit: Callable[[int], None] | None = None) -> AddResult:
        """Store ``documents``: unchanged ones (same content hash) are left, a changed one replaces its old version.

        ``claim_sets`` and ``vectors`` (one array per document) reuse a check's work. Articles are
        committed ``commit_every`` at a time, each commit whole; ``on_commit`` gets the count done.
        """
        started = time.perf_counter()
        result = AddResult()
        claim_sets = list(claim_sets) if claim_sets is not None else self.split(documents)
        latest: dict[str, int] = {d.id: k for k, d in enumerate(documents)}  # a repeated id: the last one counts
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.store.writing():
            stored = self.store.hashes([d.id for d in documents])
            todo = []
            for k, d in enumerate(documents):
                if latest[d.id] != k:
                    continue
                if stored.get(d.id) == article_hash(d):
                    result.unchanged.append(d.id)
                elif not claim_sets[k].claims:
                    result.skipped.append((d.id, no_claims_reason(d, claim_sets[k])))
                else:
                    todo.append(k)
            for s in range(0, len(todo), commit_every):
                group = todo[s:s + commit_every]
                have: dict[str, np.ndarray] = {}
                if vectors is not None:
                    for k in group:
                        have.update((text_hash(c.text), v) for c, v in zip(claim_sets[k].claims, vectors[k]))
                need = {text_hash(c.text): c.text for k in group for c in claim_sets[k].claims}
                have.update(self.store.vectors_by_text([h for h in need if h not in have]))
                missing = [h for h in need if h not in have]
                if missing:
                    t0 = time.perf_counter()
                    made = self.embedder.embed([need[h] for h in missing], batch_size=self.settings.embed_batch_size)
                    result.embed_seconds += time.perf_counter() - t0
                    result.embedded += len(missing)
                    have.update(zip(missing, made))
                columns: dict[str, list] = {}
                for k in group:
                    rows = self.store.rows(documents[k], claim_sets[k], [have[text_hash(c.text)] for c in claim_sets[k].claims], stamp)
                    for name, values in rows.items():
                        columns.setdefault(name, []).extend(values)
                    (result.replaced if documents[k].id in stored else result.added).append(documents[k].id)
                    result.claims += len(claim_sets[k].claims)
                self.store.commit(columns, [documents[k].id for k in group if documents[k].id in stored])
                if on_commit:
                    on_commit(len(result.added) + len(result.replaced))
            if todo:
                self.store.maintain()
        result.seconds = time.perf_counter() - started
        return result

    def remove(self, article: str) -> int:
        """Remove article ``article``; InputError when it is not stored."""
        with self.store.writing():
            n = self.store.delete(article)
        if not n:
            raise InputError(f"{self.store.path}: no article {article!r} in the index")
        return n

    # --- check --------------------------------------------------------------------------------

    def check(self, documents: Sequence[Document], nli: NLIModel, settings: CheckSettings | None = None,
              since: str | None = None, retrieve: int = 10, max_articles: int = 30, exact: bool = False,
              progress=None) -> IndexCheck:
        """Check new ``documents`` against the stored articles (and each other); the report as ``check`` writes it.

        Each new claim retrieves its ``retrieve`` nearest stored claims (of articles dated ``since`` or
        later, when given); the ``max_articles`` stored articles with the closest claims take part.
        """
        settings = judge(nli, "judge_settings")(settings or self.settings)
        if since is not None and parse_date(since) is None:
            raise InputError(f"--since {since!r} is not a date (use YYYY-MM-DD)")
        since_day = parse_date(since).isoformat() if since else None
        started = time.perf_counter()
        claim_sets = self.split(documents)
        for d, cs in zip(documents, claim_sets):
            if not cs.claims:
                import logging

                logging.getLogger("factcheck").warning("%s: no claims, not compared: %s", d.source, no_claims_reason(d, cs))
            elif language_notice(cs):
                import logging

                logging.getLogger("factcheck").warning("%s: %s", d.source, language_notice(cs))
        if not any(cs.claims for cs in claim_sets):
            raise InputError("; ".join(f"{d.source}: no claims to check ({no_claims_reason(d, cs)})"
                                       for d, cs in zip(documents, claim_sets)))
        new = ClusterClaims(tuple(documents), tuple(claim_sets))
        new_vectors = embed_claims([new], self.embedder, settings, progress)[0]
        self.store.refresh()
        t0 = time.perf_counter()
        hits = self.store.search(new_vectors, retrieve, exclude=[d.id for d in documents], since=since_day, exact=exact)
        floor = min(settings.min_similarity, settings.lexical_floor if settings.lexical_floor is not None else 1.0)
        best: dict[str, float] = {}
        for row in hits:
            for aid, sim in row:
                if sim >= floor and sim > best.get(aid, -2.0):
                    best[aid] = sim
        chosen = sorted(best, key=lambda a: -best[a])[:max_articles]
        stored = self.store.articles(chosen)
        retrieval = time.perf_counter() - t0
        docs = tuple(documents) + tuple(s.document for s in stored)
        sets = tuple(claim_sets) + tuple(s.claim_set for s in stored)
        embeddings = np.concatenate([new_vectors] + [s.vectors for s in stored]) if stored else new_vectors
        aligned = align_cluster(ClusterClaims(docs, sets), embeddings, settings)
        fresh = {d.id for d in documents}
        claims = aligned.cluster.claims
        keep = [k for k, c in enumerate(aligned.candidates)
                if claims[c.i].article in fresh or claims[c.j].article in fresh]
        stats = dict(aligned.stats, index_articles_retrieved=len(best), index_articles_compared=len(stored),
                     index_retrieval_seconds=round(retrieval, 3), index_retrieve=retrieve,
                     **({"index_since": since_day} if since_day else {}))
        aligned = AlignedCluster(aligned.cluster, tuple(aligned.candidates[k] for k in keep),
                                 tuple(p for k in keep for p in aligned.nli_pairs[2 * k:2 * k + 2]), stats)
        ((probs, overlong),), _ = score_nli([aligned], nli, settings, progress)
        plan = plan_time_checks(aligned, probs, settings)
        (masked,) = score_time_checks([plan], nli, settings)
        decided = [decide_pairs(aligned, probs, overlong, settings, plan, masked)]
        decided = judge(nli, "review")([aligned], decided, settings, progress)
        pairs, stats = decided[0]
        from factcheck.timecheck import article_date

        days = {d.id: article_date(d.date, d.text) for d in docs}
        pairs = [replace(p, notes=p.notes + time_notes(p, days)) for p in pairs]
        stats["index_updates"] = sum(1 for p in pairs if any(n.startswith("possible update") for n in p.notes))
        stats["seconds"] = round(time.perf_counter() - started, 3)
        report = build_report(docs, sets, pairs, stats, settings, self.embedder.info, nli.info)
        report = replace(report, models={**report.models, **judge(nli, "report_models")()})
        return IndexCheck(report, {d.id: d.text for d in docs}, tuple(claim_sets), new_vectors, retrieval)


def add_batch_inputs(index: StoryIndex, inputs: Sequence[str | Path], max_articles: int = 2000) -> AddResult:
    """Store the articles of every cluster a batch job could check, as ``CLUSTER/ARTICLE`` ids.

    The clusters are read again with the batch reader; claims whose text is already stored keep their
    embedding, the others are embedded here once.
    """
    from factcheck.batch.inputs import read_clusters

    docs = [replace(d, id=f"{c.id}/{d.id}") for c in read_clusters(inputs, max_articles=max_articles)
            if c.error is None and len(c.documents) >= 2 for d in c.documents]
    return index.add(docs)
