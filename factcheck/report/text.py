"""Text renderers of a ``Report``: terminal (rich), JSON, JSONL and Markdown.

JSONL layout: the first line is a header object ``{"type": "header", "schema", "version",
"models", "settings", "articles", "stats", "n_findings"}``; every further line is one finding,
``{"type": "finding", "rank": 1, ...the finding's fields}``, strongest first.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from factcheck.models import ModelInfo
from factcheck.report.schema import VERDICTS, Dispute, Finding, Report

__all__ = ["render_json", "render_jsonl", "render_markdown", "render_terminal", "terminal_renderables"]

_TERMINAL_WIDTH = 80


# --------------------------------------------------------------------------- shared wording


def num(value: float | None, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "–"


def count(value: int | None) -> str:
    return f"{value:,}" if isinstance(value, int) else ("–" if value is None else str(value))


def model_line(info: ModelInfo | None) -> str:
    if info is None:
        return "–"
    detail = [info.backend] if info.backend else []
    if info.revision:
        detail.append(f"rev {info.revision[:12]}")
    name = info.name or "?"
    return f"{name} ({', '.join(detail)})" if detail else name


def label_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {label: 0 for label in VERDICTS}
    for f in findings:
        counts[f.label] = counts.get(f.label, 0) + 1
    return counts


def counts_line(findings: Sequence[Finding]) -> str:
    counts = label_counts(findings)
    if not counts["contradiction"]:
        head = "No contradictions found"
    else:
        n = counts["contradiction"]
        head = f"{n} contradiction{'s' if n != 1 else ''}"
    rest = [f"{n} {label}{'s' if n != 1 and label != 'neutral' else ''}"
            for label, n in counts.items() if label != "contradiction" and n]
    return head + (f" ({', '.join(rest)} shown)" if rest else "")


def grouped(findings: Sequence[Finding]) -> list[tuple[tuple[str, str], list[tuple[int, Finding]]]]:
    """Findings grouped by unordered article pair, groups in order of their strongest finding."""
    groups: dict[frozenset, tuple[tuple[str, str], list[tuple[int, Finding]]]] = {}
    for rank, f in enumerate(findings, 1):
        groups.setdefault(frozenset(f.articles), (f.articles, []))[1].append((rank, f))
    return list(groups.values())


def summary_items(report: Report) -> list[tuple[str, str]]:
    """The summary rows every renderer shows: articles, claims, pairs, seconds, models."""
    s = report.stats
    rows = [
        ("articles", count(len(report.articles))),
        ("claims", count(s.claims)),
        ("pairs scored", f"{count(s.pairs_scored)} / {count(s.pairs_possible)}"),
    ]
    sentence_pairs = sum(v for v in s.verdicts.values() if isinstance(v, int))
    if sentence_pairs and sentence_pairs != s.pairs_scored:
        # Clause claims of one sentence share that sentence's one finding, so findings are fewer than pairs.
        rows.append(("sentence pairs", f"{count(sentence_pairs)} (one finding each; a sentence's clause claims count once)"))
    load = s.extra.get("load_seconds")
    seconds = num(s.seconds, 1)
    rows.append(("seconds", f"{seconds} (+ {num(load, 1)} loading models)" if isinstance(load, (int, float)) else seconds))
    return rows + [(role, model_line(info)) for role, info in report.models.items()]


def disputes_line(report: Report) -> str:
    n = len(report.disputes)
    return f"{n} disputed fact{'s' if n != 1 else ''}" if n else "No disputed facts"


def side_title(d: Dispute, k: int) -> str:
    """"side 1 (000, 001)" or "side 2 (004, alone: the minority)"."""
    side = d.sides[k]
    note = ""
    if d.minority == k:
        note = ", alone: the minority" if len(side.articles) == 1 else ", the minority"
    both = set(d.sides[0].articles) & set(d.sides[1].articles)
    names = ", ".join(a + (" (on both sides)" if a in both else "") for a in side.articles)
    return f"side {k + 1} ({names}{note})"


def dispute_head(d: Dispute) -> str:
    refs = ", ".join(f"#{k + 1}" for k in d.findings)
    return f"{d.id}  {d.label}  score {num(d.score)}" + (f"  findings {refs}" if refs else "")


# --------------------------------------------------------------------------- terminal (rich)

_LABEL_STYLE = {"contradiction": "bold red", "agreement": "bold green", "neutral": "bold yellow"}


def terminal_renderables(report: Report) -> RenderableType:
    parts: list[RenderableType] = [Text(f"factcheck report  (v{report.version})", style="bold")]
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="dim")
    summary.add_column(overflow="fold")
    for key, value in summary_items(report):
        summary.add_row(key, value)
    parts.append(summary)

    if report.articles:
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        table.add_column("id", overflow="fold")
        table.add_column("claims", justify="right")
        table.add_column("title", overflow="fold", ratio=1)
        for a in report.articles:
            title = Text(a.title or a.source or "")
            note = a.language_note(report.settings.get("nli_language"))
            if note:
                title.append(f"{'  ' if title else ''}{note}", style="yellow")
            table.add_row(Text(a.id), count(a.n_claims), title)
        parts += [Text(""), table]

    if report.disputes:
        parts += [Text(""), Text(disputes_line(report) + ", strongest first.", style="bold red")]
        for d in report.disputes:
            parts.append(_terminal_dispute(d))
    counts_style = "bold red" if report.count("contradiction") else "bold green"
    parts += [Text(""), Text(counts_line(report.findings) + ".", style=counts_style)]

    for (left, right), members in grouped(report.findings):
        parts.append(Rule(Text(f"{left} ↔ {right}", style="bold"), align="left", characters="─"))
        for rank, f in members:
            parts.append(_terminal_finding(rank, f))
    return Group(*parts)


def _terminal_dispute(d: Dispute) -> RenderableType:
    parts: list[RenderableType] = [Rule(Text(dispute_head(d), style="bold"), align="left", characters="─")]
    for k in (0, 1):
        body = Table.grid(padding=(0, 1))
        body.add_column(no_wrap=True, style="cyan")
        body.add_column(overflow="fold", ratio=1)
        for c in d.sides[k].claims:
            body.add_row(Text(f"{c.article} [{c.start}:{c.end}]"), Text(" ".join(c.text.split())))
        parts += [Padding(Text(side_title(d, k), style="bold"), (0, 0, 0, 3)), Padding(body, (0, 0, 0, 5))]
    if d.silent:
        parts.append(Padding(Text(f"silent: {', '.join(d.silent)} (mention it, take no side)", style="dim"), (0, 0, 0, 3)))
    return Group(*parts, Text(""))


def _terminal_finding(rank: int, f: Finding) -> RenderableType:
    head = Text()
    head.append(f"#{rank} ", style="bold")
    head.append(f.label.upper(), style=_LABEL_STYLE.get(f.label, "bold"))
    if any(r.startswith("possible update") for r in f.reasons):
        head.append(" (possible update)", style="bold")
    head.append(f"  score {num(f.score)}  similarity {num(f.similarity)}")
    body = Table.grid(padding=(0, 1))
    body.add_column(no_wrap=True, style="cyan")
    body.add_column(overflow="fold", ratio=1)
    for claim in f.claims:
        body.add_row(Text(f"{claim.article} [{claim.start}:{claim.end}]"), Text(" ".join(claim.statement.split())))
    body.add_row(Text("nli", style="dim"), Text(f"P(contradiction) forward {num(f.forward.contradiction)}"
                                                 f" · backward {num(f.backward.contradiction)}"))
    for reason in f.reasons:
        body.add_row(Text("reason", style="dim"), Text(reason))
    return Group(head, Padding(body, (0, 0, 0, 3)), Text(""))


def render_terminal(report: Report, texts: Mapping[str, str] | None = None) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=_TERMINAL_WIDTH, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    console.print(terminal_renderables(report))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


# --------------------------------------------------------------------------- JSON / JSONL


def render_json(report: Report, texts: Mapping[str, str] | None = None) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_jsonl(report: Report, texts: Mapping[str, str] | None = None) -> str:
    data = report.to_dict()
    findings = data.pop("findings")
    header = {"type": "header", **data, "n_findings": len(findings)}
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


def _with_note(title: str, note: str | None) -> str:
    """A title with an article's language note after it ("Title — in Spanish, not compared (12 claim(s))")."""
    return f"{title} — {note}" if note and title else note or title


