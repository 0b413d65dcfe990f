import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { fitGbdt, GbdtModel, type GbdtModelJson } from "../../numerics/gbdt/gbdt.ts";
import { binBounds } from "../../numerics/gbdt/_bins.ts";
import { WasmScorer } from "../../numerics/gbdt/_wasm.ts";
import { spearman } from "../../numerics/stats/correlation.ts";
import { Rng } from "../../numerics/rng.ts";
import { loadTable } from "../../datasets/registry.ts";
import type { Run } from "../../core/types.ts";

/** C's nextafter(x, +∞), written independently of the learner (IEEE bits via DataView). */
function nextUp(x: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  const bits = v.getBigInt64(0);
  v.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return v.getFloat64(0);
}

/** Reference prediction: walks the serialised trees one row at a time. */
function walk(json: GbdtModelJson, row: ArrayLike<number>): number {
  let s = json.baseScore;
  for (let t = 0; t + 1 < json.nodeOffsets.length; t++) {
    const n0 = json.nodeOffsets[t]!;
    let c = json.nodeOffsets[t + 1]! > n0 ? 0 : -1;
    while (c >= 0) {
      const k = n0 + c;
      c = row[json.feature[k]!]! <= json.threshold[k]! ? json.left[k]! : json.right[k]!;
    }
    s += json.leafValue[json.leafOffsets[t]! + ~c]!;
  }
  return s;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/gbdt_lightgbm.json", import.meta.url)),
) as {
  regmix: {
    full: Record<string, number[]>;
    slice: { validation: number[]; bestIteration: number } & Record<string, number[]>;
  };
  synthetic: { x: number[][]; y: number[]; prediction: number[] };
};

const table = await loadTable("regmix_pile");
const runs = (fidelity: string, split: string) =>
  table.runs.filter((r) => r.fidelity === fidelity && r.split === split);
const train = runs("1M", "train");
const tests: Record<string, Run[]> = {
  "1M": runs("1M", "test"),
  "60M": runs("60M", "test"),
  "1B": runs("1B", "test"),
};
const X = (rs: readonly Run[]) => rs.map((r) => r.mixture);
const Y = (rs: readonly Run[]) => rs.map((r) => r.metrics.pile_cc_loss!);

/** The early-stopping slice: 51 of the 512 training runs (10 %), never a test run. */
function splitTrain(): { fit: Run[]; validation: Run[] } {
  const order = new Rng(0).shuffle(train.map((_, i) => i));
  return {
    validation: order.slice(0, 51).map((i) => train[i]!),
    fit: order.slice(51).map((i) => train[i]!),
  };
}

Deno.test("binBounds() cuts between distinct values and gives zero a bin of its own", () => {
  const b = binBounds(Float64Array.of(-2, -1, 0, 0, 1, 2, 3), 255, 1);
  assertEquals(Array.from(b), [nextUp(-1.5), -1e-35, 1e-35, nextUp(1.5), nextUp(2.5), Infinity]);
  // At least 3 rows per bin: 1, 2, 3 share one bin.
  assertEquals(Array.from(binBounds(Float64Array.of(0, 1, 2, 3), 255, 3)), [1e-35, Infinity]);
});

Deno.test("fitGbdt() starts from mean(y) and splits a step function exactly in one round", () => {
  const x = Array.from({ length: 100 }, (_, i) => [(i + 1) / 100, 0.5]);
  const y = x.map(([v]) => (v! <= 0.5 ? 1 : 3));
  const model = fitGbdt(x, y, { numRounds: 1, numLeaves: 2, learningRate: 0.1, minDataInBin: 1 });
  const json = model.toJSON();
  assertEquals(json.baseScore, 2);
  assertEquals(json.feature, [0]);
  // Threshold = LightGBM's bin bound: just above the midpoint of 0.50 and 0.51.
  assertEquals(json.threshold, [nextUp((0.5 + 0.51) / 2)]);
  // Leaf value = −G/H · lr with g = score − y: left G/H = 2 − 1, right = 2 − 3.
  assertAlmost(json.leafValue[~json.left[0]!]!, -0.1, 1e-15);
  assertAlmost(json.leafValue[~json.right[0]!]!, 0.1, 1e-15);
  assertEquals(Array.from(model.predict([[0.5, 0], [0.505, 0], [0.51, 0]])), [1.9, 1.9, 2.1]);

  const flat = fitGbdt(x.map(() => [0.3]), y, { numRounds: 10 });
  assertEquals(flat.numTrees, 1);
  assertAlmost(flat.predict([[0.9]])[0]!, 2, 1e-12);
});

