import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import {
  exponentiatedGradientStep,
  projectCappedSimplex,
  projectSimplex,
} from "../../numerics/optim/simplex.ts";
import { Rng } from "../../numerics/rng.ts";

// References computed with numpy 2.4 and scipy 1.17: scipy.optimize.minimize(SLSQP,
// ftol 1e-12) on min ½‖x − v‖² s.t. Σx = 1, 0 ≤ x ≤ u; the active set it found was then solved
// exactly (free coordinates x = v − τ) and the KKT conditions checked in numpy.
const PLAIN: { v: number[]; x: number[] }[] = [
  {
    v: [0.00123, 0.298746, -0.274138, -0.890592, -0.454671],
    x: [0.32595066666666667, 0.6234666666666666, 0.050582666666666665, 0, 0],
  },
  {
    v: [
      -0.297494,
      0.018043,
      0.402065,
      -0.147662,
      -0.186142,
      0.146953,
      0.107066,
      0.031624,
      -0.27914,
      -0.008776,
      0.208591,
      -0.403264,
      -0.137285,
      -0.570367,
      -0.386861,
      -0.552521,
      -0.070527,
    ],
    x: [
      0,
      0.03153357142857143,
      0.4155555714285714,
      0,
      0,
      0.16044357142857144,
      0.12055657142857143,
      0.045114571428571434,
      0,
      0.004714571428571431,
      0.22208157142857143,
      0,
      0,
      0,
      0,
      0,
      0,
    ],
  },
  {
    v: [
      -3.802339,
      0.813793,
      0.470253,
      -0.560793,
      -7.550279,
      -1.616079,
      -0.145503,
      0.339927,
      -4.590407,
      -1.43326,
      -2.935557,
      -2.426512,
      3.182696,
      -2.422604,
      -0.097565,
      2.65317,
      -1.750801,
    ],
    x: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.7647630000000003, 0, 0, 0.23523700000000014, 0],
  },
];
const CAPPED: { v: number[]; u: number[]; x: number[] }[] = [
  {
    v: [-0.111702, 0.110464, 0.063782, -1.225056, 0.07614],
    u: [0.301873, 0.054768, 0.225635, 0.212953, 0.351109],
    x: [0.301873, 0.054768, 0.225635, 0.06661500000000009, 0.351109],
  },
  {
    v: [
      2.000417,
      0.76226,
      -1.199289,
      0.074516,
      0.57669,
      -0.188782,
      0.68291,
      -0.066517,
      0.667248,
      1.438523,
      -0.675662,
      0.203139,
      -0.463308,
      0.127268,
      -1.187195,
      -0.579302,
      -0.196196,
    ],
    u: [
      0.056748,
      0.387775,
      0.101702,
      0.275271,
      0.13416,
      0.352149,
      0.271642,
      0.070014,
      0.341128,
      0.37908,
      0.363488,
      0.236493,
      0.075275,
      0.093136,
      0.372604,
      0.229884,
      0.08861,
    ],
    x: [
      0.056748,
      0.23102600000000006,
      0,
      0,
      0.04545600000000005,
      0,
      0.15167600000000003,
      0,
      0.13601399999999997,
      0.37908,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ],
  },
];

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number) {
  assertEquals(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assertAlmost(actual[i]!, expected[i]!, tol, `x[${i}]`);
}

/** KKT of the capped projection: one τ with x = v − τ on free coordinates, sign conditions else. */
function assertKkt(v: ArrayLike<number>, u: ArrayLike<number>, x: Float64Array) {
  const tol = 1e-12;
  assertAlmost(x.reduce((s, a) => s + a, 0), 1, 1e-12, "Σx");
  let tau = NaN;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! > tol && x[i]! < Math.min(u[i]!, 1) - tol) tau = v[i]! - x[i]!;
  }
  for (let i = 0; i < x.length; i++) {
    const ui = Math.min(u[i]!, 1), xi = x[i]!;
    assert(xi >= 0 && xi <= ui, `bounds at ${i}`);
    if (Number.isNaN(tau)) continue;
    if (xi <= tol) assert(v[i]! - tau <= tol, `lower multiplier at ${i}`);
    else if (xi >= ui - tol) assert(v[i]! - tau >= ui - tol, `upper multiplier at ${i}`);
    else assertAlmost(v[i]! - tau, xi, 1e-12, `stationarity at ${i}`);
  }
}

