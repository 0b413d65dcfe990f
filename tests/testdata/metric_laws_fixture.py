"""Writes metric_laws.json: reference per-metric fits for tests/methods/metric_laws_test.ts.

Run from the repository root (numpy and scipy; offline, not in CI):

    python3 tests/testdata/metric_laws_fixture.py > tests/testdata/metric_laws.json
    deno fmt tests/testdata/metric_laws.json

(or `... olmix > a.json` and `... dml > b.json` in parallel, then merge the two objects).

Written from the papers' formulas and methods.md §3, §15 and §23, not from the reference code:

- Olmix (arXiv:2602.12237): per metric k the log-linear law y = exp(a) + exp(t·p), Huber loss
  (delta 0.02, summed over runs), the first 4 metrics of the table, starts a in linspace(-2, 1.5, 10) x 30 random t with the
  entry at the metric's index drawn as -U(0,1) and the others as 0.1*U(0,1); every start
  optimised (L-BFGS, memory 10, at most 2000 iterations = the reference's 100 rounds of 20);
  the lowest training loss kept. The exact proposer minimises sum_k v_k exp(t_k·x) +
  lambda*KL(x || q) over {0 <= x <= caps, sum x = 1}, v_k = 1/K, lambda = 0.05 (the
  superswarm's fit config), caps = min(token_count * 4 / 1e12, 1).
- Data Mixing Laws (arXiv:2403.16952): per validation domain y = exp(a) + exp(b + t·r), Huber
  delta 0.05, starts log c in linspace(-2, 1.5, 10) x log k in linspace(-10, 1, 20) x one random
  t (t_other = 0.1*U(0,1), no own entry, as the mix_5_domains notebook), L-BFGS at most 1000
  iterations (50 rounds of 20). The fixture departs from the reference's 30 random t per
  (log c, log k) (6000 starts) to keep the script to minutes: 200 starts.

scipy's L-BFGS-B (float64) stands in for torch's L-BFGS (float32); neither converges on these
fits (methods.md §23), so the tests compare fit quality (training loss, held-out rank
correlation of the combined prediction) within stated tolerances, not parameters. The proposer
is compared exactly (same t, KKT-accurate solution).
"""

import csv
import json
import os
import sys

# One BLAS thread: the matrices are tiny and threads only add synchronisation (100x slower on a
# busy machine).
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402


def load(table):
    with open(f"datasets/{table}/runs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(f"datasets/{table}/card.json") as fh:
        card = json.load(fh)
    ratio = [k for k in rows[0] if k.startswith("ratio_")]
    return rows, ratio, card


def mixture(r, ratio):
    w = np.array([float(r[k]) for k in ratio])
    return w / w.sum()


def huber_sum(res, delta):
    a = np.abs(res)
    quad = a <= delta
    loss = np.where(quad, 0.5 * res * res, delta * (a - 0.5 * delta)).sum()
    grad = np.where(quad, res, delta * np.sign(res))
    return loss, grad


def fit_law(X, y, starts, with_b, delta, maxiter):
    m = X.shape[1]

    def fg(theta):
        a = theta[0]
        b = theta[1] if with_b else 0.0
        t = theta[2:] if with_b else theta[1:]
        ez = np.exp(b + X @ t)
        ea = np.exp(a)
        loss, g = huber_sum(ea + ez - y, delta)
        ge = g * ez
        grad = [np.array([g.sum() * ea])]
        if with_b:
            grad.append(np.array([ge.sum()]))
        grad.append(X.T @ ge)
        return loss, np.concatenate(grad)

    best = None
    for s in starts:
        r = minimize(fg, s, jac=True, method="L-BFGS-B",
                     options={"maxiter": maxiter, "maxcor": 10, "ftol": 0.0, "gtol": 1e-6})
        if np.isfinite(r.fun) and (best is None or r.fun < best[0]):
            best = (float(r.fun), r.x.copy())
    loss, th = best
    law = {"a": float(th[0]), "b": float(th[1]) if with_b else 0.0,
           "t": [float(v) for v in (th[2:] if with_b else th[1:])], "loss": loss}
    return law


def predict(law, X):
    return np.exp(law["a"]) + np.exp(law["b"] + X @ np.array(law["t"]))


def kl_proposer(T, v, q, lam, caps):
    q = np.maximum(q, 1e-12)
    q = q / q.sum()

    def f(x):
        xc = np.maximum(x, 1e-300)
        e = v * np.exp(T @ x)
        val = e.sum() + lam * np.sum(np.where(x > 0, x * np.log(xc / q), 0.0))
        grad = T.T @ e + lam * (np.log(xc / q) + 1)
        return val, grad

    x0 = np.minimum(q, caps)
    x0 = x0 / x0.sum()
    r = minimize(f, x0, jac=True, method="SLSQP", bounds=[(0.0, c) for c in caps],
                 constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1,
                               "jac": lambda x: np.ones_like(x)}],
                 options={"ftol": 1e-16, "maxiter": 2000})
    x = np.clip(r.x, 0, caps)
    return x / x.sum(), float(f(x / x.sum())[0])


