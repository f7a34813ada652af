"""Grouped-CV (by story) check of verdict features on a news-pairs split's feature file."""
import sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from factcheck.evaluation.metrics import average_precision

d = np.load(sys.argv[1], allow_pickle=False)
g = d["gold"] == "contradiction"

eps = 1e-4
lg = lambda p: np.log(np.clip(p, eps, 1 - eps) / (1 - np.clip(p, eps, 1 - eps)))
mask = (d["sc"] >= 0.35) & ~d["ident"]
casc = np.where(mask, d["lc"], d["sc"]); casc[d["ident"]] = 0
def best_p(score, rmin=0.30):
    o = np.argsort(-score); tp = np.cumsum(g[o]); k = np.arange(1, len(o) + 1)
    p, r = tp / k, tp / g.sum(); ok = r >= rmin
    return p[ok].max()
def show(name, s):
    print(f"{name:34s} PR-AUC {average_precision(g, s):.3f}  bestP@R>=.3 {best_p(s):.3f}")
show("cascade (shipped)", casc)
show("110M alone", np.where(d["ident"], 0, d["lc"]))
show("22M alone", np.where(d["ident"], 0, d["sc"]))
show("mean(22M,110M)", np.where(d["ident"], 0, (d["sc"] + d["lc"]) / 2))
show("geo(22M,110M)", np.where(d["ident"], 0, np.sqrt(d["sc"] * d["lc"])))
show("cascade * cos", casc * d["cos"])
show("110M min dir", np.minimum(d["lf"][:, 2], d["lb"][:, 2]))
show("110M max dir", np.maximum(d["lf"][:, 2], d["lb"][:, 2]))
feats = {
    "lc": lg(d["lc"]), "sc": lg(d["sc"]), "cos": d["cos"], "jac": d["jac"],
    "ln": lg((d["lf"][:, 1] + d["lb"][:, 1]) / 2), "la": lg(d["la"]),
    "lmin": lg(np.minimum(d["lf"][:, 2], d["lb"][:, 2])),
}
def cv(names, C=1.0):
    X = np.column_stack([feats[n] for n in names])
    out = np.zeros(len(g))
    for tr, te in GroupKFold(5).split(X, g, d["story"]):
        m = LogisticRegression(C=C, max_iter=1000).fit(X[tr], g[tr])
        out[te] = m.predict_proba(X[te])[:, 1]
    out[d["ident"]] = 0
    return out
for names in (["lc"], ["lc", "sc"], ["lc", "cos"], ["lc", "jac"], ["lc", "sc", "cos", "jac"], ["lc", "ln"],
              ["lc", "la"], ["lc", "sc", "cos", "jac", "ln", "la"], ["lc", "lmin"], ["lc", "sc", "lmin", "cos"]):
    show("CV LR " + "+".join(names), cv(names))
for t in (0.0, 0.6, 0.65, 0.7, 0.75, 0.8):
    s = np.where(d["cos"] >= t, casc, 0); show(f"cascade, cos>={t}", s)
print("---")
X = np.column_stack([feats["lc"], feats["jac"]])
m = LogisticRegression(max_iter=1000).fit(X, g); print("coef lc,jac", m.coef_, m.intercept_)
import re
STOP = set("the a an of to in and or for on at by with from as is are was were be been has have had that this it its he she they his her their said says will would".split())
W = re.compile(r"[a-z0-9]+")
def ct(t): return {w for w in W.findall(t.lower()) if w not in STOP}
A = [ct(x) for x in d["a"]]; B = [ct(x) for x in d["b"]]
feats["cjac"] = np.array([len(a & b) / max(1, len(a | b)) for a, b in zip(A, B)])
feats["ovl"] = np.array([len(a & b) / max(1, min(len(a), len(b))) for a, b in zip(A, B)])
feats["len"] = np.log([max(len(a), len(b)) + 1 for a, b in zip(A, B)])
for names in (["lc", "cjac"], ["lc", "ovl"], ["lc", "jac", "len"], ["lc", "cjac", "len"], ["lc", "ovl", "len"]):
    show("CV LR " + "+".join(names), cv(names))
# bootstrap over stories: CV(lc+jac) - lc
base = np.where(d["ident"], 0, d["lc"]); new = cv(["lc", "jac"])
st = np.unique(d["story"]); rng = np.random.default_rng(0); diffs = []
idx = {s: np.flatnonzero(d["story"] == s) for s in st}
for _ in range(500):
    rows = np.concatenate([idx[s] for s in rng.choice(st, len(st))])
    diffs.append(average_precision(g[rows], new[rows]) - average_precision(g[rows], base[rows]))
print("PR-AUC gain lc+jac vs lc: mean %.3f  95%% [%.3f, %.3f]" % (np.mean(diffs), *np.percentile(diffs, [2.5, 97.5])))
