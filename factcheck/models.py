"""Model provenance and where the project's own models live."""

from __future__ import annotations

import os
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

    def to_dict(self) -> dict:
        return asdict(self)


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
