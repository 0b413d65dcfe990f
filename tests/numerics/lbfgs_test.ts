import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { lbfgs, lbfgsSession } from "../../numerics/optim/lbfgs.ts";
import { referenceLbfgsSession } from "./_lbfgs_reference.ts";
import { _wolfe, type Phi } from "../../numerics/optim/_line_search.ts";

/** Chained Rosenbrock function Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1). */
function rosenbrock(x: Float64Array, g: Float64Array): number {
  const n = x.length;
  let f = 0;
  g.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i]!, b = x[i + 1]!;
    const t = b - a * a, u = 1 - a;
    f += 100 * t * t + u * u;
    g[i]! += -400 * a * t - 2 * u;
    g[i + 1]! += 200 * t;
  }
  return f;
}

const tight = { gradientTolerance: 1e-10, functionTolerance: 0, maxIterations: 1000 };

Deno.test("lbfgs() minimises the 2-D Rosenbrock function from (−1.2, 1) to within 1e-6", () => {
  const r = lbfgs(rosenbrock, [-1.2, 1], tight);
  assert(r.converged, r.message);
  for (const v of r.x) assertAlmost(v, 1, 1e-6);
  assert(r.value < 1e-12, `f = ${r.value}`);
  assert(r.iterations < 100, `${r.iterations} iterations`);
  assert(r.evaluations >= r.iterations + 1);
});

Deno.test("lbfgs() minimises the 10-D Rosenbrock function from (−1.2, 1, −1.2, 1, …)", () => {
  // From (−1.2, 1, 1, …, 1) the chained function leads to its local minimum near
  // (−0.99, 0.997, …), as scipy's L-BFGS-B also finds; the alternating start is the standard one.
  const x0 = Array.from({ length: 10 }, (_, i) => i % 2 === 0 ? -1.2 : 1);
  const r = lbfgs(rosenbrock, x0, tight);
  assert(r.converged, r.message);
  for (const v of r.x) assertAlmost(v, 1, 1e-6);
  assert(Math.max(...r.gradient.map(Math.abs)) <= 1e-10);
});

Deno.test("lbfgs() stops at the default tolerances with a converged message", () => {
  const r = lbfgs(rosenbrock, [-1.2, 1]);
  assert(r.converged, r.message);
  assert(/tolerance/.test(r.message));
  for (const v of r.x) assertAlmost(v, 1, 1e-3);
});

Deno.test("lbfgs() solves a 50-D convex quadratic as numpy.linalg.solve does", () => {
  // A = MᵀM/50 + 0.01·I with M[i][j] = sin(0.7·(i+1)(j+2)), b[i] = cos(i); cond(A) ≈ 187.8.
  // Reference: numpy 2.4 `np.linalg.solve(A, b)`, f* = −bᵀx/2 = -1141.1777365353432.
  const n = 50;
  const M = Array.from(
    { length: n },
    (_, i) => Array.from({ length: n }, (_, j) => Math.sin(0.7 * (i + 1) * (j + 2))),
  );
  const A = Array.from({ length: n }, (_, i) =>
    Float64Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += M[k]![i]! * M[k]![j]!;
      return s / n + (i === j ? 0.01 : 0);
    }));
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const r = lbfgs(
    (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        const row = A[i]!;
        let ax = 0;
        for (let j = 0; j < n; j++) ax += row[j]! * x[j]!;
        g[i] = ax - b[i]!;
        f += x[i]! * (0.5 * ax - b[i]!);
      }
      return f;
    },
    new Float64Array(n),
    { functionTolerance: 0 },
  );
  assert(r.converged, r.message);
  // ‖x − x*‖₂ ≤ ‖∇f(x)‖₂ / λ_min(A), λ_min = 0.01 (numpy.linalg.eigvalsh).
  let err = 0, gnorm = 0;
  for (let i = 0; i < n; i++) {
    err += (r.x[i]! - QUADRATIC_SOLUTION[i]!) ** 2;
    gnorm += r.gradient[i]! ** 2;
  }
  assert(Math.sqrt(err) <= Math.sqrt(gnorm) / 0.01, `‖x − x*‖ = ${Math.sqrt(err)}`);
  assert(Math.sqrt(err) <= 1e-4, `‖x − x*‖ = ${Math.sqrt(err)}`);
  assertAlmost(r.value, -1141.1777365353432, 1e-9);
});

