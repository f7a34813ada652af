"""Batch input: clusters of articles from JSONL, Parquet or folders.

Accepted inputs (any number of them, mixed):
- a JSONL file (or a folder of them) with one article per line and a ``cluster`` field;
- a JSONL file with one cluster per line: ``{"id": ..., "articles": [{"text": ...}, ...]}``;
- a folder of cluster folders: each sub-folder is one cluster (its name is the id), read like
  ``factcheck check FOLDER``;
- Parquet with the same columns (``cluster`` + ``text`` per row, or ``id`` + ``articles`` per row).

Problems of the input as a whole (a missing file, malformed JSON, a cluster id used twice) raise
``InputError``. Problems of one cluster (an empty text, a duplicate article id, one article only,
too many articles) become that cluster's ``error``: the job reports it and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factcheck.documents import Document, document_from_record, read_documents
from factcheck.errors import FactcheckError, InputError
from factcheck.extras import require_extra

__all__ = ["ClusterInput", "read_clusters"]

_TABLE_SUFFIXES = (".jsonl", ".parquet")


@dataclass(frozen=True)
class ClusterInput:
    """One cluster to check: its articles, or the reason it cannot be checked."""

    id: str
    source: str
    documents: tuple[Document, ...] = ()
    error: str | None = None


def _cluster(cid: str, source: str, records: Sequence[tuple[Any, str, str]], max_articles: int) -> ClusterInput:
    """Build one cluster from ``(record, where, default_id)`` triples; a bad record is the cluster's error."""
    if len(records) > max_articles:
        return ClusterInput(cid, source, error=f"{source}: cluster has {len(records)} articles, more than the limit of {max_articles}")
    try:
        docs = tuple(document_from_record(rec, where, default_id) for rec, where, default_id in records)
    except FactcheckError as exc:
        return ClusterInput(cid, source, error=str(exc))
    return _checked(cid, source, docs)


def _checked(cid: str, source: str, docs: tuple[Document, ...]) -> ClusterInput:
    seen: dict[str, str] = {}
    for doc in docs:
        if doc.id in seen:
            return ClusterInput(cid, source, error=f"{source}: duplicate article id {doc.id!r} in {seen[doc.id]} and {doc.source}")
        seen[doc.id] = doc.source
    if len(docs) < 2:
        return ClusterInput(cid, source, error=f"{source}: cluster has {len(docs)} article(s); need at least two to compare")
    return ClusterInput(cid, source, docs)


def _cluster_id(value: Any, where: str, field: str) -> str:
    if value is None or isinstance(value, (dict, list, bool)) or str(value).strip() == "":
        raise InputError(f"{where}: '{field}' must be a non-empty string or number, got {value!r:.40}")
    return str(value)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte offset {exc.start}); re-save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: malformed JSON (column {exc.colno}: {exc.msg})") from None


def _parquet_rows(path: Path) -> Iterator[tuple[int, Any]]:
    pq = require_extra("pyarrow.parquet", "parquet", f"{path}: reading Parquet")

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...: all mean unreadable
        raise InputError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0][:120]})") from None
    for k, row in enumerate(table.to_pylist(), start=1):
        yield k, row


