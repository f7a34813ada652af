"""``factcheck.batch.run``: read clusters, skip finished shards, check the rest locally or on Ray."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path

from factcheck import __version__
from factcheck.batch.engine import ModelSpec, ShardProcessor, ShardResult, auto_batch_size, prefetch_claims
from factcheck.batch.inputs import read_clusters
from factcheck.batch.sink import OutputFormat, ShardSink, input_fingerprint
from factcheck.errors import InputError

__all__ = ["Engine", "Summary", "run"]

log = logging.getLogger("factcheck")

# Settings that change how fast a job runs, never what it finds: a resumed job may change them.
_UNPINNED = ("batch_size", "embed_batch_size")


class Engine(str, Enum):
    """Where shards are checked."""

    local = "local"
    ray = "ray"


@dataclass(frozen=True)
class Summary:
    """What a batch job did: clusters checked (done), failed, skipped (finished before), and throughput."""

    clusters: int
    done: int
    failed: int
    skipped: int
    shards: int
    shards_written: int
    nli_pairs: int
    seconds: float
    out: str

    def to_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        return (f"{self.done} done, {self.failed} failed, {self.skipped} skipped of {self.clusters} clusters "
                f"({self.shards_written} of {self.shards} shards written, {self.nli_pairs} NLI pairs, "
                f"{self.seconds:.1f} s, {rate:.2f} clusters/s) -> {self.out}")


# on_start(total clusters, already done); on_shard(result) after each shard.
OnStart = Callable[[int, int], None]
OnShard = Callable[[ShardResult], None]


def _fingerprint(info) -> dict:
    return {"name": info.name, "backend": info.backend, "revision": info.revision}


def run(
    source: str | Path | Sequence[str | Path],
    out: str | Path,
    *,
    settings=None,
    include_all: bool = False,
    models: ModelSpec | None = None,
    fmt: OutputFormat | str = OutputFormat.jsonl,
    engine: Engine | str = Engine.local,
    shard_size: int = 64,
    batch_size: int | None = None,
    ray_address: str | None = None,
    actors: int = 1,
    max_articles: int = 2000,
    workers: int = 0,
    on_start: OnStart | None = None,
    on_shard: OnShard | None = None,
) -> Summary:
    """Check every cluster in ``source`` into shards under ``out``; returns a ``Summary``.

    ``settings`` (a ``CheckSettings``) default to the NLI model's fitted thresholds (and
    ``include_all``: report agreements and neutral pairs too); ``batch_size``
    None picks one for the device. ``workers``: processes that extract the claims of the shards
    ahead in the local engine while the models run (0: none, this process does it). Finished shards are skipped; a folder written with other
    settings, models or input is refused (``InputError`` naming the difference).
    """
    from factcheck.pipeline import CheckSettings, model_thresholds

    if shard_size < 1:
        raise InputError(f"--shard-size must be at least 1, got {shard_size}")
    if workers < 0:
        raise InputError(f"--workers must be 0 or more, got {workers}")
    engine = Engine(engine)
    models = models or ModelSpec()
    started = time.perf_counter()
    sources = [source] if isinstance(source, (str, Path)) else list(source)
    clusters = read_clusters(sources, max_articles=max_articles)
    if not clusters:
        raise InputError("the input holds no clusters")
    if engine is Engine.ray:
        from factcheck.batch.ray_engine import require_ray

        require_ray()
    models.check()
    embedder, nli = models.load()
    settings = settings or CheckSettings(include_all=include_all, thresholds=model_thresholds(nli))
    settings = replace(settings, batch_size=batch_size or auto_batch_size(nli))
    shards = [clusters[k:k + shard_size] for k in range(0, len(clusters), shard_size)]
    pinned = {k: v for k, v in settings.to_dict().items() if k not in _UNPINNED}
    sink = ShardSink(out, fmt)
    sink.open({
        "factcheck": __version__,
        "settings": pinned,
        "models": {"embedder": _fingerprint(embedder.info), "nli": _fingerprint(nli.info)},
        "input": {"clusters": len(clusters), "fingerprint": input_fingerprint([c.id for c in clusters])},
        "shard_size": shard_size,
        "shards": len(shards),
    })
    pending = [(k, shard) for k, shard in enumerate(shards) if not sink.done(k)]
    skipped = len(clusters) - sum(len(s) for _, s in pending)
    if on_start:
        on_start(len(clusters), skipped)
    results: list[ShardResult] = []

    def record(result: ShardResult) -> None:
        results.append(result)
        if on_shard:
            on_shard(result)

    if engine is Engine.local:
        processor = ShardProcessor(embedder, nli, settings, str(sink.out), sink.format)
        for k, shard, prepared in prefetch_claims(pending, settings, min(workers, len(pending))):
            record(processor.process(k, shard, prepared))
    else:
        from factcheck.batch.ray_engine import run_on_ray

        del embedder, nli  # the actors load their own
        run_on_ray(pending, models, settings, str(sink.out), sink.format, address=ray_address, actors=actors,
                   on_shard=record)
    return Summary(
        clusters=len(clusters),
        done=sum(r.done for r in results),
        failed=sum(r.failed for r in results),
        skipped=skipped,
        shards=len(shards),
        shards_written=len(results),
        nli_pairs=sum(r.nli_pairs for r in results),
        seconds=round(time.perf_counter() - started, 3),
        out=str(out),
    )

