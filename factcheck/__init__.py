"""factcheck: find contradictions between news articles about the same event."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "check"]


def check(paths, **kwargs):
    """Check articles for contradictions; returns the report as a plain dict (schema factcheck.report/1)."""
    from factcheck.pipeline import check as _check

    return _check(paths, **kwargs)
