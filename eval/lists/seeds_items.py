"""The seeds' list-item pairs (aligned? judged how?) and which item form the NLI judge reads best.

    PYTHONPATH=. python eval/lists/seeds_items.py     # from the repository root, real default models

Prints every scored pair that has a list-item claim and mentions Kaliningrad, then the two-way
contradiction score of hand-made item pairs read bare, after the same lead-in, and after two
different lead-ins (as two articles introduce one list).
"""
from dataclasses import replace
from factcheck.documents import read_documents
from factcheck.pipeline import CheckSettings, prepare_claims, score_pairs, load_models, model_thresholds
from factcheck.verdict import two_way_scores
import numpy as np

nli, emb, _ = load_models()
settings = replace(CheckSettings(), thresholds=model_thresholds(nli))
docs = read_documents(["seeds"])
sets = prepare_claims(docs, settings)
pairs, stats = score_pairs(sets, emb, nli, settings)
print("stats", {k: v for k, v in stats.items()})
print("threshold", settings.thresholds.contradiction)
items = [p for p in pairs if p.a.item or p.b.item]
print("pairs with an item claim:", len(items), "of", len(pairs), "| contradictions among them:", sum(p.label.value == "contradiction" for p in items))
for p in items:
    if "Kaliningrad" in p.a.text or "Kaliningrad" in p.b.text:
        print(f"{p.label.value:13s} {p.score:.3f} sim {p.similarity:.2f} | {p.a.text[-90:]} || {p.b.text[-90:]}  fwd {p.forward.round(2)} bwd {p.backward.round(2)}")
# Forms: the same list item pair with and without the lead.
lead_a = "Russia has launched a series of military drills: "
lead_b = "As part of the exercise, "
tests = [
    ("warplanes in Kaliningrad on the Baltic Sea performed bombing runs", "warplanes bombed Kaliningrad in the Baltic Sea"),
    ("warplanes in Kaliningrad on the Baltic Sea performed bombing runs", "warplanes in Murmansk on the Barents Sea performed bombing runs"),
    ("warplanes in Kaliningrad on the Baltic Sea performed bombing runs", "warplanes in Kaliningrad on the Baltic Sea did not perform bombing runs"),
    ("dozens of warships sailed for training exercises in the Black Sea and the arctic", "dozens of warships sailed for training exercises in the Black Sea and Arctic"),
    ("dozens of warships sailed for training exercises in the Black Sea and the arctic", "three warships sailed for training exercises in the Black Sea and the arctic"),
    ("Russian fighter jets and paratroopers arrived in Belarus for joint war games.", "Russian fighter jets and paratroopers arrived in Poland for joint war games."),
]
rows = []
for a, b in tests:
    for form, (x, y) in {"bare": (a, b), "lead": (lead_a + a, lead_a + b), "leads differ": (lead_a + a, lead_b + b)}.items():
        rows.append((form, x, y))
probs, _ = nli.predict_with_flags([(x, y) for _, x, y in rows] + [(y, x) for _, x, y in rows], batch_size=32)
n = len(rows)
c, _ = two_way_scores(probs[:n], probs[n:])
for (form, x, y), s in zip(rows, c):
    print(f"{form:13s} contra {s:.3f} | {x[-70:]} || {y[-70:]}")