def olmix():
    rows, ratio, card = load("olmix_superswarm")
    names = [m["name"] for m in card["metrics"] if "definition" not in m]
    metrics = names[:4]
    X = np.array([mixture(r, ratio) for r in rows])
    train, test = np.arange(64), np.arange(64, len(rows))
    rng = np.random.default_rng(0)
    m = X.shape[1]
    laws = []
    for k, name in enumerate(metrics):
        y = np.array([float(r[f"metric_{name}"]) for r in rows])
        starts = []
        for a in np.linspace(-2, 1.5, 10):
            for _ in range(30):
                t = [-rng.random() if j == k else 0.1 * rng.random() for j in range(m)]
                starts.append(np.array([a, *t]))
        laws.append(fit_law(X[train], y[train], starts, False, 0.02, 2000))
        print(f"olmix {name}: loss {laws[-1]['loss']:.6g}", file=sys.stderr)
    truth = np.mean([[float(r[f"metric_{n}"]) for n in metrics] for r in rows], axis=1)
    pred = np.mean([predict(l, X) for l in laws], axis=0)
    counts = {d["name"]: d.get("count") for d in card["domains"]}
    caps = np.array([1.0 if counts[d["name"]] is None else min(counts[d["name"]] * 4 / 1e12, 1)
                     for d in card["domains"]])
    prior = np.array([d["prior"] for d in card["domains"]])
    T = np.array([l["t"] for l in laws])
    x, value = kl_proposer(T, np.full(len(laws), 1 / len(laws)), prior, 0.05, caps)
    return {
        "table": "olmix_superswarm", "trainRows": [int(i) for i in train], "metrics": metrics,
        "laws": laws,
        "heldoutSpearman": float(spearmanr(truth[test], pred[test]).statistic),
        "proposer": {"lambda": 0.05, "caps": caps.tolist(), "prior": prior.tolist(),
                     "x": x.tolist(), "value": value},
    }


def dml():
    rows, ratio, card = load("regmix_pile")
    mean = next(m for m in card["metrics"] if "definition" in m)
    names = [m["name"] for m in card["metrics"] if "definition" not in m]
    idx = [i for i, r in enumerate(rows) if r["fidelity"] == "1M"]
    train = [i for i in idx if rows[i]["split"] == "train"][:64]
    test = [i for i in idx if rows[i]["split"] == "test"]
    X = np.array([mixture(r, ratio) for r in rows])
    rng = np.random.default_rng(1)
    m = X.shape[1]
    starts = [np.array([a, b, *(0.1 * rng.random(m))])
              for a in np.linspace(-2, 1.5, 10) for b in np.linspace(-10, 1, 20)]
    laws = []
    for name in names:
        y = np.array([float(r[f"metric_{name}"]) for r in rows])
        laws.append(fit_law(X[train], y[train], starts, True, 0.05, 1000))
        print(f"dml {name}: loss {laws[-1]['loss']:.6g}", file=sys.stderr)
    truth = np.array([float(r[f"metric_{mean['name']}"]) for r in rows])
    pred = np.mean([predict(l, X) for l in laws], axis=0)
    single = fit_law(X[train], truth[train], starts, True, 0.05, 1000)
    return {
        "table": "regmix_pile", "trainRows": train, "testRows": test, "metrics": names,
        "objective": mean["name"], "laws": laws,
        "heldoutSpearman": float(spearmanr(truth[test], pred[test]).statistic),
        "singleLaw": single,
        "singleHeldoutSpearman": float(spearmanr(truth[test], predict(single, X[test])).statistic),
    }


if __name__ == "__main__":
    # Optional argument: "olmix" or "dml" writes only that part (to run both in parallel and
    # merge the two objects); by default both.
    parts = sys.argv[1:] or ["olmix", "dml"]
    json.dump({p: {"olmix": olmix, "dml": dml}[p]() for p in parts}, sys.stdout, indent=1)
    sys.stdout.write("\n")