def render_markdown(report: Report, texts: Mapping[str, str] | None = None) -> str:
    summary = [(k.capitalize() if k in ("articles", "claims", "seconds") else
                "Pairs scored" if k == "pairs scored" else f"Model: {k}", v) for k, v in summary_items(report)]
    out = [f"# factcheck report (v{_md(report.version)})", ""]
    out += _md_table(["", ""], summary) + [""]
    if report.articles:
        out += ["## Articles", ""]
        out += _md_table(["id", "claims", "title", "source"],
                         [(a.id, count(a.n_claims), _with_note(a.title or "", a.language_note(
                             report.settings.get("nli_language"))), a.source or "") for a in report.articles],
                         "lrll") + [""]
    if report.disputes:
        out += ["## Disputes", "", f"**{_md(disputes_line(report))}, strongest first.**", ""]
        rows = []
        for d in report.disputes:
            for k in (0, 1):
                rows += [(d.id if k == 0 and not n else "", d.label if k == 0 and not n else "",
                          num(d.score) if k == 0 and not n else "", side_title(d, k) if not n else "",
                          f"{c.article} [{c.start}:{c.end}]", c.text)
                         for n, c in enumerate(d.sides[k].claims)]
            if d.silent:
                rows.append(("", "", "", "silent", ", ".join(d.silent), "mention it, take no side"))
        out += _md_table(["dispute", "what differs", "score", "side", "article", "wording"], rows, "llrlll") + [""]
    out += ["## Findings", "", f"**{_md(counts_line(report.findings))}.**", ""]
    if report.findings:
        rows = []
        for rank, f in enumerate(report.findings, 1):
            a, b = f.claims
            rows.append((
                rank, f.label, num(f.score), num(f.similarity),
                f"{num(f.forward.contradiction)} / {num(f.backward.contradiction)}",
                f"{a.article} [{a.start}:{a.end}]", a.statement,
                f"{b.article} [{b.start}:{b.end}]", b.statement,
                "; ".join(f.reasons),
            ))
        out += _md_table(["#", "label", "score", "similarity", "P(contra) fwd / bwd", "article A", "sentence A",
                          "article B", "sentence B", "reasons"], rows, "rlrrrlllll") + [""]
    return "\n".join(out)
