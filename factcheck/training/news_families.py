"""Targeted families for the failure modes that reading real news pairs showed (issue 16):

- ``neg_paraphrase``: a negated verb and its positive paraphrase say the same ("not to kill" = "to spare",
  "has yet to comment" = "has not commented", "refused to" = "would not"); twins flip the polarity;
- ``denial_verbs``: verbs of denial are synonyms ("denied" = "refuted" = "rejected claims"); "denied" against
  "confirmed" or "admitted" is a contradiction;
- ``relative_time``: a relative time word against a weekday or another relative word ("yesterday" / "on
  Thursday", "as early as Monday" / "as soon as tomorrow") is not a contradiction when nothing says the days
  differ (set-valued label ``not_contradiction``); two different weekdays or dates are;
- ``infobox``: caption-style fragments ("Born 27 August 1968") against each other and against prose.

Templates fill news subjects from small lists; a whole template instance (its "article") is train or test.

    factcheck train synth --kind news-families --news <ignored> --out runs/news_families.jsonl
"""

from __future__ import annotations

import random

from factcheck.training.edits import CONTRADICTION, ENTAILMENT, SynthPair, article_split

__all__ = ["NOT_CONTRADICTION", "news_family_pairs"]

NOT_CONTRADICTION = "not_contradiction"

_ORGS = ("The US", "The Pentagon", "Russia", "The Kremlin", "Apple", "Islamic State", "The White House", "Police",
         "The airline", "North Korea", "The ministry", "The company", "Ukraine", "The FBI", "The palace",
         "The team", "Boko Haram", "The hospital", "The school", "Google", "The army", "Hamas", "The mayor's office")
_PEOPLE = ("The mother", "His father", "The woman", "The hostage's family", "The priest", "Her sister", "The lawyer")
_GROUPS = ("the militants", "the kidnappers", "the judge", "the gunmen", "the captors", "the jihadists")
_VICTIMS = ("her son", "the journalist", "the aid worker", "the pilot", "their daughter", "the soldier")
_CLAIMS = ("it threatened the pilot", "the video is fake", "troops crossed the border", "the plane was shot down",
           "the leader had died", "it paid a ransom", "the phone will be released in March", "the hostages were freed",
           "it spied on the talks", "the strike killed civilians", "the deal had collapsed", "the boy was kidnapped",
           "the crater was caused by a meteorite", "it hacked the accounts", "the star was pregnant")
_TOPICS = ("the report", "the video", "the claims", "the kidnapping", "the attack", "the leaked photos",
           "the rumours", "the incident", "the allegations", "the images")
_EVENTS = ("The attack", "A decision", "The ruling", "The strike", "The announcement", "The launch", "The vote",
           "The release")
