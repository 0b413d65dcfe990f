import { assert, assertAlmost } from "../_assert.ts";
import { referenceFitBimix } from "./_bimix_reference.ts";
import { fitBimix, minimizeBimix, predictBimix } from "../../methods/bimix.ts";
import { Rng } from "../../numerics/rng.ts";

const LAW = { F: [1, 2, 0.5, 0.8], alpha: [0.5, 0.3, 1.2, 0.1] };

Deno.test("minimizeBimix() matches an independent SLSQP minimiser", () => {
  // scipy 1.17 SLSQP (ftol 1e-15, 30 starts, best kept).
  const ref = [0.2698226444344143, 0.25378190871401934, 0.4447238124197237, 0.03167163443184288];
  const r = minimizeBimix(LAW, [0.25, 0.25, 0.25, 0.25]);
  r.forEach((x, i) => assertAlmost(x, ref[i]!, 1e-6, `r[${i}]`));
  assertAlmost(predictBimix(LAW, r), 7.394889805773668, 1e-9);
});

Deno.test("fitBimix() recovers known (F, α) from noiseless mixtures", () => {
  const rng = new Rng(1);
  const xs = Array.from({ length: 60 }, () => {
    const g = [0, 1, 2, 3].map(() => -Math.log(1 - rng.next()) + 0.05);
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((x) => x / s);
  });
  const ys = xs.map((r) => predictBimix(LAW, r));
  const fit = fitBimix(xs, ys);
  fit.F.forEach((F, i) => assertAlmost(F, LAW.F[i]!, 1e-3, `F[${i}]`));
  fit.alpha.forEach((a, i) => assertAlmost(a, LAW.alpha[i]!, 1e-3, `α[${i}]`));
});

Deno.test("fitBimix() gives bit-identical laws to the reference transcription (one exponential per distinct value)", () => {
  // Mixtures with repeated values and zeros (as swarm tables have), run counts from 3 to 300.
  for (const [n, m, seed] of [[3, 2, 1], [20, 4, 2], [64, 17, 3], [300, 6, 4]] as const) {
    const rng = new Rng(seed);
    const levels: number[] = [0, 0, 0, 0.05, 0.1, 0.25];
    const xs = Array.from({ length: n }, () => {
      const w = Array.from(
        { length: m },
        () => rng.next() < 0.5 ? levels[rng.int(levels.length)]! : rng.next(),
      );
      if (!w.some((v) => v > 0)) w[0] = 1;
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((v) => v / s);
    });
    const ys = xs.map((r) => r.reduce((a, v, i) => a + (i + 1) * Math.max(v, 1e-3) ** -0.3, 0));
    const got = fitBimix(xs, ys), want = referenceFitBimix(xs, ys);
    const same = (a: readonly number[], b: readonly number[]) =>
      a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    assert(
      same(got.F, want.F) && same(got.alpha, want.alpha),
      `n=${n} m=${m}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
    );
  }
});
