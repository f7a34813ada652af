"""Reports of ``factcheck check``: the typed ``factcheck.report/1`` schema and its renderers.

``schema`` holds the dataclasses; ``text`` renders terminal, JSON, JSONL and Markdown; ``html`` renders
the side-by-side page. Renderers take a ``Report``; ``Report.to_dict()`` is the JSON form.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path

from rich.console import Console

from factcheck.errors import InputError
from factcheck.report.html import Segment, highlight_segments, render_html
from factcheck.report.schema import SCHEMA, Article, Claim, DroppedSpan, Finding, NLIScores, Report, Stats
from factcheck.report.text import render_json, render_jsonl, render_markdown, render_terminal, terminal_renderables

__all__ = [
    "SCHEMA",
    "Article",
    "Claim",
    "DroppedSpan",
    "Finding",
    "NLIScores",
    "Report",
    "ReportFormat",
    "Segment",
    "Stats",
    "highlight_segments",
    "load_report",
    "render",
    "write_report",
]


class ReportFormat(str, Enum):
    """Output formats of ``factcheck check --format``."""

    terminal = "terminal"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"


_RENDERERS: dict[ReportFormat, Callable[[Report, Mapping[str, str] | None], str]] = {
    ReportFormat.terminal: render_terminal,
    ReportFormat.json: render_json,
    ReportFormat.jsonl: render_jsonl,
    ReportFormat.markdown: render_markdown,
    ReportFormat.html: render_html,
}


def _format(fmt: ReportFormat | str) -> ReportFormat:
    try:
        return ReportFormat(fmt)
    except ValueError:
        raise InputError(f"unknown report format {fmt!r}; choose one of: "
                         f"{', '.join(f.value for f in ReportFormat)}") from None


def _report(report: Report) -> Report:
    if not isinstance(report, Report):
        raise InputError(f"expected a factcheck Report, got {type(report).__name__}; "
                         "read a JSON report with factcheck.report.load_report or Report.from_dict")
    return report


def render(report: Report, fmt: ReportFormat | str, texts: Mapping[str, str] | None = None) -> str:
    """The report as text in ``fmt``; ``texts`` (article id → document text) feeds the HTML side-by-side view."""
    return _RENDERERS[_format(fmt)](_report(report), texts)


def write_report(
    report: Report,
    fmt: ReportFormat | str,
    output: Path | None = None,
    texts: Mapping[str, str] | None = None,
    console: Console | None = None,
) -> None:
    """Write the report to ``output``, or to stdout (the terminal format through rich, in colour on a TTY)."""
    fmt = _format(fmt)
    if output is None and fmt == ReportFormat.terminal:
        (console or Console(highlight=False, emoji=False)).print(terminal_renderables(_report(report)))
        return
    text = render(report, fmt, texts)
    if output is None:
        (console.file if console is not None else sys.stdout).write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write report to {output}: {exc.strerror or exc}") from None


def load_report(path: Path) -> Report:
    """Read a report written with ``--format json`` (to re-render it in another format)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read report {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not a JSON report ({exc}); write one with --format json") from None
    try:
        return Report.from_dict(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
