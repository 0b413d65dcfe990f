"""Writes gbdt_lightgbm.json: LightGBM reference predictions for tests/numerics/gbdt_test.ts.

Run from the repository root with LightGBM 4.7.0 (numpy, scipy) installed:

    python tests/testdata/gbdt_lightgbm_fixture.py SLICE.json > tests/testdata/gbdt_lightgbm.json

SLICE.json holds {"validation": [...], "fit": [...]}: positions among the 512 RegMix 1M training
runs (table order) of the early-stopping slice and of the rows fitted, as the test draws them
(`new Rng(0).shuffle([0 … 511])`, first 51 = validation).
"""

import csv
import json
import math
import sys

import lightgbm as lgb
import numpy as np

BASE = dict(objective="regression", verbosity=-1, seed=42, num_threads=1)


def regmix():
    with open("datasets/regmix_pile/runs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ratio = [k for k in rows[0] if k.startswith("ratio_")]

    def pick(fidelity, split):
        xs, ys = [], []
        for r in rows:
            if r["fidelity"] == fidelity and r["split"] == split:
                raw = [float(r[k]) for k in ratio]
                s = 0.0
                for v in raw:
                    s += v
                xs.append([v / s for v in raw])
                ys.append(float(r["metric_pile_cc_loss"]))
        return np.array(xs), np.array(ys)

    xtr, ytr = pick("1M", "train")
    tests = {"1M": pick("1M", "test"), "60M": pick("60M", "test"), "1B": pick("1B", "test")}
    params = dict(BASE, learning_rate=0.01)
    full = lgb.train(params, lgb.Dataset(xtr, ytr), num_boost_round=1000)
    with open(sys.argv[1]) as fh:
        part = json.load(fh)
    v, f = part["validation"], part["fit"]
    es = lgb.train(
        params,
        lgb.Dataset(xtr[f], ytr[f]),
        num_boost_round=1000,
        valid_sets=[lgb.Dataset(xtr[v], ytr[v])],
        callbacks=[lgb.early_stopping(3, verbose=False)],
    )
    return {
        "params": "learning_rate 0.01, other parameters LightGBM defaults",
        "full": {k: full.predict(x).tolist() for k, (x, _) in tests.items()},
        "slice": {
            "validation": v,
            "bestIteration": es.best_iteration,
            **{k: es.predict(x, num_iteration=es.best_iteration).tolist() for k, (x, _) in tests.items()},
        },
    }


def synthetic():
    xs, ys = [], []
    for i in range(400):
        f0 = 0.0 if i % 5 == 0 else round(math.sin(i * 0.7) * 1.3, 3)
        f1 = float((i * 7) % 10)
        f2 = 0.5
        f3 = 0.25 if i % 8 == 0 else ((i * 37) % 101) / 101 + i / 4000
        xs.append([f0, f1, f2, f3])
        ys.append(math.sin(3 * f0) + 0.3 * f1 + 2 * f3 * f3 + 0.1 * math.cos(i))
    x, y = np.array(xs), np.array(ys)
    params = dict(BASE, learning_rate=0.1, num_leaves=15, min_data_in_leaf=10)
    model = lgb.train(params, lgb.Dataset(x, y), num_boost_round=100)
    return {
        "params": "numRounds 100, learningRate 0.1, numLeaves 15, minDataInLeaf 10",
        "x": xs,
        "y": ys,
        "prediction": model.predict(x).tolist(),
    }


json.dump(
    {
        "note": "LightGBM 4.7.0 (lightgbm.train, num_threads 1) predictions; see gbdt_lightgbm_fixture.py",
        "regmix": regmix(),
        "synthetic": synthetic(),
    },
    sys.stdout,
)
