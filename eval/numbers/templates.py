"""Templated held-out claim pairs for the date and number check (issue #24), and their run through the checker.

Five kinds, 40 pairs each, built from templates with a fixed seed (written before any model saw them;
nothing is tuned on them):

- ``date_differ``: the same event on two different days -> a contradiction;
- ``date_same``: the same day worded differently ("21 August 1968" / "August 21, 1968" / "21/08/1968") -> none;
- ``number_differ``: the same count, two different exact values -> a contradiction;
- ``vague_exact``: a vague quantity or range and an exact one it allows ("at least 8" / "12") -> none;
- ``update``: a running total, larger in the later article ("rose to 12" / "8 killed") -> a possible update
  (reported, flagged as one), not a plain contradiction and not hidden.

Run: ``python eval/numbers/templates.py --label before`` (or ``after``) scores every pair with the real
default models through ``factcheck.pipeline.check_clusters`` (each pair a cluster of two one-sentence
articles) and merges the label's figures into ``eval/results/numbers_dates_s24.json`` and ``.md``.
``--dump`` prints the pairs as JSON lines and loads no model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import sys
import time
from pathlib import Path

SEED = 24
N = 40
KINDS = ("date_differ", "date_same", "number_differ", "vague_exact", "update")
GOLD = {"date_differ": "contradiction", "date_same": "compatible", "number_differ": "contradiction",
        "vague_exact": "compatible", "update": "update"}

PEOPLE = ["Julian Lewis Jones", "Maria Castellano", "Tomasz Wierzbicki", "Aiko Tanaka", "Samuel Okafor",
          "Ingrid Halvorsen", "Rafael Quintero", "Nadia Benali", "Peter Lindqvist", "Grace Mwangi",
          "Henrik Aalto", "Lucia Ferraro", "Daniel Abernathy", "Yusuf Demir", "Elena Petrova"]
NATIONS = [("Welsh", "Wales"), ("Spanish", "Spain"), ("Polish", "Poland"), ("Japanese", "Japan"),
           ("Nigerian", "Nigeria"), ("Norwegian", "Norway"), ("Mexican", "Mexico"), ("Moroccan", "Morocco"),
           ("Swedish", "Sweden"), ("Kenyan", "Kenya")]
JOBS = ["actor", "painter", "footballer", "novelist", "composer", "politician", "architect", "cyclist"]
CITIES = ["Leeds", "Valencia", "Gdansk", "Osaka", "Lagos", "Bergen", "Monterrey", "Fez", "Malmo", "Mombasa",
          "Porto", "Lyon", "Dresden", "Tampere", "Cork"]
RIVERS = ["Severn", "Vistula", "Ebro", "Rhone", "Danube", "Tagus", "Elbe", "Loire"]
ORGS = ["the National Rowing Club", "the city orchestra", "the regional museum", "the Harbour Trust",
        "the chess federation", "the botanical society", "the local newspaper", "the engineering college"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
EVENTS = ["bombing", "attack", "explosion", "fire", "earthquake", "flood", "stampede", "train crash", "landslide",
          "shooting"]


def fmt(day: dt.date, style: str) -> str:
    """A date written in one of the styles newspapers and infoboxes use."""
    m = MONTHS[day.month - 1]
    return {"dmy": f"{day.day} {m} {day.year}", "mdy": f"{m} {day.day}, {day.year}",
            "num": f"{day.day:02d}/{day.month:02d}/{day.year}", "abbr": f"{day.day} {m[:3]} {day.year}",
            "iso": day.isoformat()}[style]


def _day(rng: random.Random) -> dt.date:
    # Day above 12 so that 21/08/1968 cannot be read month-first.
    return dt.date(rng.randint(1900, 2023), rng.randint(1, 12), rng.randint(13, 28))


def _other_day(rng: random.Random, day: dt.date) -> dt.date:
    which = rng.choice(["day", "day", "month", "year"])
    if which == "day":
        return day.replace(day=rng.choice([d for d in range(13, 29) if d != day.day]))
    if which == "month":
        return day.replace(month=rng.choice([m for m in range(1, 13) if m != day.month]))
    return day.replace(year=day.year + rng.choice([-3, -2, -1, 1, 2, 3]))


DATE_TEMPLATES = [
    ("{person} (born {d1}) is a {nat} {job}.", "{person} was born on {d2} in {country}."),
    ("{org_cap} was founded on {d1} in {city}.", "{org_cap} was founded in {city} on {d2}."),
    ("{person} died on {d1} in {city}, his family said.", "{person} died in {city} on {d2}."),
    ("The new bridge over the {river} opened to traffic on {d1}.", "The {river} bridge was opened to traffic on {d2}."),
    ("The two governments signed the trade treaty in {city} on {d1}.",
     "On {d2}, the trade treaty was signed in {city} by the two governments."),
    ("{person} married the {nat} {job} in {city} on {d1}.", "On {d2} {person} married the {nat} {job} in {city}."),
    ("The {city} stadium hosted its first match on {d1}.", "The first match at the {city} stadium was played on {d2}."),
    ("{person} was appointed ambassador to {country} on {d1}.", "{person} became ambassador to {country} on {d2}."),
]

NUMBER_TEMPLATES = [
    ("{n1} people were killed in the {event} in {city}.", "The {event} in {city} killed {n2} people."),
    ("Police arrested {n1} protesters in central {city} on Saturday.",
     "On Saturday police in central {city} arrested {n2} protesters."),
    ("The ferry to {city} was carrying {n1} passengers when it sank.",
     "The ferry that sank on its way to {city} had {n2} passengers on board."),
    ("The factory in {city} will cut {n1} jobs, the company said.", "The company said it will cut {n2} jobs at its {city} factory."),
    ("{n1} houses were destroyed by the {event} in {city}.", "The {event} in {city} destroyed {n2} houses."),
    ("The {city} council voted to plant {n1} trees along the river.",
     "The council in {city} has voted to plant {n2} trees along the river."),
    ("{n1} students sat the entrance exam at the {city} academy.",
     "The entrance exam at the {city} academy was taken by {n2} students."),
    ("Firefighters rescued {n1} people from the burning hotel in {city}.",
     "{n2} people were rescued by firefighters from the burning {city} hotel."),
]

# (vague side, exact side) value pairs the vague side allows; {noun} is filled by the template.
VAGUE = [
    ("at least {v}", "{x}", lambda r: (v := r.randint(5, 40), v + r.randint(1, 10))),
    ("more than {v}", "{x}", lambda r: (v := r.randint(10, 400), v + r.randint(1, 30))),
    ("about {v}", "{x}", lambda r: (v := r.choice([30, 50, 100, 200, 300, 500]), v + r.choice([-3, -2, 2, 4]))),
    ("nearly {v}", "{x}", lambda r: (v := r.choice([20, 50, 100, 1000]), v - r.randint(1, 3))),
    ("between {v} and {w}", "{x}", None),
    ("dozens of", "{x}", lambda r: (0, r.choice([24, 30, 36, 40, 48, 60]))),
    ("hundreds of", "{x}", lambda r: (0, r.choice([200, 300, 450, 600]))),
    ("up to {v}", "{x}", lambda r: (v := r.randint(20, 90), v - r.randint(1, 10))),
    ("about {v}", "more than {x}", lambda r: (v := r.choice([300, 500, 1000]), v - r.choice([50, 100]) * (v // 500 + 1) // 2)),
    ("some {v}", "{x}", lambda r: (v := r.choice([40, 60, 80, 150]), v + r.choice([-1, 1, 2]))),
]

VAGUE_TEMPLATES = [
    ("{q1} people were killed in the {event} in {city}.", "The {event} in {city} killed {q2} people."),
    ("Police arrested {q1} protesters in central {city} on Saturday.",
     "On Saturday police in central {city} arrested {q2} protesters."),
    ("{q1} houses were destroyed by the {event} in {city}.", "The {event} in {city} destroyed {q2} houses."),
    ("Firefighters rescued {q1} people from the burning hotel in {city}.",
     "{q2} people were rescued by firefighters from the burning {city} hotel."),
    ("The ferry to {city} was carrying {q1} passengers when it sank.",
     "The ferry that sank on its way to {city} had {q2} passengers on board."),
]

UPDATE_TEMPLATES = [
    ("{n1} people were killed in the {event} in {city}, officials said.",
     "The death toll from the {event} in {city} rose to {n2}, officials said."),
    ("{n1} people were injured in the {event} in {city}.", "The number of people injured in the {event} in {city} has risen to {n2}."),
    ("Police said {n1} people had been arrested after the riots in {city}.",
     "Police said the number of people arrested after the riots in {city} has climbed to {n2}."),
    ("Health officials in {city} have confirmed {n1} cases of cholera.",
     "Confirmed cholera cases in {city} have risen to {n2}, health officials said."),
    ("{n1} people are missing after the {event} in {city}.", "The number of people missing after the {event} in {city} rose to {n2}."),
]


def _fill(rng: random.Random) -> dict:
    nat, country = rng.choice(NATIONS)
    org = rng.choice(ORGS)
    return {"person": rng.choice(PEOPLE), "nat": nat, "country": country, "job": rng.choice(JOBS),
            "city": rng.choice(CITIES), "river": rng.choice(RIVERS), "org_cap": org[0].upper() + org[1:],
            "event": rng.choice(EVENTS)}


def _count(rng: random.Random) -> int:
    return rng.choice([rng.randint(5, 20), rng.randint(21, 99), rng.randint(100, 999), rng.randint(1000, 20000)])


def _num(n: int, rng: random.Random) -> str:
    return f"{n:,}" if n >= 1000 and rng.random() < 0.7 else str(n)


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def generate(seed: int = SEED, n: int = N) -> list[dict]:
    """Every pair: id, kind, gold, the two claims and their articles' dates (updates only)."""
    rng = random.Random(seed)
    out: list[dict] = []
    styles = ["dmy", "mdy", "num", "abbr", "iso"]
    for i in range(n):  # date_differ
        ta, tb = DATE_TEMPLATES[i % len(DATE_TEMPLATES)]
        d1 = _day(rng)
        d2 = _other_day(rng, d1)
        f = _fill(rng)
        sa, sb = rng.choice(["dmy", "mdy", "dmy"]), rng.choice(["dmy", "mdy", "dmy"])
        out.append({"kind": "date_differ", "a": ta.format(d1=fmt(d1, sa), **f), "b": tb.format(d2=fmt(d2, sb), **f)})
    for i in range(n):  # date_same
        ta, tb = DATE_TEMPLATES[i % len(DATE_TEMPLATES)]
        d1 = _day(rng)
        sa, sb = rng.sample(styles, 2)
        f = _fill(rng)
        out.append({"kind": "date_same", "a": ta.format(d1=fmt(d1, sa), **f), "b": tb.format(d2=fmt(d1, sb), **f)})
    for i in range(n):  # number_differ
        ta, tb = NUMBER_TEMPLATES[i % len(NUMBER_TEMPLATES)]
        n1 = _count(rng)
        n2 = n1 + rng.choice([-1, 1]) * max(1, int(n1 * rng.uniform(0.2, 0.6)))
        f = _fill(rng)
        a, b = ta.format(n1=_num(n1, rng), **f), tb.format(n2=_num(max(n2, 3), rng), **f)
        out.append({"kind": "number_differ", "a": _cap(a), "b": _cap(b)})
    for i in range(n):  # vague_exact
        ta, tb = VAGUE_TEMPLATES[i % len(VAGUE_TEMPLATES)]
        vague, exact, draw = VAGUE[i % len(VAGUE)]
        if draw is None:
            v = rng.randint(5, 60)
            w = v + rng.randint(3, 20)
            x = rng.randint(v, w)
        else:
            v, x = draw(rng)
            w = 0
        q_vague, q_exact = vague.format(v=v, w=w), exact.format(x=x)
        f = _fill(rng)
        if rng.random() < 0.5:
            a, b = ta.format(q1=q_vague, **f), tb.format(q2=q_exact, **f)
        else:
            a, b = ta.format(q1=q_exact, **f), tb.format(q2=q_vague, **f)
        out.append({"kind": "vague_exact", "a": _cap(a), "b": _cap(b)})
    for i in range(n):  # update: the later article has the larger running total
        ta, tb = UPDATE_TEMPLATES[i % len(UPDATE_TEMPLATES)]
        n1 = rng.randint(3, 300)
        n2 = n1 + rng.randint(1, max(2, n1 // 2))
        f = _fill(rng)
        first = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        later = first + dt.timedelta(days=rng.randint(1, 3))
        a = {"text": _cap(ta.format(n1=n1, **f)), "date": first.isoformat()}
        b = {"text": _cap(tb.format(n2=n2, **f)), "date": later.isoformat()}
        if rng.random() < 0.5:
            a, b = b, a  # the later article comes first in half of the pairs
        out.append({"kind": "update", "a": a["text"], "b": b["text"], "a_date": a["date"], "b_date": b["date"]})
    for k, row in enumerate(out):
        row["id"] = f"{row['kind']}-{k % n:02d}"
        row["gold"] = GOLD[row["kind"]]
    return out


def _documents(row: dict):
    from factcheck.documents import Document

    docs = []
    for side in ("a", "b"):
        text = row[side]
        docs.append(Document(id=f"{row['id']}-{side}", source=f"{row['id']}-{side}.txt", title="", text=text,
                             spans=((0, len(text)),), date=row.get(f"{side}_date")))
    return docs


def run(rows: list[dict]) -> tuple[list[dict], float]:
    """Each pair checked as a cluster of two one-sentence articles with the default models and thresholds."""
    from factcheck.pipeline import CheckSettings, check_clusters, load_models, model_thresholds

    nli, embedder, _ = load_models()
    settings = CheckSettings(thresholds=model_thresholds(nli))
    started = time.perf_counter()
    reports, _ = check_clusters([_documents(r) for r in rows], embedder, nli, settings)
    seconds = time.perf_counter() - started
    out = []
    for row, rep in zip(rows, reports):
        if not hasattr(rep, "findings"):
            out.append({"id": row["id"], "kind": row["kind"], "gold": row["gold"], "error": str(rep)})
            continue
        f = rep.findings[0] if rep.findings else None
        update = bool(f is not None and any(r.startswith("possible update") for r in f.reasons))
        out.append({"id": row["id"], "kind": row["kind"], "gold": row["gold"],
                    "reported": f is not None, "possible_update": update,
                    "pairs": int(rep.stats.pairs_scored) if hasattr(rep.stats, "pairs_scored") else None,
                    "reasons": list(f.reasons) if f is not None else []})
    return out, seconds


def summarise(results: list[dict]) -> dict:
    """Per kind: pairs, reported as a contradiction, flagged as a possible update, and the kind's figure."""
    table = {}
    for kind in KINDS:
        rows = [r for r in results if r["kind"] == kind]
        reported = sum(1 for r in rows if r.get("reported"))
        flagged = sum(1 for r in rows if r.get("possible_update"))
        plain = reported - flagged
        entry = {"n": len(rows), "gold": GOLD[kind], "reported": reported, "possible_update": flagged,
                 "errors": sum(1 for r in rows if "error" in r)}
        if GOLD[kind] == "contradiction":
            entry["recall"] = round(plain / len(rows), 3)  # found as a contradiction (not an update)
        elif GOLD[kind] == "compatible":
            entry["false_alarm_rate"] = round(reported / len(rows), 3)
        else:
            entry["flagged_as_update"] = round(flagged / len(rows), 3)
            entry["plain_contradiction_rate"] = round(plain / len(rows), 3)
            entry["hidden_rate"] = round((len(rows) - reported) / len(rows), 3)
        table[kind] = entry
    return table


def markdown(doc: dict) -> str:
    lines = ["# Dates and numbers: templated held-out pairs (issue #24)", "",
             "Generated by `eval/numbers/templates.py` (seed 24, 40 pairs per kind), each pair checked as two",
             "one-sentence articles with the default models at their saved thresholds (`check_clusters`).",
             "Recall: share of contradiction pairs reported as a plain contradiction. False alarms: share of",
             "compatible pairs reported. Updates: flagged as a possible update (wanted), reported as a plain",
             "contradiction, or not reported at all (hidden).", ""]
    labels = [k for k in ("before", "after") if k in doc["runs"]]
    lines.append("| kind | gold | " + " | ".join(labels) + " |")
    lines.append("|---|---|" + "---|" * len(labels))
    for kind in KINDS:
        cells = []
        for label in labels:
            e = doc["runs"][label]["summary"][kind]
            if "recall" in e:
                cells.append(f"recall {e['recall']:.2f} ({e['reported'] - e['possible_update']}/{e['n']})")
            elif "false_alarm_rate" in e:
                cells.append(f"false alarms {e['false_alarm_rate']:.2f} ({e['reported']}/{e['n']})")
            else:
                cells.append(f"update {e['flagged_as_update']:.2f} · plain {e['plain_contradiction_rate']:.2f}"
                             f" · hidden {e['hidden_rate']:.2f}")
        lines.append(f"| {kind} | {GOLD[kind]} | " + " | ".join(cells) + " |")
    lines += ["", "| run | seconds (check of all pairs, models loaded) | machine | commit |", "|---|---|---|---|"]
    for label in labels:
        r = doc["runs"][label]
        lines.append(f"| {label} | {r['seconds']:.1f} | {r['machine']} | {r['commit']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="after")
    ap.add_argument("--output", default="eval/results/numbers_dates_s24.json")
    ap.add_argument("--dump", action="store_true", help="print the pairs as JSON lines, load no model")
    ap.add_argument("--commit", default="")
    args = ap.parse_args(argv)
    rows = generate()
    if args.dump:
        for r in rows:
            print(json.dumps(r))
        return 0
    results, seconds = run(rows)
    out = Path(args.output)
    doc = json.loads(out.read_text()) if out.exists() else {"task": "numbers-dates-templates", "seed": SEED,
                                                            "per_kind": N, "runs": {}}
    doc["runs"][args.label] = {"summary": summarise(results), "seconds": round(seconds, 2),
                               "machine": f"{platform.machine()} {platform.processor() or ''} (2-core AMD EPYC)".strip(),
                               "commit": args.commit, "pairs": results}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1) + "\n")
    out.with_suffix(".md").write_text(markdown(doc))
    print(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
