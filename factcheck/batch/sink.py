"""Batch output: a folder of immutable shard files plus ``manifest.json``.

Clusters are split, in input order, into shards of ``shard_size``; shard ``k`` is written once as
``shard-0000k.jsonl`` (or ``.parquet``), one line (row) per cluster. A shard is written to a
temporary file, fsynced, renamed into place with ``os.replace`` and the folder fsynced, so a shard
file either exists complete or not at all. A cluster is done when its shard exists: a job killed
at any instant and started again skips finished shards and redoes the others, so every cluster
ends up exactly once. Temporary files of a killed job are swept at start.

``manifest.json`` pins what makes shards comparable: settings, model fingerprints, the input's
cluster ids and the shard layout. Resuming with anything different is refused, naming the field.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from factcheck.errors import InputError

__all__ = ["MANIFEST", "OutputFormat", "ShardSink", "input_fingerprint", "merge_shards", "read_shard"]

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "factcheck.batch/1"
_TMP_PREFIX = ".tmp-"


class OutputFormat(str, Enum):
    """Shard file format."""

    jsonl = "jsonl"
    parquet = "parquet"


def input_fingerprint(cluster_ids: Sequence[str]) -> str:
    """sha256 over the ordered cluster ids: a resumed job must see the same clusters in the same order."""
    digest = hashlib.sha256()
    for cid in cluster_ids:
        digest.update(cid.encode("utf-8") + b"\n")
    return "sha256:" + digest.hexdigest()[:16]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, write) -> None:
    """``write(tmp_path)`` then fsync, ``os.replace`` onto ``path`` and fsync the folder."""
    tmp = path.with_name(f"{_TMP_PREFIX}{path.name}.{os.getpid()}")
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _differences(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}: {json.dumps(a)[:60]} in the output folder, {json.dumps(b)[:60]} now")
    return out


class ShardSink:
    """Where shards go. ``open`` checks or writes the manifest; ``write`` stores one shard atomically."""

    def __init__(self, out: str | Path, fmt: OutputFormat | str = OutputFormat.jsonl) -> None:
        self.out = Path(out)
        self.format = OutputFormat(fmt)

    def shard_path(self, index: int) -> Path:
        return self.out / f"shard-{index:05d}.{self.format.value}"

    def open(self, manifest: Mapping[str, Any]) -> None:
        """Create the folder, sweep stale temporary files, and write or check ``manifest.json``."""
        if self.out.exists() and not self.out.is_dir():
            raise InputError(f"{self.out}: exists and is not a folder; give --out a folder")
        self.out.mkdir(parents=True, exist_ok=True)
        for stale in self.out.glob(f"{_TMP_PREFIX}*"):
            stale.unlink(missing_ok=True)
        manifest = {"schema": MANIFEST_SCHEMA, **manifest, "format": self.format.value}
        path = self.out / MANIFEST
        if path.is_file():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(f"{path}: unreadable manifest ({exc}); delete the folder to start over") from None
            diffs = _differences(old, json.loads(json.dumps(manifest)))
            if diffs:
                raise InputError(
                    f"{self.out} holds a job with other settings, refusing to resume: {'; '.join(diffs[:3])}"
                    + (f" (+{len(diffs) - 3} more)" if len(diffs) > 3 else "")
                    + "; use the same options or another --out folder")
        else:
            if any(self.out.glob("shard-*")):
                raise InputError(f"{self.out}: has shard files but no {MANIFEST}; use an empty --out folder")
            _atomic_write(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8"))

    def done(self, index: int) -> bool:
        return self.shard_path(index).is_file()

    def write(self, index: int, records: Sequence[Mapping[str, Any]]) -> Path:
        """Write shard ``index`` (one record per cluster) atomically; returns its path."""
        path = self.shard_path(index)
        if self.format is OutputFormat.jsonl:
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        else:
            _atomic_write(path, lambda tmp: _write_parquet(tmp, records))
        return path


def _write_parquet(path: Path, records: Sequence[Mapping[str, Any]]) -> None:
    """One row per cluster: ``cluster``, ``error`` and the report as a JSON string (nested reports vary too much for one schema)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = {"cluster": [r["cluster"] for r in records],
            "error": [r.get("error") for r in records],
            "report": [None if "error" in r else json.dumps(r, ensure_ascii=False) for r in records]}
    pq.write_table(pa.table(rows, schema=pa.schema([("cluster", pa.string()), ("error", pa.string()),
                                                    ("report", pa.string())])), path)


def read_shard(path: str | Path) -> Iterator[dict]:
    """The records of one shard, as dicts (``cluster`` and either the report's keys or ``error``)."""
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        for row in pq.read_table(path).to_pylist():
            yield json.loads(row["report"]) if row["report"] is not None else {"cluster": row["cluster"], "error": row["error"]}
        return
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{path}:{lineno}: not a complete JSON line; the shard is damaged") from None


def merge_shards(out: str | Path, dest: str | Path | None = None) -> tuple[Path, int]:
    """Concatenate the shards of ``out`` into one JSONL file (default ``OUT/merged.jsonl``); returns it and the line count."""
    out = Path(out)
    if not (out / MANIFEST).is_file():
        raise InputError(f"{out}: no {MANIFEST}; give the --out folder of a `factcheck batch` job")
    shards = sorted(p for p in out.glob("shard-*") if p.suffix in (".jsonl", ".parquet"))
    if not shards:
        raise InputError(f"{out}: no shard files yet; run the job first")
    dest = Path(dest) if dest is not None else out / "merged.jsonl"
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        with tmp.open("w", encoding="utf-8") as fh:
            for shard in shards:
                for record in read_shard(shard):
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1

    _atomic_write(dest, write)
    return dest, count
