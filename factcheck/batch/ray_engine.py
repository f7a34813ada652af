"""``--engine ray``: the same shard work (``ShardProcessor``) on Ray Data, one model copy per actor.

Each shard is one row of a Ray dataset; ``map_batches`` runs a callable class in an actor pool
(``ActorPoolStrategy(size=actors)``), so every actor loads the models once and writes whole shards
through the same sink as the local engine. With GPUs each actor takes one; without, none.

Quiet unless ``verbose``: Ray's own output (the "Started a local Ray instance" banner, Ray Data's
"execution finished" and progress lines, the C++ core worker's ``core_worker.cc ... E ...`` lines,
the actors' stdout/stderr) stays in Ray's session logs under its temp dir, out of the user's
terminal; the job's progress and errors are factcheck's own lines.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

from factcheck.batch.engine import ModelSpec, ShardProcessor, ShardResult
from factcheck.batch.inputs import ClusterInput
from factcheck.batch.sink import ShardWriteError
from factcheck.errors import FactcheckError, InputError

__all__ = ["RAY_HINT", "ShardWorker", "run_on_ray"]

RAY_HINT = "--engine ray needs Ray Data; install it with: pip install 'factcheck[ray]'"


class ShardWorker:
    """Ray Data callable class: loads the models once per actor, checks and writes one shard per row."""

    def __init__(self, models: ModelSpec, settings, out: str, fmt: str) -> None:
        embedder, nli = models.load()
        self.processor = ShardProcessor(embedder, nli, settings, out, fmt)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = [self.processor.process(int(k), pickle.loads(blob))
                   for k, blob in zip(batch["shard"], batch["clusters"])]
        return {name: np.array([getattr(r, name) for r in results])
                for name in ("index", "done", "failed", "nli_pairs", "seconds")}


def require_ray() -> None:
    """InputError saying how to install Ray when Ray Data cannot be imported."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        raise InputError(RAY_HINT) from None


def _wants_gpu(models: ModelSpec) -> bool:
    if models.device is not None:
        return models.device.startswith("cuda")
    import torch

    return torch.cuda.is_available()


def _temp_dir() -> str:
    # Ray's unix sockets live under its temp dir, whose path must stay short (about 100 bytes).
    path = Path(tempfile.gettempdir()) / f"fcray-{os.getuid()}"
    path.mkdir(exist_ok=True)
    return str(path)


# Read by the C++ core worker of this process (and the raylet and GCS it starts) when ray.init runs.
_QUIET_ENV = {"RAY_BACKEND_LOG_LEVEL": "fatal"}


@contextmanager
def _quiet(verbose: bool) -> Iterator[None]:
    """Keep Ray's log lines off the terminal for the ``with`` block unless ``verbose``; a variable
    the user set keeps its value."""
    if verbose:
        yield
        return
    added = {k: v for k, v in _QUIET_ENV.items() if k not in os.environ}
    os.environ.update(added)
    data_log = logging.getLogger("ray.data")
    level = data_log.level
    data_log.setLevel(logging.CRITICAL)  # "Progress bars disabled", "execution finished in ..."
    try:
        yield
    finally:
        data_log.setLevel(level)
        for k in added:
            os.environ.pop(k, None)


@contextmanager
def _native_stderr_to(path: Path) -> Iterator[None]:
    """Send what is written to file descriptor 2 (Ray's C++ core worker logs there) to ``path`` for
    the block: its first line, "Set ray log level from environment variable ...", is printed
    whatever the level."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(path, "ab") as log:
            os.dup2(log.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def run_on_ray(
    shards: Sequence[tuple[int, Sequence[ClusterInput]]],
    models: ModelSpec,
    settings,
    out: str,
    fmt,
    *,
    address: str | None = None,
    actors: int = 1,
    verbose: bool = False,
    on_shard: Callable[[ShardResult], None] | None = None,
) -> None:
    """Check and write ``shards`` (``(index, clusters)``) on a local Ray instance or the cluster at ``address``.

    ``verbose`` lets Ray's own log lines through to the terminal (module docstring).
    """
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError(RAY_HINT) from None
    if actors < 1:
        raise InputError(f"--actors must be at least 1, got {actors}")
    if not shards:
        return
    with _quiet(verbose):
        _run(ray, shards, models, settings, out, fmt, address, actors, verbose, on_shard)


def _run(ray, shards, models: ModelSpec, settings, out: str, fmt, address: str | None, actors: int,
         verbose: bool, on_shard: Callable[[ShardResult], None] | None) -> None:
    started_here = not ray.is_initialized()
    if started_here:
        kwargs = dict(logging_level=logging.INFO if verbose else logging.ERROR, log_to_driver=verbose,
                      include_dashboard=False, configure_logging=True)
        if address is None:
            kwargs["_temp_dir"] = _temp_dir()
            # Actors inherit the driver's import path, so the worktree's factcheck is the one that runs.
            kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in (
                os.environ.get("PYTHONPATH", ""), str(Path(__file__).resolve().parents[2])) if p)}}
        try:
            with nullcontext() if verbose else _native_stderr_to(Path(_temp_dir()) / "driver-stderr.log"):
                ray.init(address=address, **kwargs)
        except Exception as exc:  # ConnectionError, RuntimeError...: one line for the user
            raise InputError(f"cannot start or reach Ray{f' at {address}' if address else ''}: {exc}") from None
    try:
        gpus = 1 if _wants_gpu(models) else 0
        available = ray.cluster_resources().get("GPU", 0)
        if gpus and available < actors:
            # An actor asking for a GPU that does not exist waits forever: fail fast instead.
            raise InputError(f"{actors} Ray actor(s) need one GPU each but the Ray cluster has {available:g}; "
                             "use --device cpu or fewer --actors")
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        items = [{"shard": k, "clusters": pickle.dumps(list(clusters))} for k, clusters in shards]
        ds = ray.data.from_items(items, override_num_blocks=len(items))
        ds = ds.map_batches(
            ShardWorker,
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=actors),
            fn_constructor_kwargs={"models": models, "settings": settings, "out": out, "fmt": str(getattr(fmt, "value", fmt))},
            num_gpus=gpus,
            num_cpus=1,
        )
        try:
            for row in ds.iter_rows():
                result = ShardResult(int(row["index"]), int(row["done"]), int(row["failed"]),
                                     int(row["nli_pairs"]), float(row["seconds"]))
                if on_shard:
                    on_shard(result)
        except FactcheckError:
            raise
        except Exception as exc:  # a RayTaskError wraps the actor's exception
            cause = getattr(exc, "cause", None)
            if isinstance(cause, ShardWriteError):
                raise cause from None
            if isinstance(cause, FactcheckError):
                raise type(cause)(str(cause)) from None
            raise
    finally:
        if started_here:
            ray.shutdown()
