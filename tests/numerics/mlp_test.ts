import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import {
  type DenseLayer,
  fitEnsemble,
  type MlpEnsemble,
  predictEnsemble,
} from "../../numerics/mlp.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { spearman } from "../../numerics/stats/correlation.ts";
import { Rng } from "../../numerics/rng.ts";

function layer(inputs: number, outputs: number, w: number[], b: number[]): DenseLayer {
  return { inputs, outputs, weight: Float32Array.from(w), bias: Float32Array.from(b) };
}

function draws(n: number, m: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from(dirichlet(rng, new Array(m).fill(0.7))));
}

Deno.test("predictEnsemble() equals a hand computation of a 2-member SiLU net with log features", () => {
  // features f = [w0, w1, log(w0 + 0.5), log(w1 + 0.5)], standardised by shift 0.1, scale 2.
  const ens: MlpEnsemble = {
    inputs: 2,
    outputs: 1,
    features: "linear+log",
    logEpsilon: 0.5,
    activation: "silu",
    featureShift: Float32Array.from([0.1, 0.1, 0.1, 0.1]),
    featureScale: Float32Array.from([2, 2, 2, 2]),
    offset: Float32Array.from([10]),
    members: [
      [layer(4, 1, [1, -1, 0.5, 0.25], [0.125]), layer(1, 1, [2], [1])],
      [layer(4, 1, [0, 1, 0, 0], [0]), layer(1, 1, [-1], [0])],
    ],
  };
  const w = [0.25, 0.75];
  const f = [w[0]!, w[1]!, Math.log(0.75), Math.log(1.25)].map((x) => (x - Math.fround(0.1)) * 2);
  const silu = (z: number) => z / (1 + Math.exp(-z));
  const a = 2 * silu(f[0]! - f[1]! + 0.5 * f[2]! + 0.25 * f[3]! + 0.125) + 1;
  const b = -silu(f[1]!);
  const { mean, spread } = predictEnsemble(ens, w);
  assertAlmost(mean[0]!, 10 + (a + b) / 2, 1e-12);
  assertAlmost(spread[0]!, Math.abs(a - b) / 2, 1e-12);
});

Deno.test("fitEnsemble() is deterministic from its seed and differs across seeds", () => {
  const xs = draws(40, 4, 1);
  const ys = xs.map((w) => [w[0]! - 2 * w[3]!]);
  const o = { members: 2, hidden: [8], epochs: 20 };
  const a = fitEnsemble(xs, ys, { ...o, seed: 5 });
  const b = fitEnsemble(xs, ys, { ...o, seed: 5 });
  const c = fitEnsemble(xs, ys, { ...o, seed: 6 });
  assertEquals(a, b);
  assert(a.members[0]![0]!.weight.some((v, i) => v !== c.members[0]![0]!.weight[i]));
  // Members start from their own initialisation.
  assert(a.members[0]![0]!.weight.some((v, i) => v !== a.members[1]![0]!.weight[i]));
});

Deno.test("fitEnsemble() with Adam learns a smooth function of the mixture (held-out ρ > 0.97)", () => {
  const target = (w: readonly number[]) => Math.log(w[0]! + 0.05) - 2 * w[1]! + w[2]! * w[3]!;
  const train = draws(300, 5, 2);
  const test = draws(100, 5, 3);
  const ens = fitEnsemble(train, train.map((w) => [target(w)]), {
    members: 3,
    hidden: [32, 32],
    epochs: 150,
    seed: 1,
  });
  const { mean, spread } = predictEnsemble(ens, new Float64Array(test.flat()));
  const truth = test.map(target);
  assert(spearman(truth, mean) > 0.97, `ρ ${spearman(truth, mean)}`);
  const sd = Math.sqrt(
    truth.reduce((s, v) => s + v * v, 0) / truth.length -
      (truth.reduce((s, v) => s + v, 0) / truth.length) ** 2,
  );
  const mae = truth.reduce((s, v, i) => s + Math.abs(v - mean[i]!), 0) / truth.length;
  assert(mae < 0.2 * sd, `MAE ${mae} vs sd ${sd}`);
  assert(spread.every((s) => s >= 0 && Number.isFinite(s)));
});

Deno.test("predictEnsemble() spread is the population sd of single-member predictions", () => {
  const xs = draws(30, 3, 4);
  const ens = fitEnsemble(xs, xs.map((w) => [w[0]!]), { members: 3, hidden: [6], epochs: 10 });
  const rows = new Float64Array(draws(5, 3, 5).flat());
  const one = ens.members.map((layers) =>
    predictEnsemble({ ...ens, members: [layers] }, rows).mean
  );
  const { mean, spread } = predictEnsemble(ens, rows);
  for (let r = 0; r < 5; r++) {
    const v = one.map((p) => p[r]!);
    const mu = (v[0]! + v[1]! + v[2]!) / 3;
    assertAlmost(mean[r]!, mu, 1e-12);
    assertAlmost(spread[r]!, Math.sqrt(v.reduce((s, x) => s + (x - mu) ** 2, 0) / 3), 1e-12);
  }
});

Deno.test("fitEnsemble() rejects empty and ragged inputs", () => {
  assertThrows(() => fitEnsemble([], []), TypeError, /0" mixtures/);
  assertThrows(() => fitEnsemble([[1, 0], [1]], [[1], [2]]), TypeError, /row 1/);
});
