"""Batch output: a folder of immutable shard files, their checksums and ``manifest.json``.

Clusters are split, in input order, into shards of ``shard_size``; shard ``k`` is written once as
``shard-0000k.jsonl`` (or ``.parquet``), one line (row) per cluster, beside its checksum file
``shard-0000k.jsonl.sum`` (JSON: line count, size, sha256). A shard is written to a temporary file
and fsynced; its checksum file is then put in place, then the shard is renamed into place with
``os.replace`` and the folder fsynced. So a shard file either exists complete or not at all, and a
shard file always has its checksum beside it. A cluster is done when its shard is whole (it matches
its checksum): a job killed at any instant and started again redoes the other shards, so every
cluster ends up exactly once. A shard damaged after it was written (truncated, edited, deleted) no
longer matches its checksum and is redone by the next resume. Temporary files of a killed job are
swept at start. A write that fails (a full or read-only disk, an I/O error) raises
``ShardWriteError`` and leaves no temporary file.

``manifest.json`` pins what makes shards comparable: settings, model fingerprints, the input's
cluster ids and the shard layout. Resuming with anything different is refused, naming the field.
Shards written before checksums existed are checked by content (their cluster ids and line count).
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from factcheck.batch.lock import FolderLock
from factcheck.batch.stop import critical
from factcheck.errors import InputError, OutputError
from factcheck.extras import require_extra

__all__ = ["MANIFEST", "OutputFormat", "ShardSink", "ShardWriteError", "input_fingerprint", "merge_shards",
           "read_shard"]

log = logging.getLogger("factcheck")

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "factcheck.batch/1"
SUM_SUFFIX = ".sum"
_TMP_PREFIX = ".tmp-"

# What a shard is: whole (matches its checksum), absent (never written) or damaged (with the reason).
ShardState = Literal["whole", "absent", "damaged"]

# What to do about a failed write, by errno.
_HINTS = {errno.ENOSPC: "free some space", errno.EDQUOT: "free some space or raise the quota",
          errno.EROFS: "make the folder writable", errno.EACCES: "make the folder writable",
          errno.EPERM: "make the folder writable", errno.EIO: "check the disk (an I/O error)"}


class ShardWriteError(OutputError):
    """An ``OSError`` while writing into the output folder: ``reason`` (``no space left on device``), ``path``."""

    def __init__(self, errno_: int | None, reason: str, path: str | Path, action: str = "writing") -> None:
        self.errno, self.reason, self.path, self.action = errno_, reason, str(path), action
        super().__init__(f"{reason} {action} {path}")

    @classmethod
    def from_os_error(cls, exc: OSError, path: str | Path, action: str = "writing") -> ShardWriteError:
        text = exc.strerror or str(exc) or type(exc).__name__
        return cls(exc.errno, text[:1].lower() + text[1:], path, action)

    def __reduce__(self):  # picklable, for Ray actors
        return type(self), (self.errno, self.reason, self.path, self.action)

    @property
    def hint(self) -> str:
        """What the user should do before resuming (``free some space``)."""
        return _HINTS.get(self.errno, "fix that")


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


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` and fsync it (where the tests inject disk faults)."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _tmp_path(path: Path) -> Path:
    return path.with_name(f"{_TMP_PREFIX}{path.name}.{os.getpid()}")


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or failing disk: the next start sweeps it


def _atomic_write(path: Path, write) -> None:
    """``write(tmp_path)`` then fsync, ``os.replace`` onto ``path`` and fsync the folder.

    An ``OSError`` becomes ``ShardWriteError`` naming ``path``; the temporary file is removed.
    """
    tmp = _tmp_path(path)
    try:
        write(tmp)
        _fsync_file(tmp)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        raise ShardWriteError.from_os_error(exc, path) from None
    finally:
        _unlink_quietly(tmp)


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
    """Where shards go. ``lock`` takes the folder, ``open`` checks or writes the manifest, ``write``
    stores one shard atomically with its checksum, ``check`` tells whether a shard is whole."""

    def __init__(self, out: str | Path, fmt: OutputFormat | str = OutputFormat.jsonl) -> None:
        self.out = Path(out)
        self.format = OutputFormat(fmt)
        if self.format is OutputFormat.parquet:
            require_extra("pyarrow.parquet", "parquet", "writing Parquet shards")
        self._lock = FolderLock(self.out)

    def shard_path(self, index: int) -> Path:
        return self.out / f"shard-{index:05d}.{self.format.value}"

    def sum_path(self, index: int) -> Path:
        path = self.shard_path(index)
        return path.with_name(path.name + SUM_SUFFIX)

    def lock(self) -> None:
        """Create the folder and take its lock: ``FolderLockedError`` names the job holding it."""
        if self.out.exists() and not self.out.is_dir():
            raise InputError(f"{self.out}: exists and is not a folder; give --out a folder")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ShardWriteError.from_os_error(exc, self.out, "creating") from None
        try:
            self._lock.acquire()
        except OSError as exc:
            raise ShardWriteError.from_os_error(exc, self._lock.path, "locking") from None

    def unlock(self) -> None:
        self._lock.release()

    def open(self, manifest: Mapping[str, Any]) -> None:
        """Create the folder, sweep stale temporary files, and write or check ``manifest.json``.

        Call ``lock`` first when another job might use the folder: the sweep would remove its
        temporary files.
        """
        if self.out.exists() and not self.out.is_dir():
            raise InputError(f"{self.out}: exists and is not a folder; give --out a folder")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            for stale in self.out.glob(f"{_TMP_PREFIX}*"):
                stale.unlink(missing_ok=True)
        except OSError as exc:
            raise ShardWriteError.from_os_error(exc, self.out, "cleaning up") from None
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

    def check(self, index: int, cluster_ids: Sequence[str] | None = None,
              clusters: int | None = None) -> tuple[ShardState, str]:
        """``(state, reason)`` of shard ``index``: whole, absent (never written) or damaged (reason says how).

        A shard with a checksum file must match it (size and sha256) and hold ``clusters`` lines
        (``len(cluster_ids)``) when given. A shard without one (an older factcheck wrote it) must
        hold exactly ``cluster_ids`` in order (without them: ``clusters`` whole lines).
        """
        path, summed = self.shard_path(index), self.sum_path(index)
        expected = len(cluster_ids) if cluster_ids is not None else clusters
        if not path.is_file():
            if summed.is_file():
                return "damaged", f"missing, but its {summed.name} is there (deleted, or killed while being written)"
            return "absent", ""
        if not summed.is_file():
            return self._check_content(path, cluster_ids, expected)
        try:
            stored = json.loads(summed.read_text(encoding="utf-8"))
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            return "damaged", f"unreadable ({exc})"
        if not isinstance(stored, dict) or not {"bytes", "sha256", "lines"} <= set(stored):
            return "damaged", f"its checksum file {summed.name} is damaged"
        if len(data) != stored["bytes"]:
            return "damaged", f"{len(data)} bytes, {stored['bytes']} when it was written (truncated or changed since)"
        if "sha256:" + hashlib.sha256(data).hexdigest() != stored["sha256"]:
            return "damaged", "its sha256 differs from the one stored when it was written (changed since)"
        if expected is not None and stored["lines"] != expected:
            return "damaged", f"holds {stored['lines']} clusters, {expected} expected"
        return "whole", ""

    def _check_content(self, path: Path, cluster_ids: Sequence[str] | None,
                       expected: int | None) -> tuple[ShardState, str]:
        try:
            got = [r.get("cluster") for r in read_shard(path)]
        except (InputError, OSError) as exc:
            text = str(exc).removeprefix(str(path)).removesuffix("; the shard is damaged")
            return "damaged", re.sub(r"^:(\d+): ", r"line \1: ", text).removeprefix(": ")
        if cluster_ids is not None and got != list(cluster_ids):
            return "damaged", f"holds {len(got)} clusters, not the {len(cluster_ids)} of its place in the input"
        if expected is not None and len(got) != expected:
            return "damaged", f"holds {len(got)} clusters, {expected} expected"
        return "whole", ""

    def done(self, index: int) -> bool:
        """Whether shard ``index`` is whole."""
        return self.check(index)[0] == "whole"

    def write(self, index: int, records: Sequence[Mapping[str, Any]]) -> Path:
        """Write shard ``index`` (one record per cluster) and its checksum atomically; returns its path.

        A SIGINT/SIGTERM arriving meanwhile waits until both are in place; an ``OSError`` becomes
        ``ShardWriteError`` and leaves neither a temporary file nor a checksum without its shard.
        """
        path, summed = self.shard_path(index), self.sum_path(index)
        tmp = _tmp_path(path)
        if self.format is OutputFormat.jsonl:
            data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
        with critical():
            try:
                try:
                    if self.format is OutputFormat.jsonl:
                        _write_bytes(tmp, data)
                    else:
                        _write_parquet(tmp, records)
                        _fsync_file(tmp)
                        data = tmp.read_bytes()
                except OSError as exc:
                    raise ShardWriteError.from_os_error(exc, path) from None
                stored = {"shard": path.name, "lines": len(records), "bytes": len(data),
                          "sha256": "sha256:" + hashlib.sha256(data).hexdigest()}
                _atomic_write(summed, lambda t: _write_bytes(t, (json.dumps(stored) + "\n").encode("utf-8")))
                replaced = False
                try:
                    os.replace(tmp, path)
                    replaced = True
                    _fsync_dir(self.out)
                except OSError as exc:
                    if not replaced:
                        _unlink_quietly(summed)
                    raise ShardWriteError.from_os_error(exc, path) from None
            finally:
                _unlink_quietly(tmp)
        return path


def _write_parquet(path: Path, records: Sequence[Mapping[str, Any]]) -> None:
    """One row per cluster: ``cluster``, ``error`` and the report as a JSON string (nested reports vary too much for one schema)."""
    pa = require_extra("pyarrow", "parquet", "writing Parquet shards")
    pq = require_extra("pyarrow.parquet", "parquet", "writing Parquet shards")

    rows = {"cluster": [r["cluster"] for r in records],
            "error": [r.get("error") for r in records],
            "report": [None if "error" in r else json.dumps(r, ensure_ascii=False) for r in records]}
    pq.write_table(pa.table(rows, schema=pa.schema([("cluster", pa.string()), ("error", pa.string()),
                                                    ("report", pa.string())])), path)


def read_shard(path: str | Path) -> Iterator[dict]:
    """The records of one shard, as dicts (``cluster`` and either the report's keys or ``error``).

    A shard that cannot be read whole raises ``InputError`` saying it is damaged.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        pq = require_extra("pyarrow.parquet", "parquet", f"{path}: reading a Parquet shard")

        try:
            rows = pq.read_table(path).to_pylist()
        except OSError:
            raise
        except Exception as exc:  # ArrowInvalid and friends: a truncated or foreign file
            raise InputError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0][:100]}); "
                             "the shard is damaged") from None
        for row in rows:
            yield json.loads(row["report"]) if row["report"] is not None else {"cluster": row["cluster"], "error": row["error"]}
        return
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{path}:{lineno}: not a complete JSON line; the shard is damaged") from None
            if not line.endswith("\n"):
                raise InputError(f"{path}:{lineno}: the last line has no newline; the shard is damaged")
            yield record


