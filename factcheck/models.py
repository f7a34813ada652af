"""Model provenance and where the project's own models live."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ModelInfo:
    """Provenance carried into every result: what ran, from where, at which revision."""

    name: str
    source: str
    backend: str
    revision: str | None = None
    licence: str | None = None
    extra: dict = field(default_factory=dict)
    # Where a local model lies on this machine: used to save files beside it, never written to results.
    local_dir: str | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["local_dir"]
        return data


def models_dir() -> Path:
    """The folder that holds the project's own models.

    ``$FACTCHECK_MODELS_DIR`` if set, else ``factcheck/_models`` (a wheel: the build copies
    ``models/`` there), else ``models/`` beside the package (source checkout or editable install).
    The wheel's copy comes first so that an unrelated top-level ``models`` folder in
    site-packages is never taken for ours.
    """
    env = os.environ.get("FACTCHECK_MODELS_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here / "_models", here.parent / "models"):
        if candidate.is_dir():
            return candidate
    return here.parent / "models"


def _repo_root() -> Path | None:
    """The source checkout this package runs from (a folder with pyproject.toml beside the package), if any."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes (hex), read in blocks: the one file digest results record."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def portable_path(path: str | Path, digest: bool = True) -> str:
    """How results record ``path`` without exposing the machine they were made on.

    Inside the current directory or the source checkout: the path relative to it. Inside an installed
    package (site-packages): ``<site-packages>/...``. Anywhere else: the file name and, for a file, its
    sha256 (``name (sha256:0123abcd4567)``; just the name with ``digest=False``, for records that keep
    the digest beside it).
    """
    p = Path(path)
    try:
        full = p.resolve()
    except OSError:
        return p.name
    parts = full.parts
    for marker in ("site-packages", "dist-packages"):  # an installed package, wherever the venv lies
        if marker in parts:
            return "/".join((f"<{marker}>", *parts[parts.index(marker) + 1:]))
    for base in (Path.cwd().resolve(), _repo_root()):
        if base is not None and full.is_relative_to(base):
            rel = full.relative_to(base).as_posix()
            return rel or "."
    if digest and full.is_file():
        return f"{full.name} (sha256:{file_sha256(full)[:12]})"
    return full.name


@contextmanager
def quiet_loading(quiet: bool = True) -> Iterator[None]:
    """Silence transformers' "Loading weights" progress bars while models load (restored afterwards)."""
    if not quiet:
        yield
        return
    if "transformers" not in sys.modules:
        # Importing transformers only to silence it costs a second; the Hub's switch, read when it is
        # imported, silences it if a loader imports it after all (a non-BERT model).
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        yield
        return
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the ONNX-only install has no transformers
        yield
        return
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()