def _rows(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, record)`` for each record of a JSONL or Parquet file."""
    reader = _parquet_rows if path.suffix.lower() == ".parquet" else _jsonl_rows
    sep = ":" if reader is _jsonl_rows else " row "
    for k, obj in reader(path):
        yield f"{path}{sep}{k}", obj


class _Collector:
    """Gathers clusters from every input, refusing a cluster id that two sources both define."""

    def __init__(self, max_articles: int) -> None:
        self.max_articles = max_articles
        self.clusters: dict[str, ClusterInput] = {}
        self.defined_in: dict[str, str] = {}
        # Article-per-line clusters may span several files: collected first, built at the end.
        self.loose: dict[str, list[tuple[Any, str, str]]] = {}
        self.order: list[str] = []  # cluster ids in the order the input first names them

    def _claim(self, cid: str, where: str) -> None:
        if cid in self.defined_in:
            raise InputError(f"duplicate cluster id {cid!r} in {self.defined_in[cid]} and {where}; cluster ids must be unique")
        self.defined_in[cid] = where
        self.order.append(cid)

    def add(self, cluster: ClusterInput, where: str) -> None:
        self._claim(cluster.id, where)
        self.clusters[cluster.id] = cluster

    def add_table(self, path: Path) -> None:
        kind = None
        for where, obj in _rows(path):
            if not isinstance(obj, dict):
                raise InputError(f"{where}: expected a JSON object (an article with 'cluster', or a cluster with 'articles')")
            row_kind = "cluster" if "articles" in obj else "article"
            if kind is None:
                kind = row_kind
            elif row_kind != kind:
                raise InputError(f"{where}: mixes clusters ('articles' field) and articles ('cluster' field) in one file")
            if kind == "cluster":
                self._add_cluster_row(obj, where)
            else:
                if "cluster" not in obj:
                    raise InputError(f"{where}: no 'cluster' field; give each article its cluster id, or one cluster per line with 'id' and 'articles'")
                cid = _cluster_id(obj["cluster"], where, "cluster")
                if cid in self.defined_in:
                    raise InputError(f"duplicate cluster id {cid!r} in {self.defined_in[cid]} and {where}; cluster ids must be unique")
                if cid not in self.loose:
                    self.loose[cid] = []
                    self.order.append(cid)
                self.loose[cid].append((obj, where, f"{cid}-{len(self.loose[cid]) + 1}"))
        if kind is None:
            raise InputError(f"{path}: no records; give one article or one cluster per line")

    def _add_cluster_row(self, obj: dict, where: str) -> None:
        cid = _cluster_id(obj.get("id"), where, "id")
        if cid in self.loose:
            raise InputError(f"duplicate cluster id {cid!r} in {self.loose[cid][0][1]} and {where}; cluster ids must be unique")
        articles = obj["articles"]
        self._claim(cid, where)
        if not isinstance(articles, list):
            self.clusters[cid] = ClusterInput(cid, where, error=f"{where}: 'articles' must be a list of article objects")
            return
        records = [(a, f"{where} articles[{k}]", f"{cid}-{k + 1}") for k, a in enumerate(articles)]
        self.clusters[cid] = _cluster(cid, where, records, self.max_articles)

    def add_cluster_folder(self, folder: Path) -> None:
        cid = folder.name
        self._claim(cid, str(folder))
        try:
            docs = tuple(read_documents([folder]))
        except FactcheckError as exc:
            self.clusters[cid] = ClusterInput(cid, str(folder), error=str(exc))
            return
        if len(docs) > self.max_articles:
            self.clusters[cid] = ClusterInput(
                cid, str(folder), error=f"{folder}: cluster has {len(docs)} articles, more than the limit of {self.max_articles}")
            return
        self.clusters[cid] = _checked(cid, str(folder), docs)

    def finish(self) -> list[ClusterInput]:
        for cid, records in self.loose.items():
            self.clusters[cid] = _cluster(cid, records[0][1], records, self.max_articles)
        return [self.clusters[cid] for cid in self.order]


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def read_clusters(inputs: Iterable[str | Path], max_articles: int = 2000) -> list[ClusterInput]:
    """Every cluster in ``inputs`` (files and folders, see the module doc), in input order."""
    inputs = list(inputs)
    if not inputs:
        raise InputError("no input given; pass JSONL or Parquet files, or folders of them or of cluster folders")
    found = _Collector(max_articles)
    for item in inputs:
        path = Path(item)
        if path.is_file():
            found.add_table(path)
        elif path.is_dir():
            entries = _entries(path)
            tables = [p for p in entries if p.is_file() and p.suffix.lower() in _TABLE_SUFFIXES]
            folders = [p for p in entries if p.is_dir()]
            if tables and folders:
                raise InputError(f"{path}: holds both cluster folders and data files; give one kind per folder")
            if not tables and not folders:
                raise InputError(f"{path}: no .jsonl or .parquet files and no cluster folders in it")
            for table in tables:
                found.add_table(table)
            for folder in folders:
                found.add_cluster_folder(folder)
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    return found.finish()