def _expected_clusters(manifest: Mapping[str, Any], index: int) -> int | None:
    size, total = manifest.get("shard_size"), (manifest.get("input") or {}).get("clusters")
    if not isinstance(size, int) or not isinstance(total, int):
        return None
    return max(0, min(size, total - index * size))


def merge_shards(out: str | Path, dest: str | Path | None = None, *,
                 on_notice: Callable[[str], None] | None = None) -> tuple[Path, int]:
    """Concatenate the shards of ``out`` into one JSONL file (default ``OUT/merged.jsonl``); returns it and the line count.

    Every shard is checked first: a damaged one (truncated, changed or deleted since it was
    written) raises ``InputError`` naming it and saying that a resume repairs it. Shards not
    written yet (an unfinished job) are left out, and ``on_notice`` (default: a log warning) says so.
    """
    out = Path(out)
    notice = on_notice or log.warning
    path = out / MANIFEST
    if not path.is_file():
        raise InputError(f"{out}: no {MANIFEST}; give the --out folder of a `factcheck batch` job")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        sink = ShardSink(out, manifest.get("format", OutputFormat.jsonl.value))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable manifest ({exc}); the folder is damaged") from None
    found = sorted(int(p.name.split("-")[1].split(".")[0]) for p in out.glob(f"shard-*.{sink.format.value}")
                   if p.name.split("-")[1].split(".")[0].isdigit())
    total = manifest.get("shards") if isinstance(manifest.get("shards"), int) else (found[-1] + 1 if found else 0)
    if not found and not any(out.glob(f"shard-*{SUM_SUFFIX}")):
        raise InputError(f"{out}: no shard files yet; run the job first")
    writer = FolderLock(out).holder()
    whole, unfinished, damaged = [], [], []
    for k in range(max(total, found[-1] + 1 if found else 0)):
        state, reason = sink.check(k, clusters=_expected_clusters(manifest, k))
        if state == "whole":
            whole.append(k)
        elif state == "absent" or (writer and not sink.shard_path(k).is_file()):
            unfinished.append(k)  # with a job running, a checksum without its shard is one being written
        else:
            damaged.append((sink.shard_path(k), reason))
    if damaged:
        first, reason = damaged[0]
        more = f" (and {len(damaged) - 1} more: {', '.join(p.name for p, _ in damaged[1:4])}" + \
            (" ..." if len(damaged) > 4 else "") + ")" if len(damaged) > 1 else ""
        raise InputError(f"{first}: damaged: {reason}{more}; run the same `factcheck batch` command again to "
                         "repair it (a resume redoes only the damaged shards), then merge")
    if unfinished:
        names = ", ".join(sink.shard_path(k).name for k in unfinished[:3]) + (" ..." if len(unfinished) > 3 else "")
        running = f"a job is writing it now ({writer})" if writer else "run the same `factcheck batch` command to finish it"
        notice(f"{out}: the job is unfinished, {len(unfinished)} of {total} shards not written yet ({names}); "
               f"merging the {len(whole)} written; {running}")
    dest = Path(dest) if dest is not None else out / "merged.jsonl"
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        with tmp.open("w", encoding="utf-8") as fh:
            for k in whole:
                for record in read_shard(sink.shard_path(k)):
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1

    _atomic_write(dest, write)
    return dest, count
