"""The ``factcheck.report/1`` schema as frozen dataclasses, with ``to_dict()`` / ``from_dict()``.

``Report.to_dict()`` is the JSON report, key for key; ``Report.from_dict`` reads one back and says what
is wrong with a malformed one (an ``InputError`` naming the field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from factcheck.errors import InputError
from factcheck.labels import LABELS
from factcheck.models import ModelInfo
from factcheck.verdict import Verdict

__all__ = ["SCHEMA", "Article", "Claim", "Dispute", "DisputeSide", "DroppedSpan", "Finding", "NLIScores", "Report",
           "Stats", "VERDICTS"]

SCHEMA = "factcheck.report/1"
# Finding labels, in the order reports list them.
VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)


def _need(data: Any, key: str, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise InputError(f"report: {where} must be an object, got {type(data).__name__}")
    if key not in data:
        raise InputError(f"report: {where} has no {key!r}")
    return data[key]


def _typed(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise InputError(f"report: {where} must be a number, got {value!r}")
    if not isinstance(value, kind):
        raise InputError(f"report: {where} has the wrong type ({type(value).__name__})")
    return value


@dataclass(frozen=True)
class Claim:
    """One side of a finding: ``text == article_text[start:end]``.

    ``lead`` is set for one item of a list: the list's shared words that the item was read after
    ("Russia has launched drills: "), so ``lead + text`` is what the models compared.
    """

    article: str
    text: str
    start: int
    end: int
    lead: str = ""

    @property
    def statement(self) -> str:
        """What the models compared: the lead, if any, then the claim's own words."""
        return self.lead + self.text

    def to_dict(self) -> dict:
        d = {"article": self.article, "text": self.text, "start": self.start, "end": self.end}
        if self.lead:  # reports without list items stay as they were
            d["lead"] = self.lead
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "claim") -> Claim:
        return cls(str(_need(data, "article", where)), _typed(_need(data, "text", where), str, f"{where}.text"),
                   _typed(_need(data, "start", where), int, f"{where}.start"),
                   _typed(_need(data, "end", where), int, f"{where}.end"),
                   _typed(data.get("lead", ""), str, f"{where}.lead"))


@dataclass(frozen=True)
class NLIScores:
    """NLI probabilities of one direction (premise -> hypothesis)."""

    entailment: float
    neutral: float
    contradiction: float

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in LABELS}

    @classmethod
    def from_row(cls, row: Any, digits: int = 4) -> NLIScores:
        """From a probability row in ``LABELS`` order, rounded as reports print them."""
        return cls(*(round(float(row[k]), digits) for k in range(len(LABELS))))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "nli") -> NLIScores:
        return cls(*(float(_typed(_need(data, name, where), (int, float), f"{where}.{name}")) for name in LABELS))


@dataclass(frozen=True)
class Finding:
    """An aligned claim pair, its verdict and the evidence for it."""

    label: str
    score: float
    similarity: float
    claims: tuple[Claim, Claim]
    forward: NLIScores
    backward: NLIScores
    reasons: tuple[str, ...] = ()
    # The cascade's verifier's (forward, backward) scores, for a pair it re-scored (``--verify``); written only then.
    verifier: tuple[NLIScores, NLIScores] | None = None

    @property
    def articles(self) -> tuple[str, str]:
        return self.claims[0].article, self.claims[1].article

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "score": self.score,
            "similarity": self.similarity,
            "claims": [c.to_dict() for c in self.claims],
            "nli": {"forward": self.forward.to_dict(), "backward": self.backward.to_dict()},
            "reasons": list(self.reasons),
        } | ({"verifier": {"forward": self.verifier[0].to_dict(), "backward": self.verifier[1].to_dict()}}
             if self.verifier is not None else {})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "finding") -> Finding:
        label = _need(data, "label", where)
        if label not in VERDICTS:
            raise InputError(f"report: {where}.label is {label!r}, not one of {', '.join(VERDICTS)}")
        claims = _typed(_need(data, "claims", where), list, f"{where}.claims")
        if len(claims) != 2:
            raise InputError(f"report: {where}.claims must hold two claims, not {len(claims)}")
        nli = _need(data, "nli", where)
        return cls(
            label=label,
            score=float(_typed(_need(data, "score", where), (int, float), f"{where}.score")),
            similarity=float(_typed(_need(data, "similarity", where), (int, float), f"{where}.similarity")),
            claims=(Claim.from_dict(claims[0], f"{where}.claims[0]"), Claim.from_dict(claims[1], f"{where}.claims[1]")),
            forward=NLIScores.from_dict(_need(nli, "forward", f"{where}.nli"), f"{where}.nli.forward"),
            backward=NLIScores.from_dict(_need(nli, "backward", f"{where}.nli"), f"{where}.nli.backward"),
            reasons=tuple(str(r) for r in data.get("reasons") or ()),
            verifier=_verifier_scores(data.get("verifier"), f"{where}.verifier"),
        )


