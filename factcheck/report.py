"""Render a ``factcheck.report/1`` dict as terminal text, JSON, JSONL, Markdown or HTML.

JSONL layout: the first line is a header object ``{"type": "header", "schema", "version",
"models", "settings", "articles", "stats", "n_findings"}``; every further line is one finding,
``{"type": "finding", "rank": 1, ...the finding's fields}``, strongest first.

HTML is one self-contained file: inline CSS, no scripts, nothing loaded from the network (a
Content-Security-Policy forbids it), every piece of article text escaped.
"""

from __future__ import annotations

import html
import io
import json
import re
import sys
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from factcheck.errors import InputError

__all__ = [
    "SCHEMA",
    "ReportFormat",
    "Segment",
    "highlight_segments",
    "load_report",
    "render",
    "write_report",
]

SCHEMA = "factcheck.report/1"
_LABELS = ("contradiction", "agreement", "neutral")
_TERMINAL_WIDTH = 80


class ReportFormat(str, Enum):
    """Output formats of ``factcheck check --format``."""

    terminal = "terminal"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    html = "html"


# --------------------------------------------------------------------------- pure helpers


@dataclass(frozen=True)
class Segment:
    """A stretch ``[start, end)`` of text covered by the spans ``keys`` (in input order)."""

    start: int
    end: int
    keys: tuple[Hashable, ...]


def highlight_segments(spans: Sequence[tuple[int, int, Hashable]]) -> list[Segment]:
    """Cut possibly overlapping ``(start, end, key)`` spans into non-overlapping segments.

    Each returned segment lies wholly inside every span in its ``keys`` and outside all
    others; segments are sorted and only cover text that at least one span covers.
    Empty spans yield nothing.
    """
    for start, end, key in spans:
        if start < 0 or end < start:
            raise ValueError(f"bad span {start}-{end} for {key!r}")
    cuts = sorted({p for start, end, _ in spans if end > start for p in (start, end)})
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, (start, end, _) in enumerate(spans):
        if end > start:
            starts.setdefault(start, []).append(i)
            ends.setdefault(end, []).append(i)
    active: set[int] = set()
    out: list[Segment] = []
    for left, right in zip(cuts, cuts[1:]):
        active.difference_update(ends.get(left, ()))
        active.update(starts.get(left, ()))
        if active:
            out.append(Segment(left, right, tuple(spans[i][2] for i in sorted(active))))
    return out


def _get(mapping: Mapping[str, Any] | None, *path: str, default: Any = None) -> Any:
    for key in path:
        if not isinstance(mapping, Mapping) or key not in mapping:
            return default
        mapping = mapping[key]
    return mapping


