"""``factcheck batch``: check thousands of article clusters into resumable shard files.

    from factcheck.batch import run
    summary = run("clusters.jsonl", "out/")        # -> Summary(done, failed, skipped, ...)

Input formats: ``inputs``. Output, checksums and resume semantics: ``sink``. One job per folder:
``lock``. SIGINT/SIGTERM: ``stop``. The shared per-shard work: ``engine``. Ray Data: ``ray_engine``
(optional extra ``factcheck[ray]``).
"""

from factcheck.batch.engine import ModelSpec, ShardProcessor, ShardResult
from factcheck.batch.inputs import ClusterInput, read_clusters
from factcheck.batch.lock import FolderLockedError
from factcheck.batch.runner import BatchInterrupted, Engine, Summary, run
from factcheck.batch.sink import OutputFormat, ShardSink, ShardWriteError, merge_shards, read_shard

__all__ = ["BatchInterrupted", "ClusterInput", "Engine", "FolderLockedError", "ModelSpec", "OutputFormat",
           "ShardProcessor", "ShardResult", "ShardSink", "ShardWriteError", "Summary", "merge_shards",
           "read_clusters", "read_shard", "run"]