def _verifier_scores(data: Any, where: str) -> tuple[NLIScores, NLIScores] | None:
    if data is None:
        return None
    return (NLIScores.from_dict(_need(data, "forward", where), f"{where}.forward"),
            NLIScores.from_dict(_need(data, "backward", where), f"{where}.backward"))


@dataclass(frozen=True)
class DisputeSide:
    """One side of a dispute: the articles that take it and, per article sentence, the claim that says so."""

    articles: tuple[str, ...]
    claims: tuple[Claim, ...]

    def to_dict(self) -> dict:
        return {"articles": list(self.articles), "claims": [c.to_dict() for c in self.claims]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "side") -> DisputeSide:
        articles = _typed(_need(data, "articles", where), list, f"{where}.articles")
        claims = _typed(_need(data, "claims", where), list, f"{where}.claims")
        return cls(tuple(str(a) for a in articles),
                   tuple(Claim.from_dict(c, f"{where}.claims[{k}]") for k, c in enumerate(claims)))


@dataclass(frozen=True)
class Dispute:
    """A disputed fact: two sides, the articles that mention it but take neither (``silent``), its findings.

    ``findings`` are indices into ``Report.findings``; ``minority`` is the index of the side with fewer
    articles (None when they are level); ``score`` is its strongest contradiction.
    """

    id: str
    label: str
    score: float
    sides: tuple[DisputeSide, DisputeSide]
    silent: tuple[str, ...] = ()
    findings: tuple[int, ...] = ()
    minority: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "score": self.score, "minority": self.minority,
                "sides": [s.to_dict() for s in self.sides], "silent": list(self.silent),
                "findings": list(self.findings)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "dispute") -> Dispute:
        sides = _typed(_need(data, "sides", where), list, f"{where}.sides")
        if len(sides) != 2:
            raise InputError(f"report: {where}.sides must hold two sides, not {len(sides)}")
        minority = data.get("minority")
        if minority not in (None, 0, 1):
            raise InputError(f"report: {where}.minority must be 0, 1 or null, got {minority!r}")
        return cls(
            id=str(_need(data, "id", where)), label=str(_need(data, "label", where)),
            score=float(_typed(_need(data, "score", where), (int, float), f"{where}.score")),
            sides=(DisputeSide.from_dict(sides[0], f"{where}.sides[0]"), DisputeSide.from_dict(sides[1], f"{where}.sides[1]")),
            silent=tuple(str(a) for a in data.get("silent") or ()),
            findings=tuple(int(_typed(k, int, f"{where}.findings")) for k in data.get("findings") or ()),
            minority=minority,
        )


@dataclass(frozen=True)
class DroppedSpan:
    """Text the reader left out of the analysis (page furniture), and why."""

    start: int
    end: int
    reason: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "dropped") -> DroppedSpan:
        return cls(_typed(_need(data, "start", where), int, f"{where}.start"),
                   _typed(_need(data, "end", where), int, f"{where}.end"), str(data.get("reason", "")))


