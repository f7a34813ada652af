"""The story index on disk: claims with their articles and embeddings in one LanceDB table.

``DIR/index.json`` pins the format, the embedder (name, revision, dimension) and the claim settings;
``DIR/claims.lance`` holds one row per claim. Each article's rows are written in one Lance commit
(a new table version whose manifest is written last), so an add killed at any moment leaves every
article absent or whole, and a reader opened during an add sees whole articles only. Writers take
``DIR/.lock`` (one add at a time); readers take no lock. The first claim row of an article carries
the article itself (``doc``: text, spans, dropped furniture, sentences) so a check can report it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from factcheck.claims import Claim, ClaimSet
from factcheck.documents import Document
from factcheck.errors import FactcheckError
from factcheck.extras import require_extra
from factcheck.models import ModelInfo
from factcheck.sentences import Span
from factcheck.timecheck import article_date

__all__ = ["FORMAT", "IndexError_", "IndexPin", "StoredArticle", "StoryStore", "article_hash", "text_hash"]

FORMAT = "factcheck.index/1"
_TABLE = "claims"
_MANIFEST = "index.json"


class IndexError_(FactcheckError):
    """A story index that cannot be used: damaged, foreign, or pinned to another embedder."""


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def article_hash(doc: Document) -> str:
    """The content hash of an article: its text and the fields the report shows."""
    key = json.dumps([doc.text, doc.title, doc.url, doc.date, doc.source], ensure_ascii=False)
    return text_hash(key)


@dataclass(frozen=True)
class IndexPin:
    """What an index is bound to: the embedder and the claim settings its rows were made with."""

    embedder: str
    revision: str | None
    dim: int
    min_words: int
    split_clauses: bool
    language: str | None

    @classmethod
    def of(cls, info: ModelInfo, dim: int, min_words: int, split_clauses: bool, language: str | None) -> IndexPin:
        return cls(info.name, info.revision, int(dim), min_words, split_clauses, language)

    def describe(self) -> str:
        return f"{self.embedder} (revision {self.revision or 'none'}, {self.dim} dims)"


@dataclass(frozen=True)
class StoredArticle:
    """An article read back from the index, with its claims and their stored embeddings."""

    document: Document
    claim_set: ClaimSet
    vectors: np.ndarray
    day: str | None
    hash: str


def _schema(dim: int):
    pa = require_extra("pyarrow", "index", "the story index")
    return pa.schema([
        pa.field("row", pa.string()), pa.field("article", pa.string()), pa.field("source", pa.string()),
        pa.field("title", pa.string()), pa.field("url", pa.string()), pa.field("date", pa.string()),
        pa.field("day", pa.string()), pa.field("language", pa.string()), pa.field("claim", pa.int32()),
        pa.field("start", pa.int32()), pa.field("end", pa.int32()), pa.field("sentence", pa.int32()),
        pa.field("clause", pa.bool_()), pa.field("text", pa.string()), pa.field("text_hash", pa.string()),
        pa.field("article_hash", pa.string()), pa.field("added", pa.string()), pa.field("doc", pa.string()),
        pa.field("vector", pa.list_(pa.float32(), dim)),
    ])


def _day(doc: Document) -> str | None:
    day = article_date(doc.date, doc.text)
    return day.isoformat() if day else None


def vector_index_params(n: int) -> dict:
    """The approximate index for ``n`` rows: IVF with 8-bit scalar quantisation, about 4,096 rows a partition
    (searched with 20+ partitions probed and the top candidates re-ranked on the full vectors)."""
    return {"index_type": "IVF_SQ", "num_partitions": max(16, n // 4096), "max_iterations": 20}


def _committed(path: Path) -> bool:
    """True once the claims table has a committed version (a manifest under ``_versions``)."""
    versions = path / f"{_TABLE}.lance" / "_versions"
    return versions.is_dir() and any(versions.iterdir())


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class StoryStore:
    """One index folder. ``StoryStore.open(dir, pin)`` checks the folder and the pin; ``create=True`` makes one."""

    def __init__(self, path: Path, pin: IndexPin, db, table) -> None:
        self.path, self.pin, self._db, self._table = path, pin, db, table

    # --- opening ------------------------------------------------------------------------------

    @staticmethod
    def read_pin(path: Path) -> IndexPin:
        """The pin of an existing index folder; ``IndexError_`` in one line for a foreign or damaged one."""
        path = Path(path)
        if not path.is_dir():
            raise IndexError_(f"{path}: no story index here (run `factcheck index add ... --index {path}` to make one)")
        manifest = path / _MANIFEST
        if not manifest.is_file():
            raise IndexError_(f"{path}: not a factcheck story index (no {_MANIFEST}); refusing to use it")
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise IndexError_(f"{path}: not a factcheck story index ({_MANIFEST} format is "
                                  f"{data.get('format')!r}, expected {FORMAT!r})")
            return IndexPin(**data["pin"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IndexError_(f"{path}: damaged story index: {_MANIFEST} cannot be read ({type(exc).__name__})") from None

    @classmethod
    def open(cls, path: str | Path, pin: IndexPin | None = None, create: bool = False) -> StoryStore:
        """Open (or with ``create`` make) the index at ``path``; a different ``pin`` is refused in one line."""
        path = Path(path)
        if create and (not path.exists() or (path.is_dir() and not any(path.iterdir()))):
            if pin is None:
                raise IndexError_(f"{path}: a new index needs its embedder pinned")
            path.mkdir(parents=True, exist_ok=True)
            tmp = path / f".{_MANIFEST}.tmp"
            tmp.write_text(json.dumps({"format": FORMAT, "pin": pin.__dict__,
                                       "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
                                      indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, path / _MANIFEST)
        stored = cls.read_pin(path)
        if pin is not None:
            if (pin.embedder, pin.revision, pin.dim) != (stored.embedder, stored.revision, stored.dim):
                raise IndexError_(f"{path}: index built with embedder {stored.describe()}, this run uses "
                                  f"{pin.describe()}; pass --embedder {stored.embedder} or use another index folder")
            if (pin.min_words, pin.split_clauses, pin.language) != (stored.min_words, stored.split_clauses, stored.language):
                raise IndexError_(f"{path}: index built with claim settings min_words={stored.min_words}, "
                                  f"clauses={stored.split_clauses}, language={stored.language}; this run uses "
                                  f"min_words={pin.min_words}, clauses={pin.split_clauses}, language={pin.language}")
        lancedb = require_extra("lancedb", "index", "the story index")
        try:
            db = lancedb.connect(str(path))
            table = db.open_table(_TABLE) if _committed(path) else None
            if table is not None:
                table.schema  # noqa: B018  (reads the manifest: a damaged table fails here)
        except Exception as exc:  # the store's own errors: a damaged table
            raise IndexError_(f"{path}: damaged story index: {_TABLE} table cannot be opened "
                              f"({type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''})") from None
        return cls(path, stored, db, table)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold ``DIR/.lock`` while writing: one writer at a time (readers never wait)."""
        with open(self.path / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if self._table is None and _committed(self.path):
                    self._table = self._db.open_table(_TABLE)
                elif self._table is None and (self.path / f"{_TABLE}.lance").exists():
                    shutil.rmtree(self.path / f"{_TABLE}.lance")  # a first add killed before its first commit
                elif self._table is not None:
                    self._table.checkout_latest()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def refresh(self) -> None:
        """See the latest committed version (a long-lived reader)."""
        if self._table is None and _committed(self.path):
            self._table = self._db.open_table(_TABLE)
        elif self._table is not None:
            self._table.checkout_latest()

    # --- reading ------------------------------------------------------------------------------

    def _scan(self, where: str | None, columns: list[str]):
        if self._table is None:
            return None
        query = self._table.search().select(columns)
        if where:
            query = query.where(where)
        return query.limit(None).to_arrow()

    def hashes(self, ids: Sequence[str] | None = None) -> dict[str, str]:
        """``{article id: content hash}`` of the stored articles (of ``ids`` only, if given)."""
        if self._table is None:
            return {}
        where = "claim = 0" + (f" AND article IN ({', '.join(_quote(i) for i in ids)})" if ids else "")
        if ids is not None and not ids:
            return {}
        t = self._scan(where, ["article", "article_hash"])
        return dict(zip(t["article"].to_pylist(), t["article_hash"].to_pylist()))

    def vectors_by_text(self, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored embeddings of claims whose text hash is in ``hashes`` (an embedding is made once)."""
        if self._table is None or not hashes:
            return {}
        out: dict[str, np.ndarray] = {}
        unique = sorted(set(hashes))
        for s in range(0, len(unique), 500):
            t = self._scan(f"text_hash IN ({', '.join(_quote(h) for h in unique[s:s + 500])})", ["text_hash", "vector"])
            if t is None or not t.num_rows:
                continue
            vecs = np.asarray(t["vector"].combine_chunks().flatten().to_numpy(), dtype=np.float32).reshape(-1, self.pin.dim)
            for h, v in zip(t["text_hash"].to_pylist(), vecs):
                out.setdefault(h, v)
        return out

    def articles(self, ids: Sequence[str]) -> list[StoredArticle]:
        """The stored articles ``ids`` with their claims and embeddings, in the order given."""
        if self._table is None or not ids:
            return []
        t = self._scan(f"article IN ({', '.join(_quote(i) for i in ids)})",
                       ["article", "claim", "start", "end", "sentence", "clause", "text", "language", "day",
                        "article_hash", "doc", "vector"])
        rows = t.to_pydict()
        vecs = np.asarray(t["vector"].combine_chunks().flatten().to_numpy(), dtype=np.float32).reshape(-1, self.pin.dim)
        by: dict[str, list[int]] = {}
        for k, a in enumerate(rows["article"]):
            by.setdefault(a, []).append(k)
        out = []
        for aid in ids:
            ks = sorted(by.get(aid, []), key=lambda k: rows["claim"][k])
            if not ks:
                continue
            head = json.loads(rows["doc"][ks[0]])
            doc = Document(id=aid, source=head["source"], title=head["title"], text=head["text"],
                           spans=tuple(map(tuple, head["spans"])), url=head.get("url"), date=head.get("date"),
                           dropped=tuple(map(tuple, head.get("dropped", ()))))
            claims = tuple(Claim(aid, rows["claim"][k], rows["text"][k], rows["start"][k], rows["end"][k],
                                 rows["sentence"][k], rows["clause"][k]) for k in ks)
            sentences = tuple(Span(doc.text[s:e], s, e) for s, e in head["sentences"])
            cs = ClaimSet(aid, claims, sentences, 0, language=rows["language"][ks[0]],
                          target_language=self.pin.language)
            out.append(StoredArticle(doc, cs, vecs[ks], rows["day"][ks[0]], rows["article_hash"][ks[0]]))
        return out

    def search(self, vectors: np.ndarray, limit: int, exclude: Sequence[str] = (), since: str | None = None,
               exact: bool = False, nprobes: int | None = None, refine: int = 10, rows: bool = False) -> list[list[tuple[str, float]]]:
        """For each query vector, its ``limit`` nearest stored claims as ``(article id, cosine)`` (``rows``: row key).

        Approximate (the IVF-SQ index, re-ranked on the full vectors) once the table has one, else exact.
        ``exclude`` leaves articles out; ``since`` keeps articles dated on or after that day.
        """
        if self._table is None or not len(vectors):
            return [[] for _ in range(len(vectors))]
        where = []
        if exclude:
            where.append(f"article NOT IN ({', '.join(_quote(i) for i in exclude)})")
        if since:
            where.append(f"day >= {_quote(since)}")
        if nprobes is None:
            nprobes = max(20, vector_index_params(self._table.count_rows())["num_partitions"] // 20)
        out = []
        for v in np.asarray(vectors, dtype=np.float32):
            q = self._table.search(v).metric("dot").limit(limit).select(["row" if rows else "article", "_distance"])
            if where:
                q = q.where(" AND ".join(where), prefilter=True)
            q = q.bypass_vector_index() if exact else q.nprobes(nprobes).refine_factor(refine)
            t = q.to_arrow()
            # LanceDB's "dot" distance is 1 - dot product for unit vectors.
            out.append([(a, 1.0 - float(d)) for a, d in zip(t["row" if rows else "article"].to_pylist(), t["_distance"].to_pylist())])
        return out

    def stats(self) -> dict:
        """Articles, claims, size on disk, embedder, claim settings, dates, versions."""
        out = {"index": str(self.path), "format": FORMAT, "embedder": self.pin.describe(),
               "claim_settings": {"min_words": self.pin.min_words, "split_clauses": self.pin.split_clauses,
                                  "language": self.pin.language},
               "articles": 0, "claims": 0, "dated_articles": 0, "first_day": None, "last_day": None,
               "vector_index": None}
        if self._table is not None:
            t = self._scan("claim = 0", ["day"])
            days = sorted(d for d in t["day"].to_pylist() if d)
            out.update(articles=t.num_rows, claims=self._table.count_rows(), dated_articles=len(days),
                       first_day=days[0] if days else None, last_day=days[-1] if days else None,
                       table_version=self._table.version,
                       vector_index=next((i.index_type for i in self._vector_indices()), None))
        out["size_mb"] = round(sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file()) / 1e6, 2)
        return out

    # --- writing (inside ``writing()``) -----------------------------------------------------------

    def rows(self, doc: Document, cs: ClaimSet, vectors: np.ndarray, added: str) -> dict[str, list]:
        """The rows of one article as columns."""
        n = len(cs.claims)
        head = json.dumps({"source": doc.source, "title": doc.title, "text": doc.text, "spans": doc.spans,
                           "url": doc.url, "date": doc.date, "dropped": doc.dropped,
                           "sentences": [(s.start, s.end) for s in cs.sentences]}, ensure_ascii=False)
        h, day = article_hash(doc), _day(doc)
        return {"row": [f"{doc.id}#{c.index}" for c in cs.claims], "article": [doc.id] * n,
                "source": [doc.source] * n, "title": [doc.title] * n, "url": [doc.url] * n, "date": [doc.date] * n,
                "day": [day] * n, "language": [cs.language] * n, "claim": [c.index for c in cs.claims],
                "start": [c.start for c in cs.claims], "end": [c.end for c in cs.claims],
                "sentence": [c.sentence for c in cs.claims], "clause": [c.clause for c in cs.claims],
                "text": [c.text for c in cs.claims], "text_hash": [text_hash(c.text) for c in cs.claims],
                "article_hash": [h] * n, "added": [added] * n, "doc": [head] + [None] * (n - 1),
                "vector": list(np.asarray(vectors, dtype=np.float32))}

    def commit(self, columns: dict[str, list], replace_ids: Sequence[str] = ()) -> None:
        """Write rows in one commit; ``replace_ids``' old rows go in the same commit."""
        pa = require_extra("pyarrow", "index", "the story index")
        schema = _schema(self.pin.dim)
        vecs = np.asarray(np.stack(columns["vector"]) if columns["vector"] else np.zeros((0, self.pin.dim)), dtype=np.float32)
        arrays = [pa.array(columns[f.name], type=f.type) if f.name != "vector"
                  else pa.FixedSizeListArray.from_arrays(pa.array(vecs.reshape(-1)), self.pin.dim) for f in schema]
        data = pa.Table.from_arrays(arrays, schema=schema)
        if self._table is None:
            self._table = self._db.create_table(_TABLE, data, schema=schema)
        elif replace_ids:
            cond = f"article IN ({', '.join(_quote(i) for i in replace_ids)})"
            (self._table.merge_insert("row").when_matched_update_all().when_not_matched_insert_all()
             .when_not_matched_by_source_delete(cond).execute(data))
        else:
            self._table.add(data)

    def delete(self, article: str) -> int:
        """Remove an article's rows in one commit; returns how many claims went."""
        if self._table is None:
            return 0
        n = self._table.count_rows(f"article = {_quote(article)}")
        if n:
            self._table.delete(f"article = {_quote(article)}")
        return n

    def build_vector_index(self, min_rows: int = 50_000) -> bool:
        """(Re)build the IVF-PQ index once the table is large enough for one to pay; True if built."""
        if self._table is None:
            return False
        n = self._table.count_rows()
        if n < min_rows:
            return False
        self._table.create_index(metric="dot", replace=True, **vector_index_params(n))
        for column in ("article", "text_hash"):  # look-ups by article and by claim text stay fast at 1M rows
            self._table.create_scalar_index(column, replace=True)
        return True

    def _vector_indices(self) -> list:
        return [i for i in self._table.list_indices() if str(i.index_type).upper().startswith("IVF")]

    def maintain(self, min_rows: int = 50_000, max_unindexed: int = 20_000) -> str | None:
        """After an add: build the vector index at ``min_rows``, fold in new rows past ``max_unindexed``.

        Rows not yet in the index are still searched (exactly), so this only keeps searches fast.
        """
        if self._table is None:
            return None
        indices = self._vector_indices()
        if not indices:
            return "built" if self.build_vector_index(min_rows) else None
        stats = self._table.index_stats(indices[0].name)
        if stats is not None and stats.num_unindexed_rows > max_unindexed:
            self._table.optimize()
            return "updated"
        return None

    def optimize(self) -> None:
        """Fold new rows into the vector index and compact small files (after large adds)."""
        if self._table is not None:
            self._table.optimize()
