"""Random search over the bridge (protocol mixbench.bridge/1), standard library only.

Pool mode: queries the pool members at the target fidelity (or, when the target is not
queryable, at the most expensive queryable fidelity) one at a time in a random order, and
recommends the target-pool member nearest to the best one seen. Continuous mode: draws mixtures
from the flat Dirichlet (normalised exponentials) and recommends the best one seen. Before any
observation it recommends the prior (its nearest target-pool member in pool mode). All
randomness comes from the seed in ``init`` (the suite's xoshiro128** stream).

    deno task bench --tasks regmix-pile/pile-cc --methods "cmd:python3 examples/python/random_method.py"
"""

import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mixbench_bridge import Rng, l1_nearest, serve  # noqa: E402


class RandomSearch:
    def __init__(self, init):
        ctx = init["context"]
        self.ctx = ctx
        self.rng = Rng(init["rng"]["seed"])
        costs = ctx["costs"]
        target = ctx["targetFidelity"]
        self.fidelity = target if target in costs else ctx["fidelities"][-1]
        self.cost = costs[self.fidelity]
        self.sign = 1.0 if ctx["objective"]["direction"] == "minimize" else -1.0
        self.order = None
        if ctx["mode"] == "pool":
            self.order = self.rng.shuffle(
                [p for p in ctx["pool"] if p["fidelity"] == self.fidelity])
        self.next = 0
        self.best = None

    def ask(self, spent, remaining):
        if self.cost > remaining + 1e-9:
            return []
        if self.order is not None:
            if self.next >= len(self.order):
                return []
            self.next += 1
            return [self.order[self.next - 1]]
        e = [-math.log(1.0 - self.rng.next()) for _ in self.ctx["prior"]]
        total = sum(e)
        return [{"mixture": [x / total for x in e], "fidelity": self.fidelity}]

    def tell(self, observations):
        for o in observations:
            if o["fidelity"] != self.fidelity:
                continue
            if self.best is None or self.sign * o["value"] < self.sign * self.best["value"]:
                self.best = o

    def recommend(self):
        target = self.best["mixture"] if self.best else self.ctx["prior"]
        pool = self.ctx.get("targetPool")
        if pool is None:
            return {"mixture": target}
        return {"mixture": pool[l1_nearest(pool, target)]}


if __name__ == "__main__":
    serve(RandomSearch, version="1")
