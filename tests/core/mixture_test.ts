import { assertEquals, assertThrows } from "../_assert.ts";
import { InvalidMixtureError } from "../../core/errors.ts";
import {
  entropy,
  klDivergence,
  l1Distance,
  mixtureKey,
  nearestIndex,
  validateMixture,
} from "../../core/mixture.ts";

Deno.test("validateMixture() accepts simplex points and renormalises within the tolerance", () => {
  const w = validateMixture([0.2, 0.3, 0.5000004], 3, "m");
  assertEquals(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-15, true);
  assertEquals(validateMixture(new Float64Array([1, 0]), 2, "m"), [1, 0]);
});

Deno.test("validateMixture() names the method and what was wrong", () => {
  const bad: [unknown, RegExp][] = [
    [[0.5, 0.5], /Method "m" returned an invalid mixture: got "2" weights, expected "3"/],
    [[0.5, NaN, 0.5], /weight 1 is "NaN", expected a number/],
    [[0.5, Infinity, 0.5], /weight 1 is "Infinity"/],
    [[1.2, -0.2, 0], /weight 1 is negative/],
    [[0.5, 0.5, 0.1], /weights sum to "1\.1", expected 1 within 0\.000001|weights sum to "1\.1"/],
    ["abc", /expected an array of "3" weights/],
    [[0.5, "0.5", 0], /weight 1 is "0\.5", expected a number/],
    [undefined, /expected an array/],
  ];
  for (const [w, re] of bad) {
    assertThrows(() => validateMixture(w, 3, "m"), InvalidMixtureError, re);
  }
});

Deno.test("mixture geometry: L1, entropy, KL, nearest member, keys", () => {
  assertEquals(l1Distance([1, 0], [0, 1]), 2);
  assertEquals(Math.abs(entropy([0.5, 0.5]) - Math.LN2) < 1e-15, true);
  assertEquals(klDivergence([0.5, 0.5], [0.5, 0.5]), 0);
  assertEquals(nearestIndex([[1, 0, 0], [0.4, 0.3, 0.3], [0, 0, 1]], [1 / 3, 1 / 3, 1 / 3]), 1);
  assertEquals(mixtureKey([0.1234564, 0.8765436]), mixtureKey([0.1234561, 0.8765439]));
});

Deno.test("nearestIndex() breaks ties by the smallest mixture, whatever the row order", () => {
  // Three members at L1 distance 4/3 from uniform, in every order: [0, 0, 1] wins each time.
  const members = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const order of orders) {
    const pool = order.map((i) => members[i]!);
    assertEquals(pool[nearestIndex(pool, [1 / 3, 1 / 3, 1 / 3])], [0, 0, 1]);
  }
  // A strictly nearer member still wins over a smaller one.
  assertEquals(nearestIndex([[0, 0, 1], [0.3, 0.3, 0.4]], [1 / 3, 1 / 3, 1 / 3]), 1);
});
