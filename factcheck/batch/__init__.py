"""``factcheck batch``: check thousands of article clusters into resumable shard files.

    from factcheck.batch import run
    summary = run("clusters.jsonl", "out/")        # -> Summary(done, failed, skipped, ...)

Input formats: ``inputs``. Output and resume semantics: ``sink``. The shared per-shard work:
``engine``. Ray Data: ``ray_engine`` (optional extra ``factcheck[ray]``).
"""

from factcheck.batch.engine import ModelSpec, ShardProcessor, ShardResult
from factcheck.batch.inputs import ClusterInput, read_clusters
from factcheck.batch.runner import Engine, Summary, run
from factcheck.batch.sink import OutputFormat, ShardSink, merge_shards, read_shard

__all__ = ["ClusterInput", "Engine", "ModelSpec", "OutputFormat", "ShardProcessor", "ShardResult", "ShardSink",
           "Summary", "merge_shards", "read_clusters", "read_shard", "run"]
