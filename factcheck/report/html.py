"""The HTML report: one self-contained page, the articles side by side with the claims highlighted.

Inline CSS (``report.css`` beside this module, read as package data), no scripts, nothing loaded from
the network (a Content-Security-Policy forbids it), every piece of article text escaped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from factcheck.errors import InputError
from factcheck.report.schema import Article, Dispute, Finding, Report
from factcheck.report.text import counts_line, num, side_title, summary_items

__all__ = ["Segment", "highlight_segments", "render_html"]


@lru_cache(maxsize=1)
def _css() -> str:
    return resources.files("factcheck.report").joinpath("report.css").read_text(encoding="utf-8")


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


def _marks_by_article(findings: Sequence[Finding], texts: Mapping[str, str]) -> dict[str, list[_Mark]]:
    """Claims that can be placed in ``texts``, per article; offsets checked against the text."""
    marks: dict[str, list[_Mark]] = {}
    for rank, f in enumerate(findings, 1):
        for side, claim in enumerate(f.claims):
            article = claim.article
            if article not in texts:
                continue
            text, start, end = texts[article], claim.start, claim.end
            if not 0 <= start <= end <= len(text):
                raise InputError(f"finding {rank}: claim offsets {start}:{end} are outside article {article!r} "
                                 f"({len(text)} chars); pass the texts the offsets index")
            if " ".join(text[start:end].split()) != " ".join(claim.text.split()):
                raise InputError(f"finding {rank}: article {article!r}[{start}:{end}] is not the claim's sentence; "
                                 "pass the texts the offsets index")
            marks.setdefault(article, []).append(_Mark(rank, side, start, end, f.label))
    return marks


def _dropped_spans(article: Article, length: int) -> list[tuple[int, int, str]]:
    return [(d.start, d.end, d.reason or "page furniture") for d in article.dropped if 0 <= d.start < d.end <= length]


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


def _html_summary(report: Report) -> str:
    cells = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in summary_items(report))
    settings = report.settings
    details = ""
    if settings:
        details = ('<details class="settings"><summary>settings</summary><pre>'
                   f"{_e(json.dumps(settings, indent=2, ensure_ascii=False))}</pre></details>")
    return f'<dl class="summary">{cells}</dl>{details}'


def _html_finding(rank: int, f: Finding, placed: set[str]) -> str:
    label = f.label
    left, right = f.articles
    meta = (f'<span class="rank">#{rank}</span><span class="badge {_e(label)}">{_e(label)}</span>'
            f'<span class="pair">{_e(left)} ↔ {_e(right)}</span>'
            f"<span>score {num(f.score)}</span><span>similarity {num(f.similarity)}</span>"
            f"<span>P(contradiction) fwd {num(f.forward.contradiction)} · bwd {num(f.backward.contradiction)}</span>")
    claims = []
    for side, claim in enumerate(f.claims):
        where = f"{_e(claim.article)} [{claim.start}:{claim.end}]"
        anchor = f"c-{rank}-{side}"
        where_html = (f'<a class="where" href="#{anchor}">{where}</a>' if anchor in placed
                      else f'<span class="where">{where}</span>')
        lead = f'<span class="lead">{_e(claim.lead)}</span>' if claim.lead else ""
        claims.append(f'<p class="claim">{where_html}{lead}{_e(claim.text)}</p>')
    reasons = "".join(f"<li>{_e(r)}</li>" for r in f.reasons)
    reasons_html = f'<ul class="reasons">{reasons}</ul>' if reasons else ""
    return (f'<li class="finding {_e(label)}" id="finding-{rank}"><div class="meta">{meta}</div>'
            f'<div class="claims">{"".join(claims)}</div>{reasons_html}</li>')


def _html_disputes(disputes: Sequence[Dispute], articles: Sequence[Article]) -> str:
    """Disputes × articles: each outlet's wording, coloured by the side it takes, above the pair details."""
    if not disputes:
        return ""
    ids = [a.id for a in articles]
    for d in disputes:  # an article only the disputes name still gets its column
        ids += [c.article for side in d.sides for c in side.claims if c.article not in ids]
    head = "".join(f'<th scope="col">{_e(a)}</th>' for a in ids)
    rows = []
    for d in disputes:
        cells = []
        for a in ids:
            parts = []
            for k in (0, 1):
                for c in d.sides[k].claims:
                    if c.article == a:
                        minority = " minority" if d.minority == k else ""
                        parts.append(f'<p class="side s{k + 1}{minority}" title="{_e(side_title(d, k))}">'
                                     f'<span class="tag">side {k + 1}{" · minority" if minority else ""}</span>'
                                     f"{_e(' '.join(c.text.split()))}</p>")
            if not parts and a in d.silent:
                parts.append('<p class="side silent">silent: mentions it, takes no side</p>')
            cells.append(f'<td data-article="{_e(a)}"' + ("" if parts else ' class="none"') + ">"
                         + ("".join(parts) or '<span class="absent">—</span>') + "</td>")
        refs = " ".join(f'<a href="#finding-{k + 1}">#{k + 1}</a>' for k in d.findings)
        label = (f'<th scope="row"><span class="did">{_e(d.id)}</span> {_e(d.label)}'
                 f'<span class="dmeta">score {num(d.score)} · {refs}</span></th>')
        rows.append(f'<tr id="dispute-{_e(d.id)}">{label}{"".join(cells)}</tr>')
    n = len(disputes)
    return (f'<h2 class="disputes-head">{_e(disputes_line_text(n))}, strongest first</h2>'
            '<div class="disputes-wrap"><table class="disputes"><thead><tr><th scope="col">dispute</th>'
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def disputes_line_text(n: int) -> str:
    return f"{n} disputed fact{'s' if n != 1 else ''}"


def _html_article(index: int, article: Article, text: str | None, marks: Sequence[_Mark],
                  note: str | None = None) -> str:
    title = article.title
    source = article.source
    head = f"<h2>{_e(article.id)}</h2>"
    if title:
        head += f'<p class="title">{_e(title)}</p>'
    if _is_web_url(source):
        head += f'<p class="source"><a href="{_e(source)}" rel="noopener noreferrer">{_e(source)}</a></p>'
    elif source:
        head += f'<p class="source">{_e(source)}</p>'
    if note:
        head += f'<p class="note">{_e(note)}</p>'
    body = (f'<div class="text">{_highlighted_text(text, marks, _dropped_spans(article, len(text)))}</div>'
            if text is not None
            else '<p class="missing">text not available</p>')
    return f'<article class="doc" id="article-{index}"><header>{head}</header>{body}</article>'


def render_html(report: Report, texts: Mapping[str, str] | None = None) -> str:
    """One self-contained page: summary, findings, and the articles side by side with claims highlighted."""
    findings = report.findings
    articles = list(report.articles)
    texts = {str(k): v for k, v in (texts or {}).items()}
    marks = _marks_by_article(findings, texts)
    placed = {m.anchor for ms in marks.values() for m in ms}
    known = {a.id for a in articles}
    articles += [Article(id=k) for k in texts if k not in known]

    disputes_html = _html_disputes(report.disputes, articles)
    n_contra = report.count("contradiction")
    verdict = f'<p class="verdict {"some" if n_contra else "none"}">{_e(counts_line(findings))}.</p>'
    items = "".join(_html_finding(rank, f, placed) for rank, f in enumerate(findings, 1))
    findings_html = f'<ol class="findings">{items}</ol>' if items else ""
    articles_html = ""
    if texts:
        columns = "".join(_html_article(i, a, texts.get(a.id), marks.get(a.id, ()),
                                        a.language_note(report.settings.get("nli_language")))
                          for i, a in enumerate(articles))
        # An index, so every article is one click away however the columns wrap.
        toc = "".join(f'<a href="#article-{i}">{_e(a.id)}</a>' for i, a in enumerate(articles))
        articles_html = (f'<nav class="toc" aria-label="articles">Articles: {toc}</nav>'
                         f'<section class="articles">{columns}</section>')
    title = f"factcheck report — {counts_line(findings)}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title><style>{_css()}</style></head>\n<body>"
        f'<header class="top"><h1>factcheck report <small>v{_e(report.version)}</small></h1>'
        f"{_html_summary(report)}</header>\n"
        f"<main>{disputes_html}{verdict}{findings_html}\n{articles_html}</main>\n</body></html>\n"
    )