Deno.test("lbfgs() backtracks out of a region where f is not finite", () => {
  // f(x) = −log(1 − x²) + x is defined only on (−1, 1); the first step (length 1) from 0.5 leaves it.
  const r = lbfgs(
    (x, g) => {
      const v = x[0]!;
      if (Math.abs(v) >= 1) {
        g[0] = NaN;
        return Infinity;
      }
      g[0] = 2 * v / (1 - v * v) + 1;
      return -Math.log(1 - v * v) + v;
    },
    [0.5],
    { gradientTolerance: 1e-12, functionTolerance: 0 },
  );
  assert(r.converged, r.message);
  // Stationary point of −log(1 − v²) + v: v² − 2v − 1 = 0 on (−1, 1) ⇒ v = 1 − √2.
  assertAlmost(r.x[0]!, 1 - Math.SQRT2, 1e-8);
});

Deno.test("lbfgs() reports a non-finite start, iteration limits and bad options", () => {
  const nan = lbfgs((_, g) => {
    g[0] = 0;
    return NaN;
  }, [0]);
  assertEquals([nan.converged, nan.iterations, nan.evaluations], [false, 0, 1]);
  const capped = lbfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
  assertEquals([capped.converged, capped.iterations], [false, 3]);
  assert(/Maximum iterations/.test(capped.message));
  assertThrows(() => lbfgs(rosenbrock, [0, 0], { memory: 0 }), RangeError, /memory "0"/);
  assertThrows(() => lbfgs(rosenbrock, [0, 0], { c1: 0.5, c2: 0.1 }), RangeError, /c1/);
  const zero = lbfgs((x, g) => {
    g[0] = 0;
    return x[0]!;
  }, [3]);
  assertEquals([zero.converged, zero.iterations, zero.x[0]], [true, 0, 3]);
});

// Line-search test functions of Moré and Thuente (1994, ACM TOMS 20:286), tables 1–3.
const phis: Record<string, Phi> = {
  "−α/(α²+2)": (a) => [-a / (a * a + 2), (a * a - 2) / (a * a + 2) ** 2],
  "(α+β)⁵ − 2(α+β)⁴, β=0.004": (a) => {
    const t = a + 0.004;
    return [t ** 5 - 2 * t ** 4, 5 * t ** 4 - 8 * t ** 3];
  },
  "wiggly φ₀ + sin, β=0.01, l=39": (a) => {
    const beta = 0.01, l = 39;
    let f: number, d: number;
    if (a <= 1 - beta) [f, d] = [1 - a, -1];
    else if (a >= 1 + beta) [f, d] = [a - 1, 1];
    else [f, d] = [(a - 1) ** 2 / (2 * beta) + beta / 2, (a - 1) / beta];
    const k = l * Math.PI / 2;
    return [f + 2 * (1 - beta) / (l * Math.PI) * Math.sin(k * a), d + (1 - beta) * Math.cos(k * a)];
  },
};

Deno.test("_wolfe() returns steps that satisfy the strong Wolfe conditions", () => {
  for (const [name, phi] of Object.entries(phis)) {
    const [f0, d0] = phi(0);
    assert(d0 < 0, name);
    for (const [c1, c2] of [[1e-4, 0.9], [1e-3, 0.1], [0.1, 0.1 + 1e-9]]) {
      for (const step of [1e-3, 1e-1, 1, 10, 1e3]) {
        const r = _wolfe(phi, { value: f0, slope: d0, step }, {
          c1: c1!,
          c2: c2!,
          maxEvaluations: 40,
        });
        const what = `${name} c1=${c1} c2=${c2} α0=${step}`;
        assert(r.ok, what);
        const [f, d] = phi(r.step);
        assertEquals([f, d], [r.value, r.slope]);
        assert(f <= f0 + c1! * r.step * d0, `${what}: sufficient decrease`);
        assert(Math.abs(d) <= c2! * Math.abs(d0), `${what}: curvature`);
        assert(r.evaluations <= 40);
      }
    }
  }
});