Deno.test("fitGbdt() matches LightGBM 4.7.0 on negative, zero, tied and constant features", () => {
  const { x, y, prediction } = fixture.synthetic;
  const model = fitGbdt(x, y, {
    numRounds: 100,
    learningRate: 0.1,
    numLeaves: 15,
    minDataInLeaf: 10,
  });
  assertEquals(model.numTrees, 100);
  const diff = maxDiff(model.predict(x), prediction);
  assert(diff < 1e-10, `max |Δ| ${diff}`);
});

Deno.test("fitGbdt() matches LightGBM 4.7.0 on the RegMix Pile-CC swarm", () => {
  const full = fitGbdt(X(train), Y(train), { earlyStoppingRounds: 0 });
  assertEquals(full.numTrees, 1000);
  const { fit, validation } = splitTrain();
  assertEquals(
    validation.map((r) => train.indexOf(r)),
    fixture.regmix.slice.validation,
  );
  const early = fitGbdt(X(fit), Y(fit), { validation: { x: X(validation), y: Y(validation) } });
  assertEquals(early.bestIteration, fixture.regmix.slice.bestIteration);
  assertEquals(early.numTrees, early.bestIteration);
  for (const [scale, rs] of Object.entries(tests)) {
    const d1 = maxDiff(full.predict(X(rs)), fixture.regmix.full[scale]!);
    const d2 = maxDiff(early.predict(X(rs)), fixture.regmix.slice[scale]!);
    assert(d1 < 1e-10 && d2 < 1e-10, `${scale}: max |Δ| ${d1}, ${d2}`);
  }
});

Deno.test("fitGbdt() ranks RegMix mixtures with Spearman ≥ 0.98 (1M, 60M) and ≥ 0.92 (1B)", () => {
  const { fit, validation } = splitTrain();
  const model = fitGbdt(X(fit), Y(fit), { validation: { x: X(validation), y: Y(validation) } });
  const rho = (rs: readonly Run[]) => spearman(model.predict(X(rs)), Y(rs));
  assert(rho(tests["1M"]!) >= 0.98, `1M: ${rho(tests["1M"]!)}`);
  assert(rho(tests["60M"]!) >= 0.98, `60M: ${rho(tests["60M"]!)}`);
  assert(rho(tests["1B"]!) >= 0.92, `1B: ${rho(tests["1B"]!)}`);
});

Deno.test("fitGbdt() is deterministic: the same seed gives identical models", () => {
  const a = fitGbdt(X(train), Y(train), { numRounds: 200, seed: 7 });
  const b = fitGbdt(X(train), Y(train), { numRounds: 200, seed: 7 });
  assertEquals(a.toJSON(), b.toJSON());
  assertEquals(a.predict(X(tests["1B"]!)), b.predict(X(tests["1B"]!)));
});

function randomRows(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed), rows = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let f = 0; f < d; f++) s += rows[i * d + f] = -Math.log(1 - rng.next());
    for (let f = 0; f < d; f++) rows[i * d + f]! /= s;
  }
  return rows;
}

