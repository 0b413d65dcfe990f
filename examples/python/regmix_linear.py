"""RegMix-linear over the bridge: a numpy port of the suite's `regmix-linear` (pool mode).

RegMix (Liu et al., 2024, arXiv:2407.01492, §3): a swarm of small proxy runs on random
mixtures, a regressor of the target on the mixture weights, the mixture the regressor likes
best. This port mirrors methods/regmix.ts + methods/_swarm.ts step for step:

- swarm: the pool members at the cheapest queryable fidelity, shuffled with the method's
  random stream (``Rng(init["rng"]["seed"]).shuffle``, the same xoshiro128** draws as
  ``ctx.rng.shuffle`` in TypeScript), asked in batches of 16 within the budget;
- values in their loss-like orientation (minimised as is; maximised with an upper bound u as
  u - y, otherwise -y);
- at each recommendation with at least two runs: ordinary least squares with an intercept,
  minimum-norm (``numpy.linalg.lstsq(rcond=None)``, the same rank rule as numerics/linalg/
  lstsq.ts), and the target-pool member with the lowest prediction (first of ties); with fewer
  runs, the target-pool member nearest (L1) to the prior.

Predict track (``fit``/``predict``): the same least squares on the training examples' loss-like
values, predictions mapped back to the objective's direction (methods/_swarm.ts ``fit``).

Departure: continuous mode (surrogate tasks: RegMix's swarm sampler and its 100 000-sample
search) is not ported; such a cell fails with a message. Where numpy is not installed, ``init``
is answered with an error that says so.
"""

import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mixbench_bridge import Rng, l1_nearest, serve  # noqa: E402

try:
    import numpy as np
except ImportError:  # pragma: no cover - reported to the bench as the cell's error
    np = None

BATCH = 16


class RegMixLinear:
    def __init__(self, init):
        if np is None:
            raise RuntimeError("regmix_linear.py needs numpy (pip install numpy)")
        ctx = init["context"]
        self.ctx = ctx
        obj = ctx["objective"]
        if obj["direction"] == "minimize":
            self.to, self.back = (lambda y: y), (lambda v: v)
        elif obj.get("bounds") is not None:
            u = obj["bounds"]["upper"]
            self.to, self.back = (lambda y: u - y), (lambda v: u - v)
        else:
            self.to, self.back = (lambda y: -y), (lambda v: -v)
        if init["track"] == "predict":
            return
        if ctx["mode"] != "pool":
            raise RuntimeError("regmix_linear.py ports pool mode only (no continuous tasks)")
        self.fidelity = ctx["fidelities"][0]
        self.cost = ctx["costs"][self.fidelity]
        rng = Rng(init["rng"]["seed"])
        self.order = rng.shuffle([p for p in ctx["pool"] if p["fidelity"] == self.fidelity])
        self.next = 0
        self.xs, self.ys = [], []
        self.cached = None

    def ask(self, spent, remaining):
        k = min(BATCH, math.floor((remaining + 1e-9) / self.cost), len(self.order) - self.next)
        out = self.order[self.next:self.next + max(0, k)]
        self.next += len(out)
        return out

    def tell(self, observations):
        for o in observations:
            if o["fidelity"] != self.fidelity:
                continue
            self.xs.append(o["mixture"])
            self.ys.append(self.to(o["value"]))

    def _beta(self, xs, ys):
        design = np.array([[1.0] + list(x) for x in xs])
        return np.linalg.lstsq(design, np.array(ys), rcond=None)[0].tolist()

    @staticmethod
    def _value(beta, r):
        s = beta[0]
        for j, w in enumerate(r):
            s += beta[j + 1] * w
        return s

    def fit(self, examples):
        """Predict track: least squares on the examples' loss-like values."""
        self.beta = self._beta([e["mixture"] for e in examples],
                               [self.to(e["value"]) for e in examples])

    def predict(self, mixtures):
        return [self.back(self._value(self.beta, r)) for r in mixtures]

    def recommend(self):
        pool = self.ctx["targetPool"]
        if len(self.xs) < 2:
            return {"mixture": pool[l1_nearest(pool, self.ctx["prior"])]}
        if self.cached is None or self.cached[0] != len(self.xs):
            beta = self._beta(self.xs, self.ys)
            d = len(self.xs[0])
            rank = int(np.linalg.matrix_rank(np.array([[1.0] + list(x) for x in self.xs])))
            # As the TypeScript method: rows sum to 1, so rank < d leaves directions unidentified.
            fit = None if rank >= d else {
                "degenerate": "rank-deficient",
                "detail": f"least-squares design of rank {rank} < {d} domains on {len(self.xs)} runs",
            }
            best, best_p = 0, None
            for i, r in enumerate(pool):
                s = self._value(beta, r)
                if best_p is None or s < best_p:
                    best, best_p = i, s
            self.cached = (len(self.xs), pool[best], self.back(best_p), fit)
        out = {"mixture": self.cached[1], "predicted": self.cached[2]}
        return out if self.cached[3] is None else {**out, "fit": self.cached[3]}


if __name__ == "__main__":
    serve(RegMixLinear, version="1")