Deno.test("_wolfe() backtracks from non-finite values and reports failure without decrease", () => {
  // φ(α) = (α − 0.2)² is infinite for α > 0.3.
  const phi: Phi = (a) => a > 0.3 ? [Infinity, NaN] : [(a - 0.2) ** 2, 2 * (a - 0.2)];
  const r = _wolfe(phi, { value: 0.04, slope: -0.4, step: 100 }, { c2: 0.1 });
  assert(r.ok && r.step <= 0.3 && Math.abs(r.slope) <= 0.04, JSON.stringify(r));
  // A direction that is not actually descending: nothing satisfies sufficient decrease.
  const up = _wolfe((a) => [a, 1], { value: 0, slope: -1, step: 1 }, { maxEvaluations: 10 });
  assertEquals([up.ok, up.step, up.evaluations], [false, 0, 10]);
});

const QUADRATIC_SOLUTION = [
  80.98212131655097,
  42.88801197339243,
  -48.57889930655258,
  -92.75784169454322,
  -53.51636448447111,
  39.656221088283,
  72.33713483484645,
  76.0798896383274,
  6.47268190975175,
  -101.75958099032276,
  -92.53856999813978,
  -6.266810202612947,
  86.40402134716258,
  100.51746544365946,
  7.7481107231928705,
  -96.21344000965868,
  -94.22643050145307,
  -8.429703835399907,
  71.59843724708547,
  93.36045519642138,
  33.69997550972531,
  -58.94409123650853,
  -94.73225474397476,
  -67.65059784496353,
  34.38679396142898,
  100.12241529774201,
  75.21404367406937,
  -16.345248603894685,
  -98.14814438722215,
  -79.26413872949507,
  10.103836366255951,
  91.52977291215866,
  87.92621246972948,
  10.579910003338394,
  -89.26287831954151,
  -103.08400008717808,
  -15.071493276718348,
  80.2336261044027,
  105.78944020276397,
  34.15626809805234,
  -70.51145203017032,
  -42.23879982617259,
  -7.84567260908394,
  37.178946710595284,
  46.369001767534925,
  12.160248530777126,
  -29.836314228780278,
  -53.226711280998934,
  -25.359953442020128,
  24.520276168579777,
];

Deno.test("lbfgsSession() takes bit-identical steps to the reference transcription (fused passes)", () => {
  // Memory wrap-around (memory 3 over many iterations), skipped pairs and several chunks.
  const cases: [number[], { memory?: number; functionTolerance?: number }][] = [
    [Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1)), {}],
    [[-1.2, 1, 0.5, -0.3, 2], { memory: 3, functionTolerance: 0 }],
    [[3, -2, 1], { memory: 1 }],
  ];
  for (const [x0, options] of cases) {
    const a = lbfgsSession(rosenbrock, x0, options);
    const b = referenceLbfgsSession(rosenbrock, x0, options);
    for (let chunk = 0; chunk < 6; chunk++) {
      const ra = a.run(7), rb = b.run(7);
      const what = `x0 ${x0}, ${JSON.stringify(options)}, chunk ${chunk}`;
      assertEquals(ra.x, rb.x, what);
      assertEquals(ra.gradient, rb.gradient, what);
      assert(Object.is(ra.value, rb.value), what);
      assertEquals([ra.iterations, ra.evaluations, ra.message], [
        rb.iterations,
        rb.evaluations,
        rb.message,
      ]);
    }
  }
});