def _num(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "–"


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("–" if value is None else str(value))


def _model_line(info: Mapping[str, Any] | None) -> str:
    if not info:
        return "–"
    detail = [str(info["backend"])] if info.get("backend") else []
    if info.get("revision"):
        detail.append(f"rev {str(info['revision'])[:12]}")
    name = str(info.get("name") or "?")
    return f"{name} ({', '.join(detail)})" if detail else name


def _pair(finding: Mapping[str, Any]) -> tuple[str, str]:
    claims = finding.get("claims") or [{}, {}]
    return str(claims[0].get("article", "?")), str(claims[-1].get("article", "?"))


def _contra(finding: Mapping[str, Any], direction: str) -> Any:
    return _get(finding, "nli", direction, "contradiction")


def _label_counts(findings: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts = {label: 0 for label in _LABELS}
    for f in findings:
        label = str(f.get("label", "neutral"))
        counts[label] = counts.get(label, 0) + 1
    return counts


def _counts_line(findings: Sequence[Mapping[str, Any]]) -> str:
    counts = _label_counts(findings)
    if not counts["contradiction"]:
        head = "No contradictions found"
    else:
        n = counts["contradiction"]
        head = f"{n} contradiction{'s' if n != 1 else ''}"
    rest = [f"{n} {label}{'s' if n != 1 and label != 'neutral' else ''}"
            for label, n in counts.items() if label != "contradiction" and n]
    return head + (f" ({', '.join(rest)} shown)" if rest else "")


def _grouped(findings: Sequence[Mapping[str, Any]]) -> list[tuple[tuple[str, str], list[tuple[int, Mapping]]]]:
    """Findings grouped by unordered article pair, groups in order of their strongest finding."""
    groups: dict[frozenset, tuple[tuple[str, str], list[tuple[int, Mapping]]]] = {}
    for rank, f in enumerate(findings, 1):
        pair = _pair(f)
        groups.setdefault(frozenset(pair), (pair, []))[1].append((rank, f))
    return list(groups.values())


def _check_report(report: Any) -> Mapping[str, Any]:
    if not isinstance(report, Mapping):
        raise InputError(f"report must be a dict (schema {SCHEMA}), got {type(report).__name__}")
    if report.get("schema") != SCHEMA:
        raise InputError(f"report has schema {report.get('schema')!r}, expected {SCHEMA!r}; re-run factcheck check")
    return report


# --------------------------------------------------------------------------- terminal (rich)


def _terminal_renderables(report: Mapping[str, Any]) -> RenderableType:
    stats = report.get("stats") or {}
    articles = report.get("articles") or []
    findings = report.get("findings") or []
    parts: list[RenderableType] = [Text(f"factcheck report  (v{report.get('version', '?')})", style="bold")]

    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="dim")
    summary.add_column(overflow="fold")
    summary.add_row("articles", _count(len(articles)))
    summary.add_row("claims", _count(stats.get("claims")))
    summary.add_row("pairs scored", f"{_count(stats.get('pairs_scored'))} / {_count(stats.get('pairs_possible'))}")
    summary.add_row("seconds", _num(stats.get("seconds"), 1))
    for role, info in (report.get("models") or {}).items():
        summary.add_row(role, _model_line(info))
    parts.append(summary)

    if articles:
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        table.add_column("id", overflow="fold")
        table.add_column("claims", justify="right")
        table.add_column("title", overflow="fold", ratio=1)
        for a in articles:
            title = a.get("title") or a.get("source") or ""
            table.add_row(Text(str(a.get("id", "?"))), _count(a.get("n_claims")), Text(str(title)))
        parts += [Text(""), table]

    counts_style = "bold red" if _label_counts(findings)["contradiction"] else "bold green"
    parts += [Text(""), Text(_counts_line(findings) + ".", style=counts_style)]

    for (left, right), members in _grouped(findings):
        parts.append(Rule(Text(f"{left} ↔ {right}", style="bold"), align="left", characters="─"))
        for rank, f in members:
            parts.append(_terminal_finding(rank, f))
    return Group(*parts)


_LABEL_STYLE = {"contradiction": "bold red", "agreement": "bold green", "neutral": "bold yellow"}


def _terminal_finding(rank: int, f: Mapping[str, Any]) -> RenderableType:
    label = str(f.get("label", "?"))
    head = Text()
    head.append(f"#{rank} ", style="bold")
    head.append(label.upper(), style=_LABEL_STYLE.get(label, "bold"))
    head.append(f"  score {_num(f.get('score'))}  similarity {_num(f.get('similarity'))}")
    body = Table.grid(padding=(0, 1))
    body.add_column(no_wrap=True, style="cyan")
    body.add_column(overflow="fold", ratio=1)
    for claim in f.get("claims") or []:
        where = f"{claim.get('article', '?')} [{claim.get('start', '?')}:{claim.get('end', '?')}]"
        body.add_row(Text(where), Text(" ".join(str(claim.get("text", "")).split())))
    body.add_row(Text("nli", style="dim"), Text(f"P(contradiction) forward {_num(_contra(f, 'forward'))}"
                                                 f" · backward {_num(_contra(f, 'backward'))}"))
    for reason in f.get("reasons") or []:
        body.add_row(Text("reason", style="dim"), Text(str(reason)))
    return Group(head, Padding(body, (0, 0, 0, 3)), Text(""))


def _render_terminal(report: Mapping[str, Any], texts: Mapping[str, str] | None = None) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=_TERMINAL_WIDTH, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    console.print(_terminal_renderables(report))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


# --------------------------------------------------------------------------- JSON / JSONL


def _render_json(report: Mapping[str, Any], texts: Mapping[str, str] | None = None) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _render_jsonl(report: Mapping[str, Any], texts: Mapping[str, str] | None = None) -> str:
    findings = report.get("findings") or []
    header = {"type": "header", **{k: v for k, v in report.items() if k != "findings"}, "n_findings": len(findings)}
    lines = [header] + [{"type": "finding", "rank": rank, **f} for rank, f in enumerate(findings, 1)]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\|*_`\[\]#~])")


def _md(value: Any) -> str:
    """One table cell: Markdown/HTML specials escaped, newlines folded into spaces."""
    text = html.escape(str(value), quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> list[str]:
    aligns = align or "l" * len(header)
    rule = ["---:" if a == "r" else "---" for a in aligns]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines


def _render_markdown(report: Mapping[str, Any], texts: Mapping[str, str] | None = None) -> str:
    stats = report.get("stats") or {}
    articles = report.get("articles") or []
    findings = report.get("findings") or []
    summary = [
        ("Articles", _count(len(articles))),
        ("Claims", _count(stats.get("claims"))),
        ("Pairs scored", f"{_count(stats.get('pairs_scored'))} / {_count(stats.get('pairs_possible'))}"),
        ("Seconds", _num(stats.get("seconds"), 1)),
    ] + [(f"Model: {role}", _model_line(info)) for role, info in (report.get("models") or {}).items()]
    out = [f"# factcheck report (v{_md(report.get('version', '?'))})", ""]
    out += _md_table(["", ""], summary) + [""]
    if articles:
        out += ["## Articles", ""]
        out += _md_table(["id", "claims", "title", "source"],
                         [(a.get("id", ""), _count(a.get("n_claims")), a.get("title") or "", a.get("source") or "")
                          for a in articles], "lrll") + [""]
    out += ["## Findings", "", f"**{_md(_counts_line(findings))}.**", ""]
    if findings:
        rows = []
        for rank, f in enumerate(findings, 1):
            a, b = (f.get("claims") or [{}, {}])[0], (f.get("claims") or [{}, {}])[-1]
            rows.append((
                rank, f.get("label", ""), _num(f.get("score")), _num(f.get("similarity")),
                f"{_num(_contra(f, 'forward'))} / {_num(_contra(f, 'backward'))}",
                f"{a.get('article', '')} [{a.get('start', '')}:{a.get('end', '')}]", a.get("text", ""),
                f"{b.get('article', '')} [{b.get('start', '')}:{b.get('end', '')}]", b.get("text", ""),
                "; ".join(str(r) for r in f.get("reasons") or []),
            ))
        out += _md_table(["#", "label", "score", "similarity", "P(contra) fwd / bwd", "article A", "sentence A",
                          "article B", "sentence B", "reasons"], rows, "rlrrrlllll") + [""]
    return "\n".join(out)


# --------------------------------------------------------------------------- HTML

_CSS = """
:root { --contradiction: #f8c9c5; --contradiction-ink: #a4161a; --agreement: #c8efd2;
  --agreement-ink: #1b6e34; --neutral: #e3e3ea; --neutral-ink: #4a4a57; --line: #d8d8de; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f6; color: #1d1d22;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
header.top { background: #fff; border-bottom: 1px solid var(--line); padding: 10px 20px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0; }
.summary { display: flex; flex-wrap: wrap; gap: 2px 22px; margin: 0; font-size: 14px; }
.summary div { display: flex; gap: 6px; }
.summary dt { color: #6b6b76; }
.summary dd { margin: 0; font-weight: 600; }
main { padding: 12px 20px 20px; }
.verdict { font-weight: 700; margin: 0 0 8px; }
.verdict.none { color: var(--agreement-ink); }
.verdict.some { color: var(--contradiction-ink); }
ol.findings { list-style: none; margin: 0 0 14px; padding: 0; max-height: 40vh; overflow-y: auto;
  border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.finding { padding: 8px 12px; border-bottom: 1px solid var(--line); border-left: 5px solid var(--neutral); }
.finding:last-child { border-bottom: 0; }
.finding.contradiction { border-left-color: var(--contradiction-ink); }
.finding.agreement { border-left-color: var(--agreement-ink); }
.finding:target { background: #fff7d6; }
.finding .meta { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; font-size: 13px; color: #55555f; }
.badge { font-weight: 700; font-size: 12px; text-transform: uppercase; letter-spacing: .04em;
  padding: 1px 7px; border-radius: 9px; background: var(--neutral); color: var(--neutral-ink); }
.badge.contradiction { background: var(--contradiction); color: var(--contradiction-ink); }
.badge.agreement { background: var(--agreement); color: var(--agreement-ink); }
.rank { font-weight: 700; color: #1d1d22; }
.pair { font-weight: 600; color: #1d1d22; }
.claims { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; margin: 4px 0 0; }
.claim { margin: 0; font-size: 14px; }
.claim .where { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; color: #55555f; margin-right: 6px;
  white-space: nowrap; }
a.where { color: #2156a5; }
.reasons { margin: 4px 0 0; padding-left: 18px; font-size: 13px; color: #55555f; }
.articles { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(340px, 1fr); gap: 12px;
  overflow-x: auto; padding-bottom: 4px; }
.doc { background: #fff; border: 1px solid var(--line); border-radius: 6px; display: flex; flex-direction: column;
  height: 75vh; min-height: 320px; min-width: 0; }
.doc header { padding: 8px 12px; border-bottom: 1px solid var(--line); }
.doc .title { font-size: 14px; margin: 2px 0 0; display: -webkit-box; -webkit-line-clamp: 2;
  -webkit-box-orient: vertical; overflow: hidden; }
.doc .source { font-size: 12px; color: #6b6b76; margin: 2px 0 0; overflow-wrap: anywhere; }
.doc .text { flex: 1; overflow-y: auto; padding: 8px 12px; margin: 0; white-space: pre-wrap;
  overflow-wrap: break-word; font: inherit; font-size: 14px; line-height: 1.55; }
.doc .missing { padding: 8px 12px; color: #6b6b76; font-style: italic; }
a.hl { color: inherit; text-decoration: none; border-radius: 2px; background: var(--neutral); }
a.hl.contradiction { background: var(--contradiction); }
a.hl.agreement { background: var(--agreement); }
a.hl.multi { box-shadow: inset 0 -2px 0 var(--contradiction-ink); }
a.hl:hover { outline: 1px solid #55555f; }
span.furniture { color: #8a8a94; font-style: italic; }
a.ref { font: 700 10px/1 ui-monospace, "DejaVu Sans Mono", monospace; vertical-align: super; color: #fff;
  background: #55555f; border-radius: 6px; padding: 1px 4px; margin-right: 2px; text-decoration: none;
  scroll-margin-top: 40px; }
a.ref.contradiction { background: var(--contradiction-ink); }
a.ref.agreement { background: var(--agreement-ink); }
a.ref:target { outline: 3px solid #f2b705; }
@media (max-width: 800px) { .claims { grid-template-columns: 1fr; } header.top, main { padding-left: 10px;
  padding-right: 10px; } }
details.settings { font-size: 13px; margin-top: 4px; color: #55555f; }
details.settings pre { margin: 4px 0 0; white-space: pre-wrap; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _is_web_url(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"https?://[^\s<>\"']+$", value) is not None


@dataclass(frozen=True)
class _Mark:
    """One claim placed in an article: finding ``rank``, ``side`` 0/1, offsets, label."""

    rank: int
    side: int
    start: int
    end: int
    label: str

    @property
    def anchor(self) -> str:
        return f"c-{self.rank}-{self.side}"


def _marks_by_article(findings: Sequence[Mapping[str, Any]], texts: Mapping[str, str]) -> dict[str, list[_Mark]]:
    """Claims that can be placed in ``texts``, per article; offsets checked against the text."""
    marks: dict[str, list[_Mark]] = {}
    for rank, f in enumerate(findings, 1):
        for side, claim in enumerate(f.get("claims") or []):
            article = str(claim.get("article"))
            if article not in texts:
                continue
            text, start, end = texts[article], claim.get("start"), claim.get("end")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
                raise InputError(f"finding {rank}: claim offsets {start}:{end} are outside article {article!r} "
                                 f"({len(text)} chars); pass the texts the offsets index")
            if "text" in claim and " ".join(text[start:end].split()) != " ".join(str(claim["text"]).split()):
                raise InputError(f"finding {rank}: article {article!r}[{start}:{end}] is not the claim's sentence; "
                                 "pass the texts the offsets index")
            marks.setdefault(article, []).append(_Mark(rank, side, start, end, str(f.get("label", "neutral"))))
    return marks


def _dropped_spans(article: Mapping[str, Any], length: int) -> list[tuple[int, int, str]]:
    out = []
    for d in article.get("dropped") or ():
        start, end = d.get("start"), d.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            out.append((start, end, str(d.get("reason", "page furniture"))))
    return out


def _highlighted_text(text: str, marks: Sequence[_Mark], dropped: Sequence[tuple[int, int, str]] = ()) -> str:
    """Article text as HTML: each claim highlighted, a numbered anchor at each claim's start, text
    dropped as page furniture greyed out with its reason."""
    by_key = {(m.rank, m.side): m for m in marks}
    segments = highlight_segments([(m.start, m.end, (m.rank, m.side)) for m in marks])
    refs_at: dict[int, list[_Mark]] = {}
    for m in sorted(marks, key=lambda m: (m.start, m.rank, m.side)):
        refs_at.setdefault(m.start, []).append(m)
    cuts = sorted({0, len(text), *refs_at, *(p for s in segments for p in (s.start, s.end)),
                   *(p for s, e, _ in dropped for p in (s, e))})
    segment_at = {s.start: s for s in segments}
    out: list[str] = []
    for left, right in zip(cuts, [*cuts[1:], None]):
        for m in refs_at.get(left, ()):
            out.append(f'<a class="ref {_e(m.label)}" id="{m.anchor}" href="#finding-{m.rank}" '
                       f'title="finding {m.rank}: {_e(m.label)}">{m.rank}</a>')
        if right is None:
            break
        piece = _e(text[left:right])
        seg = segment_at.get(left)
        if seg is None:
            reason = next((r for s, e, r in dropped if s <= left and right <= e), None)
            out.append(piece if reason is None else
                       f'<span class="furniture" title="dropped: {_e(reason)}">{piece}</span>')
            continue
        covering = [by_key[k] for k in seg.keys]
        first = min(covering, key=lambda m: m.rank)
        keys = " ".join(m.anchor for m in covering)
        title = ", ".join(f"finding {m.rank} ({m.label})" for m in sorted(covering, key=lambda m: m.rank))
        multi = " multi" if len({m.rank for m in covering}) > 1 else ""
        out.append(f'<a class="hl {_e(first.label)}{multi}" href="#finding-{first.rank}" data-claims="{keys}" '
                   f'title="{_e(title)}">{piece}</a>')
    return "".join(out)


def _html_summary(report: Mapping[str, Any]) -> str:
    stats = report.get("stats") or {}
    items = [
        ("articles", _count(len(report.get("articles") or []))),
        ("claims", _count(stats.get("claims"))),
        ("pairs scored", f"{_count(stats.get('pairs_scored'))} / {_count(stats.get('pairs_possible'))}"),
        ("seconds", _num(stats.get("seconds"), 1)),
    ] + [(role, _model_line(info)) for role, info in (report.get("models") or {}).items()]
    cells = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in items)
    settings = report.get("settings")
    details = ""
    if settings:
        details = ('<details class="settings"><summary>settings</summary><pre>'
                   f"{_e(json.dumps(settings, indent=2, ensure_ascii=False))}</pre></details>")
    return f'<dl class="summary">{cells}</dl>{details}'


def _html_finding(rank: int, f: Mapping[str, Any], placed: set[str]) -> str:
    label = str(f.get("label", "neutral"))
    left, right = _pair(f)
    meta = (f'<span class="rank">#{rank}</span><span class="badge {_e(label)}">{_e(label)}</span>'
            f'<span class="pair">{_e(left)} ↔ {_e(right)}</span>'
            f"<span>score {_num(f.get('score'))}</span><span>similarity {_num(f.get('similarity'))}</span>"
            f"<span>P(contradiction) fwd {_num(_contra(f, 'forward'))} · bwd {_num(_contra(f, 'backward'))}</span>")
    claims = []
    for side, claim in enumerate(f.get("claims") or []):
        where = f"{_e(claim.get('article', '?'))} [{_e(claim.get('start', '?'))}:{_e(claim.get('end', '?'))}]"
        anchor = f"c-{rank}-{side}"
        where_html = (f'<a class="where" href="#{anchor}">{where}</a>' if anchor in placed
                      else f'<span class="where">{where}</span>')
        claims.append(f'<p class="claim">{where_html}{_e(claim.get("text", ""))}</p>')
    reasons = "".join(f"<li>{_e(r)}</li>" for r in f.get("reasons") or [])
    reasons_html = f'<ul class="reasons">{reasons}</ul>' if reasons else ""
    return (f'<li class="finding {_e(label)}" id="finding-{rank}"><div class="meta">{meta}</div>'
            f'<div class="claims">{"".join(claims)}</div>{reasons_html}</li>')


def _html_article(index: int, article: Mapping[str, Any], text: str | None, marks: Sequence[_Mark]) -> str:
    title = article.get("title")
    source = article.get("source")
    head = f"<h2>{_e(article.get('id', '?'))}</h2>"
    if title:
        head += f'<p class="title">{_e(title)}</p>'
    if _is_web_url(source):
        head += f'<p class="source"><a href="{_e(source)}" rel="noopener noreferrer">{_e(source)}</a></p>'
    elif source:
        head += f'<p class="source">{_e(source)}</p>'
    body = (f'<div class="text">{_highlighted_text(text, marks, _dropped_spans(article, len(text)))}</div>'
            if text is not None
            else '<p class="missing">text not available</p>')
    return f'<article class="doc" id="article-{index}"><header>{head}</header>{body}</article>'


def _render_html(report: Mapping[str, Any], texts: Mapping[str, str] | None = None) -> str:
    findings = report.get("findings") or []
    articles = list(report.get("articles") or [])
    texts = {str(k): v for k, v in (texts or {}).items()}
    marks = _marks_by_article(findings, texts)
    placed = {m.anchor for ms in marks.values() for m in ms}
    known = {str(a.get("id")) for a in articles}
    articles += [{"id": k} for k in texts if k not in known]

    n_contra = _label_counts(findings)["contradiction"]
    verdict = f'<p class="verdict {"some" if n_contra else "none"}">{_e(_counts_line(findings))}.</p>'
    items = "".join(_html_finding(rank, f, placed) for rank, f in enumerate(findings, 1))
    findings_html = f'<ol class="findings">{items}</ol>' if items else ""
    articles_html = ""
    if texts:
        columns = "".join(_html_article(i, a, texts.get(str(a.get("id"))), marks.get(str(a.get("id")), ()))
                          for i, a in enumerate(articles))
        articles_html = f'<section class="articles">{columns}</section>'
    title = f"factcheck report — {_counts_line(findings)}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>"
        f'<header class="top"><h1>factcheck report <small>v{_e(report.get("version", "?"))}</small></h1>'
        f"{_html_summary(report)}</header>\n"
        f"<main>{verdict}{findings_html}\n{articles_html}</main>\n</body></html>\n"
    )


# --------------------------------------------------------------------------- dispatch

_RENDERERS: dict[ReportFormat, Callable[[Mapping[str, Any], Mapping[str, str] | None], str]] = {
    ReportFormat.terminal: _render_terminal,
    ReportFormat.json: _render_json,
    ReportFormat.jsonl: _render_jsonl,
    ReportFormat.markdown: _render_markdown,
    ReportFormat.html: _render_html,
}


def _format(fmt: ReportFormat | str) -> ReportFormat:
    try:
        return ReportFormat(fmt)
    except ValueError:
        raise InputError(f"unknown report format {fmt!r}; choose one of: "
                         f"{', '.join(f.value for f in ReportFormat)}") from None


def render(report: Mapping[str, Any], fmt: ReportFormat | str, texts: Mapping[str, str] | None = None) -> str:
    """The report as text in ``fmt``; ``texts`` (article id → document text) feeds the HTML side-by-side view."""
    return _RENDERERS[_format(fmt)](_check_report(report), texts)


def write_report(
    report: Mapping[str, Any],
    fmt: ReportFormat | str,
    output: Path | None = None,
    texts: Mapping[str, str] | None = None,
    console: Console | None = None,
) -> None:
    """Write the report to ``output``, or to stdout (the terminal format through rich, in colour on a TTY)."""
    fmt = _format(fmt)
    if output is None and fmt == ReportFormat.terminal:
        (console or Console(highlight=False, emoji=False)).print(_terminal_renderables(_check_report(report)))
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


def load_report(path: Path) -> dict:
    """Read a report written with ``--format json`` (to re-render it in another format)."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read report {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not a JSON report ({exc}); write one with --format json") from None
    _check_report(report)
    return report
