import { assert, assertAlmost } from "../_assert.ts";
import { klProposer } from "../../methods/_kl_proposer.ts";
import { assertThrows } from "../_assert.ts";
import { referenceKlProposer } from "./_kl_proposer_reference.ts";
import { Rng } from "../../numerics/rng.ts";

// Reference: scipy 1.17 SLSQP (ftol 1e-15, 20 random starts, best kept) on the same instance.
const T = [
  [3.061, -3.833, 0.627, -0.852, -0.679, -0.323],
  [-3.03, -0.348, -1.298, 4.984, 0.339, -0.529],
  [-0.422, -1.002, -1.583, -0.586, 0.723, -0.358],
];
const Q = [
  0.07729227077292271,
  0.047495250474952504,
  0.0004999500049995,
  0.3110688931106889,
  0.23887611238876114,
  0.3247675232476752,
];
const U = [0.5, 0.3, 1, 0.2, 1, 0.25];
const X = [
  0.19781631688913973,
  0.3,
  0.06522639752002576,
  0.005912559297810383,
  0.18104472629297116,
  0.25,
];

Deno.test("klProposer() matches an independent SLSQP solution and its KKT conditions hold to 1e-6", () => {
  const r = klProposer(T, Q, { caps: U, lambda: 0.1 });
  assert(r.kkt < 1e-6, `KKT residual ${r.kkt}`);
  r.x.forEach((x, i) => assertAlmost(x, X[i]!, 1e-6, `x[${i}]`));
  assertAlmost(r.value, 0.6133152994257608, 1e-9);
  assertAlmost(r.x.reduce((a, b) => a + b, 0), 1, 1e-12);
  r.x.forEach((x, i) => assert(x >= 0 && x <= U[i]! + 1e-12));
});

Deno.test("klProposer() returns the prior when every t = 0 and the prior is within the caps", () => {
  const r = klProposer([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]], Q, {
    caps: [1, 1, 1, 0.5, 1, 0.5],
  });
  r.x.forEach((x, i) => assertAlmost(x, Q[i]!, 1e-9));
  assert(r.kkt < 1e-9);
});

Deno.test("klProposer() with caps binding at the prior moves the excess to uncapped domains", () => {
  const r = klProposer([[0, 0, 0]], [0.6, 0.3, 0.1], { caps: [0.4, 1, 1] });
  assertAlmost(r.x[0]!, 0.4, 1e-9);
  assertAlmost(r.x[1]! / r.x[2]!, 3, 1e-6);
  assert(r.kkt < 1e-6);
});

Deno.test("klProposer() refuses caps that leave no feasible mixture", () => {
  assertThrows(
    () => klProposer([[0, 0]], [0.5, 0.5], { caps: [0.3, 0.3] }),
    RangeError,
    /caps sum to/,
  );
});

Deno.test("klProposer() gives bit-identical solutions to the reference transcription (typed, transposed exponents)", () => {
  // Sizes around the two-column Hessian pairs (odd and even free sets), caps that bind and
  // release, several λ; the superswarm's shape (110 metrics, 64 domains) once.
  const cases: [number, number, number, boolean][] = [
    [1, 2, 0.1, false],
    [3, 5, 0.05, true],
    [4, 6, 0.1, false],
    [13, 17, 0.1, true],
    [7, 9, 0.5, true],
    [110, 64, 0.05, true],
  ];
  for (const [K, m, lambda, capped] of cases) {
    for (const seed of K > 20 ? [1] : [1, 2, 3]) {
      const rng = new Rng(1000 * K + m + seed);
      const t = Array.from({ length: K }, () => Array.from({ length: m }, () => 2 * rng.normal()));
      const q0 = Array.from({ length: m }, (_, i) => (i === 1 ? 0 : -Math.log(1 - rng.next())));
      const qs = q0.reduce((a, b) => a + b, 0);
      const q = q0.map((x) => x / qs);
      const weights = t.map(() => rng.next());
      const caps = capped ? q.map(() => 0.05 + rng.next()) : undefined;
      if (caps && caps.reduce((a, b) => a + b, 0) < 1) continue;
      const o = { lambda, weights, ...(caps ? { caps } : {}) };
      const got = klProposer(t, q, o), want = referenceKlProposer(t, q, o);
      const what = `K=${K} m=${m} λ=${lambda} caps=${capped} seed ${seed}`;
      assert(
        got.x.length === want.x.length && got.x.every((v, i) => Object.is(v, want.x[i])) &&
          Object.is(got.value, want.value) && Object.is(got.kkt, want.kkt) &&
          got.iterations === want.iterations,
        `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
      );
    }
  }
});
