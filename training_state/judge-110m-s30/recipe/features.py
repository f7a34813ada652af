"""Per-pair features of a news-pairs split: both judges both ways, alignment similarity, lexical overlap.
Usage: python runs/s30/features.py SPLIT OUT.npz"""
import re, sys, json
import numpy as np
from factcheck.evaluation.news_pairs import load_news_pairs
from factcheck.nli import load_nli
from factcheck.embed import load_embedder
from factcheck.evaluation.news_eval import score_news_pairs

split, out = sys.argv[1], sys.argv[2]
pairs = load_news_pairs("eval/news_pairs/labels.jsonl", "../shared/data", splits=[split])
print(len(pairs), "pairs", flush=True)
emb = load_embedder("default")
ea = emb.embed([p.a for p in pairs]); eb = emb.embed([p.b for p in pairs])
cos = (np.asarray(ea) * np.asarray(eb)).sum(1)
small = load_nli("default")
s = score_news_pairs(pairs, small)
print("small done", flush=True)
large = load_nli("large")
l = score_news_pairs(pairs, large)
print("large done", flush=True)
W = re.compile(r"[a-z0-9]+")
def toks(t): return set(W.findall(t.lower()))
jac = np.array([len(toks(p.a) & toks(p.b)) / max(1, len(toks(p.a) | toks(p.b))) for p in pairs])
np.savez(out, ids=np.array([p.ref.id for p in pairs]), story=np.array([p.ref.story for p in pairs]),
         gold=np.array([p.ref.label for p in pairs]), type=np.array([p.ref.type or "" for p in pairs]),
         cos=cos, jac=jac, sf=s.forward, sb=s.backward, sc=s.contradiction, sa=s.agreement,
         lf=l.forward, lb=l.backward, lc=l.contradiction, la=l.agreement, ident=s.identical,
         a=np.array([p.a for p in pairs]), b=np.array([p.b for p in pairs]))
print("saved", out)
