import { assert, assertAlmost, assertThrows } from "../_assert.ts";
import {
  type ExpLaw,
  type ExpLawOptions,
  fitExpLaw,
  predictExpLaw,
} from "../../methods/_exp_law.ts";
import { referenceFitExpLaw } from "./_exp_law_reference.ts";
import { Rng } from "../../numerics/rng.ts";

Deno.test("fitExpLaw() recovers a known law (c, k, t) from data with 1e-3 noise", () => {
  const truth = { a: Math.log(1.5), b: Math.log(0.8), t: [-1.2, 0.4, 0.9, -0.3], loss: 0 };
  const rng = new Rng(11);
  const xs = Array.from({ length: 40 }, () => {
    const g = [0, 1, 2, 3].map(() => -Math.log(1 - rng.next()));
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((x) => x / s);
  });
  const ys = xs.map((r) => predictExpLaw(truth, r) + 1e-3 * rng.normal());
  const law = fitExpLaw(xs, ys, new Rng(3));
  // c = exp(a) and k·exp(t_j) = exp(b + t_j) at each vertex are identifiable (Σr = 1 ties b to t).
  assertAlmost(Math.exp(law.a), 1.5, 0.02, "c");
  truth.t.forEach((tj, j) => assertAlmost(law.b + law.t[j]!, truth.b + tj, 0.02, `b + t[${j}]`));
  const probe = [0.1, 0.2, 0.3, 0.4];
  assertAlmost(predictExpLaw(law, probe), predictExpLaw(truth, probe), 2e-3, "prediction");
  assert(law.loss < 40 * 0.5 * (3e-3) ** 2, `Huber loss at the noise level, got ${law.loss}`);
});

/** Bit-for-bit equality of two laws (Object.is on every number, so −0 and NaN count). */
function assertSameLaw(got: ExpLaw, want: ExpLaw, what: string): void {
  const same = (u: number, v: number) => Object.is(u, v);
  assert(
    same(got.a, want.a) && same(got.b, want.b) && same(got.loss, want.loss) &&
      got.converged === want.converged && got.t.length === want.t.length &&
      got.t.every((v, j) => same(v, want.t[j]!)),
    `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
  );
}

function simplexRows(rng: Rng, n: number, m: number): number[][] {
  return Array.from({ length: n }, () => {
    const g = Array.from({ length: m }, () => -Math.log(1 - rng.next()));
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((v) => v / s);
  });
}

Deno.test("fitExpLaw() gives bit-identical laws to the reference transcription (blocked kernel, pruned screening)", () => {
  // Run counts below, at and between multiples of the 4-run blocks; both law forms; own entry
  // or none; every screening path (pruned top-k, refine ≥ starts, Infinity, non-integer).
  const small = { aGrid: [-2, -0.5, 1], bGrid: [-4, -1, 0.5, 1], tStarts: 6, steps: 4 };
  const cases: [number, number, ExpLawOptions][] = [
    [3, 3, { ...small }],
    [4, 2, { ...small, withB: false, delta: 0.02 }],
    [9, 5, { ...small, own: 2 }],
    [13, 4, { ...small, refine: 3, restartEachStep: true }],
    [16, 6, { ...small, withB: false, own: 0, refine: 1 }],
    [21, 3, { ...small, refine: Infinity, steps: 2 }],
    [10, 3, { ...small, refine: 2.5 }],
    [7, 3, { ...small, tStarts: 2.5 }],
    [11, 4, { ...small, refine: 500 }],
    [24, 7, {}],
  ];
  for (const [n, m, options] of cases) {
    for (const seed of [1, 2]) {
      const rng = new Rng(100 * n + seed);
      const xs = simplexRows(rng, n, m);
      const w = Array.from({ length: m }, () => rng.normal());
      const ys = xs.map((r) => 0.8 + Math.exp(-0.5 + r.reduce((s, v, j) => s + w[j]! * v, 0)));
      const what = `n=${n} m=${m} ${JSON.stringify(options)} seed ${seed}`;
      assertSameLaw(
        fitExpLaw(xs, ys, new Rng(seed), options),
        referenceFitExpLaw(xs, ys, new Rng(seed), options),
        what,
      );
    }
  }
});

Deno.test("fitExpLaw() screening keeps the reference's order on ties and drops non-finite starts", () => {
  // All-zero rows: every start's loss depends on (a, b) only, so the 6 starts of each (a, b)
  // tie and the stable order (lowest start index first) decides which are refined.
  const xs = Array.from({ length: 9 }, () => [0, 0, 0]);
  const ys = xs.map((_, i) => 1 + 0.01 * i);
  for (const refine of [1, 3, 7, 8]) {
    const options = { aGrid: [-1, 0], bGrid: [-2, -1], tStarts: 6, steps: 3, refine };
    assertSameLaw(
      fitExpLaw(xs, ys, new Rng(4), options),
      referenceFitExpLaw(xs, ys, new Rng(4), options),
      `ties, refine ${refine}`,
    );
  }
  // b = 800 overflows exp: those starts have an infinite loss and are never refined.
  const rng = new Rng(8);
  const xs2 = simplexRows(rng, 10, 3);
  const ys2 = xs2.map((r) => 1 + r[0]!);
  const options = { aGrid: [-1, 0.5], bGrid: [800, -1, 0], tStarts: 4, steps: 3, refine: 5 };
  assertSameLaw(
    fitExpLaw(xs2, ys2, new Rng(2), options),
    referenceFitExpLaw(xs2, ys2, new Rng(2), options),
    "overflowing starts",
  );
  for (const bad of [{ ...options, bGrid: [800] }, { ...options, refine: 0 }]) {
    assertThrows(
      () => fitExpLaw(xs2, ys2, new Rng(2), bad),
      RangeError,
      "every start gave a non-finite loss",
    );
    assertThrows(
      () => referenceFitExpLaw(xs2, ys2, new Rng(2), bad),
      RangeError,
      "every start gave a non-finite loss",
    );
  }
});
