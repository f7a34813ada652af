"""Time-aware comparison: time expressions resolved against the article's date (dateparser, no models)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from factcheck.documents import document_from_text
from factcheck.labels import CON, NEU
from factcheck.models import ModelInfo
from factcheck.timecheck import (article_date, compare_times, dateline_date, mask_times, time_free_wording,
                                 time_mentions)

FRIDAY = dt.date(2022, 1, 28)


def status(a: str, base_a: dt.date | None, b: str, base_b: dt.date | None) -> str:
    return compare_times(time_mentions(a, base_a), time_mentions(b, base_b)).status


@pytest.mark.parametrize("a, base_a, b, base_b, want", [
    # The seeds: an article dated Friday 2022-01-28 says "yesterday"; another says "Thursday".
    ("the Kremlin said yesterday.", FRIDAY, "The Kremlin said Thursday that it saw room.", FRIDAY, "same"),
    ("the Kremlin said yesterday.", FRIDAY, "The Kremlin said Thursday that it saw room.", None, "unknown"),
    ("the Kremlin said yesterday.", FRIDAY, "The Kremlin said on Tuesday that it saw room.", FRIDAY, "differ"),
    ("An attack could come as early as Monday.", None, "An attack could come as soon as tomorrow.", None, "unknown"),
    ("The campaign began on 17 February 1915.", None, "The campaign began in April 1915.", None, "differ"),
    ("The talks resumed in March 2020.", None, "The talks resumed on 3 March 2020.", None, "same"),
    ("Talks resume next week.", FRIDAY, "Talks resume on February 2.", FRIDAY, "same"),
    ("He spoke on Monday.", FRIDAY, "He spoke.", FRIDAY, "unknown"),
    # No article dates, but one day never has two weekday names.
    ("He told CNBC on Wednesday.", None, "He told CNBC Friday afternoon.", None, "differ"),
    ("He was found Sunday morning.", None, "He was found on Sunday.", None, "unknown"),
    ("He spoke yesterday.", None, "He spoke on Monday.", None, "unknown"),
])
def test_times_compare_by_the_days_they_mean(a, base_a, b, base_b, want):
    assert status(a, base_a, b, base_b) == want


def test_the_reason_names_the_times_and_their_days():
    reason = compare_times(time_mentions("said yesterday", FRIDAY), time_mentions("said Tuesday", FRIDAY)).reason
    assert reason.startswith("dates differ:") and "'yesterday' (2022-01-27)" in reason and "2022-01-25" in reason


def test_modal_may_and_bare_numbers_are_not_times():
    assert time_mentions("Officials may meet, and 10 people were hurt.") == ()


def test_masking_removes_the_times_and_their_prepositions():
    text = "The Kremlin said on Thursday that dialogue was possible."
    assert mask_times(text, time_mentions(text)) == "The Kremlin said that dialogue was possible."
    assert time_free_wording("The campaign began on 17 February 1915.") == time_free_wording("The campaign began in April 1915.")


def test_article_date_from_the_field_else_a_dateline():
    assert article_date("2022-01-28T10:00:00Z") == FRIDAY
    assert article_date(None, "Menu\n\nBy Ken Bredemeier January 27, 2022\n\nRussia said Thursday") == dt.date(2022, 1, 27)
    assert article_date(None, "No date here at all.") is None
    assert dateline_date("MOSCOW, 28 Jan 2022 (Reuters) - The Kremlin said") == FRIDAY


class TimeNLI:
    """Contradiction when the two texts name different weekdays/relative days, else neutral."""

    info = ModelInfo(name="time-fake", source="test", backend="fake")

    def predict_with_flags(self, pairs, batch_size=32, progress=None):
        rows = []
        for p, h in pairs:
            words = {w for w in ("yesterday", "thursday", "tuesday") if w in p.lower()} ^ \
                    {w for w in ("yesterday", "thursday", "tuesday") if w in h.lower()}
            row = np.full(3, 0.05)
            row[CON if words else NEU] = 0.9
            rows.append(row)
        return np.array(rows), np.zeros(len(rows), dtype=bool)


def test_the_pipeline_clears_a_contradiction_that_hinges_on_the_same_day(fake_embedder):
    from factcheck.pipeline import CheckSettings, run_check

    a, b, c = (document_from_text(f"The Kremlin said {day} that dialogue was still possible.", name, name, date="2022-01-28")
               for name, day in (("a", "yesterday"), ("b", "Thursday"), ("c", "Tuesday")))
    report = run_check([a, b, c], fake_embedder, TimeNLI(), CheckSettings(min_similarity=0.1, include_all=True))
    by_pair = {frozenset(f.articles): f for f in report.findings}
    cleared = by_pair[frozenset("ab")]
    assert cleared.label == "neutral"
    assert any(r.startswith("not a contradiction: the times agree") for r in cleared.reasons)
    kept = by_pair[frozenset("ac")]
    assert kept.label == "contradiction" and any(r.startswith("dates differ:") for r in kept.reasons)
    assert report.stats.extra["time_cleared"] >= 1


def test_claims_worded_the_same_apart_from_differing_dates_contradict(fake_embedder, fake_nli):
    from factcheck.pipeline import CheckSettings, run_check

    a = document_from_text("The Gallipoli campaign began on 17 February 1915 with a naval attack.", "a", "a")
    b = document_from_text("The Gallipoli campaign began in April 1915 with a naval attack.", "b", "b")
    report = run_check([a, b], fake_embedder, fake_nli, CheckSettings(min_similarity=0.1))
    (f,) = report.findings
    assert f.label == "contradiction" and f.reasons[-1] == "the claims are worded the same apart from the dates"
