"""Share of the story view's phases in one check, timed inside one process (robust to machine load).

    python benchmarks/bench_story_phases.py seeds <folder of a 50-article cluster>

Times the time check (planning + masked NLI), the disputes and language ID (stage 2 with minus without), and
counts the lexical pairs' share of the NLI pairs; their sum over the check time is the story view's cost.
"""
import json, sys, time
import factcheck.pipeline as P
import factcheck.claims as C
from factcheck.documents import read_documents
nli, emb, _ = P.load_models()
settings = P.CheckSettings(thresholds=P.model_thresholds(nli))
spent = {"time check (plan + masked NLI)": 0.0, "disputes": 0.0}
def timed(name, fn):
    def wrap(*a, **k):
        t = time.perf_counter(); out = fn(*a, **k); spent[name] += time.perf_counter() - t; return out
    return wrap
P.plan_time_checks = timed("time check (plan + masked NLI)", P.plan_time_checks)
P.score_time_checks = timed("time check (plan + masked NLI)", P.score_time_checks)
P.build_disputes = timed("disputes", P.build_disputes)
out = {}
for name, path in (("seeds", sys.argv[1]), ("cluster50", sys.argv[2])):
    docs = read_documents([path])
    P.run_check(docs[:2], emb, nli, settings)
    for k in spent: spent[k] = 0.0
    t = time.perf_counter(); r = P.run_check(docs, emb, nli, settings); total = time.perf_counter() - t
    t = time.perf_counter(); P.prepare_claims(docs, settings); with_lang = time.perf_counter() - t
    import dataclasses
    off = dataclasses.replace(settings, nli_language=None)
    t = time.perf_counter(); P.prepare_claims(docs, off); without_lang = time.perf_counter() - t
    lex = r.stats.extra.get("pairs_lexical", 0)
    out[name] = {"check_s": round(total, 2), **{k: round(v, 2) for k, v in spent.items()},
                 "language ID (stage 2 with - without)": round(with_lang - without_lang, 2),
                 "lexical pairs": f"{lex} of {r.stats.pairs_scored}",
                 "lexical share of NLI": round(lex / max(1, r.stats.pairs_scored), 3)}
    est = sum(v for k, v in out[name].items() if k in spent or k.startswith("language")) / total + out[name]["lexical share of NLI"]
    out[name]["story view share (estimate)"] = round(est, 3)
print(json.dumps(out, indent=1))
