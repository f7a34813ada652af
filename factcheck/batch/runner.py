"""``factcheck.batch.run``: read clusters, skip whole shards, check the rest locally or on Ray.

Faults end the job with one ``FactcheckError`` line that says how many shards are done and that
the same command resumes: a failed write (full or read-only disk, I/O error, output folder removed)
raises ``OutputError``; SIGINT/SIGTERM (with ``handle_signals``) raise ``BatchInterrupted``,
whose ``exit_code`` is 130 / 143. A second job on the same folder is refused (``FolderLockedError``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path

from factcheck import __version__
from factcheck.batch.engine import ModelSpec, ShardProcessor, ShardResult, auto_batch_size, prefetch_claims
from factcheck.batch.inputs import ClusterInput, read_clusters
from factcheck.batch.sink import OutputFormat, ShardSink, ShardWriteError, input_fingerprint
from factcheck.batch.stop import Stopped, stop_on_signals
from factcheck.errors import FactcheckError, InputError, OutputError

__all__ = ["BatchInterrupted", "Engine", "Summary", "run"]

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
    repaired: int = 0  # damaged shards found at start and written again

    def to_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        rate = self.done / self.seconds if self.seconds > 0 else 0.0
        repaired = f", {self.repaired} damaged redone" if self.repaired else ""
        return (f"{self.done} done, {self.failed} failed, {self.skipped} skipped of {self.clusters} clusters "
                f"({self.shards_written} of {self.shards} shards written{repaired}, {self.nli_pairs} NLI pairs, "
                f"{self.seconds:.1f} s, {rate:.2f} clusters/s) -> {self.out}")


class BatchInterrupted(FactcheckError):
    """The job stopped on SIGINT or SIGTERM; ``exit_code`` is 128 + the signal number (130, 143)."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


# on_start(total clusters, already done); on_shard(result) after each shard; on_notice(line) for a
# damaged shard found at start.
OnStart = Callable[[int, int], None]
OnShard = Callable[[ShardResult], None]
OnNotice = Callable[[str], None]


def _fingerprint(info) -> dict:
    """What a resumed job must share with the first: the model and the precision it ran at (bf16 moves scores)."""
    out = {"name": info.name, "backend": info.backend, "revision": info.revision}
    precision = (info.extra or {}).get("precision")
    if precision is not None:
        out["precision"] = precision
    return out


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
    verbose: bool = False,
    max_articles: int = 2000,
    workers: int = 0,
    on_start: OnStart | None = None,
    on_shard: OnShard | None = None,
    on_notice: OnNotice | None = None,
    handle_signals: bool = False,
) -> Summary:
    """Check every cluster in ``source`` into shards under ``out``; returns a ``Summary``.

    ``settings`` (a ``CheckSettings``) default to the NLI model's fitted thresholds (and
    ``include_all``: report agreements and neutral pairs too); ``batch_size``
    None picks one for the device. ``workers``: processes that extract the claims of the shards
    ahead in the local engine while the models run (0: none, this process does it). Whole shards
    are skipped; a damaged one is redone, with a line to ``on_notice`` (default: a log warning). A
    folder written with other settings, models or input is refused (``InputError`` naming the
    difference), and so is a folder another job is writing (``FolderLockedError``). A failed write
    raises ``OutputError`` saying what failed, how many shards are done and that the same call
    resumes. ``handle_signals``: SIGINT/SIGTERM stop the job between shard writes and raise
    ``BatchInterrupted`` (main thread only). ``verbose``: Ray's own log lines reach the terminal
    (``--engine ray``; by default they stay in Ray's session logs).
    """
    from factcheck.pipeline import CheckSettings, model_thresholds

    if shard_size < 1:
        raise InputError(f"--shard-size must be at least 1, got {shard_size}")
    if workers < 0:
        raise InputError(f"--workers must be 0 or more, got {workers}")
    engine = Engine(engine)
    models = models or ModelSpec()
    notice = on_notice or log.warning
    started = time.perf_counter()
    sources = [source] if isinstance(source, (str, Path)) else list(source)
    clusters = read_clusters(sources, max_articles=max_articles)
    if not clusters:
        raise InputError("the input holds no clusters")
    if engine is Engine.ray:
        from factcheck.batch.ray_engine import require_ray

        require_ray()
    models.check()
    shards = [clusters[k:k + shard_size] for k in range(0, len(clusters), shard_size)]
    sink = ShardSink(out, fmt)
    results: list[ShardResult] = []
    job = _Job(sink, shards)
    try:
        with stop_on_signals(handle_signals):
            sink.lock()
            try:
                embedder, nli = models.load()
                settings = settings or CheckSettings(include_all=include_all, thresholds=model_thresholds(nli),
                                                     verify=models.verify)
                settings = replace(settings, batch_size=batch_size or auto_batch_size(nli))
                pinned = {k: v for k, v in settings.to_dict().items() if k not in _UNPINNED}
                sink.open({
                    "factcheck": __version__,
                    "settings": pinned,
                    "models": {"embedder": _fingerprint(embedder.info), "nli": _fingerprint(nli.info),
                               **({"verifier": _fingerprint(nli.verifier.info)} if models.verify else {})},
                    "input": {"clusters": len(clusters), "fingerprint": input_fingerprint([c.id for c in clusters])},
                    "shard_size": shard_size,
                    "shards": len(shards),
                })
                pending = job.pending(notice)
                skipped = len(clusters) - sum(len(s) for _, s in pending)
                if on_start:
                    on_start(len(clusters), skipped)

                def record(result: ShardResult) -> None:
                    results.append(result)
                    job.written += 1
                    if on_shard:
                        on_shard(result)

                if engine is Engine.local:
                    processor = ShardProcessor(embedder, nli, settings, str(sink.out), sink.format)
                    with closing(prefetch_claims(pending, settings, min(workers, len(pending)))) as todo:
                        for k, shard, prepared in todo:
                            record(processor.process(k, shard, prepared))
                else:
                    from factcheck.batch.ray_engine import run_on_ray

                    del embedder, nli  # the actors load their own
                    run_on_ray(pending, models, settings, str(sink.out), sink.format, address=ray_address,
                               actors=actors, verbose=verbose, on_shard=record)
            finally:
                sink.unlock()
    except ShardWriteError as exc:
        raise OutputError(job.failed(exc)) from None
    except Stopped as exc:
        raise BatchInterrupted(job.stopped(exc), exc.signum) from None
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
        repaired=job.repaired,
    )


