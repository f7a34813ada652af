"""The work of one shard, shared by the local and the Ray engines: check its clusters, write the shard.

All clusters of a shard go through the pipeline's phases together (``pipeline.check_clusters``):
their claims are embedded in one call and their aligned pairs scored in shared NLI batches. With
``workers``, the local engine extracts the claims of the shards ahead in worker processes
(``prefetch_claims``) while this process runs the models.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from factcheck.batch.inputs import ClusterInput
from factcheck.batch.sink import OutputFormat, ShardSink
from factcheck.batch.stop import ignore_signals
from factcheck.errors import FactcheckError

__all__ = ["ModelSpec", "ShardProcessor", "ShardResult", "auto_batch_size", "prefetch_claims", "prepare_shard"]

log = logging.getLogger("factcheck")


@dataclass(frozen=True)
class ModelSpec:
    """Which models to load (by registry name or path) and where: picklable, so Ray actors can load them."""

    nli_model: str = "default"
    embedder: str = "default"
    device: str | None = None
    verify: str | None = None  # the cascade's verifier (factcheck.nli.cascade), or None
    precision: str = "auto"  # auto, fp32, bf16, int8 (factcheck.device.choose_precision)

    def check(self) -> None:
        """Refuse, before anything loads, model names, a device or a precision that cannot work."""
        from factcheck.device import check_device, check_precision
        from factcheck.embed import check_embedder_name
        from factcheck.nli import check_nli_name

        check_precision(self.precision)
        check_nli_name(self.nli_model)
        if self.verify:
            check_nli_name(self.verify)
        check_embedder_name(self.embedder)
        check_device(self.device)

    def load(self):
        """``(embedder, nli)``, loaded quietly through the registries (tests patch ``load_nli``/``load_embedder``)."""
        from factcheck import nli
        from factcheck.models import quiet_loading
        from factcheck.pipeline import load_models

        with quiet_loading():
            # As `check` loads them: the embedder takes the NLI model's precision.
            model, embedder, _ = load_models(self.nli_model, self.embedder, self.device, precision=self.precision)
            if self.verify:
                from factcheck.nli.cascade import CascadeNLI

                model = CascadeNLI(model, nli.load_nli(self.verify, device=self.device))
            return embedder, model


def auto_batch_size(nli) -> int:
    """NLI batch size for the model's device: large on a GPU (the host is the bottleneck), 32 on a CPU."""
    device = str((nli.info.extra or {}).get("device", "cpu"))
    return 256 if device.startswith("cuda") else 32


def prepare_shard(clusters: Sequence[ClusterInput], settings) -> list:
    """Phase 1 for a shard's readable clusters: ``ClusterClaims``, or the ``FactcheckError`` refusing one.

    Needs no models, so it runs in a worker process; the result is what ``check_prepared`` takes.
    """
    from factcheck.pipeline import extract_claims

    out: list = []
    for c in clusters:
        if c.error is None:
            try:
                out.append(extract_claims(c.documents, settings))
            except FactcheckError as exc:
                out.append(exc)
    return out


Shard = tuple[int, Sequence[ClusterInput]]


def _worker_context():
    """fork where there is one: spawn and forkserver re-run the caller's ``__main__`` in every worker
    (a script without an ``if __name__ == "__main__"`` guard would start its job again there). The
    workers only run ``prepare_shard`` (pure Python), never the models or threads a fork copies."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def prefetch_claims(shards: Iterable[Shard], settings, workers: int,
                    prepare=prepare_shard) -> Iterator[tuple[int, Sequence[ClusterInput], list | None]]:
    """``(index, clusters, prepared)`` for each shard in order, the claims extracted ``workers`` shards ahead.

    ``prepared`` is None with no workers, or when a worker failed on the shard (the caller then
    extracts the claims itself, so one bad shard is handled like without workers).
    """
    if workers < 1:
        yield from ((k, shard, None) for k, shard in shards)
        return
    # SIGINT/SIGTERM are this process's to act on: it drops the shard and shuts the workers down.
    pool = ProcessPoolExecutor(workers, mp_context=_worker_context(), initializer=ignore_signals)
    ahead: deque = deque()
    todo = iter(shards)

    def submit() -> None:
        for k, shard in todo:
            ahead.append((k, shard, pool.submit(prepare, list(shard), settings)))
            return

    try:
        for _ in range(workers + 1):
            submit()
        while ahead:
            k, shard, future = ahead.popleft()
            try:
                prepared = future.result()
            except Exception:  # noqa: BLE001 - extracted again in this process, where the error is recorded
                log.warning("claim extraction of shard %d failed in a worker; extracting here", k, exc_info=True)
                prepared = None
            submit()
            yield k, shard, prepared
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class ShardResult:
    """What one shard did: clusters checked and failed, NLI pairs scored, seconds."""

    index: int
    done: int
    failed: int
    nli_pairs: int
    seconds: float


class ShardProcessor:
    """Checks shards with models loaded once and writes each shard through the sink."""

    def __init__(self, embedder, nli, settings, out: str, fmt: OutputFormat | str) -> None:
        self.embedder = embedder
        self.nli = nli
        self.settings = settings
        self.sink = ShardSink(out, fmt)

    def records(self, clusters: Sequence[ClusterInput], prepared: list | None = None) -> tuple[list[dict], int]:
        """One record per cluster, in order (report with ``cluster``, or ``cluster`` + ``error``), and NLI pairs run.

        ``prepared``: the readable clusters' claims from ``prepare_shard``, if already extracted.
        """
        from factcheck.pipeline import check_clusters, check_prepared

        readable = [c for c in clusters if c.error is None]
        try:
            if prepared is not None:
                results, nli_pairs = check_prepared(prepared, self.embedder, self.nli, self.settings)
            else:
                results, nli_pairs = check_clusters([c.documents for c in readable], self.embedder, self.nli, self.settings)
        except Exception:  # a shared batch failed: check one cluster at a time to find the culprit
            log.warning("a shard's shared batch failed; checking its %d clusters one by one", len(readable), exc_info=True)
            results, nli_pairs = [], 0
            for c in readable:
                try:
                    one, n = check_clusters([c.documents], self.embedder, self.nli, self.settings)
                    results.append(one[0])
                    nli_pairs += n
                except Exception as exc:  # noqa: BLE001 - becomes the cluster's error record
                    results.append(exc)
        by_id = {c.id: r for c, r in zip(readable, results)}
        out = []
        for c in clusters:
            result = by_id.get(c.id)
            if c.error is not None:
                out.append({"cluster": c.id, "error": c.error})
            elif isinstance(result, BaseException):
                message = str(result) if isinstance(result, FactcheckError) else f"{type(result).__name__}: {result}"
                out.append({"cluster": c.id, "error": message})
            else:
                out.append({"cluster": c.id, **result.to_dict()})
        return out, nli_pairs

    def process(self, index: int, clusters: Sequence[ClusterInput], prepared: list | None = None) -> ShardResult:
        """Check ``clusters`` (claims already in ``prepared``, if given) and write them as shard ``index``."""
        started = time.perf_counter()
        records, nli_pairs = self.records(clusters, prepared)
        self.sink.write(index, records)
        failed = sum(1 for r in records if "error" in r)
        return ShardResult(index, len(records) - failed, failed, nli_pairs, round(time.perf_counter() - started, 3))
