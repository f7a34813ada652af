"""factcheck.language and the claims/pipeline/report around it: other languages are counted, never compared."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest

from factcheck.claims import extract_claim_set, language_notice, no_claims_reason
from factcheck.documents import document_from_text
from factcheck.errors import InputError
from factcheck.language import article_language, detect, is_foreign, language_name, sentence_language
from factcheck.pipeline import CheckSettings, prepare_claims, run_check, settings_with
from factcheck.report import Report
from factcheck.report.html import render_html
from factcheck.report.text import render_markdown, render_terminal

SHARED_NEWS = Path(__file__).parents[2] / "shared" / "data" / "news" / "fnc1_train_bodies.csv"

EN_A = ("The ministry said on Monday that the bridge will reopen to traffic next month after repairs. "
        "Engineers inspected the damaged pillars over the weekend. Officials thanked residents for their patience.")
EN_B = ("Officials said the bridge will not reopen to traffic next month after repairs, the ministry said Monday. "
        "Engineers inspected the damaged pillars over the weekend. The mayor attended the briefing in the morning.")
# Two Spanish tweets that say opposite things: they were reported as a contradiction before.
ES_A = "El ministerio dijo el lunes que el puente volverá a abrir al tráfico el próximo mes tras las reparaciones."
ES_B = "El ministerio dijo el lunes que el puente no volverá a abrir al tráfico el próximo mes tras las reparaciones."


def doc(text: str, id: str):
    return document_from_text(text, id=id, source=f"{id}.txt")


@pytest.mark.parametrize(
    "text, lang",
    [
        ("El presidente dijo que no habrá concesiones a Rusia.", "es"),
        ("Le Kremlin a déclaré jeudi qu'il y avait peu de raisons d'être optimiste.", "fr"),
        ("Die Gespräche sollen in zwei Wochen in Berlin fortgesetzt werden.", "de"),
        ("Переговоры возобновятся в Берлине через две недели.", "ru"),
        ("克里姆林宫表示，对美国的答复几乎没有乐观的理由。", "zh"),
        ("The Kremlin said on Thursday there was little ground for optimism.", "en"),
    ],
)
def test_detect_sentences(text: str, lang: str) -> None:
    got, confidence = detect(text)
    assert got == lang and 0.5 <= confidence <= 1.0
    assert is_foreign(text, "en") == (lang != "en")


@pytest.mark.parametrize(
    "line",
    [
        # Short English lines the model alone files under other languages: names, places, numbers,
        # infobox rows, credits (measured in eval/results/language_id.md).
        "Kyiv, Ukraine", "Dmitry Peskov", "Sergei Lavrov in Geneva", "16 October 2014", "$4.2 billion",
        "Born 27 August 1968", "Production: May 1993 – August 2002", "Jens Stoltenberg, NATO Secretary General",
        "Xi Jinping met Joe Biden", "Islamic State Times (@ISTimes1) October 07, 2014",
        "The Nigerian military has been fighting Boko Haram since 2009.",
        "The Islamic State kidnapped American journalist James Foley on November 22, 2012.",
        "Joe Riquelme Pays Off Parents Mortgage For Christmas", "", "12 14 16", "https://example.org/a?b=c",
    ],
)
def test_short_english_lines_are_not_foreign(line: str) -> None:
    assert not is_foreign(line, "en")
    assert sentence_language(line, "en", "en") == "en"


def test_unsure_sentence_takes_its_article_language() -> None:
    assert sentence_language("Pedro Sánchez", "en", "es") == "es"
    assert sentence_language("Pedro Sánchez", "en", "en") == "en"
    # Clearly English inside a Spanish article: still compared.
    assert sentence_language("The minister said the talks would resume next week in Geneva.", "en", "es") == "en"
    assert article_language([ES_A, ES_B], "en") == "es"
    assert article_language([EN_A], "en") == "en"
    assert article_language([], "en") == "en"


def test_language_names() -> None:
    assert language_name("es") == "Spanish" and language_name("pcm") == "Nigerian Pidgin"
    assert language_name("xx") == "xx"


def test_every_sentence_is_a_claim_a_fragment_or_foreign() -> None:
    text = (EN_A + " No way, he said. Scores were 12 14 16 18 20 22.\n" + ES_A + "\n"
            "«Nous ne reculerons pas devant nos engagements envers l'Ukraine», a déclaré le ministre.\n")
    cs = extract_claim_set(doc(text, "mixed"))
    whole = [c for c in cs.claims if not c.clause]
    assert cs.language == "en" and cs.target_language == "en"
    assert cs.foreign == 2 and set(cs.foreign_languages) == {"es", "fr"}
    assert cs.short_fragments == 1 and cs.number_fragments == 1
    assert len(whole) + cs.short_fragments + cs.number_fragments + cs.foreign == len(cs.sentences)
    assert all(not is_foreign(c.text) for c in cs.claims)
    assert language_notice(cs) is None  # an English article with a few foreign quotes: no notice


def test_language_none_compares_every_claim() -> None:
    cs = extract_claim_set(doc(ES_A, "es"), language=None)
    assert len(cs.claims) == 1 and cs.foreign == 0 and cs.language is None


def test_no_non_english_pair_reaches_nli(fake_embedder, fake_nli, caplog: pytest.LogCaptureFixture) -> None:
    docs = [doc(EN_A, "a"), doc(EN_B, "b"), doc(ES_A, "tweet-1"), doc(ES_B, "tweet-2")]
    with caplog.at_level(logging.WARNING):
        report = run_check(docs, fake_embedder, fake_nli, CheckSettings(min_similarity=0.2))
    seen = [text for batch in fake_nli.calls for pair in batch for text in pair]
    assert seen and not any(is_foreign(t) for t in seen)
    assert all("puente" not in t for t in seen)
    assert not any(c.article.startswith("tweet") for f in report.findings for c in f.claims)
    arts = {a.id: a for a in report.articles}
    assert arts["tweet-1"].language == "es" and arts["tweet-1"].foreign_claims == 1 and arts["tweet-1"].n_claims == 0
    assert arts["a"].language == "en" and arts["a"].foreign_claims == 0
    notes = [r.getMessage() for r in caplog.records if "tweet-1" in r.getMessage()]
    assert len(notes) == 1 and "in Spanish, not compared" in notes[0] and "\n" not in notes[0]
    # With a multilingual model (nli_language=None) the tweets are compared again.
    fake_nli.calls.clear()
    run_check(docs, fake_embedder, fake_nli, CheckSettings(min_similarity=0.2, nli_language=None))
    assert any("puente" in t for batch in fake_nli.calls for pair in batch for t in pair)


def test_report_shows_the_notice_and_old_reports_load(fake_embedder, fake_nli) -> None:
    docs = [doc(EN_A, "a"), doc(EN_B, "b"), doc(ES_A, "tweet-1")]
    report = run_check(docs, fake_embedder, fake_nli, CheckSettings(min_similarity=0.2))
    data = report.to_dict()
    assert data["articles"][2]["language"] == "es" and data["articles"][2]["foreign_claims"] == 1
    assert Report.from_dict(data) == report
    note = "in Spanish, not compared (1 claim(s))"
    assert note in render_markdown(report)
    assert note in render_html(report, {d.id: d.text for d in docs})
    assert "in Spanish, not compared" in " ".join(render_terminal(report).split())
    for a in data["articles"]:
        del a["language"], a["foreign_claims"]
    old = Report.from_dict(data)
    assert old.articles[2].language is None and old.articles[2].foreign_claims == 0
    assert note not in render_markdown(old)


def test_too_few_comparable_articles_is_an_input_error() -> None:
    docs = [doc(EN_A, "a"), doc(ES_A, "tweet-1"), doc(ES_B, "tweet-2")]
    with pytest.raises(InputError) as err:
        prepare_claims(docs, CheckSettings())
    msg = str(err.value)
    assert "tweet-1.txt: in Spanish, not compared" in msg and "tweet-2.txt" in msg and "\n" not in msg
    cs = extract_claim_set(docs[1])
    assert no_claims_reason(docs[1], cs).startswith("in Spanish, not compared")


def test_nli_language_setting_is_checked() -> None:
    assert settings_with(nli_language="de").nli_language == "de"
    assert settings_with(nli_language=None).nli_language is None
    with pytest.raises(InputError, match="nli_language"):
        settings_with(nli_language="e n")


def test_english_news_bodies_stay_english_when_shared_data_present() -> None:
    """On real English news (FNC-1 bodies) no article is set aside and under 1% of its sentences are."""
    if not SHARED_NEWS.is_file():
        pytest.skip(f"{SHARED_NEWS} not present")
    with SHARED_NEWS.open(encoding="utf-8", newline="") as f:
        rows = [r for _, r in zip(range(120), csv.DictReader(f))]
    sentences = foreign = 0
    for row in rows:
        cs = extract_claim_set(doc(row["articleBody"], row["Body ID"]))
        assert cs.language == "en", row["articleBody"][:80]
        sentences += len(cs.sentences)
        foreign += cs.foreign
    assert foreign <= 0.01 * sentences