Deno.test("GbdtModel.predictInto() agrees with a plain tree walk, edge values included", () => {
  const model = fitGbdt(X(train), Y(train), { numRounds: 300 });
  const json = model.toJSON();
  const d = 17, n = 1001;
  const rows = randomRows(n, d, 3);
  // Rows exactly on thresholds, out of range, infinite and NaN.
  for (let f = 0; f < d; f++) {
    const k = json.feature.indexOf(f);
    rows[f] = k >= 0 ? json.threshold[k]! : 0.5;
    rows[d + f] = nextUp(rows[f]!);
  }
  rows.fill(-1, 2 * d, 3 * d);
  rows.fill(Infinity, 3 * d, 4 * d);
  rows.fill(NaN, 4 * d, 5 * d);
  rows.fill(0, 5 * d, 6 * d);
  const out = new Float64Array(n);
  model.predictInto(rows, d, out);
  for (let i = 0; i < n; i++) {
    assertEquals(out[i], walk(json, rows.subarray(i * d, (i + 1) * d)), `row ${i}`);
  }
  // The same through the SIMD kernel directly: it must compile here (Deno ≥ 1.9 has SIMD).
  const scorer = WasmScorer.create(json);
  assert(scorer !== null, "the WebAssembly SIMD scorer did not compile");
  const direct = new Float64Array(n);
  scorer.score(rows, json.baseScore, direct);
  assertEquals(direct, out);
  const part = new Float64Array(5);
  model.predictInto(rows.subarray(7 * d, 12 * d), d, part);
  assertEquals(part, out.subarray(7, 12));
});

Deno.test("GbdtModel.predict() walks trees of more than 32 leaves without the SIMD scorer", () => {
  const rows = randomRows(600, 5, 4);
  const x = Array.from({ length: 600 }, (_, i) => Array.from(rows.subarray(5 * i, 5 * i + 5)));
  const y = x.map((r) => Math.sin(9 * r[0]!) + r[1]! * r[2]!);
  const model = fitGbdt(x, y, { numRounds: 20, numLeaves: 64, minDataInLeaf: 2, minDataInBin: 1 });
  const json = model.toJSON();
  const widest = Math.max(
    ...json.leafOffsets.slice(1).map((v, t) => v - json.leafOffsets[t]!),
  );
  assert(widest > 32, `widest tree has ${widest} leaves`);
  const p = model.predict(x);
  x.forEach((row, i) => assertEquals(p[i], walk(json, row)));
});

Deno.test("GbdtModel.toJSON() round-trips through JSON text", () => {
  const model = fitGbdt(X(train), Y(train), { numRounds: 50 });
  const again = GbdtModel.fromJSON(JSON.parse(JSON.stringify(model)));
  assertEquals(again.toJSON(), model.toJSON());
  assertEquals(again.predict(X(tests["1M"]!)), model.predict(X(tests["1M"]!)));
  assertThrows(
    () => GbdtModel.fromJSON({ ...model.toJSON(), left: model.toJSON().left.map(() => 0) }),
    TypeError,
    /child "0" out of range/,
  );
});

Deno.test("fitGbdt() and predictInto() reject bad shapes, values and options", () => {
  assertThrows(() => fitGbdt([], []), TypeError, /no rows/);
  assertThrows(() => fitGbdt([[1, 2], [3]], [1, 2]), TypeError, /row 1 has 1 features, expected 2/);
  assertThrows(() => fitGbdt([[1], [2]], [1]), TypeError, /"y" has 1 values, expected 2/);
  assertThrows(() => fitGbdt([[1], [NaN]], [1, 2]), RangeError, /row 1 feature 0 is "NaN"/);
  assertThrows(() => fitGbdt([[1]], [1], { numLeaves: 1 }), RangeError, /"numLeaves" = "1"/);
  assertThrows(() => fitGbdt([[1]], [1], { learningRate: 0 }), RangeError, /"learningRate"/);
  const model = fitGbdt([[1], [2]], [1, 2]);
  assertThrows(
    () => model.predictInto(new Float64Array(4), 2, new Float64Array(2)),
    TypeError,
    /expected rows of 1 features/,
  );
});