@dataclass(frozen=True)
class Article:
    """One input article as the report lists it."""

    id: str
    source: str | None = None
    title: str | None = None
    n_claims: int = 0
    dropped_chars: int = 0
    url: str | None = None
    date: str | None = None
    dropped: tuple[DroppedSpan, ...] = ()
    language: str | None = None  # detected language (ISO 639-1); None in reports from before detection
    foreign_claims: int = 0  # sentences not compared because they are not in the NLI model's language

    def to_dict(self) -> dict:
        return {"id": self.id, "source": self.source, "title": self.title, "n_claims": self.n_claims,
                "dropped_chars": self.dropped_chars, "url": self.url, "date": self.date,
                "dropped": [d.to_dict() for d in self.dropped], "language": self.language,
                "foreign_claims": self.foreign_claims}

    def language_note(self, target: str | None) -> str | None:
        """One line when claims were set aside for their language ("in Spanish, not compared (12 claims)")."""
        from factcheck.language import language_name

        if self.language and target and self.language != target:
            name = language_name(self.language)
            if not self.n_claims:
                return f"in {name}, not compared ({self.foreign_claims} claim(s))"
            return f"in {name}: {self.foreign_claims} claim(s) not compared"
        if self.foreign_claims:
            return f"{self.foreign_claims} claim(s) in other languages, not compared"
        return None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "article") -> Article:
        return cls(
            id=str(_need(data, "id", where)), source=data.get("source"), title=data.get("title"),
            n_claims=int(data.get("n_claims") or 0), dropped_chars=int(data.get("dropped_chars") or 0),
            url=data.get("url"), date=data.get("date"),
            dropped=tuple(DroppedSpan.from_dict(d, f"{where}.dropped[{k}]")
                          for k, d in enumerate(data.get("dropped") or ())),
            language=data.get("language"), foreign_claims=int(data.get("foreign_claims") or 0),
        )


@dataclass(frozen=True)
class Stats:
    """What was compared: claims, pairs possible and scored, NLI calls, time, verdict counts."""

    claims: int = 0
    pairs_possible: int = 0
    pairs_scored: int = 0
    nli_calls: int = 0
    overlong_pairs: int = 0
    seconds: float = 0.0
    verdicts: Mapping[str, int] = field(default_factory=lambda: {v: 0 for v in VERDICTS})
    extra: Mapping[str, Any] = field(default_factory=dict)  # later fields, kept in order after these

    FIELDS: ClassVar[tuple[str, ...]] = ("claims", "pairs_possible", "pairs_scored", "nli_calls", "overlong_pairs", "seconds")

    def to_dict(self) -> dict:
        out: dict[str, Any] = {name: getattr(self, name) for name in self.FIELDS}
        out.update(self.extra)
        out["verdicts"] = dict(self.verdicts)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "stats") -> Stats:
        if not isinstance(data, Mapping):
            raise InputError(f"report: {where} must be an object")
        known = {name: data[name] for name in cls.FIELDS if name in data}
        extra = {k: v for k, v in data.items() if k not in cls.FIELDS and k != "verdicts"}
        return cls(**known, verdicts=dict(data.get("verdicts") or {}), extra=extra)


@dataclass(frozen=True)
class Report:
    """A ``factcheck check`` result: provenance, settings, articles, stats and findings (strongest first)."""

    version: str
    models: Mapping[str, ModelInfo]
    settings: Mapping[str, Any]
    articles: tuple[Article, ...]
    stats: Stats
    findings: tuple[Finding, ...]
    schema: str = SCHEMA
    disputes: tuple[Dispute, ...] = ()  # added in 0.1 without a schema bump: readers that ignore it lose nothing

    def count(self, label: str) -> int:
        """How many findings carry ``label``."""
        return sum(1 for f in self.findings if f.label == label)

    def to_dict(self) -> dict:
        return {
            "schema": self.schema,
            "version": self.version,
            "models": {role: info.to_dict() for role, info in self.models.items()},
            "settings": dict(self.settings),
            "articles": [a.to_dict() for a in self.articles],
            "stats": self.stats.to_dict(),
            "disputes": [d.to_dict() for d in self.disputes],
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Report:
        """A report from its JSON form; ``InputError`` for another schema or a malformed field."""
        if not isinstance(data, Mapping):
            raise InputError(f"report must be a JSON object (schema {SCHEMA}), got {type(data).__name__}")
        if data.get("schema") != SCHEMA:
            raise InputError(f"report has schema {data.get('schema')!r}, expected {SCHEMA!r}; re-run factcheck check")
        models = data.get("models") or {}
        try:
            infos = {role: ModelInfo(**info) for role, info in models.items()}
        except TypeError as exc:
            raise InputError(f"report: models has a malformed entry ({exc})") from None
        return cls(
            version=str(data.get("version", "?")),
            models=infos,
            settings=dict(data.get("settings") or {}),
            articles=tuple(Article.from_dict(a, f"articles[{k}]") for k, a in enumerate(data.get("articles") or ())),
            stats=Stats.from_dict(data.get("stats") or {}),
            findings=tuple(Finding.from_dict(f, f"findings[{k}]") for k, f in enumerate(data.get("findings") or ())),
            disputes=tuple(Dispute.from_dict(d, f"disputes[{k}]") for k, d in enumerate(data.get("disputes") or ())),
        )