class _Job:
    """Which shards of a job are whole, and the one-line account of a job that ended early."""

    def __init__(self, sink: ShardSink, shards: Sequence[Sequence[ClusterInput]]) -> None:
        self.sink, self.shards = sink, shards
        self.whole: int | None = None  # shards whole at start, once checked
        self.written = 0
        self.repaired = 0

    def pending(self, notice: OnNotice) -> list[tuple[int, Sequence[ClusterInput]]]:
        """The shards to check: absent or damaged ones (each damaged one said in a line to ``notice``)."""
        todo = []
        for k, shard in enumerate(self.shards):
            state, reason = self.sink.check(k, [c.id for c in shard])
            if state == "whole":
                continue
            if state == "damaged":
                notice(f"{self.sink.shard_path(k)}: damaged: {reason}; checking its {len(shard)} clusters again")
                self.repaired += 1
            todo.append((k, shard))
        self.whole = len(self.shards) - len(todo)
        return todo

    def _done(self) -> tuple[int, int]:
        """(whole shards, their clusters) now, checked on disk."""
        shards = clusters = 0
        for k, shard in enumerate(self.shards):
            try:
                whole = self.sink.check(k, [c.id for c in shard])[0] == "whole"
            except OSError:
                whole = False
            shards += whole
            clusters += len(shard) if whole else 0
        return shards, clusters

    def _progress(self) -> str:
        shards, clusters = self._done()
        total = sum(len(s) for s in self.shards)
        return f"{shards} of {len(self.shards)} shards done ({clusters} of {total} clusters)"

    def failed(self, exc: ShardWriteError) -> str:
        if not self.sink.out.is_dir():
            return (f"the output folder {self.sink.out} was removed during the run ({exc.reason} {exc.action} "
                    f"{Path(exc.path).name}); its shards went with it: run the same command to start the job again")
        return f"{exc}; {self._progress()}; {exc.hint}, then run the same command to resume"

    def stopped(self, exc: Stopped) -> str:
        return f"stopped by {exc.name}: {self._progress()}; run the same command to resume"