_ACTIONS = (("release the hostages", "released the hostages"), ("pay the ransom", "paid the ransom"),
            ("sign the deal", "signed the deal"), ("withdraw its troops", "withdrew its troops"),
            ("confirm the deaths", "confirmed the deaths"), ("hand over the data", "handed over the data"))
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RELATIVE = ("yesterday", "today", "on Thursday", "this week", "earlier this week", "last week", "on Friday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_NAMES = ("Maria Lopez", "John Carter", "Amal Haddad", "Peter Novak", "Chen Wei", "Sarah Okafor", "Ivan Petrov")
_DENY = ("has denied claims that", "denied that", "is refuting claims that", "rejected claims that",
         "dismissed reports that", "disputed claims that", "has refuted claims that", "denies that")
_AFFIRM = ("confirmed that", "admitted that", "has acknowledged that", "conceded that")


def _pair(out: list, rng: random.Random, key: str, premise: str, hypothesis: str, label: str, edit: str) -> None:
    if rng.random() < 0.5:
        premise, hypothesis = hypothesis, premise
    out.append(SynthPair(premise, hypothesis, label, edit, key, article_split(key)))


def _neg_paraphrase(rng: random.Random, k: int, out: list) -> None:
    key = f"negpara-{k}"
    p, g, v = rng.choice(_PEOPLE), rng.choice(_GROUPS), rng.choice(_VICTIMS)
    o, t = rng.choice(_ORGS), rng.choice(_TOPICS)
    act, done = rng.choice(_ACTIONS)
    choice = k % 5
    if choice == 0:
        a = f"{p} pleaded with {g} not to kill {v}."
        _pair(out, rng, key, a, f"{p} asked {g} to spare {v}'s life.", ENTAILMENT, "neg_paraphrase")
        _pair(out, rng, key, a, f"{p} urged {g} to kill {v}.", CONTRADICTION, "neg_paraphrase_twin")
    elif choice == 1:
        a = f"{o} has yet to comment publicly on {t}."
        _pair(out, rng, key, a, f"{o} has not commented on {t}.", ENTAILMENT, "neg_paraphrase")
        _pair(out, rng, key, a, f"{o} commented publicly on {t} on Monday.", CONTRADICTION, "neg_paraphrase_twin")
    elif choice == 2:
        a = f"{o} refused to {act}."
        _pair(out, rng, key, a, f"{o} would not {act}.", ENTAILMENT, "neg_paraphrase")
        _pair(out, rng, key, a, f"{o} {done}.", CONTRADICTION, "neg_paraphrase_twin")
    elif choice == 3:
        a = f"{o} failed to {act}."
        _pair(out, rng, key, a, f"{o} did not {act}.", ENTAILMENT, "neg_paraphrase")
        _pair(out, rng, key, a, f"{o} managed to {act}.", CONTRADICTION, "neg_paraphrase_twin")
    else:
        a = f"{o} has declined to comment on {t}."
        _pair(out, rng, key, a, f"{o} did not respond to requests for comment on {t}.", NOT_CONTRADICTION, "neg_paraphrase")
        _pair(out, rng, key, a, f"{o} gave a detailed comment on {t}.", CONTRADICTION, "neg_paraphrase_twin")


def _denial(rng: random.Random, k: int, out: list) -> None:
    key = f"denial-{k}"
    o, c = rng.choice(_ORGS), rng.choice(_CLAIMS)
    d1, d2 = rng.sample(_DENY, 2)
    _pair(out, rng, key, f"{o} {d1} {c}.", f"{o} {d2} {c}.", ENTAILMENT, "denial_synonym")
    _pair(out, rng, key, f"{o} {d1} {c}.", f"{o} {rng.choice(_AFFIRM)} {c}.", CONTRADICTION, "denial_vs_affirm")
    _pair(out, rng, key, f"{o} {d1} {c}.", f"Reports said {c}, which {o.lower() if o.startswith('The ') else o} denied.",
          ENTAILMENT, "denial_reported")


def _relative_time(rng: random.Random, k: int, out: list) -> None:
    key = f"reltime-{k}"
    o, c = rng.choice(_ORGS), rng.choice(_CLAIMS)
    r = rng.choice(_RELATIVE)
    day = rng.choice(_DAYS)
    _pair(out, rng, key, f"{o} said {r} that {c}.", f"{o} said on {day} that {c}.", NOT_CONTRADICTION, "relative_vs_weekday")
    e = rng.choice(_EVENTS)
    d1 = rng.choice(_DAYS)
    _pair(out, rng, key, f"{e} could come as early as {d1}.", f"{e} could come as soon as {rng.choice(('tomorrow', 'next week', 'this weekend'))}.",
          NOT_CONTRADICTION, "relative_vs_weekday")
    d2 = rng.choice([d for d in _DAYS if d != day])
    _pair(out, rng, key, f"{o} said on {day} that {c}.", f"{o} said on {d2} that {c}.", NOT_CONTRADICTION, "said_day_differs")
    act, done = rng.choice(_ACTIONS)
    _pair(out, rng, key, f"{o} {done} on {day}.", f"{o} {done} on {d2}.", CONTRADICTION, "event_day_differs")
    m = rng.choice(_MONTHS)
    n = rng.randint(1, 27)
    _pair(out, rng, key, f"{o} {done} on {n} {m}.", f"{o} {done} on {n + 1} {m}.", CONTRADICTION, "event_date_differs")


def _infobox(rng: random.Random, k: int, out: list) -> None:
    key = f"infobox-{k}"
    name = rng.choice(_NAMES)
    m, y, n = rng.choice(_MONTHS), rng.randint(1920, 2005), rng.randint(1, 27)
    born = f"Born {n} {m} {y}"
    _pair(out, rng, key, born, f"born {n + rng.choice((1, 2, 6))} {m} {y}", CONTRADICTION, "infobox_date")
    _pair(out, rng, key, born, f"{name} was born on {n} {m} {y}.", ENTAILMENT, "infobox_prose")
    _pair(out, rng, key, born, f"{name} was born in {y + rng.choice((1, 3, -2))}.", CONTRADICTION, "infobox_year")
    m2 = rng.choice(_MONTHS)
    y2 = y + rng.randint(3, 12)
    prod = f"Production: {m} {y} – {m2} {y2}"
    _pair(out, rng, key, prod, f"It was produced from {m} {y} to {m2} {y2}.", ENTAILMENT, "infobox_prose")
    _pair(out, rng, key, prod, f"Production: {m} {y} – {m2} {y2 + rng.choice((1, 2))}", CONTRADICTION, "infobox_date")
    died = f"Died {n} {m} {y2}"
    _pair(out, rng, key, died, f"{name} died on {n + 1} {m} {y2}.", CONTRADICTION, "infobox_date")


_FAMILIES = (_neg_paraphrase, _denial, _relative_time, _infobox)


def news_family_pairs(bodies: dict[str, str] | None = None, seed: int = 13, per_family: int = 400) -> list[SynthPair]:
    """The four families, ``per_family`` template instances each (``bodies`` is unused: templates only)."""
    rng = random.Random(seed)
    out: list[SynthPair] = []
    for family in _FAMILIES:
        for k in range(per_family):
            family(rng, k, out)
    return out