Deno.test("projectSimplex() matches the scipy QP solution", () => {
  for (const { v, x } of PLAIN) {
    const p = projectSimplex(v);
    assertClose(p, x, 1e-12);
    assertKkt(v, v.map(() => 1), p);
  }
  assertEquals([...projectSimplex([0.2, 0.3, 0.5])], [0.2, 0.3, 0.5]);
  assertEquals([...projectSimplex([7])], [1]);
});

Deno.test("projectCappedSimplex() matches the scipy QP solution and caps of 1 give projectSimplex()", () => {
  for (const { v, u, x } of CAPPED) {
    const p = projectCappedSimplex(v, u);
    assertClose(p, x, 1e-12);
    assertKkt(v, u, p);
  }
  for (const { v } of PLAIN) {
    assertClose(projectCappedSimplex(v, v.map(() => Infinity)), projectSimplex(v), 1e-14);
  }
});

Deno.test("projectCappedSimplex() is nearer to v than random feasible points (brute force)", () => {
  const rng = new Rng(17);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + rng.int(9);
    const v = Array.from({ length: n }, () => 2 * rng.normal());
    const u = Array.from({ length: n }, () => rng.next() < 0.2 ? Infinity : rng.next());
    const sumU = u.reduce((s, c) => s + Math.min(c, 1), 0);
    if (sumU < 1) u[0] = Infinity;
    const x = projectCappedSimplex(v, u);
    assertKkt(v, u, x);
    const d = (y: ArrayLike<number>) => v.reduce((s, vi, i) => s + (vi - y[i]!) ** 2, 0);
    const best = d(x);
    for (let k = 0; k < 50; k++) {
      // A random feasible point: a capped projection of a random vector.
      const y = projectCappedSimplex(v.map(() => rng.normal()), u);
      assert(d(y) >= best - 1e-12, `trial ${trial}: found a nearer feasible point`);
    }
  }
});

Deno.test("projectCappedSimplex() handles tight and zero caps and rejects infeasible ones", () => {
  assertClose(projectCappedSimplex([5, -3, 0], [0.5, 0.25, 0.25]), [0.5, 0.25, 0.25], 1e-15);
  assertClose(projectCappedSimplex([5, 4, 0], [0, 1, 1]), [0, 1, 0], 1e-15);
  assertClose(projectCappedSimplex([0, 0, 0, 0], [1, 1, 1, 1]), [0.25, 0.25, 0.25, 0.25], 1e-15);
  assertThrows(
    () => projectCappedSimplex([1, 2], [0.3, 0.6]),
    RangeError,
    /sum to "0\.89+\d*", below 1/,
  );
  assertThrows(() => projectCappedSimplex([1, 2], [-0.1, 2]), RangeError, /cap 0 is "-0.1"/);
  assertThrows(() => projectCappedSimplex([1, 2], [1]), TypeError, /"1" caps for "2"/);
  assertThrows(() => projectSimplex([]), TypeError, /empty/);
  assertThrows(() => projectSimplex([1, NaN]), RangeError, /component 1 is "NaN"/);
});

Deno.test("exponentiatedGradientStep() equals softmax(log w − ηg) and stays finite for large ηg", () => {
  // References: scipy.special.softmax(np.log(w) - eta * g) (scipy 1.17).
  const w = [0.1, 0.2, 0.3, 0.4];
  assertClose(exponentiatedGradientStep(w, [1, -2, 0.5, 3], 0.7), [
    0.04429496306595809,
    0.7234403893350444,
    0.188572633959114,
    0.043692013639883426,
  ], 1e-15);
  assertClose(exponentiatedGradientStep(w, [1, -2, 0.5, 3], 1e4), [0, 1, 0, 0], 0);
  assertClose(exponentiatedGradientStep(w, [1, 1 + 1e-4, 1, 5], 1e4), [
    0.21115939912577653,
    0.15536240349700323,
    0.6334781973772201,
    0,
  ], 1e-14);
  assertEquals([...exponentiatedGradientStep([0, 2], [100, -100], 1)], [0, 1]);
  assertEquals([...exponentiatedGradientStep([1, 3], [5, 7], 0)], [0.25, 0.75]);
  assertThrows(() => exponentiatedGradientStep([0, 0], [1, 1], 1), RangeError, /every weight/);
  assertThrows(() => exponentiatedGradientStep([1], [1, 2], 1), TypeError, /"2" gradient/);
  assertThrows(() => exponentiatedGradientStep([1], [1], -1), RangeError, /eta "-1"/);
  assertThrows(() => exponentiatedGradientStep([-1, 2], [1, 1], 1), RangeError, /weight 0/);
});
